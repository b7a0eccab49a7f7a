"""The workspace in Debian's headless Chromium: log in through the form, create a Fachplan,
and every workspace page (enumerated from the route registry) passes axe-core without serious
or critical findings at 1280 px and 390 px, with the CSP on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from sozialforum import outbox
from sozialforum.arbeitsplatz.app import create_app
from sozialforum.arbeitsplatz.routen import ROUTEN
from sozialforum.channels.mail import OutgoingMail
from sozialforum.portal.server import free_port, serve_in_thread
from sozialforum.store.db import session_scope
from sozialforum.timeutil import utcnow
from tests.arbeitsplatz.conftest import PASSWORT, Bestand, build_bestand, im_browser_anmelden, pfad
from tests.portal.conftest import Clock, make_settings
from tests.portal.test_browser import _axe

pytestmark = [pytest.mark.browser]


@pytest.fixture
def served(tmp_path: Path, sqlite_engine: Engine) -> Iterator[tuple[str, Bestand]]:
    bestand = build_bestand(sqlite_engine)
    port = free_port()
    settings = make_settings(tmp_path, sqlite_engine, base_url=f"http://127.0.0.1:{port}")
    with serve_in_thread(create_app(settings, sqlite_engine, clock=Clock()), port) as base:
        yield base, bestand


# Pages that answer with a file, not HTML: a browser would only save them.
DOWNLOADS = ("/dokument/{dokument_id}", "/auskunft", "/auskunft/text", "/vorlage/{kind}")


def _pages(bestand: Bestand) -> list[str]:
    return sorted(
        pfad(r.pfad, bestand, benutzer="jugendamt")
        for r in ROUTEN.values()
        if r.methode == "GET" and not r.pfad.endswith(DOWNLOADS)
    )


def test_workspace_in_the_browser(browser: Any, served: tuple[str, Bestand], tmp_path: Path) -> None:
    base, bestand = served
    found: dict[str, list[dict[str, Any]]] = {}
    for width, height in ((1280, 900), (390, 844)):
        context = browser.new_context(locale="de-DE", viewport={"width": width, "height": height})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda msg, errors=errors: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(f"{base}/arbeitsplatz/")
        assert page.url.endswith("/gs/anmelden")
        found[f"anmelden@{width}"] = _axe(page)
        page.fill("#f-name", "planerin")
        page.fill("#f-passwort", PASSWORT)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/arbeitsplatz/")
        assert page.locator("h1").inner_text() == "Übersicht"
        for path in _pages(bestand):
            response = page.goto(base + path)
            assert response is not None and response.status == 200, path
            found[f"{path}@{width}"] = _axe(page)
        if width == 1280:
            page.goto(f"{base}/arbeitsplatz/fachplaene/neu")
            page.fill("#f-kennung", "FP-WNH")
            page.fill("#f-name", "Konzept Wohnungsnotfallhilfe")
            page.select_option("#f-art", "wohnungsnotfallhilfe")
            page.fill("#f-beschlossen_am", "2023-05-01")
            page.fill("#f-turnus_monate", "36")
            page.click("main button[type=submit]")
            page.wait_for_url(re.compile(r".*/arbeitsplatz/fachplaene/\d+\?meldung=angelegt"))
            assert "Konzept Wohnungsnotfallhilfe" in page.locator("h1").inner_text()
            found["fachplan-angelegt"] = _axe(page)
            page.screenshot(path=str(tmp_path / "fachplan.png"), full_page=True)
        # No horizontal scrolling of the page itself (wide tables scroll in their own region).
        page.goto(f"{base}/arbeitsplatz/")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), width
        assert not [e for e in errors if "Content Security Policy" in e], errors
        context.close()
    assert {k: v for k, v in found.items() if v} == {}


def test_a_mails_text_wraps_on_a_phone(browser: Any, tmp_path: Path, sqlite_engine: Engine) -> None:
    # The Postausgang shows a mail's text in a <pre>; a personal link is longer than a phone is
    # wide, and the text was cut off at the right edge instead of wrapping.
    build_bestand(sqlite_engine)
    port = free_port()
    settings = make_settings(tmp_path, sqlite_engine, base_url=f"http://127.0.0.1:{port}")
    lang = "Bitte melden Sie den Sachstand: http://127.0.0.1:8765/sachstand/" + "A1b2C3d4" * 12
    with session_scope(sqlite_engine, actor="test") as session:
        nachricht = outbox.enqueue(
            session,
            schluessel="test:lang",
            art="frist_erinnerung",
            mail=OutgoingMail(to="a@example.org", to_name=None, subject="Erinnerung", text=lang),
            person_id=None,
            bezug={},
            now=utcnow(),
            settings=settings,
        )
        nachricht_id = nachricht.id
    with serve_in_thread(create_app(settings, sqlite_engine, clock=Clock()), port) as base:
        page = im_browser_anmelden(browser, base, breite=390, hoehe=844)
        page.goto(f"{base}/arbeitsplatz/postausgang/{nachricht_id}")
        text = page.locator("pre.mailtext")
        assert "A1b2C3d4" in text.inner_text()
        assert text.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
        page.context.close()


def test_a_traeger_a_gremium_and_a_member_entered_in_the_browser(
    browser: Any, served: tuple[str, Bestand], tmp_path: Path
) -> None:
    """What a new Geschäftsstelle does first, by mouse and keyboard: a Träger, a Gremium with
    its Vorsitz (a name typed, then picked from the server's matches), then a member found by
    the page's search."""
    base, _ = served
    page = im_browser_anmelden(browser, base, breite=1280, hoehe=900)
    page.goto(f"{base}/arbeitsplatz/akteure")
    page.click("text=Träger anlegen")
    page.fill("#f-name", "Arbeiterwohlfahrt Kreisverband Musterland e. V.")
    page.fill("#f-kurzname", "AWO KV")
    page.fill("#f-dachverband", "Arbeiterwohlfahrt (AWO)")
    page.select_option("#f-gebiet", label="Sozialraum Nord (Sozialraum)")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/akteure/organisationen/\d+\?meldung=angelegt"))
    assert page.locator("h1").inner_text() == "Arbeiterwohlfahrt Kreisverband Musterland e. V."
    assert "awo-kv" in page.locator("dl.angaben").inner_text()

    page.goto(f"{base}/arbeitsplatz/akteure")
    page.click("text=Gremium anlegen")
    page.fill("#f-name", "Sozialraumkonferenz Süd")
    page.select_option("#f-art", "sozialraumkonferenz")
    page.fill("#f-vorsitz", "Albers")  # typed, not picked: the server names the field
    page.click("main button[type=submit]")
    assert "passt eine Person" in page.locator("#fehler-vorsitz").inner_text()
    assert page.input_value("#f-name") == "Sozialraumkonferenz Süd"  # what was typed stays
    assert page.locator("#l-vorsitz option").count() == 1  # the server's matches, not everyone
    page.fill("#f-vorsitz", "Albers, Anna – Diakonie Nord e. V. [P-A]")  # as a pick from the list fills it
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/akteure/gremien/\d+\?meldung=angelegt"))
    mitglieder = page.locator("table").first
    assert "Anna Albers" in mitglieder.inner_text() and "Vorsitz" in mitglieder.inner_text()

    page.fill("#f-suche", "kinderschutz")  # searched on the server, no script
    page.click("form[role=search] button[type=submit]")
    page.check("text=Brandt, Bernd – Kinderschutzbund Süd [P-B]")
    page.select_option("#f-rolle", "stellvertretung")
    page.click("#aufnehmen-form button[type=submit]")
    page.wait_for_url(re.compile(r".*\?meldung=aufgenommen"))
    assert "Bernd Brandt" in page.locator("table").first.inner_text()
    assert _axe(page) == []
    page.screenshot(path=str(tmp_path / "gremium.png"), full_page=True)
    page.context.close()
