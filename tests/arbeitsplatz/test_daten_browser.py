"""The Daten pages with data in Debian's headless Chromium: a planner uploads a statistics file
with an error and a clean one (dry run), reads the Kennzahlen, grants a release, computes a
budget; the Kommune reads its Gemeinde. Every page passes axe-core (serious/critical) at
1280 px and 390 px without the page itself scrolling sideways."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from sozialforum.arbeitsplatz.app import create_app
from sozialforum.portal.server import free_port, serve_in_thread
from sozialforum.settings import Settings
from tests.arbeitsplatz.conftest import PASSWORT
from tests.arbeitsplatz.test_daten import KOMMUNE_PERSON, KONTEN, berechnet, kreis_anlegen
from tests.daten.conftest import KATALOG, T23, bev_datei
from tests.portal.conftest import Clock, make_settings
from tests.portal.test_browser import _axe

pytestmark = [pytest.mark.browser]


@pytest.fixture
def served(tmp_path: Path, sqlite_engine: Engine) -> Iterator[tuple[str, Settings]]:
    kreis_anlegen(sqlite_engine)
    katalog = tmp_path / "indikatoren.toml"
    katalog.write_text(KATALOG, encoding="utf-8")
    port = free_port()
    settings = make_settings(tmp_path, sqlite_engine, base_url=f"http://127.0.0.1:{port}")
    settings = settings.model_copy(update={"daten": settings.daten.model_copy(update={"katalog": katalog})})
    with serve_in_thread(
        create_app(settings, sqlite_engine, clock=Clock(), laeufe_starter=lambda _: None), port
    ) as base:
        yield base, settings


def _login(page: Any, base: str, name: str) -> None:
    page.goto(f"{base}/gs/anmelden")
    page.fill("#f-name", name)
    page.fill("#f-passwort", PASSWORT)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/arbeitsplatz/")


def test_daten_pages_in_the_browser(
    browser: Any, served: tuple[str, Settings], sqlite_engine: Engine, tmp_path: Path
) -> None:
    base, settings = served
    assert set(KONTEN) >= {"planerin", "gemeinde"}
    falsch = bev_datei(
        tmp_path / "falsch.csv", extra=[[f"{T23:%d.%m.%Y}", "03999009", "  Nirgendwo", "Insgesamt", "9"]]
    )
    richtig = bev_datei(tmp_path / "richtig.csv")
    found: dict[str, list[dict[str, Any]]] = {}
    for width, height in ((1280, 900), (390, 844)):
        context = browser.new_context(locale="de-DE", viewport={"width": width, "height": height})
        page = context.new_page()
        _login(page, base, "planerin")

        def check(name: str, page: Any = page, width: int = width) -> None:
            found[f"{name}@{width}"] = _axe(page)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (name, width)

        for datei in (falsch, richtig):
            page.goto(f"{base}/arbeitsplatz/daten")
            page.set_input_files("#f-datei", str(datei))
            page.get_by_role("button", name="Prüfen").click()
            page.wait_for_url(re.compile(r".*/arbeitsplatz/daten/pruefen"))
            check(f"pruefung-{datei.stem}")
        if width == 1280:
            assert "Laden und Kennzahlen berechnen" in page.content()
            berechnet(sqlite_engine, settings, tmp_path)
            page.goto(f"{base}/arbeitsplatz/daten/freigaben")
            page.fill("#f-person", KOMMUNE_PERSON)
            page.fill("#f-gemeinde", "03999001")
            page.get_by_role("button", name="Freigabe erteilen").click()
            page.wait_for_url(re.compile(r".*/daten/freigaben\?meldung=freigabe_erteilt"))
            page.goto(f"{base}/arbeitsplatz/daten/budget")
            page.fill("#f-gesamt", "100000")
            page.fill("#f-jahr", "2025")
            page.get_by_role("button", name="Budget berechnen").click()
            page.wait_for_url(re.compile(r".*/daten/budget\?kennung=test&jahr=2025&meldung=gespeichert"))
            assert "28.646 €" in page.locator("table").inner_text()
        for path in (
            "/arbeitsplatz/daten",
            "/arbeitsplatz/daten/kennzahlen",
            "/arbeitsplatz/daten/kennzahlen?gebiet=S1&stichtag=2022-12-31",
            "/arbeitsplatz/daten/freigaben",
            "/arbeitsplatz/daten/budget",
            "/arbeitsplatz/daten/budget?kennung=test&jahr=2025",
        ):
            response = page.goto(base + path)
            assert response is not None and response.status == 200, path
            check(path)
        context.close()

        context = browser.new_context(locale="de-DE", viewport={"width": width, "height": height})
        page = context.new_page()
        _login(page, base, "gemeinde")
        page.get_by_role("link", name="Daten", exact=True).click()
        page.get_by_role("link", name="Ahausen (03999001)").click()
        assert "Fassung: Anna Amtmann" in page.locator("main").inner_text()
        check("kommune-kennzahlen", page)
        context.close()
    assert {k: v for k, v in found.items() if v} == {}
