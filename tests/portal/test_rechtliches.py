"""Impressum, Datenschutzerklärung and Barrierefreiheitserklärung: reachable from every page,
filled from ``[rechtliches]``, and complete where the law asks (Art. 13 DSGVO, BITV 2.0)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def test_every_page_links_the_legal_texts(client: TestClient) -> None:
    for path in ("/", "/datenschutz", "/impressum", "/barrierefreiheit", "/rueckmeldung/kaputt"):
        html = client.get(path).text
        for target in ('href="/impressum"', 'href="/datenschutz"', 'href="/barrierefreiheit"'):
            assert target in html, (path, target)


def test_impressum_names_the_body_and_who_represents_it(client: TestClient) -> None:
    html = client.get("/impressum").text
    assert "Landkreis Musterland" in html and "vertreten durch Landrätin Dr. Anna Beispiel" in html
    assert "Kreishaus, Am Markt 1, 37000 Musterstadt" in html


def test_datenschutz_has_every_part_of_article_13(client: TestClient) -> None:
    html = client.get("/datenschutz").text
    for part in (
        "Verantwortlich",
        "datenschutz@landkreis-musterland.example",  # the DPO, from the configuration
        "Art. 6 Abs. 1 lit. a",  # purposes and legal basis
        "Empfänger",
        "24 Monate",  # retention from [rechtliches] speicherdauer_monate
        "höchstens 60 Tage",  # links, from [portal] link_gueltigkeit_tage
        "Art. 15",
        "Art. 21",
        "widerrufen",
        "Landesbeauftragte für den Datenschutz Niedersachsen",  # complaint
    ):
        assert part in html, part


def test_barrierefreiheit_has_status_date_feedback_and_schlichtung(client: TestClient) -> None:
    html = client.get("/barrierefreiheit").text
    assert "30. November 2026" in html
    assert "Ältere PDF-Dokumente" in html
    assert "sozialplanung@landkreis-musterland.example" in html
    assert "Schlichtungsstelle bei der Landesbeauftragten" in html
