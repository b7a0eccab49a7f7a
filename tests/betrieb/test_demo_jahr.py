"""The demo's planning year, shortened to two months: the people act, the real cycle runs on
the days that need it, and every Sitzung goes from the pack to the distributed minutes once."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sozialforum.flows.demo.zyklus import demo_step
from sqlalchemy.engine import Engine

from sozialforum.demo import DemoRun
from sozialforum.store.db import session_scope
from sozialforum.store.models import Protokoll, Sitzung, ZyklusAktion
from sozialforum.vocab import NachrichtArt, ProtokollStatus, ZyklusStatus
from tests.betrieb.helfer import demo_store

pytestmark = [pytest.mark.prefect, pytest.mark.slow]


def test_two_months_of_the_planning_year(prefect_harness: None, sqlite_engine: Engine, tmp_path: Path) -> None:
    config, settings = demo_store(tmp_path, sqlite_engine)
    run = DemoRun(
        settings=settings,
        engine=sqlite_engine,
        now=datetime(2026, 1, 5, 9, tzinfo=UTC),
        config=config,
        tage=62,
    )
    lines = demo_step(run)
    year = run.notes["planungsjahr"]
    assert isinstance(year, dict) and year["fehler"] == [] and year["laeufe"] > 5
    assert not [line for line in lines if line.startswith("FEHLER")]
    assert any("Neue Statistiklieferung: 12411-02-03-5_bevoelkerung_" in line for line in lines)
    # The outbox's kinds in German with their plural, never their keys ("74 projektbericht").
    postausgang = next(line for line in lines if line.startswith("Postausgang:"))
    assert "Nachrichten zum Protokoll" in postausgang and "Einladungen" in postausgang, postausgang
    assert not [a.value for a in NachrichtArt if re.search(rf"\b{a.value}\b", postausgang)], postausgang
    with session_scope(sqlite_engine, actor="test") as session:
        sitzungen = session.scalars(sa.select(Sitzung)).all()
        minutes = {p.sitzung_id: p.status for p in session.scalars(sa.select(Protokoll))}
        booked = session.scalars(sa.select(ZyklusAktion)).all()
    assert len(sitzungen) == 4  # spring and autumn of two Gremien; spring is held in these two months
    # Named like the minutes' demo Sitzung, not "Sozialraumkonferenz X: Sozialraumkonferenz".
    assert all(re.fullmatch(r"Sozialraumkonferenz [\w-]+, Sitzung im \w+ 2026", s.titel) for s in sitzungen), [
        s.titel for s in sitzungen
    ]
    spring = [s for s in sitzungen if s.beginn < datetime(2026, 3, 1, tzinfo=UTC)]
    assert len(spring) == 2 and all(minutes.get(s.id) == ProtokollStatus.VERTEILT for s in spring)
    done = [row.schluessel for row in booked if row.status == ZyklusStatus.ERLEDIGT]
    for sitzung in spring:
        for step in ("konferenz_vorbereiten", "einladungen_versenden", "protokoll_anfordern"):
            assert done.count(f"{step}:sitzung:{sitzung.id}") == 1
    assert sum(key.startswith("datenaktualisierung:") for key in done) == 1
    assert all(row.status in (ZyklusStatus.ERLEDIGT, ZyklusStatus.UEBERSPRUNGEN) for row in booked)
