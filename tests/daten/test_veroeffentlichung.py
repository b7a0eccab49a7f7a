"""Publication levels × outputs: every output at every level, scanned for values it must not hold.

The store (the Testkreis of tests/daten) has
- an internal-only source: the Jugendamt's HzE table under the licence "intern (nur für die
  Sozialplanung)" (HzE-Quote of S1 47,238 %, 4.711 Hilfen; Kreis 38,402 %),
- a suppressed small count: Bedorf's 2 unemployed (rate 0,625 %), and Sozialraum Eins (3,299 %)
  hidden with it as the complement,
- a Kommune value that is not public: Ahausen's 4,615 %, released to the Kommune Ahausen only.
Rates carry three decimals here, so that each secret is a distinctive string.

Outputs: Sozialraumprofile (HTML, PDF, map SVG), the atlas (XLSX and its maps), the GeoJSON and
GeoPackage export, the Sozialbericht (DOCX, PDF) and the workspace page that shows values.
Levels: public, per Kommune (Ahausen), internal.
Internal files must contain every secret — that is what shows the scan can find them."""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.engine import Engine

from sozialforum.arbeitsplatz.app import create_app
from sozialforum.daten import aktualisierung, freigabe
from sozialforum.daten.ergebnis import lade_monitor
from sozialforum.daten.geheimhaltung import Empfaenger
from sozialforum.daten.kartenexport import exportiere
from sozialforum.daten.katalog import load_for
from sozialforum.daten.veroeffentlichung import interne_indikatoren
from sozialforum.karten.speicher import laden
from sozialforum.settings import Settings
from sozialforum.sozialbericht.schreiben import schreibe_sozialbericht
from sozialforum.store.db import session_scope
from sozialforum.timeutil import format_zahl
from tests.arbeitsplatz.conftest import login
from tests.arbeitsplatz.test_daten import KOMMUNE_PERSON, kreis_anlegen
from tests.daten.conftest import KATALOG, NOW, T23, alo_datei, bev_datei
from tests.portal.conftest import Clock, make_settings

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

INTERN_LIZENZ = "intern (nur für die Sozialplanung)"
KATALOG_STUFEN = (
    KATALOG.replace('name = "Arbeitslosenanteil"\n', 'name = "Arbeitslosenanteil"\nnachkommastellen = 3\n')
    .replace('name = "HzE-Quote"\n', 'name = "HzE-Quote"\nnachkommastellen = 3\n')
    .replace('name = "HzE je Sozialraum"\n', f'name = "HzE je Sozialraum"\nlizenz = "{INTERN_LIZENZ}"\n')
)
HZE = "Sozialraum;Hilfen;Einwohner unter 21\nS1;4711;9973\nS2;3917;9931\nS3;2843;9967\n"

INTERN = {"47,238", "4.711", "38,402"}  # HzE-Quote S1, Hilfen S1, HzE-Quote Kreis
GEHEIM = {"0,625", "3,299"}  # Bedorf (2 unemployed) and Sozialraum Eins, suppressed
KOMMUNE = {"4,615"}  # Ahausen: hidden from the public, released to the Kommune Ahausen
KREIS_WERT = {"4,234"}  # the Kreis' Arbeitslosenanteil: public, but not in monitor-only mode


@dataclass
class Stufen:
    engine: Engine
    settings: Settings
    ids: dict[str, int]


def _polygon(x: float, y: float) -> list[list[list[float]]]:
    return [[[x, y], [x + 0.05, y], [x + 0.05, y + 0.05], [x, y + 0.05], [x, y]]]


def _geometrien(engine: Engine, tmp_path: Path) -> None:
    layers = {
        "sozialraum": {"S1": 0, "S2": 1, "S3": 2},
        "gemeinde": {f"0399900{i}": i - 1 for i in range(1, 8)},
    }
    for ebene, keys in layers.items():
        features = [
            {
                "type": "Feature",
                "properties": {"id": key},
                "geometry": {"type": "Polygon", "coordinates": _polygon(9 + 0.05 * n, 48.0)},
            }
            for key, n in keys.items()
        ]
        path = tmp_path / f"{ebene}.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
        with session_scope(engine, actor="test") as session:
            laden(session, path, stand=T23.replace(year=2020, month=1, day=1), now=NOW, ebene=ebene)


def _store(engine: Engine, tmp_path: Path, veroeffentlichung: str) -> Stufen:
    katalog_pfad = tmp_path / "indikatoren.toml"
    katalog_pfad.write_text(KATALOG_STUFEN, encoding="utf-8")
    settings = make_settings(tmp_path, engine)
    daten = settings.daten.model_copy(update={"katalog": katalog_pfad, "veroeffentlichung": veroeffentlichung})
    settings = settings.model_copy(update={"daten": daten})
    ids = kreis_anlegen(engine)
    katalog = load_for(settings)
    hze = tmp_path / "hze.csv"
    hze.write_text(HZE, encoding="utf-8")
    for datei, stichtag in (
        (bev_datei(tmp_path / "bev.csv"), None),
        (alo_datei(tmp_path / "alo.csv"), None),
        (hze, T23),
    ):
        aktualisierung.lade(engine, datei, katalog, now=NOW, akteur="test", stichtag=stichtag)
    aktualisierung.rechne(engine, katalog, settings, now=NOW, akteur="test")
    _geometrien(engine, tmp_path)
    with session_scope(engine, actor="test") as session:
        freigabe.erteile(session, person=KOMMUNE_PERSON, gemeinde="03999001", am=T23)
    return Stufen(engine, settings, ids)


@pytest.fixture
def stufen(sqlite_engine: Engine, tmp_path: Path) -> Stufen:
    return _store(sqlite_engine, tmp_path, "werte")


def _empfaenger(stufen: Stufen, stufe: str) -> Empfaenger:
    if stufe == "intern":
        return Empfaenger.geschaeftsstelle()
    if stufe == "kommune":
        with session_scope(stufen.engine, actor="test") as session:
            return Empfaenger.fuer_person(session, KOMMUNE_PERSON, T23)
    return Empfaenger.oeffentlich()


def sozialbericht_ausgaben(stufen: Stufen, empfaenger: Empfaenger, ordner: Path) -> list[Path]:
    """The Sozialbericht (DOCX and PDF) for ``empfaenger``."""
    with session_scope(stufen.engine, actor="test") as session:
        dateien = schreibe_sozialbericht(
            session,
            load_for(stufen.settings),
            stufen.settings.daten,
            empfaenger,
            ordner / "sozialbericht",
            kommune=stufen.settings.kommune,
        )
    return [dateien.docx, dateien.pdf]


def _dateien(stufen: Stufen, stufe: str, ordner: Path, *, sozialbericht: bool = True) -> list[Path]:
    """Every file output for one level."""
    empfaenger = _empfaenger(stufen, stufe)
    katalog = load_for(stufen.settings)
    # S1 = Ahausen + Bedorf holds every secret of the store; its profile is the one to scan
    out = aktualisierung.ausgaben(
        stufen.engine, katalog, stufen.settings, empfaenger, now=NOW, ordner=ordner, sozialraeume=["S1"]
    )
    with session_scope(stufen.engine, actor="test") as session:
        monitor = lade_monitor(session)
        assert monitor is not None
        for code, ebene in (("alo_quote", "gemeinde"), ("hze_quote", "sozialraum")):
            for suffix in ("geojson", "gpkg"):
                exportiere(
                    session, monitor, katalog, stufen.settings.daten, empfaenger, code,
                    ordner / f"export_{code}.{suffix}", ebene=ebene,
                )  # fmt: skip
    files = [*out.dateien, *ordner.rglob("*.svg"), *ordner.glob("export_*")]
    if sozialbericht:
        files += sozialbericht_ausgaben(stufen, empfaenger, ordner)
    assert len({f.suffix for f in files}) >= 6 + sozialbericht, files  # html pdf xlsx svg geojson gpkg (docx)
    return files


def _zahlen(value: float) -> list[str]:
    return [format_zahl(value, 3), format_zahl(value, 0)]


def text_der_datei(path: Path) -> str:
    """What a reader of the file can see: text of HTML/SVG/JSON, PDF text, every XLSX cell (numbers
    in their German form), every attribute of a GeoPackage, the text runs of a DOCX."""
    suffix = path.suffix
    if suffix == ".docx":
        with zipfile.ZipFile(path) as archive:
            xml = "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml"))
        return re.sub(r"<[^>]+>", "", xml)
    if suffix == ".pdf":
        return "\n".join(page.extract_text() for page in PdfReader(path).pages)
    if suffix == ".xlsx":
        parts = []
        for sheet in load_workbook(path, read_only=True).worksheets:
            for row in sheet.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, int | float) and not isinstance(value, bool):
                        parts += _zahlen(float(value))
                    elif value is not None:
                        parts.append(str(value))
        return "\n".join(parts)
    if suffix == ".gpkg":
        parts = []
        with sqlite3.connect(path) as db:
            tables = [r[0] for r in db.execute("SELECT table_name FROM gpkg_contents")]
            for table in tables:
                for row in db.execute(f'SELECT * FROM "{table}"'):
                    for value in row:
                        if isinstance(value, int | float):
                            parts += _zahlen(float(value))
                        elif isinstance(value, str):
                            parts.append(value)
        return "\n".join(parts)
    text = path.read_text(encoding="utf-8")
    if suffix == ".geojson":
        numbers = [float(n) for n in re.findall(r'"[^"]+":\s*(-?\d+(?:\.\d+)?)', text)]
        return text + "\n" + "\n".join(s for n in numbers for s in _zahlen(n))
    return text


def funde(files: list[Path], secrets: set[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in files:
        text = text_der_datei(path)
        hits = {s for s in secrets if re.search(rf"(?<![\d.,]){re.escape(s)}(?![\d])", text)}
        if hits:
            found[path.name] = hits
    return found


@pytest.fixture
def kommune_client(stufen: Stufen) -> Iterator[dict[str, TestClient]]:
    app = create_app(stufen.settings, stufen.engine, clock=Clock(), laeufe_starter=lambda _id: None)
    clients = {name: TestClient(app, base_url="http://testserver") for name in ("planerin", "gemeinde")}
    for name, client in clients.items():
        client.__enter__()
        login(client, name)
    try:
        yield clients
    finally:
        for client in clients.values():
            client.__exit__(None, None, None)


def test_every_output_at_every_level_holds_only_what_the_level_may_see(
    stufen: Stufen, kommune_client: dict[str, TestClient], tmp_path: Path
) -> None:
    assert interne_indikatoren(load_for(stufen.settings)) == {"hze_quote"}
    files = {stufe: _dateien(stufen, stufe, tmp_path / stufe) for stufe in ("oeffentlich", "kommune", "intern")}
    alle = INTERN | GEHEIM | KOMMUNE

    assert funde(files["oeffentlich"], alle) == {}
    kommune = funde(files["kommune"], alle)
    assert set().union(*kommune.values()) == KOMMUNE, kommune  # its own Gemeinde, nothing else
    intern = funde(files["intern"], alle)
    assert set().union(*intern.values()) == alle  # the scan finds what is there
    atlas_intern = next(p for p in files["intern"] if p.suffix == ".xlsx")
    assert intern[atlas_intern.name] == alle

    def profil(stufe: str) -> str:
        return next(p for p in files[stufe] if p.name == "sozialraumprofil_S1.html").read_text(encoding="utf-8")

    assert "Indikatoren aus internen Quellen der Verwaltung" in profil("oeffentlich")  # says why "."
    assert "Nicht in dieser Fassung (interne Quelle, nur für die Sozialplanung): HzE-Quote." in profil("oeffentlich")
    assert "Nicht in dieser Fassung" not in profil("intern")
    assert "aus internen Quellen" not in profil("intern")
    sozialbericht_intern = [p for p in files["intern"] if p.name.startswith("sozialbericht_")]
    # (the report shows rates of the planning areas, no counts, no Gemeinden)
    assert set().union(*funde(sozialbericht_intern, alle).values()) == {"47,238", "38,402", "3,299"}
    # the public values are there (what monitor-only mode must take away)
    assert funde(files["oeffentlich"], KREIS_WERT)
    # internal sources are not even named where none of their values is shown
    for stufe in ("oeffentlich", "kommune"):
        assert not funde(files[stufe], {"HzE je Sozialraum", INTERN_LIZENZ}), stufe
    assert funde(files["intern"], {INTERN_LIZENZ})

    # the workspace pages that show values: the Kommune's view of its Gemeinde, the
    # Geschäftsstelle's internal one of the Sozialraum (the portal's public pages show none)
    seiten = tmp_path / "seiten"
    seiten.mkdir()
    for name, gebiete in (("gemeinde", ("03999001",)), ("planerin", ("S1",))):
        for gebiet in gebiete:
            page = kommune_client[name].get(f"/arbeitsplatz/daten/kennzahlen?gebiet={gebiet}")
            assert page.status_code == 200, (name, gebiet)
            (seiten / f"{name}_{gebiet}.html").write_text(page.text, encoding="utf-8")
    gemeinde = funde(sorted(seiten.glob("gemeinde_*.html")), alle)
    assert set().union(*gemeinde.values()) == KOMMUNE, gemeinde
    planerin = funde(sorted(seiten.glob("planerin_*.html")), alle)
    assert set().union(*planerin.values()) == {"3,299", "47,238", "4.711", "38,402"}


def test_monitor_only_mode_publishes_index_and_classes_and_nothing_behind(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    """Zwickau: the monitor (index, classes, maps) is public; the data behind it go only to the
    Kommune concerned — the Kommune Ahausen sees Ahausen's values, not the Kreis's."""
    stufen = _store(sqlite_engine, tmp_path, "nur_monitor")
    public = _dateien(stufen, "oeffentlich", tmp_path / "oeffentlich", sozialbericht=False)
    assert funde(public, INTERN | GEHEIM | KOMMUNE | KREIS_WERT) == {}
    atlas = load_workbook(next(p for p in public if p.suffix == ".xlsx"))
    arbeit = list(atlas["Arbeit"].iter_rows(min_row=2, values_only=True))
    assert arbeit and all(v in (".", None) for row in arbeit for v in row[3:6] if row[0] != "Vergleich")
    index = list(atlas["Index"].iter_rows(min_row=2, values_only=True))
    assert any(isinstance(row[3], float) for row in index)  # the index is public
    assert {row[4] for row in index} & {"hoch", "mittel", "niedrig", "sehr niedrig"}
    profil = next(p for p in public if p.name == "sozialraumprofil_S1.html").read_text(encoding="utf-8")
    assert "Status" in profil and "Region A" in profil and "Monitor-Fassung" in profil

    kommune = _dateien(stufen, "kommune", tmp_path / "kommune", sozialbericht=False)
    found = funde(kommune, INTERN | GEHEIM | KOMMUNE | KREIS_WERT)
    assert set().union(*found.values()) == KOMMUNE, found
