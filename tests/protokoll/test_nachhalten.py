"""The daily run: drafts of newly held Sitzungen are requested, late ones reminded, and
Protokolle whose comment period is over are listed for an approval run."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sozialforum.flows.protokoll_einsammeln import nachhalten, protokolle_nachhalten
from sqlalchemy.engine import Engine

from sozialforum.protokoll.entwurf import submit_draft
from sozialforum.protokoll.lage import protokoll_for_sitzung
from sozialforum.settings import load_settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import OutboxMessage
from tests.protokoll.conftest import NACH_SITZUNG, build_world
from tests.protokoll.flowhelfer import write_config
from tests.protokoll.test_ablauf import entwurf


def test_daily_task_requests_reminds_and_lists_ready_drafts(sqlite_engine: Engine, tmp_path: Path) -> None:
    welt = build_world(sqlite_engine)
    config = write_config(tmp_path, sqlite_engine)
    first = nachhalten.fn(config, NACH_SITZUNG, 60)
    assert first == {"angefordert": 1, "erinnert": 0, "bereit": []}
    assert nachhalten.fn(config, NACH_SITZUNG + timedelta(days=1), 60)["angefordert"] == 0
    late = nachhalten.fn(config, NACH_SITZUNG + timedelta(days=16), 60)
    assert late["erinnert"] == 2  # reminder and escalation, each once
    with session_scope(sqlite_engine, actor="test") as session:
        pid = protokoll_for_sitzung(session, welt.sitzung_id).id
        submit_draft(
            session,
            protokoll_id=pid,
            person_id=welt.protokollfuehrung_id,
            eingabe=entwurf(welt),
            now=NACH_SITZUNG + timedelta(days=16),
            settings=load_settings(config),
        )
    assert nachhalten.fn(config, NACH_SITZUNG + timedelta(days=17), 60)["bereit"] == []  # comments still open
    ready = nachhalten.fn(config, NACH_SITZUNG + timedelta(days=24), 60)
    assert ready["bereit"] == [{"sitzung_id": welt.sitzung_id, "lauf": None, "version": 1}]


@pytest.mark.prefect
def test_daily_flow_without_deployment_warns_and_continues(
    prefect_harness: None, sqlite_engine: Engine, tmp_path: Path
) -> None:
    build_world(sqlite_engine)
    config = write_config(tmp_path, sqlite_engine)
    result = protokolle_nachhalten(konfiguration=config, jetzt=NACH_SITZUNG)
    assert result.startswith("1 Entwürfe angefordert")
    with session_scope(sqlite_engine, actor="test") as session:
        sent = session.scalars(sa.select(OutboxMessage.status)).all()
    assert sent == ["sent"]
