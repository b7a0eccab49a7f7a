"""``sozialforum protokoll``: the paused run is answered with the typed input from the command
line; without a waiting run the command decides and distributes itself; a second approval
changes nothing."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sozialforum.flows.protokoll_einsammeln import protokoll_einsammeln
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from sozialforum.cli import app
from sozialforum.protokoll.anfordern import request_draft
from sozialforum.protokoll.entwurf import submit_draft
from sozialforum.settings import load_settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import OutboxMessage, Protokoll, ProtokollFreigabe
from sozialforum.vocab import ProtokollStatus
from tests.protokoll.conftest import NACH_SITZUNG, Welt, build_world
from tests.protokoll.flowhelfer import wait_for_paused_runs, write_config
from tests.protokoll.test_ablauf import entwurf


def _submitted(engine: Engine, config: str, welt: Welt) -> int:
    settings = load_settings(config)
    with session_scope(engine, actor="test") as session:
        pid = request_draft(session, sitzung_id=welt.sitzung_id, now=NACH_SITZUNG, settings=settings).id
        submit_draft(
            session,
            protokoll_id=pid,
            person_id=welt.protokollfuehrung_id,
            eingabe=entwurf(welt),
            now=NACH_SITZUNG,
            settings=settings,
        )
    return pid


def _cli(config: str, *args: str, columns: int = 200) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--konfiguration", config, "protokoll", *args], env={"COLUMNS": str(columns)})
    return result.exit_code, result.output


def _distributed(engine: Engine) -> int:
    with session_scope(engine, actor="test") as session:
        return session.scalar(
            sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.schluessel.like("%:verteilung:%"))
        )


def test_freigeben_without_a_waiting_run_decides_and_distributes_once(sqlite_engine: Engine, tmp_path: Path) -> None:
    welt = build_world(sqlite_engine)
    config = write_config(tmp_path, sqlite_engine)
    _submitted(sqlite_engine, config, welt)
    code, output = _cli(config, "status", columns=100)
    assert code == 0 and "Kommentare bis" in output and "11.03.2026" in output and "…" not in output, output
    code, output = _cli(config, "freigeben", "--sitzung", str(welt.sitzung_id), "--zurueckgeben")
    assert code == 1 and "Anmerkungen nötig" in output
    code, output = _cli(config, "freigeben", "--sitzung", str(welt.sitzung_id), "--von", "Gerd Geschäft")
    assert code == 0, output
    assert "Version 1 ist freigegeben." in output and "Protokoll verteilt an 5 Teilnehmende" in output
    assert _distributed(sqlite_engine) == 6
    code, output = _cli(config, "freigeben", "--sitzung", str(welt.sitzung_id))
    assert code == 0 and "bereits freigegeben" in output
    assert _distributed(sqlite_engine) == 6
    code, output = _cli(config, "status")
    assert code == 0 and "freigegeben und verteilt" in output
    code, output = _cli(config, "zeigen", "--sitzung", str(welt.sitzung_id))
    assert code == 0 and "Konzept Familienzentrum vorlegen" in output
    # On a narrow terminal an entry's wrapped lines stay indented under its TOP, not at the margin.
    code, output = _cli(config, "zeigen", "--sitzung", str(welt.sitzung_id), columns=60)
    heads = ("Stand:", "Version", "TOP", "Dokument")
    body = [line for line in output.splitlines() if line.strip() and not line.startswith(heads)]
    assert len(body) > 3 and all(line.startswith("  ") for line in body), output


def test_unknown_sitzung_exits_4(sqlite_engine: Engine, tmp_path: Path) -> None:
    config = write_config(tmp_path, sqlite_engine)
    code, output = _cli(config, "zeigen", "--sitzung", "999")
    assert code == 4 and "noch kein Protokoll angefordert" in output


@pytest.mark.prefect
@pytest.mark.slow
def test_freigeben_resumes_the_paused_run_with_the_typed_input(
    prefect_harness: None, sqlite_engine: Engine, tmp_path: Path
) -> None:
    welt = build_world(sqlite_engine)
    config = write_config(tmp_path, sqlite_engine, freigabe_erinnerung_stunden=1)
    pid = _submitted(sqlite_engine, config, welt)
    results: list[str] = []
    run = threading.Thread(
        target=lambda: results.append(
            protokoll_einsammeln(
                welt.sitzung_id, konfiguration=config, jetzt=NACH_SITZUNG + timedelta(days=10), poll_sekunden=1
            )
        )
    )
    run.start()
    wait_for_paused_runs(1, konfiguration=config)
    code, output = _cli(
        config,
        "freigeben",
        "--sitzung",
        str(welt.sitzung_id),
        "--zurueckgeben",
        "--anmerkungen",
        "TOP 3 fehlt.",
        "--von",
        "Gerd Geschäft",
    )
    run.join(120)
    assert code == 0 and "fortgesetzt" in output
    assert results and "zurückgegeben" in results[0]
    with session_scope(sqlite_engine, actor="test") as session:
        decision = session.scalars(sa.select(ProtokollFreigabe)).one()
        assert (decision.entscheidung, decision.anmerkungen, decision.entschieden_von, decision.quelle) == (
            "zurueckgeben",
            "TOP 3 fehlt.",
            "Gerd Geschäft",
            "prefect",
        )
        assert session.get(Protokoll, pid).status == ProtokollStatus.ZURUECKGEGEBEN


@pytest.mark.prefect
def test_freigeben_decides_itself_when_the_paused_run_is_gone(
    prefect_harness: None, sqlite_engine: Engine, tmp_path: Path
) -> None:
    """A run paused by a process that died: the resume goes nowhere, so the command decides."""
    from prefect.client.orchestration import get_client
    from prefect.states import Paused

    from sozialforum.protokoll.freigabe import mark_waiting

    welt = build_world(sqlite_engine)
    config = write_config(tmp_path, sqlite_engine)
    pid = _submitted(sqlite_engine, config, welt)
    with get_client(sync_client=True) as client:
        orphan = client.create_flow_run(
            protokoll_einsammeln, parameters={"sitzung_id": welt.sitzung_id}, state=Paused(timeout_seconds=3600)
        )
    with session_scope(sqlite_engine, actor="test") as session:
        mark_waiting(session, protokoll_id=pid, lauf_id=str(orphan.id))
    code, output = _cli(config, "freigeben", "--sitzung", str(welt.sitzung_id), "--warten", "1")
    assert code == 0, output
    assert "nicht reagiert" in output and "Protokoll verteilt an 5 Teilnehmende" in output
    assert _distributed(sqlite_engine) == 6
