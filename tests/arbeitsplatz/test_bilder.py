"""The README's pictures of the workspace, made from the demo Landkreis in Chromium: the
Übersicht, a Sitzung with its agenda and answers, and the Planungsbestand (Aufträge). Each page
must show the demo's own content; with ``SOZIALFORUM_BILDER=1`` the pictures are written to
docs/bilder (that is how the README's were made), otherwise into the test's folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from sozialforum.arbeitsplatz.app import create_app
from sozialforum.konferenz import antworten, termine, vorbereitung
from sozialforum.konferenz.empfaenger import members_on
from sozialforum.konten import benutzer
from sozialforum.portal.server import free_port, serve_in_thread
from sozialforum.store.db import session_scope
from sozialforum.timeutil import utcnow
from sozialforum.vocab import Antwort, AntwortQuelle, BenutzerRolle
from tests.arbeitsplatz.conftest import im_browser_anmelden
from tests.demo.helfer import demo_konferenz
from tests.portal.conftest import make_settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]
PASSWORT = "bilder-aus-der-demo-1"


@pytest.fixture
def demo(tmp_path: Path, sqlite_engine: Engine) -> Iterator[tuple[str, int]]:
    port = free_port()
    settings = make_settings(tmp_path, sqlite_engine, base_url=f"http://127.0.0.1:{port}")
    now = utcnow()
    with session_scope(sqlite_engine, actor="test") as session:
        gremium_id = demo_konferenz(session)
        tag = now.date() + timedelta(days=30)
        while tag.weekday() not in (1, 2, 3):
            tag += timedelta(days=1)
        sitzung = termine.plan_sitzung(
            session,
            gremium_id=gremium_id,
            tag=tag,
            uhrzeit=time(16, 0),
            settings=settings,
            ort="Familienzentrum am Markt",
            adresse="Marktplatz 3",
        )
        assert sitzung.id is not None
        vorbereitung.prepare(session, sitzung.id, settings)
        for index, (_, person) in enumerate(members_on(session, gremium_id, tag)[:8]):
            antworten.record_answer(
                session,
                sitzung_id=sitzung.id,
                person_id=person.id,  # type: ignore[arg-type]
                antwort=[Antwort.ZUSAGE, Antwort.ZUSAGE, Antwort.ABSAGE, Antwort.OFFEN][index % 4],
                quelle=AntwortQuelle.LINK,
                now=now,
            )
        benutzer.create_user(
            session,
            name="planerin",
            anzeigename="Paula Planerin",
            password=PASSWORT,
            now=now,
            rolle=BenutzerRolle.GESCHAEFTSSTELLE,
        )
        sitzung_id = sitzung.id
    with serve_in_thread(create_app(settings, sqlite_engine), port) as base:
        yield base, sitzung_id


def test_readme_pictures_from_the_demo(browser: Any, demo: tuple[str, int], tmp_path: Path) -> None:
    base, sitzung_id = demo
    ziel = REPO / "docs" / "bilder" if os.environ.get("SOZIALFORUM_BILDER") == "1" else tmp_path
    page = im_browser_anmelden(browser, base, breite=1280, hoehe=800, passwort=PASSWORT)
    bilder = {
        "arbeitsplatz-uebersicht.png": ("/arbeitsplatz/", "Übersicht"),
        "arbeitsplatz-sitzung.png": (f"/arbeitsplatz/sitzungen/{sitzung_id}", "Tagesordnung"),
        "arbeitsplatz-planungsbestand.png": ("/arbeitsplatz/auftraege", "Aufträge"),
    }
    for name, (pfad, erwartet) in bilder.items():
        page.goto(base + pfad)
        text = page.locator("main").inner_text()
        assert erwartet in text, pfad
        assert "Keine Aufträge gefunden" not in text and "Noch keine Tagesordnung" not in text, pfad
        page.screenshot(path=str(ziel / name), full_page=False)
        assert (ziel / name).stat().st_size > 20_000, name  # a page with content, not a blank one
    page.context.close()
