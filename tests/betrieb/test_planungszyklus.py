"""The daily planning cycle as a real flow over a simulated week with a two-day outage: every due
action happens exactly once, missed ones are caught up, replaced reminder stages are skipped, and
a rerun does nothing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sozialforum.flows.planungszyklus import planungszyklus
from sqlalchemy.engine import Engine

from sozialforum.store.db import session_scope
from sozialforum.store.models import OutboxMessage, Protokoll, Rueckmeldung, ZyklusAktion, ZyklusTag
from sozialforum.vocab import ZyklusStatus
from tests.betrieb.helfer import demo_store, morning, plan

pytestmark = [pytest.mark.prefect, pytest.mark.slow]

WEEK = [date(2026, 3, 2) + timedelta(days=n) for n in range(7)]  # Monday to Sunday
OUTAGE = {date(2026, 3, 4), date(2026, 3, 5)}


def _count(engine: Engine, query: sa.Select) -> int:  # type: ignore[type-arg]
    with engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one())


def test_a_week_with_an_outage_runs_every_due_action_exactly_once(
    prefect_harness: None, sqlite_engine: Engine, tmp_path: Path
) -> None:
    config, settings = demo_store(tmp_path, sqlite_engine, vorbereitung_vorlauf_tage=3)
    # S1: invited long ago; its 7-day reminder falls on the second day of the outage.
    s1 = plan(sqlite_engine, settings, "SRK-01", date(2026, 3, 12), invite_on=date(2026, 2, 19))
    # S2: pack due Monday, invitations due on the second outage day (lead time 21 days).
    s2 = plan(sqlite_engine, settings, "SRK-02", date(2026, 3, 26))
    # S3: invited, both reminder stages past by Monday (the 7-day one is replaced); held Tuesday.
    s3 = plan(sqlite_engine, settings, "SRK-03", date(2026, 3, 3), invite_on=date(2026, 2, 10))

    for day in WEEK:
        if day not in OUTAGE:
            planungszyklus(konfiguration=config, jetzt=morning(day))

    with session_scope(sqlite_engine, actor="test") as session:
        rows = {row.schluessel: row for row in session.scalars(sa.select(ZyklusAktion))}
        days = {row.tag: row for row in session.scalars(sa.select(ZyklusTag))}
    expected = {
        "leitungsbericht:2026-03": WEEK[0],
        f"konferenz_vorbereiten:sitzung:{s2}": WEEK[0],
        f"konferenz_erinnerung:sitzung:{s3}:2026-03-03:1": WEEK[0],
        f"einladungen_versenden:sitzung:{s2}": WEEK[4],
        f"konferenz_erinnerung:sitzung:{s1}:2026-03-12:7": WEEK[4],
        f"protokoll_anfordern:sitzung:{s3}": WEEK[4],
    }
    for day in WEEK:
        if day not in OUTAGE:
            expected[f"fristen_ueberwachen:{day}"] = day
            expected[f"protokolle_nachhalten:{day}"] = day
    done = {key: row.tag for key, row in rows.items() if row.status == ZyklusStatus.ERLEDIGT}
    assert done == expected
    assert all(row.versuche == 1 for key, row in rows.items() if key in expected)
    skipped = {key for key, row in rows.items() if row.status == ZyklusStatus.UEBERSPRUNGEN}
    assert skipped == {f"konferenz_erinnerung:sitzung:{s3}:2026-03-03:7"}
    assert rows[f"einladungen_versenden:sitzung:{s2}"].faellig_am == date(2026, 3, 5)
    assert set(days) == set(WEEK) - OUTAGE and days[WEEK[4]].nachgeholt_ab == date(2026, 3, 4)

    # The effects, counted in the outbox: each message once.
    invited_s1 = _count(sqlite_engine, sa.select(Rueckmeldung).where(Rueckmeldung.sitzung_id == s1))
    assert invited_s1 > 0
    reminders_s1 = sa.select(OutboxMessage).where(
        OutboxMessage.art == "erinnerung", OutboxMessage.bezug["sitzung_id"].as_integer() == s1
    )
    assert _count(sqlite_engine, reminders_s1) == invited_s1
    invitations_s2 = sa.select(OutboxMessage).where(
        OutboxMessage.art == "einladung", OutboxMessage.bezug["sitzung_id"].as_integer() == s2
    )
    assert (
        _count(sqlite_engine, invitations_s2)
        == _count(sqlite_engine, sa.select(Rueckmeldung).where(Rueckmeldung.sitzung_id == s2))
        > 0
    )
    assert _count(sqlite_engine, sa.select(Protokoll).where(Protokoll.sitzung_id == s3)) == 1
    assert _count(sqlite_engine, sa.select(OutboxMessage).where(OutboxMessage.status != "sent")) == 0

    # Running the last day again finds nothing due and sends nothing.
    before = _count(sqlite_engine, sa.select(OutboxMessage))
    again = planungszyklus(konfiguration=config, jetzt=morning(WEEK[-1]) + timedelta(hours=3))
    assert again["aktionen"] == []
    assert _count(sqlite_engine, sa.select(OutboxMessage)) == before


def test_a_failing_action_does_not_hold_up_the_others_and_is_retried_a_bounded_number_of_times(
    prefect_harness: None, sqlite_engine: Engine, tmp_path: Path
) -> None:
    config, settings = demo_store(tmp_path, sqlite_engine, max_versuche=2)
    broken = settings.daten.quellen_ordner / "kaputt.csv"
    broken.write_text("Gemeinde;Stichtag;Betreute Kinder unter 3 Jahren\n99999999;31.12.2023;viele\n", encoding="utf-8")
    for day in WEEK[:2]:
        with pytest.raises(RuntimeError, match="datenaktualisierung:"):
            planungszyklus(konfiguration=config, jetzt=morning(day))
    result = planungszyklus(konfiguration=config, jetzt=morning(WEEK[2]))  # given up: a person must look
    assert not [key for key in result["aktionen"] if key.startswith("datenaktualisierung")]
    with session_scope(sqlite_engine, actor="test") as session:
        rows = {row.schluessel: row for row in session.scalars(sa.select(ZyklusAktion))}
    [refresh] = [row for key, row in rows.items() if key.startswith("datenaktualisierung")]
    assert refresh.status == ZyklusStatus.FEHLGESCHLAGEN and refresh.versuche == 2
    assert "kaputt.csv" in (refresh.ergebnis or "")
    assert all(rows[f"fristen_ueberwachen:{day}"].status == ZyklusStatus.ERLEDIGT for day in WEEK[:3])
