"""Outputs for people: the Sozialraumprofil (golden HTML; PDF with the Datenstand and the chart)
and the Sozialstrukturatlas workbook (one sheet per dimension, index, Kennzahlen, budget)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from sozialforum.daten.aktualisierung import ausgaben, budget
from sozialforum.daten.ergebnis import Monitor
from sozialforum.daten.geheimhaltung import Empfaenger
from sozialforum.daten.katalog import Katalog
from tests.daten.conftest import NOW, alo_datei, bev_datei
from tests.daten.golden import assert_golden
from tests.daten.test_berechnung import refresh
from tests.daten.test_geheimhaltung import _settings
from tests.support.grenzen import quadrate
from tests.support.pdf_rand import ueber_den_rand
from tests.support.pdf_text import seiten
from tests.support.pdf_text import text as pdf_inhalt


@pytest.fixture
def monitor(kreis: tuple[Engine, dict[str, int]], katalog: Katalog, tmp_path: Path) -> Monitor:
    return refresh(kreis[0], katalog, [bev_datei(tmp_path / "bev.csv"), alo_datei(tmp_path / "alo.csv")])


def test_profile_html_pdf_and_atlas(
    monitor: Monitor, kreis: tuple[Engine, dict[str, int]], katalog: Katalog, katalog_pfad: Path, tmp_path: Path
) -> None:
    engine = kreis[0]
    settings = _settings(engine, tmp_path, katalog_pfad)
    verteilung, _ = budget(engine, katalog, "test", gesamt=100_000, haushaltsjahr=2025, now=NOW)
    out = ausgaben(
        engine, katalog, settings, Empfaenger.oeffentlich(), now=NOW, sozialraeume=["S2"], budgets=[verteilung]
    )
    html = out.profile[0].read_text(encoding="utf-8")
    assert_golden("sozialraumprofil_S2.html", html)
    assert "Datenstand 27. September 2024" in html  # the newest Datenstand of the loaded files
    assert (out.profile[0].parent / "diagramme" / "S2_entwicklung.png").stat().st_size > 10_000
    pages = seiten(out.profile[0].with_suffix(".pdf"))
    text = pdf_inhalt(out.profile[0].with_suffix(".pdf"))
    assert "Sozialraumprofil Sozialraum Zwei" in text and "Datenstand 27. September 2024" in text
    assert any(page.images for page in pages)  # the trend chart is in the PDF
    # ... with its source and dates under it, as the map has (it had none).
    assert re.search(r"Quelle: [^\n]*eigene Berechnung · Stichtage \d\d\.\d\d\.\d{4}–", " ".join(text.split()))
    # The Gemeinden's table stays inside the margins (the demo's ran 5.5 to 8.2 mm past the right one).
    assert ueber_den_rand(out.profile[0].with_suffix(".pdf").read_bytes()) == []

    book = load_workbook(out.atlas)
    assert book.sheetnames == ["Übersicht", "Arbeit", "Alter", "Index", "Kennzahlen und Ziele", "Testbudget 2025"]
    arbeit = list(book["Arbeit"].iter_rows(values_only=True))
    assert arbeit[0][:4] == ("Ebene", "Schlüssel", "Gebiet", "Arbeitslosenanteil [%]")
    assert [row[1] for row in arbeit[1:4]] == ["03999000", "RA", "S1"]  # in hierarchy order
    kreis_row = arbeit[1]
    assert kreis_row[3] == pytest.approx(174 / 4110 * 100) and kreis_row[4] == 174
    assert book["Arbeit"]["D2"].number_format == "#,##0.0"
    # Printed, every page repeats the head (row 1 here, the budget's after its preamble).
    assert book["Arbeit"].print_title_rows == "$1:$1" and book["Arbeit"].page_setup.fitToWidth == 1
    gemark = next(row for row in arbeit if row[1] == "03999007")
    assert book["Arbeit"].cell(arbeit.index(gemark) + 1, 4).number_format == '"("#,##0.0")"'  # few cases
    assert arbeit[-1][:3] == ("Vergleich", None, "Arbeitslosenanteil: Landesdurchschnitt")
    alter = list(book["Alter"].iter_rows(values_only=True))
    assert any("anders definiert" in str(row[3]) for row in alter if row[0] == "Vergleich")
    budget_rows = list(book["Testbudget 2025"].iter_rows(values_only=True))
    assert budget_rows[-1][-1] == 100_000 and budget_rows[-1][1] == "Summe"
    gewichte = [c for row in budget_rows for c in row if isinstance(c, str) and ": Gewicht " in c]
    assert gewichte and all("." not in c.split("Gewicht ")[1] for c in gewichte), gewichte  # "0,5", not "0.5"
    # every sheet: bold frozen header with a filter over the table, widths from the content
    for name in book.sheetnames[1:]:
        sheet = book[name]
        head = next(r for r in range(1, 10) if sheet.cell(r, 1).font.b)
        assert sheet.freeze_panes is not None and sheet.freeze_panes.endswith(str(head + 1)), name
        assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith(f"A{head}:"), name
        assert sheet.column_dimensions["A"].width >= 8, name
    assert book["Arbeit"].freeze_panes == "D2" and book["Arbeit"].column_dimensions["C"].width >= len("Sozialraum Zwei")
    index = list(book["Index"].iter_rows(values_only=True))
    assert index[0][3] == "Statusindex"
    numbers = [row[3] for row in index[1:] if row[3] not in (None, "", ".", "x")]
    assert numbers and all(isinstance(v, float) for v in numbers)  # numbers, not texts
    assert book["Index"]["D2"].number_format == "#,##0.00"
    assert {type(row[-1]).__name__ for row in index[1:]} == {"datetime"}  # the Stichtag as a date
    # an edition written later without a budget in hand still has the stored budget's sheet
    again = ausgaben(engine, katalog, settings, Empfaenger.oeffentlich(), now=NOW, sozialraeume=["S2"])
    assert "Testbudget 2025" in load_workbook(again.atlas).sheetnames
    rebuilt = list(load_workbook(again.atlas)["Testbudget 2025"].iter_rows(values_only=True))
    assert rebuilt == budget_rows


def test_current_profile_for_the_conference_preparation(
    monitor: Monitor, kreis: tuple[Engine, dict[str, int]], katalog_pfad: Path, tmp_path: Path
) -> None:
    from sozialforum.daten.profil import aktuelles_profil
    from sozialforum.store.db import session_scope

    engine, ids = kreis
    settings = _settings(engine, tmp_path, katalog_pfad)
    with session_scope(engine, actor="test") as session:
        found = aktuelles_profil(session, gebiet_id=ids["03999005"], settings=settings)  # a Gemeinde of S3
        assert found is not None and found.titel == "Sozialraumprofil Sozialraum Drei, Stichtag 31.12.2023"
        assert found.pfad.name == "sozialraumprofil_S3.pdf" and found.pfad.exists()
        assert aktuelles_profil(session, gebiet_id=ids["RA"], settings=settings) is None  # a region
        # Written once per computation, whatever the clocks say (the demo's year runs in the future).
        written = found.pfad.stat().st_mtime_ns
        assert aktuelles_profil(session, gebiet_id=ids["S3"], settings=settings) is not None
        assert found.pfad.stat().st_mtime_ns == written
        stand = found.pfad.with_name(".sozialraumprofil_S3.berechnung")
        stand.write_text("0", encoding="utf-8")  # as if from an earlier computation
        assert aktuelles_profil(session, gebiet_id=ids["S3"], settings=settings) is not None
        assert found.pfad.stat().st_mtime_ns > written and stand.read_text(encoding="utf-8") != "0"


def test_a_source_ahead_of_the_others(
    kreis: tuple[Engine, dict[str, int]], katalog: Katalog, katalog_pfad: Path, tmp_path: Path
) -> None:
    """Population for 2024 arrives before the unemployment figures: the 2024 index is missing
    (not built from the Altenquotient alone), outputs show each indicator at its latest Stichtag."""
    from datetime import date

    from sozialforum.daten.fehlwerte import Fehlwert

    engine = kreis[0]
    t24 = date(2024, 12, 31)
    population = bev_datei(tmp_path / "bev.csv", days=(date(2022, 12, 31), date(2023, 12, 31), t24))
    monitor = refresh(engine, katalog, [population, alo_datei(tmp_path / "alo.csv")])
    assert monitor.letzter_stichtag == t24
    newest = monitor.index[("sozialraum:gesamt", t24)]
    assert (newest.status_code != Fehlwert.VORHANDEN).all()
    settings = _settings(engine, tmp_path, katalog_pfad)
    out = ausgaben(engine, katalog, settings, Empfaenger.geschaeftsstelle(), now=NOW, sozialraeume=["S1"])
    html = out.profile[0].read_text(encoding="utf-8")
    assert "Arbeitslosenanteil [%] (Stand 31.12.2023)" in html
    assert '<td class="zahl">3,3</td>' in html  # 32 of 970, from 2023
    assert "Index zum Stichtag 31.12.2023" in html and "-1,00 – Status mittel" in html
    arbeit = list(load_workbook(out.atlas)["Arbeit"].iter_rows(values_only=True))
    assert arbeit[0][3] == "Arbeitslosenanteil [%] (Stand 31.12.2023)"


def test_profile_with_map_of_its_surroundings(
    monitor: Monitor, kreis: tuple[Engine, dict[str, int]], katalog: Katalog, katalog_pfad: Path, tmp_path: Path
) -> None:
    import json
    import xml.etree.ElementTree as ET
    from datetime import date

    from sozialforum.karten.speicher import laden
    from sozialforum.store.db import session_scope

    engine = kreis[0]
    features = [
        {
            "type": "Feature",
            "properties": {"id": key},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[x, 48.0], [x + 0.05, 48.0], [x + 0.05, 48.05], [x, 48.05], [x, 48.0]]],
            },
        }
        for key, x in (("S1", 9.0), ("S2", 9.05), ("S3", 9.1))
    ]
    path = tmp_path / "sozialraeume.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    with session_scope(engine, actor="test") as session:
        assert len(laden(session, path, stand=date(2020, 1, 1), now=NOW).flaechen) == 3
    settings = _settings(engine, tmp_path, katalog_pfad)
    out = ausgaben(engine, katalog, settings, Empfaenger.oeffentlich(), now=NOW, sozialraeume=["S2"], budgets=[])
    svg = out.profile[0].parent / "diagramme" / "S2_karte.svg"
    root = ET.parse(svg).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    paths = root.find(f"{ns}g[@id='flaechen']").findall(f"{ns}path[@data-schluessel]")
    assert [p.get("data-schluessel") for p in paths] == ["S1", "S2", "S3"]
    assert len(root.findall(f".//{ns}path[@class='hervorgehoben']")) == 1
    assert "Sozialraum Zwei" in root.find(f"{ns}title").text
    html = out.profile[0].read_text(encoding="utf-8")
    assert "diagramme/S2_karte.svg" in html
    atlas_maps = sorted(p.name for p in out.atlas.parent.glob("*_karte_*.svg"))
    assert [name.split("_karte_")[1] for name in atlas_maps] == ["alter.svg", "arbeit.svg", "gesamt.svg"]
    assert "Status-Index" in pdf_inhalt(out.profile[0].with_suffix(".pdf"))


def test_export_for_qgis_by_recipient(
    monitor: Monitor, kreis: tuple[Engine, dict[str, int]], katalog: Katalog, tmp_path: Path
) -> None:
    from datetime import date

    import numpy as np
    import pyogrio

    from sozialforum.daten.kartenexport import exportiere
    from sozialforum.karten.speicher import laden
    from sozialforum.settings import DatenSettings
    from sozialforum.store.db import session_scope

    engine = kreis[0]
    keys = [f"0399900{n}" for n in range(1, 8)]
    path = quadrate(tmp_path / "gemeinden.geojson", keys, feld="schluessel", seite=0.02)
    settings = DatenSettings()
    files = {}
    with session_scope(engine, actor="test") as session:
        laden(session, path, stand=date(2020, 1, 1), now=NOW, ebene="gemeinde")
        for name, empfaenger in (("public", Empfaenger.oeffentlich()), ("intern", Empfaenger.geschaeftsstelle())):
            files[name] = tmp_path / f"{name}.gpkg"
            result = exportiere(
                session, monitor, katalog, settings, empfaenger, "alo_quote", files[name], ebene="gemeinde"
            )
            assert result.flaechen == 7
    tables = {}
    for name, file in files.items():
        meta, _, _geoms, values = pyogrio.raw.read(file)
        tables[name] = dict(zip(meta["fields"], values, strict=True))
    public, intern = tables["public"], tables["intern"]
    locked = [k for k, flag in zip(public["schluessel"], public["gesperrt"], strict=True) if flag]
    assert locked and not any(intern["gesperrt"])  # small counts are hidden from the public only
    for key in locked:
        row = list(public["schluessel"]).index(key)
        assert np.isnan(public["alo_quote"][row]) and not np.isnan(intern["alo_quote"][row])


def test_population_by_age_for_the_projection(monitor: Monitor, kreis: tuple[Engine, dict[str, int]]) -> None:
    from sozialforum.daten.projektion import bevoelkerung_nach_alter
    from sozialforum.store.db import session_scope

    with session_scope(kreis[0], actor="test") as session:
        day, name, counts = bevoelkerung_nach_alter(session, "S2", merkmal="bev")  # Cestadt + Deweiler
        assert name == "Sozialraum Zwei" and day.year == 2023
        assert counts == {(0, 15): 340, (15, 65): 1450, (65, None): 460}
        with pytest.raises(LookupError, match="nicht gefunden"):
            bevoelkerung_nach_alter(session, "S9", merkmal="bev")


def test_profiles_printed_in_parallel_processes_equal_those_printed_here(
    monitor: Monitor, kreis: tuple[Engine, dict[str, int]], katalog: Katalog, tmp_path: Path
) -> None:
    """A Kreis's profiles are printed in worker processes: the same bytes as in this process."""
    from dataclasses import replace

    from sozialforum.daten.geheimhaltung import Empfaenger
    from sozialforum.daten.profil import bereite_profil
    from sozialforum.daten.profil_druck import PARALLEL_AB, drucke, drucke_alle, stand_datei
    from sozialforum.settings import DatenSettings
    from sozialforum.store.db import session_scope

    with session_scope(kreis[0], actor="test") as session:
        _, auftrag = bereite_profil(
            session,
            monitor,
            katalog,
            DatenSettings(),
            "S3",
            Empfaenger.oeffentlich(),
            tmp_path,
            kommune="Testkreis",
            now=monitor.berechnung.berechnet_am,
        )
    assert auftrag.diagramm is not None

    def content(pdf: Path) -> bytes:  # all but the second it was made and the ID derived from it
        return re.sub(rb"/CreationDate \(D:\d+Z\)|/ID \[<[0-9A-F]+><[0-9A-F]+>\]", b"", pdf.read_bytes())

    here = content(drucke(auftrag))
    copies = [replace(auftrag, pdf=tmp_path / f"kopie{i}.pdf") for i in range(PARALLEL_AB)]
    printed = drucke_alle(copies)
    assert [content(p) for p in printed] == [here] * PARALLEL_AB
    assert all(stand_datei(p).read_text(encoding="utf-8") == str(monitor.berechnung.id) for p in printed)


def test_profiles_are_printed_in_process_inside_a_daemonic_worker(tmp_path: Path) -> None:
    """A daemonic process may not have children: there the profiles are printed one by one."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:  # its workers are daemonic
        assert pool.apply_async(_drucke_im_daemon, (str(tmp_path),)).get(timeout=120) == 4


def _drucke_im_daemon(folder: str) -> int:
    from sozialforum.daten.profil_druck import PARALLEL_AB, Druckauftrag, drucke_alle

    jobs = [
        Druckauftrag(
            pdf=Path(folder) / f"p{i}.pdf", html=f"<p>Profil {i}</p>", titel="P", fusszeile="F", berechnung="1"
        )
        for i in range(PARALLEL_AB)
    ]
    return sum(path.exists() for path in drucke_alle(jobs))


def test_city_wording_and_honest_chart_scales(
    kreis: tuple[Engine, dict[str, int]], katalog: Katalog, katalog_pfad: Path, tmp_path: Path
) -> None:
    """A kreisfreie Stadt: the comparison column says "Stadt", and a Sozialraum directly under
    the city does not repeat its name ("Stadt Teststadt · Stadt Teststadt")."""
    from sozialforum.daten.diagramme import Panel, skalen
    from sozialforum.store.db import session_scope
    from sozialforum.store.models import Gebiet

    engine, ids = kreis
    with session_scope(engine, actor="test") as session:
        session.get(Gebiet, ids["03999000"]).name = "Stadt Teststadt"
        session.get(Gebiet, ids["S1"]).parent_id = ids["03999000"]
    refresh(engine, katalog, [bev_datei(tmp_path / "bev.csv"), alo_datei(tmp_path / "alo.csv")])
    settings = _settings(engine, tmp_path, katalog_pfad).model_copy(update={"kommune": "Stadt Teststadt"})
    out = ausgaben(engine, katalog, settings, Empfaenger.oeffentlich(), now=NOW, sozialraeume=["S1"], budgets=[])
    html = out.profile[0].read_text(encoding="utf-8")
    assert '<th width="9%" class="zahl">Stadt</th>' in html and ">Kreis</th>" not in html
    assert "Stadt Teststadt · Fassung" in html and "Stadt Teststadt · Stadt Teststadt" not in html

    # shares start at 0; comparable panels of one unit share their scale; negative values keep theirs
    panels = [
        Panel("A", "%", [("x", "gebiet", [6.5, 5.7])]),
        Panel("B", "%", [("x", "gebiet", [2.3, None])]),
        Panel("C", "%", [("x", "gebiet", [13.6, 13.3])], ziel=20.0),
        Panel("D", "je 100", [("x", "gebiet", [-1.0, 2.0])]),
    ]
    assert skalen(panels) == [(0.0, pytest.approx(7.15)), (0.0, pytest.approx(7.15)), (0.0, pytest.approx(22.0)), None]
