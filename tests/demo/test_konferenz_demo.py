"""The demo's conference step leaves one calendar reply held for an unproven sender, so that a
first-time user finds it where the Geschäftsstelle decides: counted on the Übersicht, listed on
the Sitzung's page with the reason, and discarded there (recorded, audited, nothing changed)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sozialforum.flows.demo.konferenz import demo_step
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from sozialforum.arbeitsplatz.app import create_app
from sozialforum.demo import DemoRun, load_demo
from sozialforum.konten import benutzer
from sozialforum.settings import load_settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import AuditEntry, GehalteneAntwort, Person, Rueckmeldung
from sozialforum.vocab import Antwort, BenutzerRolle
from tests.portal.conftest import csrf_of
from tests.protokoll.flowhelfer import write_config

pytestmark = [pytest.mark.prefect, pytest.mark.slow]
NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
PASSWORT = "demo-gehalten-1"


def _antwort(session: Session, sitzung_id: int, person_id: int) -> str:
    return session.scalars(
        sa.select(Rueckmeldung.antwort).where(
            col(Rueckmeldung.sitzung_id) == sitzung_id, col(Rueckmeldung.person_id) == person_id
        )
    ).one()


def test_the_demo_holds_one_reply_for_the_workspace(
    prefect_harness: None, sqlite_engine: Engine, tmp_path: Path
) -> None:
    config = write_config(tmp_path, sqlite_engine)
    settings = load_settings(config)
    with session_scope(sqlite_engine, actor="test") as session:
        load_demo(session)
        benutzer.create_user(
            session,
            name="planerin",
            anzeigename="Planerin",
            password=PASSWORT,
            now=NOW,
            rolle=BenutzerRolle.GESCHAEFTSSTELLE,
        )
    lines = demo_step(DemoRun(settings=settings, engine=sqlite_engine, now=NOW, config=config))
    held_lines = [line for line in lines if line.startswith("Zurückgehalten: ")]
    assert len(held_lines) == 1, lines
    assert "Absage von" in held_lines[0] and "Absender nicht belegt: DMARC fail" in held_lines[0]
    assert any("/arbeitsplatz/sitzungen/" in line and "#zurueckgehalten" in line for line in lines)
    with session_scope(sqlite_engine, actor="test") as session:
        held = session.scalars(sa.select(GehalteneAntwort)).one()
        held_id, sitzung_id, person_id = held.id, held.sitzung_id, held.person_id
        name = session.get(Person, person_id).anzeigename  # type: ignore[union-attr]
        before = _antwort(session, sitzung_id, person_id)
    assert before == Antwort.OFFEN  # held, not recorded

    app = create_app(settings, sqlite_engine, clock=lambda: NOW)
    with TestClient(app, base_url="http://testserver") as client:
        form = client.get("/gs/anmelden")
        client.post("/gs/anmelden", data={"csrf": csrf_of(form.text), "name": "planerin", "passwort": PASSWORT})
        assert "1 zurückgehaltene Kalenderantwort zu entscheiden" in client.get("/arbeitsplatz/").text
        page = client.get(f"/arbeitsplatz/sitzungen/{sitzung_id}").text
        assert "Zurückgehaltene Kalenderantworten (1)" in page and name in page and "DMARC fail" in page
        discarded = client.post(
            f"/arbeitsplatz/sitzungen/{sitzung_id}/zurueckgehalten/{held_id}/verwerfen",
            data={"csrf": csrf_of(page)},
            follow_redirects=False,
        )
        assert discarded.status_code == 303 and discarded.headers["location"].endswith("meldung=antwort_verworfen")
        page = client.get(f"/arbeitsplatz/sitzungen/{sitzung_id}").text
        assert "Zurückgehaltene Kalenderantworten" not in page
        assert "zurückgehaltene" not in client.get("/arbeitsplatz/").text
    with session_scope(sqlite_engine, actor="test") as session:
        row = session.get(GehalteneAntwort, held_id)
        assert row is not None and (row.uebernommen, row.erledigt_von) == (False, "Planerin")
        after = _antwort(session, sitzung_id, person_id)
        audited = session.scalars(
            sa.select(AuditEntry.akteur).where(
                col(AuditEntry.tabelle) == "gehaltene_antwort", col(AuditEntry.datensatz_id) == held_id
            )
        ).all()
    assert after == Antwort.OFFEN and "benutzer:planerin" in audited
