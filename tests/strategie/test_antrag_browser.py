"""A Träger applies through its personal link in Debian's Chromium with a cost plan (a wrong
sum first, then right); the Geschäftsstelle reviews and decides with the CLI; the Bescheid PDF
and the Verwendungsnachweis deadline exist. The page passes axe-core at 390 and 1280 px."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from typer.testing import CliRunner

from sozialforum.cli import app as cli
from sozialforum.links import issue_link
from sozialforum.portal.app import create_app
from sozialforum.portal.server import free_port, serve_in_thread
from sozialforum.store.db import session_scope
from sozialforum.store.models import Auftrag, Foerderantrag, Strategieelement
from sozialforum.strategie import foerderung
from sozialforum.vocab import AntragStatus, AuftragQuelle, LinkZweck
from tests.portal.conftest import NOW, Clock, build_world, make_settings
from tests.portal.test_browser import _axe
from tests.support.foerderung import aufruf_anlegen
from tests.support.pdf_text import text as pdf_inhalt

pytestmark = [pytest.mark.browser]


@pytest.fixture
def site(tmp_path: Path, sqlite_engine: Engine) -> Iterator[tuple[str, str, Any]]:
    world = build_world(sqlite_engine)
    port = free_port()
    settings = make_settings(tmp_path, sqlite_engine, base_url=f"http://127.0.0.1:{port}")
    with session_scope(sqlite_engine, actor="test") as s:
        aufruf_id = aufruf_anlegen(s)
        url = issue_link(
            s, person_id=world.person_a, zweck=LinkZweck.FOERDERANTRAG, bezug_id=aufruf_id, now=NOW, settings=settings
        )
    config = tmp_path / "sozialforum.toml"
    url_db = sqlite_engine.url.render_as_string(hide_password=False)
    config.write_text(f'data_dir = "{tmp_path / "var"}"\ndatabase_url = "{url_db}"\n', encoding="utf-8")
    with serve_in_thread(create_app(settings, sqlite_engine, clock=Clock()), port):
        yield url, str(config), sqlite_engine


def test_traeger_applies_and_the_geschaeftsstelle_decides(
    browser: Any, site: tuple[str, str, Engine], tmp_path: Path
) -> None:
    url, config, engine = site
    page = browser.new_page(locale="de-DE", viewport={"width": 1280, "height": 900})
    page.goto(url)
    assert page.title().startswith("Förderantrag: Prävention 2026")
    assert _axe(page) == []
    page.get_by_label("Vorhaben").fill("Familienpaten Nord")
    page.get_by_label("Stelle 1: Bezeichnung").fill("Koordination")
    page.locator("#f-stelle0_entgeltgruppe").fill("S 11b")
    page.locator("#f-stelle0_vzae").fill("0,5")
    page.locator("#f-stelle0_jahresbetrag_vollzeit").fill("62.400,00")
    page.get_by_label("Sachkosten 1: Bezeichnung").fill("Miete")
    page.locator("#f-sach0_betrag").fill("2.400,00")
    page.get_by_label("Eigenmittel (€)").fill("1.000")
    page.get_by_label("Beantragter Betrag (€)").fill("40.000")  # does not add up: 31,200 + 2,400 − 1,000
    page.get_by_role("button", name="Antrag einreichen").click()
    assert "geht nicht auf" in page.get_by_role("alert").inner_text()
    assert page.locator("#f-beantragt").get_attribute("aria-invalid") == "true"
    assert _axe(page) == []
    page.get_by_label("Beantragter Betrag (€)").fill("32.600,00")
    page.get_by_role("button", name="Antrag einreichen").click()
    assert "Ihr Antrag FA-2026-001 ist eingegangen" in page.get_by_role("status").inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    assert _axe(page) == []
    page.close()

    with session_scope(engine, actor="test") as s:
        antrag = s.exec(select(Foerderantrag)).one()
        assert (antrag.beantragt_eur, antrag.status) == (Decimal("32600.00"), AntragStatus.EINGEREICHT.value)
        kriterium = s.exec(select(Strategieelement)).one()
        foerderung.bewerten(s, antrag=antrag, punkte={kriterium.id: 4}, notizen={}, max_punkte=5)  # type: ignore[dict-item]

    result = CliRunner().invoke(
        cli,
        [
            "--konfiguration",
            config,
            "strategie",
            "entscheiden",
            "FA-2026-001",
            "--betrag",
            "32.600,00",
            "--von",
            "01.04.2026",
            "--bis",
            "31.12.2026",
            "--raten",
            "3",
            "--entschieden-von",
            "Paula Planerin",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Verwendungsnachweis bis 29.06.2027" in result.output
    pdf = tmp_path / "var" / "berichte" / "foerderung" / "bescheid_FA-2026-001.pdf"
    text = " ".join(pdf_inhalt(pdf).split())  # "Diakonie Nord e. V." is set with protected spaces
    assert "Zuwendungsbescheid" in text and "32.600,00 €" in text and "Diakonie Nord e. V." in text
    with session_scope(engine, actor="test") as s:
        nachweis = s.exec(select(Auftrag).where(Auftrag.quelle == AuftragQuelle.FOERDERUNG.value)).one()
        assert nachweis.frist == date(2027, 6, 29)
