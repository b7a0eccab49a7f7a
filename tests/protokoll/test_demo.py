"""The demo step: one Sitzung's minutes through the real flow to approval and distribution;
running the demo again sends nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sozialforum.flows.demo.protokoll import demo_step
from sqlalchemy.engine import Engine

from sozialforum.demo import DemoRun, load_demo
from sozialforum.settings import load_settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import Auftrag, OutboxMessage
from tests.protokoll.flowhelfer import write_config
from tests.support.pdf_text import fliesstext

pytestmark = [pytest.mark.prefect, pytest.mark.slow]


def test_demo_step_runs_the_minutes_to_approval(prefect_harness: None, sqlite_engine: Engine, tmp_path: Path) -> None:
    config = write_config(tmp_path, sqlite_engine)
    settings = load_settings(config)
    with session_scope(sqlite_engine, actor="test") as session:
        load_demo(session)
    run = DemoRun(settings=settings, engine=sqlite_engine, now=datetime(2026, 5, 4, 8, 0, tzinfo=UTC), config=config)
    lines = demo_step(run)
    assert "Sozialraumkonferenz Lindenau" in lines[0]
    assert any("zurückgegeben" in line for line in lines)
    assert any(line.startswith("Freigabe im pausierten Lauf: Protokoll verteilt an") for line in lines)
    assert "bereits verteilt" in lines[-1]
    with session_scope(sqlite_engine, actor="test") as session:
        mails = session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
        assert session.scalar(sa.select(sa.func.count()).select_from(Auftrag).where(Auftrag.quelle == "protokoll")) == 3
    again = demo_step(run)
    assert "bereits verteilt" in again[-1]
    with session_scope(sqlite_engine, actor="test") as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == mails
    pdfs = list((tmp_path / "var" / "berichte" / "protokolle").glob("Protokoll_SRK-01_*.pdf"))
    assert pdfs
    # The demo's minutes say "Die Vorsitzende begrüßt …": the Gremium has one, and the head names her.
    assert "Sitzungsleitung Greta Vogt" in fliesstext(pdfs[0])
