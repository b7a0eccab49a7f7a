"""The planning cycle's decisions and bookkeeping as plain domain code, on SQLite and PostgreSQL:
what is due when, what a booking closes, how failures are retried and bounded."""

from __future__ import annotations

import hashlib
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.betrieb import buchfuehrung
from sozialforum.betrieb.zyklus import Aktion, faellige_aktionen
from sozialforum.settings import Settings, load_settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import Datenlieferung, Protokoll, Sitzung
from sozialforum.vocab import ProtokollStatus, SitzungStatus, ZyklusArt, ZyklusStatus
from tests.betrieb.helfer import demo_store, morning, plan
from tests.conftest import REPO

MONDAY = date(2026, 3, 2)
DEMO_FILE = REPO / "sozialforum" / "demo" / "data" / "statistik" / "kita_monitoring_gemeinden.csv"


def _due(engine: Engine, settings: Settings, day: date) -> dict[str, Aktion]:
    with session_scope(engine, actor="test") as session:
        return {a.schluessel: a for a in faellige_aktionen(session, today=day, now=morning(day), settings=settings)}


def _book(engine: Engine, aktion: Aktion, day: date, *, ok: bool = True) -> None:
    with session_scope(engine, actor="test") as session:
        buchfuehrung.ersetzte_buchen(session, aktion, tag=day, now=morning(day))
        buchfuehrung.beginnen(session, aktion, tag=day, now=morning(day), lauf_id="test")
        if ok:
            buchfuehrung.erledigt(session, aktion.schluessel, now=morning(day), ergebnis="ok")
        else:
            buchfuehrung.fehlgeschlagen(session, aktion.schluessel, now=morning(day), fehler="SMTP weg")


def test_daily_scans_and_the_monthly_report_once(engine: Engine, tmp_path: Path) -> None:
    _, settings = demo_store(tmp_path, engine)
    due = _due(engine, settings, MONDAY)
    assert set(due) == {"fristen_ueberwachen:2026-03-02", "protokolle_nachhalten:2026-03-02", "leitungsbericht:2026-03"}
    _book(engine, due["leitungsbericht:2026-03"], MONDAY)
    assert "leitungsbericht:2026-03" not in _due(engine, settings, MONDAY + timedelta(days=1))
    assert "leitungsbericht:2026-04" in _due(engine, settings, date(2026, 4, 1))
    order = [a.art for a in due.values()]
    assert order == [ZyklusArt.PROTOKOLLE_NACHHALTEN, ZyklusArt.FRISTEN_UEBERWACHEN, ZyklusArt.LEITUNGSBERICHT]


def test_new_source_files_make_one_refresh_until_loaded(engine: Engine, tmp_path: Path) -> None:
    _, settings = demo_store(tmp_path, engine)
    shutil.copy(DEMO_FILE, settings.daten.quellen_ordner)
    refresh = [a for a in _due(engine, settings, MONDAY).values() if a.art == ZyklusArt.DATENAKTUALISIERUNG]
    assert len(refresh) == 1 and refresh[0].parameter == {"quellen": str(settings.daten.quellen_ordner)}
    with session_scope(engine, actor="test") as session:  # the refresh loaded it: same checksum, any name
        session.add(
            Datenlieferung(
                datei="anders.csv",
                pruefsumme=hashlib.sha256(DEMO_FILE.read_bytes()).hexdigest(),
                geladen_am=datetime(2026, 3, 2, tzinfo=UTC),
            )
        )
    assert not [a for a in _due(engine, settings, MONDAY).values() if a.art == ZyklusArt.DATENAKTUALISIERUNG]


def test_failed_actions_are_retried_up_to_the_limit_and_a_crash_is_repeated(engine: Engine, tmp_path: Path) -> None:
    _, settings = demo_store(tmp_path, engine)
    key = "fristen_ueberwachen:2026-03-02"
    aktion = _due(engine, settings, MONDAY)[key]
    for attempt in range(settings.betrieb.max_versuche):
        assert key in _due(engine, settings, MONDAY), attempt
        _book(engine, aktion, MONDAY, ok=False)
    assert key not in _due(engine, settings, MONDAY)  # a person must look now
    crashed = _due(engine, settings, MONDAY)["protokolle_nachhalten:2026-03-02"]
    with session_scope(engine, actor="test") as session:  # begun, never finished (the process died)
        buchfuehrung.beginnen(session, crashed, tag=MONDAY, now=morning(MONDAY), lauf_id="tot")
    assert crashed.schluessel in _due(engine, settings, MONDAY)


def test_conference_steps_follow_the_gremium_dates(engine: Engine, tmp_path: Path) -> None:
    _, settings = demo_store(tmp_path, engine)
    settings = load_settings(
        None, data_dir=settings.data_dir, database_url=settings.database_url, betrieb={"vorbereitung_vorlauf_tage": 2}
    )
    sitzung = plan(engine, settings, "SRK-02", date(2026, 3, 26))  # invitations due 5 March
    assert f"konferenz_vorbereiten:sitzung:{sitzung}" not in _due(engine, settings, date(2026, 3, 2))
    due = _due(engine, settings, date(2026, 3, 3))
    assert due[f"konferenz_vorbereiten:sitzung:{sitzung}"].parameter == {"sitzung_ids": [sitzung], "versenden": False}
    assert f"einladungen_versenden:sitzung:{sitzung}" not in due
    late = _due(engine, settings, date(2026, 3, 9))  # after downtime: both, still before the meeting
    assert {f"konferenz_vorbereiten:sitzung:{sitzung}", f"einladungen_versenden:sitzung:{sitzung}"} <= set(late)
    assert late[f"einladungen_versenden:sitzung:{sitzung}"].faellig_am == date(2026, 3, 5)
    over = _due(engine, settings, date(2026, 3, 27))  # the meeting is over: nothing to prepare or invite
    assert not [k for k in over if k.startswith(("konferenz_vorbereiten", "einladungen_versenden"))]


def test_missed_reminder_stages_are_replaced_by_the_latest(engine: Engine, tmp_path: Path) -> None:
    _, settings = demo_store(tmp_path, engine)
    sitzung = plan(engine, settings, "SRK-03", date(2026, 3, 12), invite_on=date(2026, 2, 19))
    key = f"konferenz_erinnerung:sitzung:{sitzung}:2026-03-12"
    assert f"{key}:7" in _due(engine, settings, date(2026, 3, 5))
    reminder = _due(engine, settings, date(2026, 3, 11))[f"{key}:1"]  # both stages passed
    assert reminder.ersetzt == (f"{key}:7",)
    _book(engine, reminder, date(2026, 3, 11))
    with session_scope(engine, actor="test") as session:
        rows = dict(session.execute(sa.text("SELECT schluessel, status FROM zyklus_aktion")).tuples().all())
    assert rows == {f"{key}:1": ZyklusStatus.ERLEDIGT.value, f"{key}:7": ZyklusStatus.UEBERSPRUNGEN.value}
    assert not [k for k in _due(engine, settings, date(2026, 3, 11)) if k.startswith(key)]


def test_minutes_requested_after_the_meeting_and_distributed_after_approval(engine: Engine, tmp_path: Path) -> None:
    _, settings = demo_store(tmp_path, engine)
    sitzung = plan(engine, settings, "SRK-04", date(2026, 3, 3), invite_on=date(2026, 2, 10))
    assert f"protokoll_anfordern:sitzung:{sitzung}" not in _due(engine, settings, date(2026, 3, 3))
    due = _due(engine, settings, date(2026, 3, 4))[f"protokoll_anfordern:sitzung:{sitzung}"]
    assert due.parameter == {"sitzung_id": sitzung} and due.faellig_am == date(2026, 3, 3)
    with session_scope(engine, actor="test") as session:
        held = session.get(Sitzung, sitzung)
        assert held is not None and held.status == SitzungStatus.EINGELADEN
        session.add(
            Protokoll(
                sitzung_id=sitzung,
                status=ProtokollStatus.FREIGEGEBEN,
                angefordert_am=morning(MONDAY),
                entwurf_frist=date(2026, 3, 18),
                freigegeben_am=morning(date(2026, 3, 20)),
            )
        )
    due = _due(engine, settings, date(2026, 3, 21))
    assert f"protokoll_anfordern:sitzung:{sitzung}" not in due
    [verteilen] = [a for a in due.values() if a.art == ZyklusArt.PROTOKOLL_VERTEILEN]
    assert verteilen.parameter == {"sitzung_id": sitzung} and verteilen.faellig_am == date(2026, 3, 20)
