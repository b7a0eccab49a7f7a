"""Protokolle in the workspace: read the draft, return needs remarks, approval records the
decision with the person and queues the final version (no Prefect UI); a waiting run is resumed
through the app's hook instead, exactly once, with the decision as the CLI would give it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum.arbeitsplatz.app import create_app
from sozialforum.konten import benutzer
from sozialforum.protokoll.anfordern import request_draft
from sozialforum.protokoll.entwurf import submit_draft
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import OutboxMessage, Protokoll, ProtokollFreigabe
from sozialforum.vocab import ProtokollStatus
from tests.arbeitsplatz.conftest import PASSWORT, login
from tests.portal.conftest import csrf_of
from tests.protokoll.conftest import NACH_SITZUNG, Welt, build_world
from tests.protokoll.test_ablauf import entwurf

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def welt(engine: Engine) -> Welt:
    return build_world(engine)


def _submitted(engine: Engine, settings: Settings, welt: Welt) -> int:
    with session_scope(engine, actor="test") as session:
        protokoll = request_draft(session, sitzung_id=welt.sitzung_id, now=NACH_SITZUNG, settings=settings)
        submit_draft(
            session,
            protokoll_id=protokoll.id or 0,
            person_id=welt.protokollfuehrung_id,
            eingabe=entwurf(welt),
            now=NACH_SITZUNG,
            settings=settings,
        )
        benutzer.create_user(
            session, name="planerin", anzeigename="Paula Planerin", password=PASSWORT, now=NACH_SITZUNG
        )
        return protokoll.id or 0


def test_approve_in_the_workspace(engine: Engine, settings: Settings, welt: Welt) -> None:
    pid = _submitted(engine, settings, welt)
    app = create_app(settings, engine, clock=lambda: NACH_SITZUNG)
    with TestClient(app) as client:
        login(client, "planerin")
        assert "Protokolle zur Entscheidung" in client.get("/arbeitsplatz/").text
        page = client.get(f"/arbeitsplatz/protokolle/{pid}")
        assert "Die Kinderarmut ist gestiegen." in page.text and "Entscheidung speichern" in page.text
        csrf = csrf_of(page.text)
        back = client.post(
            f"/arbeitsplatz/protokolle/{pid}/entscheidung", data={"csrf": csrf, "entscheidung": "zurueckgeben"}
        )
        assert back.status_code == 400 and "Anmerkungen" in back.text
        before = _count(engine)
        done = client.post(
            f"/arbeitsplatz/protokolle/{pid}/entscheidung", data={"csrf": csrf, "entscheidung": "freigeben"}
        )
        assert done.status_code == 200 and "Das Protokoll ist freigegeben" in done.text
    with session_scope(engine, actor="test") as session:
        protokoll = session.get(Protokoll, pid)
        assert protokoll is not None and protokoll.status in (ProtokollStatus.FREIGEGEBEN, ProtokollStatus.VERTEILT)
        decision = session.scalars(sa.select(ProtokollFreigabe)).one()
        assert decision.entschieden_von == "Paula Planerin (planerin)" and decision.quelle == "arbeitsplatz"
    assert _count(engine) > before  # the final version waits in the outbox for the delivery flow


def test_a_waiting_run_is_resumed_not_bypassed(engine: Engine, settings: Settings, welt: Welt) -> None:
    pid = _submitted(engine, settings, welt)
    with session_scope(engine, actor="test") as session:
        protokoll = session.get(Protokoll, pid)
        assert protokoll is not None
        protokoll.freigabe_lauf_id = "0b9e5c1e-0000-4000-8000-000000000001"
    resumed: list[tuple[str, str, str, str]] = []

    def fortsetzen(lauf: str, entscheidung: str, anmerkungen: str, von: str) -> bool:
        resumed.append((lauf, entscheidung, anmerkungen, von))
        return True

    app = create_app(settings, engine, clock=lambda: NACH_SITZUNG, protokoll_fortsetzen=fortsetzen)
    with TestClient(app) as client:
        login(client, "planerin")
        csrf = csrf_of(client.get(f"/arbeitsplatz/protokolle/{pid}").text)
        client.post(
            f"/arbeitsplatz/protokolle/{pid}/entscheidung",
            data={"csrf": csrf, "entscheidung": "zurueckgeben", "anmerkungen": "TOP 2 genauer"},
        )
    assert resumed == [
        ("0b9e5c1e-0000-4000-8000-000000000001", "zurueckgeben", "TOP 2 genauer", "Paula Planerin (planerin)")
    ]
    with session_scope(engine, actor="test") as session:
        assert session.scalars(sa.select(ProtokollFreigabe)).all() == []  # the run records it


def _count(engine: Engine) -> int:
    with session_scope(engine, actor="test") as session:
        return session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) or 0
