"""The whole path under the Prefect harness: Sitzung held → draft requested → submitted →
comment → returned → revised → approved → distributed → Aufträge created. The paused run
resumes with the typed input, as from the Prefect UI or API."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import sqlalchemy as sa
from sozialforum.flows.demo.protokoll import Antwortgeber
from sozialforum.flows.protokoll_einsammeln import protokoll_einsammeln, resume_with_decision
from sqlalchemy.engine import Engine

from sozialforum.protokoll.entwurf import add_comment, submit_draft
from sozialforum.protokoll.lage import protokoll_for_sitzung
from sozialforum.settings import load_settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import AuditEntry, Auftrag, OutboxMessage, Protokoll, ProtokollFreigabe
from sozialforum.vocab import OutboxStatus, ProtokollStatus
from tests.protokoll.conftest import NACH_SITZUNG, Welt, build_world
from tests.protokoll.flowhelfer import wait_for_paused_runs, write_config
from tests.protokoll.test_ablauf import entwurf

pytestmark = [pytest.mark.prefect, pytest.mark.slow]


def _outbox(engine: Engine) -> list[OutboxMessage]:
    with session_scope(engine, actor="test") as session:
        return list(session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def _counts(engine: Engine) -> dict[str, int]:
    with session_scope(engine, actor="test") as session:
        return {
            model.__tablename__: session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (OutboxMessage, Auftrag, AuditEntry, ProtokollFreigabe)
        }


def _submit(engine: Engine, config: str, welt: Welt, pid: int, days: int) -> None:
    settings = load_settings(config)
    with session_scope(engine, actor="test") as session:
        submit_draft(
            session,
            protokoll_id=pid,
            person_id=welt.protokollfuehrung_id,
            eingabe=entwurf(welt),
            now=NACH_SITZUNG + timedelta(days=days),
            settings=settings,
        )


def test_whole_path_with_return_and_approval(prefect_harness: None, sqlite_engine: Engine, tmp_path: Path) -> None:
    engine = sqlite_engine
    welt = build_world(engine)
    config = write_config(tmp_path, engine, freigabe_erinnerung_stunden=1)

    first = protokoll_einsammeln(welt.sitzung_id, konfiguration=config, jetzt=NACH_SITZUNG, poll_sekunden=1)
    assert first.startswith("Wartet auf den Entwurf")
    with session_scope(engine, actor="test") as session:
        pid = protokoll_for_sitzung(session, welt.sitzung_id).id
    assert [m.status for m in _outbox(engine)] == [OutboxStatus.SENT]  # the request, delivered

    _submit(engine, config, welt, pid, days=3)
    with session_scope(engine, actor="test") as session:
        add_comment(
            session,
            protokoll_id=pid,
            person_id=welt.mitglieder[0],
            text="TOP 2: Quelle nennen.",
            tagesordnungspunkt_id=welt.tops[1],
            now=NACH_SITZUNG + timedelta(days=4),
        )
    during = protokoll_einsammeln(welt.sitzung_id, konfiguration=config, jetzt=NACH_SITZUNG + timedelta(days=5))
    assert "Kommentierung läuft" in during

    answer = Antwortgeber(
        engine, welt.sitzung_id, {"entscheidung": "zurueckgeben", "anmerkungen": "Bitte Quelle zu TOP 2."}
    ).start()
    returned = protokoll_einsammeln(
        welt.sitzung_id, konfiguration=config, jetzt=NACH_SITZUNG + timedelta(days=11), poll_sekunden=1
    )
    answer.join()
    assert "zurückgegeben" in returned
    back = next(m for m in _outbox(engine) if m.schluessel.endswith(":v1:rueckgabe"))
    assert back.status == OutboxStatus.SENT and back.person_id == welt.protokollfuehrung_id
    assert (
        "Bitte Quelle zu TOP 2."
        in message_from_bytes(back.inhalt, policy=policy.default).get_body(preferencelist=("plain",)).get_content()
    )

    _submit(engine, config, welt, pid, days=12)
    answer = Antwortgeber(
        engine, welt.sitzung_id, {"entscheidung": "freigeben", "entschieden_von": "Gerd Geschäft"}
    ).start()
    approved = protokoll_einsammeln(
        welt.sitzung_id, konfiguration=config, jetzt=NACH_SITZUNG + timedelta(days=20), poll_sekunden=1
    )
    answer.join()
    assert approved.startswith("Protokoll verteilt an 5 Teilnehmende")
    with session_scope(engine, actor="test") as session:
        protokoll = session.get(Protokoll, pid)
        assert protokoll.status == ProtokollStatus.VERTEILT and protokoll.aktuelle_version == 2
        decisions = session.scalars(sa.select(ProtokollFreigabe).order_by(ProtokollFreigabe.id)).all()
        assert [(d.entscheidung, d.quelle) for d in decisions] == [
            ("zurueckgeben", "prefect"),
            ("freigeben", "prefect"),
        ]
        assert decisions[1].entschieden_von == "Gerd Geschäft"
        auftraege = session.scalars(sa.select(Auftrag)).all()
        assert {(a.quelle, a.sitzung_id) for a in auftraege} == {("protokoll", welt.sitzung_id)}
        assert (
            all(a.frist and (a.verantwortlich_person_id or a.verantwortlich_organisation_id) for a in auftraege)
            and len(auftraege) == 2
        )
    distributed = [m for m in _outbox(engine) if ":verteilung:person=" in m.schluessel]
    assert len(distributed) == 5 and all(m.status == OutboxStatus.SENT for m in distributed)
    mail = message_from_bytes(distributed[0].inhalt, policy=policy.default)
    assert [part.get_filename() for part in mail.iter_attachments()] == ["Protokoll_SRK-T_2026-03-03.pdf"]
    assert (tmp_path / "var" / "berichte" / "protokolle" / "Protokoll_SRK-T_2026-03-03.pdf").exists()

    # Rerun after approval: changes nothing, sends nothing.
    before, files = _counts(engine), sorted((tmp_path / "var" / "outbox").iterdir())
    again = protokoll_einsammeln(welt.sitzung_id, konfiguration=config, jetzt=NACH_SITZUNG + timedelta(days=30))
    assert "bereits verteilt" in again
    assert _counts(engine) == before
    assert sorted((tmp_path / "var" / "outbox").iterdir()) == files


def test_two_approvals_of_the_same_draft_distribute_once(
    prefect_harness: None, sqlite_engine: Engine, tmp_path: Path
) -> None:
    """Two runs wait for the same version; both are approved; the minutes go out once."""
    import threading

    engine = sqlite_engine
    welt = build_world(engine)
    config = write_config(tmp_path, engine, freigabe_erinnerung_stunden=1)
    protokoll_einsammeln(welt.sitzung_id, konfiguration=config, jetzt=NACH_SITZUNG)
    with session_scope(engine, actor="test") as session:
        pid = protokoll_for_sitzung(session, welt.sitzung_id).id
    _submit(engine, config, welt, pid, days=1)
    later = NACH_SITZUNG + timedelta(days=10)
    results: list[str] = []
    runs = [
        threading.Thread(
            target=lambda: results.append(
                protokoll_einsammeln(welt.sitzung_id, konfiguration=config, jetzt=later, poll_sekunden=1)
            )
        )
        for _ in range(2)
    ]
    for run in runs:
        run.start()
    waiting = wait_for_paused_runs(2, konfiguration=config)
    for run_id in waiting:  # right after the pause: the decision must wait for the run's input schema
        assert resume_with_decision(str(run_id), entscheidung="freigeben", anmerkungen="", entschieden_von="test")
    for run in runs:
        run.join(120)
    assert len(results) == 2 and sum(r.startswith("Protokoll verteilt") for r in results) == 1
    distributed = [m for m in _outbox(engine) if ":verteilung:" in m.schluessel]
    assert len(distributed) == 6  # 5 participants + the Geschäftsstelle, once
    with session_scope(engine, actor="test") as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ProtokollFreigabe)) == 1
        assert session.scalar(sa.select(sa.func.count()).select_from(Auftrag)) == 2


def test_a_timeout_reminds_and_never_approves(prefect_harness: None, sqlite_engine: Engine, tmp_path: Path) -> None:
    engine = sqlite_engine
    welt = build_world(engine)
    config = write_config(tmp_path, engine, freigabe_erinnerung_stunden=0.0005, freigabe_erinnerungen_je_lauf=1)
    protokoll_einsammeln(welt.sitzung_id, konfiguration=config, jetzt=NACH_SITZUNG)
    with session_scope(engine, actor="test") as session:
        pid = protokoll_for_sitzung(session, welt.sitzung_id).id
    _submit(engine, config, welt, pid, days=1)
    result = protokoll_einsammeln(
        welt.sitzung_id, konfiguration=config, jetzt=NACH_SITZUNG + timedelta(days=10), poll_sekunden=1
    )
    assert "wartet weiter auf die Freigabe" in result
    reminders = [m for m in _outbox(engine) if ":freigabe-erinnerung=" in m.schluessel]
    assert len(reminders) == 2 and all(m.status == OutboxStatus.SENT for m in reminders)
    with session_scope(engine, actor="test") as session:
        protokoll = session.get(Protokoll, pid)
        assert protokoll.status == ProtokollStatus.EINGEREICHT and protokoll.freigabe_lauf_id is None
        assert session.scalar(sa.select(sa.func.count()).select_from(Auftrag)) == 0
