"""The demo's running Fortschreibungen carry the milestones planners recorded: done ones are not
shown as overdue, moved ones keep their reason in the history, and loading twice changes nothing."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.demo import load_demo
from sozialforum.fristen.aenderung import verlauf
from sozialforum.store.db import session_scope
from sozialforum.store.models import Fachplan, FachplanMeilenstein, FristAenderung


def _stand(engine: Engine) -> tuple[list[tuple[str, str, date, date | None, date | None]], int]:
    with session_scope(engine, actor="test") as session:
        rows = session.execute(
            sa.select(
                Fachplan.kennung,
                FachplanMeilenstein.meilenstein,
                FachplanMeilenstein.zyklus_faellig,
                FachplanMeilenstein.erledigt_am,
                FachplanMeilenstein.faellig_am,
            )
            .join(Fachplan, Fachplan.id == FachplanMeilenstein.fachplan_id)
            .order_by(Fachplan.kennung, FachplanMeilenstein.meilenstein)
        ).all()
        moved = session.scalar(sa.select(sa.func.count()).select_from(FristAenderung))
    return [tuple(row) for row in rows], int(moved or 0)  # type: ignore[misc]


def test_the_demo_records_its_milestones_once(sqlite_engine: Engine) -> None:
    with session_scope(sqlite_engine, actor="test") as session:
        load_demo(session)
    stand, moved = _stand(sqlite_engine)
    assert ("FP-ALT", "datenanalyse", date(2027, 6, 15), date(2026, 5, 28), None) in stand
    assert ("FP-WNH", "entwurf", date(2026, 11, 26), None, date(2026, 12, 15)) in stand
    assert len(stand) == 9 and moved == 3
    with session_scope(sqlite_engine, actor="test") as session:
        plan = session.scalars(sa.select(Fachplan).where(Fachplan.kennung == "FP-TEI")).one()
        (eintrag,) = verlauf(session, f"meilenstein:{plan.id}")
        assert (eintrag.alt, eintrag.neu) == (None, date(2026, 12, 18))
        assert "Behindertenbeirat" in eintrag.grund
        load_demo(session)
    assert _stand(sqlite_engine) == (stand, moved)
