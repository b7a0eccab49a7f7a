"""End to end in Debian's headless Chromium: a Träger opens personal links, answers the RSVP,
proposes a topic, fills a form and sees the confirmations; the answers are in the store. The
pages pass an axe-core check (no serious or critical violations) and work with the CSP on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from sozialforum.arbeitsplatz.app import create_app  # the app `sozialforum portal` serves
from sozialforum.konten import benutzer
from sozialforum.links import issue_link
from sozialforum.portal import formulare
from sozialforum.portal.server import free_port, serve_in_thread
from sozialforum.store.db import session_scope
from sozialforum.store.models import FormularAntwort, Rueckmeldung, Themenvorschlag
from sozialforum.vocab import LinkZweck
from tests.portal.conftest import NOW, Clock, Welt, build_world, make_settings

pytestmark = [pytest.mark.browser]
AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
PASSWORT = "ein-langes-passwort-42"


@dataclass
class Site:
    base: str
    world: Welt
    urls: dict[str, str]
    engine: Engine


@pytest.fixture
def site(tmp_path: Path, sqlite_engine: Engine) -> Iterator[Site]:
    """A served portal with personal links of Anna (Träger A) and a staff login."""
    world = build_world(sqlite_engine)
    port = free_port()
    settings = make_settings(tmp_path, sqlite_engine, base_url=f"http://127.0.0.1:{port}")
    definitions = formulare.load_formulare(settings.portal.formulare)
    with session_scope(sqlite_engine, actor="test") as session:
        anfrage = formulare.request_form(
            session,
            formular=definitions["bestandserhebung"],
            organisation_id=world.traeger_a,
            bezug_id=world.gebiet,
            now=NOW,
        )
        common = {"person_id": world.person_a, "now": NOW, "settings": settings}
        urls = {
            "rsvp": issue_link(session, zweck=LinkZweck.RSVP, bezug_id=world.sitzung, **common),
            "thema": issue_link(session, zweck=LinkZweck.THEMENVORSCHLAG, bezug_id=world.sitzung, **common),
            "formular": issue_link(session, zweck=LinkZweck.FORMULAR, bezug_id=anfrage.id, **common),
        }
        benutzer.create_user(session, name="planerin", anzeigename="Paula Planerin", password=PASSWORT, now=NOW)
    with serve_in_thread(create_app(settings, sqlite_engine, clock=Clock()), port) as base:
        yield Site(base, world, urls, sqlite_engine)


def _axe(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe violations of the current page (WCAG 2.1 A/AA rules)."""
    page.evaluate(AXE)
    result = page.evaluate(
        "async () => JSON.stringify(await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}}))"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in json.loads(result)["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_traeger_answers_rsvp_proposes_topic_fills_form(browser: Any, site: Site) -> None:
    context = browser.new_context(locale="de-DE", viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    # RSVP: keyboard-usable radio group, number, needs.
    page.goto(site.urls["rsvp"])
    assert page.title().startswith("Rückmeldung: Sozialraumkonferenz Nord")
    assert page.locator("link[rel=stylesheet]").count() == 1
    page.get_by_label("Zusage").check()
    page.get_by_label("Mit wie vielen Personen").fill("2")
    page.get_by_label("stufenloser Zugang").check()
    page.get_by_role("button", name="Rückmeldung senden").click()
    status = page.get_by_role("status")
    assert "Ihre Rückmeldung ist gespeichert" in status.inner_text()
    assert "Zusage" in status.inner_text() and "2 Personen" in status.inner_text()

    # Topic proposal.
    page.goto(site.urls["thema"])
    page.get_by_label("Thema", exact=False).first.fill("Übergänge Kita–Grundschule im Sozialraum Nord")
    page.get_by_label("Worum geht es").fill("Viele Familien fragen nach Hortplätzen.")
    page.get_by_role("button", name="Vorschlag senden").click()
    assert "Ihr Vorschlag ist eingegangen" in page.get_by_role("status").inner_text()
    assert "Übergänge Kita–Grundschule" in page.locator("main").inner_text()

    # Form: a missing required field first (accessible error summary), then the full answer.
    page.goto(site.urls["formular"])
    page.get_by_role("button", name="Angaben senden").click()
    alert = page.get_by_role("alert")
    assert "Bitte prüfen Sie Ihre Angaben" in alert.inner_text()
    assert page.locator("#f-angebote").get_attribute("aria-invalid") == "true"
    page.get_by_label("Welche Angebote hält Ihr Träger").fill("Familiencafé, Lindenstraße 4")
    page.get_by_label("Eltern und Familien").check()
    page.get_by_label("Seniorinnen und Senioren").check()
    page.get_by_label("Plätze oder Teilnehmende").fill("1.250")
    page.locator("#f-wohnortnah_inklusiv-1").check()
    page.get_by_role("button", name="Angaben senden").click()
    assert "Ihre Angaben sind gespeichert" in page.get_by_role("status").inner_text()
    assert "Fassung 1" in page.get_by_role("status").inner_text()
    # No CSP violations, no missing assets (the 400 is the form shown again with its errors).
    assert [e for e in errors if "status of 400" not in e] == []
    context.close()

    with session_scope(site.engine, actor="test") as session:
        rsvp = session.exec(select(Rueckmeldung)).one()
        assert (rsvp.person_id, rsvp.antwort, rsvp.personen, rsvp.beduerfnisse) == (
            site.world.person_a,
            "zusage",
            2,
            ["stufenlos"],
        )
        assert session.exec(select(Themenvorschlag)).one().titel.startswith("Übergänge")
        answer = session.exec(select(FormularAntwort)).one()
        assert answer.werte["plaetze"] == 1250 and answer.werte["wohnortnah_inklusiv"] is True
        assert answer.werte["zielgruppen"] == ["Seniorinnen und Senioren", "Eltern und Familien"]


def test_keyboard_only_rsvp_with_visible_focus(browser: Any, site: Site) -> None:
    page = browser.new_page(locale="de-DE")
    page.goto(site.urls["rsvp"])
    page.keyboard.press("Tab")  # skip link first
    assert page.evaluate("document.activeElement.textContent") == "Zum Inhalt springen"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.locator("#f-antwort-2").focus()
    page.keyboard.press("Space")
    page.locator("button[type=submit]").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**?gespeichert=1")
    assert "vielleicht" in page.get_by_role("status").inner_text()
    page.close()


def test_pages_have_no_serious_accessibility_violations(browser: Any, site: Site) -> None:
    page = browser.new_page(locale="de-DE")
    pages = [
        site.urls["rsvp"],
        site.urls["thema"],
        site.urls["formular"],
        f"{site.base}/",
        f"{site.base}/datenschutz",
        site.urls["rsvp"][:-4] + "AAAA",
        f"{site.base}/gs/anmelden",
    ]
    found = {}
    for url in pages:
        page.goto(url)
        found[url.rsplit("/", 2)[-2]] = _axe(page)
    # With errors shown, after a submission, and the staff pages after login.
    page.goto(site.urls["thema"])
    page.locator("#f-titel").fill("Hortplätze")
    page.get_by_role("button", name="Vorschlag senden").click()
    found["thema-eingereicht"] = _axe(page)
    page.goto(site.urls["formular"])
    page.get_by_role("button", name="Angaben senden").click()
    found["formular-fehler"] = _axe(page)
    page.goto(f"{site.base}/gs/anmelden")
    page.get_by_label("Benutzername").fill("planerin")
    page.get_by_label("Passwort").fill(PASSWORT)
    page.get_by_role("button", name="Anmelden").click()
    found["arbeitsplatz-start"] = _axe(page)
    page.goto(f"{site.base}/arbeitsplatz/sitzungen/{site.world.sitzung}")
    page.locator("summary", has_text="Persönliche Links").click()
    found["arbeitsplatz-sitzung"] = _axe(page)
    page.goto(f"{site.base}/arbeitsplatz/formulare/bestandserhebung")
    found["arbeitsplatz-formular"] = _axe(page)
    page.close()
    assert {name: v for name, v in found.items() if v} == {}
