"""In Debian's headless Chromium, on a phone-sized and a desktop screen: a Träger contact opens
an expired link, asks for a fresh one, gets it by mail (loopback SMTP), sees all her open
requests on one page, answers and gets a confirmation. Every Träger page on the way, and the
legal pages, pass axe-core without serious or critical findings."""

from __future__ import annotations

import email
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from email import policy
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from sozialforum.links import issue_link
from sozialforum.portal import formulare
from sozialforum.portal.app import create_app
from sozialforum.portal.server import free_port, serve_in_thread
from sozialforum.store.db import session_scope
from sozialforum.store.models import Rueckmeldung
from sozialforum.vocab import Antwort, LinkZweck
from tests.konferenz.smtp_server import LoopbackSmtp
from tests.portal.conftest import NOW, Clock, Welt, build_world, make_settings
from tests.portal.test_browser import _axe

pytestmark = [pytest.mark.browser]


@dataclass
class Site:
    base: str
    world: Welt
    abgelaufen: str
    engine: Engine
    smtp: LoopbackSmtp


@pytest.fixture
def site(tmp_path: Path, sqlite_engine: Engine) -> Iterator[Site]:
    world = build_world(sqlite_engine)
    port = free_port()
    settings = make_settings(tmp_path, sqlite_engine, base_url=f"http://127.0.0.1:{port}")
    with LoopbackSmtp() as smtp:
        settings.mail.smtp_host, settings.mail.smtp_port = "127.0.0.1", smtp.port
        settings.mail.sicherheit = "keine"
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
            abgelaufen = issue_link(
                session, zweck=LinkZweck.RSVP, bezug_id=world.sitzung, gueltig_bis=NOW - timedelta(days=1), **common
            )
            issue_link(session, zweck=LinkZweck.FORMULAR, bezug_id=anfrage.id, **common)
        with serve_in_thread(create_app(settings, sqlite_engine, clock=Clock()), port) as base:
            yield Site(base, world, abgelaufen, sqlite_engine, smtp)


def _mail(smtp: LoopbackSmtp, count: int) -> email.message.EmailMessage:
    """The ``count``-th message the server received (waits for the delivery after the response)."""
    deadline = time.monotonic() + 15
    while len(smtp.collector.messages) < count:
        assert time.monotonic() < deadline, f"{len(smtp.collector.messages)} of {count} mails arrived"
        time.sleep(0.05)
    raw = smtp.collector.messages[count - 1].content
    return email.message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]  # policy.default gives EmailMessage


def _plain(message: email.message.EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return body.get_content()


@pytest.mark.parametrize("breite", [390, 1280])
def test_expired_link_to_fresh_link_to_overview_to_answer_and_confirmation(
    browser: Any, site: Site, breite: int
) -> None:
    page = browser.new_page(locale="de-DE", viewport={"width": breite, "height": 900})
    found: dict[str, Any] = {}
    page.goto(site.abgelaufen)
    assert "abgelaufen" in page.get_by_role("heading", level=1).inner_text()
    found["abgelaufen"] = _axe(page)
    page.get_by_role("link", name="Neuen Link per E-Mail anfordern").click()
    found["neuer-link"] = _axe(page)
    page.get_by_role("button", name="Link anfordern").click()  # empty: the field says what is missing
    assert "vollständig" in page.locator("#fehler-email").inner_text()
    found["neuer-link-fehler"] = _axe(page)
    page.get_by_label("Ihre E-Mail-Adresse").fill("anna@diakonie.example")
    page.get_by_role("button", name="Link anfordern").click()
    assert "erhalten Sie in wenigen Minuten" in page.get_by_role("status").inner_text()

    mail = _mail(site.smtp, 1)
    assert mail["Subject"] == "Ihr neuer Link zu Ihren Anfragen"
    link = re.search(r"http://127\.0\.0\.1:\d+/anfragen/\S+", _plain(mail))
    assert link, _plain(mail)
    page.goto(link.group(0))
    assert page.get_by_role("heading", level=1).inner_text() == "Ihre offenen Anfragen"
    items = page.locator("ul.anfragen li")
    assert items.count() == 2  # the Sitzung and the form
    assert "Noch keine Antwort" in items.nth(0).inner_text() or "Noch keine Antwort" in items.nth(1).inner_text()
    found["anfragen"] = _axe(page)

    page.get_by_role("button", name=re.compile("Öffnen: Ihre Rückmeldung")).click()
    page.get_by_label("Zusage", exact=True).check()
    assert page.get_by_label(re.compile("Bestätigung per E-Mail")).is_checked()
    page.get_by_role("button", name="Rückmeldung senden").click()
    assert "gespeichert" in page.get_by_role("status").first.inner_text()
    found["rueckmeldung-gespeichert"] = _axe(page)

    bestaetigung = _mail(site.smtp, 2)
    assert bestaetigung["Subject"].startswith("Ihre Rückmeldung ist eingegangen")
    assert "Ihre Antwort: Zusage" in _plain(bestaetigung)
    with session_scope(site.engine, actor="test") as session:
        row = session.exec(select(Rueckmeldung).where(Rueckmeldung.person_id == site.world.person_a)).one()
        assert row.antwort == Antwort.ZUSAGE

    # Back to the overview from the answer page: the answer shows there.
    page.get_by_role("link", name="Alle Ihre offenen Anfragen").click()
    assert "Ihre Antwort: Zusage" in page.locator("ul.anfragen").inner_text()
    for name in ("impressum", "datenschutz", "barrierefreiheit"):
        page.goto(f"{site.base}/{name}")
        found[name] = _axe(page)
    page.close()
    assert {name: v for name, v in found.items() if v} == {}
