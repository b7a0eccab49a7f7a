"""The real flows under the Prefect harness: the daily deadline watch sends each due reminder
exactly once (twice on one day, and after a simulated week of downtime), and the weekly
leadership report imports from a loopback OParl API and writes report, feed and artifact."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.store.db import session_scope
from sozialforum.store.models import FristErinnerung, Gremium, OutboxMessage, Person, Rueckmeldung, Sitzung
from sozialforum.timeutil import local_to_utc
from sozialforum.vocab import Antwort, AntwortQuelle, OutboxStatus
from tests.conftest import REPO
from tests.fristen.conftest import build_welt
from tests.oparl.server import serve

pytestmark = [pytest.mark.prefect, pytest.mark.slow]


def _config(tmp_path: Path, engine: Engine) -> str:
    url = engine.url.render_as_string(hide_password=False)
    path = tmp_path / "sozialforum.toml"
    path.write_text(
        "\n".join(
            [
                f'data_dir = "{tmp_path / "var"}"',
                f'database_url = "{url}"',
                "",
                "[geschaeftsstelle]",
                'leitung = ["landrat@kreis.example", "dezernat3@kreis.example"]',
                "",
                "[fristen]",
                f'meilensteine = "{REPO / "config" / "fristen.toml"}"',
                "",
            ]
        ),
        encoding="utf-8",
    )
    return str(path)


def _counts(engine: Engine) -> tuple[int, int, int]:
    with session_scope(engine, actor="test") as session:
        log = session.scalar(sa.select(sa.func.count()).select_from(FristErinnerung))
        mails = session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
        sent = session.scalar(
            sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENT.value)
        )
    return log, mails, sent


def _old_answer(engine: Engine) -> int:
    """An answer with a comment to a Kreistag Sitzung held in January 2023."""
    with session_scope(engine, actor="test") as session:
        gremium = session.scalars(sa.select(Gremium)).first()
        person = session.scalars(sa.select(Person)).first()
        assert gremium is not None and person is not None
        ende = local_to_utc(date(2023, 1, 10), 20)
        sitzung = Sitzung(gremium_id=gremium.id, titel="Alt", beginn=ende, ende=ende, ical_uid="alt@test")
        session.add(sitzung)
        session.flush()
        answer = Rueckmeldung(
            sitzung_id=sitzung.id,  # type: ignore[arg-type]
            person_id=person.id,  # type: ignore[arg-type]
            antwort=Antwort.ABSAGE,
            kommentar="Ich bin zur Kur",
            quelle=AntwortQuelle.LINK,
            beantwortet_am=ende,
        )
        session.add(answer)
        session.flush()
        assert answer.id is not None
        return answer.id


def test_deadline_watch_sends_each_reminder_once(prefect_harness: None, sqlite_engine: Engine, tmp_path: Path) -> None:
    from sozialforum.flows.fristen_ueberwachen import fristen_ueberwachen

    welt = build_welt(sqlite_engine)
    antwort = _old_answer(sqlite_engine)
    config = _config(tmp_path, sqlite_engine)
    monday = date(2026, 3, 2)
    fristen_ueberwachen(konfiguration=config, jetzt=local_to_utc(monday, 6, 15))
    first = _counts(sqlite_engine)
    assert first[0] == 7 and first[1] == first[2] == 6  # 4 reminders + 1 escalation to 2 addresses
    with session_scope(sqlite_engine, actor="test") as session:  # the Löschfrist (24 months) is over
        assert session.get(Rueckmeldung, antwort).kommentar is None  # type: ignore[union-attr]
    fristen_ueberwachen(konfiguration=config, jetzt=local_to_utc(monday, 9, 0))  # same day again
    assert _counts(sqlite_engine) == first
    # Down for a week: 24–30 March. On 31 March the report's 7-day stage (opened 24 March) and
    # its escalation have both come due; the run sends only what is due now, once.
    fristen_ueberwachen(konfiguration=config, jetzt=local_to_utc(date(2026, 3, 23), 6, 15))
    before = _counts(sqlite_engine)
    back = date(2026, 4, 1)
    fristen_ueberwachen(konfiguration=config, jetzt=local_to_utc(back, 6, 15))
    fristen_ueberwachen(konfiguration=config, jetzt=local_to_utc(back, 6, 45))
    after = _counts(sqlite_engine)
    with session_scope(sqlite_engine, actor="test") as session:
        rows = session.scalars(sa.select(FristErinnerung)).all()
        keys = [r.schluessel for r in rows]
        bericht = sorted((r.art, r.stufe) for r in rows if r.frist_ref == f"auftrag:{welt.auftraege['bericht']}")
    assert len(keys) == len(set(keys))
    assert bericht == [("erinnerung", 30), ("eskalation", -1)]  # the 7-day stage fell into the gap
    assert after[1] == after[2] > before[1]  # everything queued was sent, nothing twice
    eml = list((tmp_path / "var" / "outbox").glob("*.eml"))
    assert len(eml) == after[2]


def test_leadership_report_flow_with_oparl_import(prefect_harness: None, sqlite_engine: Engine, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from sozialforum.flows.leitungsbericht import leitungsbericht

    build_welt(sqlite_engine)
    config = _config(tmp_path, sqlite_engine)
    with serve() as api:
        result = leitungsbericht(konfiguration=config, oparl_url=api.root, jetzt=local_to_utc(date(2026, 3, 20), 7, 0))
    assert result["oparl"]["maengel"] >= 7
    assert any(line.startswith("Sitzungen: 2 neu") for line in result["oparl"]["zeilen"])
    for kind in ("html", "pdf", "md", "ics"):
        assert Path(result[kind]).exists(), kind
    assert Path(result["pdf"]).read_bytes().startswith(b"%PDF")
    assert "BEGIN:VCALENDAR" in Path(result["ics"]).read_text(encoding="utf-8")
    with get_client(sync_client=True) as client:
        artifact = client.read_latest_artifacts(limit=50)
    assert "leitungsbericht" in {a.key for a in artifact}
