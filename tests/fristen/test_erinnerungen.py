"""The deadline watch sends each due reminder exactly once: twice on one day, after downtime,
and not at all for a deadline finished or moved since the scan."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.fristen import erinnerungen
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import Auftrag, FachplanMeilenstein, FristErinnerung, OutboxMessage
from sozialforum.timeutil import local_to_utc
from sozialforum.vocab import AuftragStatus
from tests.fristen.conftest import Welt


def _run(engine: Engine, settings: Settings, day: date) -> erinnerungen.Versand:
    with session_scope(engine, actor="test:fristen") as session:
        return erinnerungen.pruefe_fristen(session, today=day, now=local_to_utc(day, 6, 15), settings=settings)


def _outbox(engine: Engine) -> list[OutboxMessage]:
    with session_scope(engine, actor="test") as session:
        return list(session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def _log(engine: Engine) -> list[FristErinnerung]:
    with session_scope(engine, actor="test") as session:
        return list(session.scalars(sa.select(FristErinnerung).order_by(FristErinnerung.id)))


def test_first_run_reminds_and_escalates(engine: Engine, welt: Welt, fristen_settings: Settings) -> None:
    result = _run(engine, fristen_settings, date(2026, 3, 2))
    log = {(row.frist_ref, row.stufe, row.art) for row in _log(engine)}
    assert (f"auftrag:{welt.auftraege['forum']}", 90, "erinnerung") in log
    assert (f"auftrag:{welt.auftraege['bericht']}", 30, "erinnerung") in log
    assert (f"massnahme:{welt.massnahme_id}", 90, "erinnerung") in log
    assert (f"meilenstein:{welt.fachplan_id}:ratsvorlage", 90, "erinnerung") in log
    escalated = {ref for ref, _, art in log if art == "eskalation"}
    assert escalated == {f"meilenstein:{welt.fachplan_id}:{key}" for key in ("datenanalyse", "beteiligung", "entwurf")}
    assert not any(ref == f"auftrag:{welt.auftraege['erledigt']}" for ref, _, _ in log)
    assert not any(ref == f"auftrag:{welt.auftraege['konzept']}" for ref, _, _ in log)
    mails = _outbox(engine)
    assert result.erinnerungen == 4 and result.eskalationen == 3
    assert len(mails) == result.mails == 5  # 4 reminders + one escalation bundle to the leadership
    by_to = {m.empfaenger: m for m in mails if m.art == "frist_eskalation"}
    assert set(by_to) == {"dezernat3@landkreis-musterland.example"}
    # Bernd gave no consent to be contacted: his reminder goes to his unit instead.
    forum = next(m for m in mails if m.bezug.get("frist") == f"auftrag:{welt.auftraege['forum']}")
    assert forum.empfaenger == "sozialamt@kreis.example" and forum.person_id is None
    bericht = next(m for m in mails if m.bezug.get("frist") == f"auftrag:{welt.auftraege['bericht']}")
    assert bericht.person_id == welt.person_id
    body = email.message_from_bytes(bericht.inhalt, policy=email.policy.default).get_body(preferencelist=("plain",))
    assert body is not None and "in 29 Tagen endet die folgende Frist" in body.get_content()


def test_twice_on_the_same_day_sends_once(engine: Engine, welt: Welt, fristen_settings: Settings) -> None:
    first = _run(engine, fristen_settings, date(2026, 3, 2))
    second = _run(engine, fristen_settings, date(2026, 3, 2))
    assert first.mails == 5
    assert second.mails == 0 and second.erinnerungen == 0 and second.eskalationen == 0
    assert len(_outbox(engine)) == 5


def _daily(engine: Engine, settings: Settings, start: date, end: date, skip: set[date]) -> None:
    day = start
    while day <= end:
        if day not in skip:
            _run(engine, settings, day)
            _run(engine, settings, day)  # a retry of the same day changes nothing
        day += timedelta(days=1)


def test_week_of_downtime_sends_each_reminder_once(engine: Engine, welt: Welt, fristen_settings: Settings) -> None:
    # Down from 25 March to 31 March: the forum's 30-day stage (31 March) and the report's 7-day
    # stage (24 March) fall around the gap.
    gap = {date(2026, 3, 25) + timedelta(days=i) for i in range(7)}
    _daily(engine, fristen_settings, date(2026, 3, 2), date(2026, 5, 5), gap)
    log = _log(engine)
    keys = [row.schluessel for row in log]
    assert len(keys) == len(set(keys))
    forum = f"auftrag:{welt.auftraege['forum']}"
    stages = sorted((row.stufe, row.erstellt_am.date()) for row in log if row.frist_ref == forum)
    # Forum due 30 April: 90 (sent 2 March), 30 (opened 31 March, in the gap: sent 1 April once),
    # 7 (23 April); escalated once after the due date.
    assert [s for s, _ in stages] == [-1, 7, 30, 90]
    created = {row.stufe: row.erstellt_am for row in log if row.frist_ref == forum}
    assert created[30] == local_to_utc(date(2026, 4, 1), 6, 15)
    bericht = f"auftrag:{welt.auftraege['bericht']}"
    assert sorted(r.stufe for r in log if r.frist_ref == bericht and r.art == "erinnerung") == [7, 30]
    mails = _outbox(engine)
    assert len({m.schluessel for m in mails}) == len(mails)
    single = [m for m in mails if m.art == "frist_erinnerung"]
    assert len(single) == len([r for r in log if r.art == "erinnerung"])


def test_done_or_moved_since_the_scan_gets_nothing(engine: Engine, welt: Welt, fristen_settings: Settings) -> None:
    today = date(2026, 3, 2)
    with session_scope(engine, actor="test") as session:
        planned = erinnerungen.plan(session, today=today, settings=fristen_settings)
    assert {p.frist_ref for p in planned} >= {
        f"auftrag:{welt.auftraege['forum']}",
        f"auftrag:{welt.auftraege['bericht']}",
    }
    with session_scope(engine, actor="benutzer:planerin") as session:
        session.get(Auftrag, welt.auftraege["forum"]).status = AuftragStatus.UMGESETZT
        session.get(Auftrag, welt.auftraege["bericht"]).frist = date(2026, 9, 30)
        session.add(
            FachplanMeilenstein(
                fachplan_id=welt.fachplan_id,
                zyklus_faellig=date(2026, 6, 15),
                meilenstein="entwurf",
                erledigt_am=date(2026, 1, 20),
            )
        )
    with session_scope(engine, actor="test") as session:
        result = erinnerungen.dispatch(
            session, planned, today=today, now=datetime(2026, 3, 2, 5, 15, tzinfo=UTC), settings=fristen_settings
        )
    assert result.erledigt_oder_verschoben == 3
    refs = {row.frist_ref for row in _log(engine)}
    assert f"auftrag:{welt.auftraege['forum']}" not in refs
    assert f"auftrag:{welt.auftraege['bericht']}" not in refs
    assert f"meilenstein:{welt.fachplan_id}:entwurf" not in refs
    # The moved report deadline (30 September) is reminded at its own stages later.
    result = _run(engine, fristen_settings, date(2026, 7, 2))
    moved = [r for r in _log(engine) if r.frist_ref == f"auftrag:{welt.auftraege['bericht']}"]
    assert [(r.faellig_am, r.stufe) for r in moved] == [(date(2026, 9, 30), 90)]


def test_weekly_digest_bundles_per_recipient(engine: Engine, welt: Welt, fristen_settings: Settings) -> None:
    fristen = fristen_settings.fristen.model_copy(update={"wochenuebersicht": True, "wochenuebersicht_wochentag": 0})
    settings = fristen_settings.model_copy(update={"fristen": fristen})
    _daily(engine, settings, date(2026, 3, 2), date(2026, 3, 15), set())  # Monday 2 → Sunday 15
    mails = _outbox(engine)
    digests = [m for m in mails if m.art == "frist_wochenuebersicht"]
    weeks = sorted({m.schluessel.rsplit(":", 1)[1] for m in digests})
    assert weeks == ["2026-W10"]  # nothing new opened in week 11: no empty digest
    assert len({m.empfaenger for m in digests}) == len(digests)
    escalations = [m for m in mails if m.art == "frist_eskalation"]
    assert len(escalations) == 1
    # At most one digest per recipient and week, sent on the first day with something in it:
    # week 12 the milestone's 30-day stage (Monday 16 March), week 13 the report's 7-day stage
    # (Tuesday 24 March), week 14 the forum (31 March, to the Sozialamt) and the review
    # (1 April, to the Geschäftsstelle).
    _daily(engine, settings, date(2026, 3, 16), date(2026, 4, 5), set())
    digests = [m for m in _outbox(engine) if m.art == "frist_wochenuebersicht"]
    per_week: dict[tuple[str, str], int] = {}
    for m in digests:
        key = (m.empfaenger, m.schluessel.rsplit(":", 1)[1])
        per_week[key] = per_week.get(key, 0) + 1
    assert set(per_week.values()) == {1}
    assert sorted({week for _, week in per_week}) == ["2026-W10", "2026-W12", "2026-W13", "2026-W14"]
    pending = [r for r in _log(engine) if r.frist_ref == f"massnahme:{welt.massnahme_id}"]
    assert [r.stufe for r in pending] == [90, 30]
    keys = [r.schluessel for r in _log(engine)]
    assert len(keys) == len(set(keys))


def test_a_crash_before_the_commit_loses_nothing_and_sends_nothing_twice(
    engine: Engine, welt: Welt, fristen_settings: Settings
) -> None:
    day = date(2026, 3, 2)
    try:
        with session_scope(engine, actor="test:fristen") as session:
            erinnerungen.pruefe_fristen(session, today=day, now=local_to_utc(day, 6, 15), settings=fristen_settings)
            raise RuntimeError("Absturz vor dem Commit")
    except RuntimeError:
        pass
    assert _log(engine) == [] and _outbox(engine) == []  # rolled back together
    again = _run(engine, fristen_settings, day)  # the next run (or the task's retry)
    assert again.mails == 5 and len(_outbox(engine)) == 5
    assert _run(engine, fristen_settings, day).mails == 0  # recorded and queued: never again
