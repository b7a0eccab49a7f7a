"""Geometries in the shapes cities publish them, matched to areas; the choropleth SVG compared
structurally against a golden summary; the QGIS export never carries a suppressed value."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from itertools import pairwise
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Transformer

from sozialforum.karten.geometrie import lies_flaechen, schreibe, vereinfacht
from sozialforum.karten.svg import STATUS_FARBEN, Karte, Klasse, choropleth
from tests.support.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"
SVG = "{http://www.w3.org/2000/svg}"

# Six Sozialräume as a 3 × 2 grid of 2 km squares near Ulm (ETRS89 / UTM 32N), the middle
# ones with a wiggly shared border so simplification has something to do.
GEBIETE = {
    "SR01": "Weststadt",
    "SR02": "Mitte",
    "SR03": "Oststadt",
    "SR04": "Söflingen",
    "SR05": "Böfingen-Nord",
    "SR06": "Wiblingen",
}
X0, Y0, SIDE = 570_000.0, 5_360_000.0, 2_000.0


def _squares() -> list[shapely.Geometry]:
    out = []
    for row in range(2):
        for col in range(3):
            x, y = X0 + col * SIDE, Y0 + (1 - row) * SIDE
            ring = [(x, y)]
            ring += [(x + SIDE * i / 20, y + (3.0 if i % 2 else 0.0)) for i in range(1, 20)]
            ring += [(x + SIDE, y), (x + SIDE, y + SIDE), (x, y + SIDE), (x, y)]
            out.append(shapely.Polygon(ring))
    return out


def _write(path: Path, geoms, fields: dict[str, list], crs: str, driver: str) -> None:
    pyogrio.raw.write(
        path,
        geometry=shapely.to_wkb(np.array(geoms, dtype=object)),
        field_data=[np.array(v, dtype=object) for v in fields.values()],
        fields=list(fields),
        driver=driver,
        geometry_type="Polygon",
        crs=crs,
    )


@pytest.fixture
def dateien(tmp_path: Path) -> dict[str, Path]:
    geoms = _squares()
    keys, names = list(GEBIETE), list(GEBIETE.values())
    to_wgs = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)
    wgs = [shapely.transform(g, lambda xy: np.column_stack(to_wgs.transform(xy[:, 0], xy[:, 1]))) for g in geoms]
    paths = {
        "shp": tmp_path / "sozialraeume.shp",
        "gpkg": tmp_path / "sozialraeume.gpkg",
        "geojson_utm": tmp_path / "utm.geojson",
        "geojson_wgs": tmp_path / "wgs.geojson",
    }
    # Shapefile: 10-character field names as the city's GIS writes them, key column SR_NR.
    _write(paths["shp"], geoms, {"SR_NR": keys, "NAME": names}, "EPSG:25832", "ESRI Shapefile")
    # GeoPackage: one area missing, one feature that is no area.
    extra = shapely.box(X0 + 7000, Y0, X0 + 8000, Y0 + 1000)
    _write(
        paths["gpkg"],
        [*geoms[:5], extra],
        {"schluessel": [*keys[:5], "SR99"], "name": [*names[:5], "Donauufer"]},
        "EPSG:25832",
        "GPKG",
    )
    _write(paths["geojson_utm"], geoms, {"id": keys, "name": names}, "EPSG:25832", "GeoJSON")
    # GeoJSON in WGS 84 with names only, written differently (case, dash as space).
    _write(
        paths["geojson_wgs"], wgs, {"bezeichnung": [n.upper().replace("-", " ") for n in names]}, "EPSG:4326", "GeoJSON"
    )
    return paths


def test_every_format_reads_to_the_same_areas(dateien: dict[str, Path]) -> None:
    shp = lies_flaechen(dateien["shp"], GEBIETE, schluessel_feld="SR_NR")
    assert (dateien["shp"].with_suffix(".prj")).exists()
    assert [f.schluessel for f in shp.flaechen] == list(GEBIETE)
    assert not shp.ohne_gebiet and not shp.ohne_geometrie
    assert "25832" in shp.quelle_crs
    wgs = lies_flaechen(dateien["geojson_wgs"], GEBIETE)
    utm = lies_flaechen(dateien["geojson_utm"], GEBIETE)
    for a, b, c in zip(shp.flaechen, wgs.flaechen, utm.flaechen, strict=True):
        assert a.schluessel == b.schluessel == c.schluessel
        assert a.name == b.name  # matched by name, area's own spelling kept
        # back and forth through WGS 84: centimetres
        assert shapely.hausdorff_distance(a.geometrie, b.geometrie) < 0.05
        assert shapely.equals_exact(shapely.normalize(a.geometrie), shapely.normalize(c.geometrie), 1e-6)


def test_unmatched_reported_on_both_sides(dateien: dict[str, Path]) -> None:
    result = lies_flaechen(dateien["gpkg"], GEBIETE)
    assert len(result.flaechen) == 5
    assert result.ohne_gebiet == ["Donauufer"]
    assert result.ohne_geometrie == ["Wiblingen"]
    assert result.bericht()[1:] == [
        "In der Datei, aber keinem Gebiet zuzuordnen: Donauufer",
        "Gebiete ohne Fläche in der Datei: Wiblingen",
    ]


def test_missing_prj_and_unknown_column_refused_in_german(dateien: dict[str, Path]) -> None:
    dateien["shp"].with_suffix(".prj").unlink()
    with pytest.raises(ValueError, match=r"kein Koordinatensystem.*\.prj"):
        lies_flaechen(dateien["shp"], GEBIETE)
    assert lies_flaechen(dateien["shp"], GEBIETE, crs_falls_fehlt="EPSG:25832").flaechen
    with pytest.raises(ValueError, match="Spalte „Bezirk“ fehlt"):
        lies_flaechen(dateien["gpkg"], GEBIETE, schluessel_feld="Bezirk")


def test_simplification_drops_the_wiggles(dateien: dict[str, Path]) -> None:
    flaechen = lies_flaechen(dateien["geojson_utm"], GEBIETE).flaechen
    simple = vereinfacht(flaechen, toleranz_m=10)
    before = sum(shapely.get_num_coordinates(f.geometrie) for f in flaechen)
    after = sum(shapely.get_num_coordinates(f.geometrie) for f in simple)
    assert after < before / 3
    assert all(
        abs(a.geometrie.area - b.geometrie.area) / a.geometrie.area < 0.01
        for a, b in zip(flaechen, simple, strict=True)
    )


KLASSEN = [
    Klasse(n, f"Status {label}", STATUS_FARBEN[n])
    for n, label in {1: "hoch", 2: "mittel", 3: "niedrig", 4: "sehr niedrig"}.items()
]


def _map(dateien: dict[str, Path]) -> str:
    flaechen = vereinfacht(lies_flaechen(dateien["shp"], GEBIETE, schluessel_feld="SR_NR").flaechen)
    klassen = {"SR01": 1, "SR02": 2, "SR03": 3, "SR04": 4, "SR05": 2, "SR06": None}
    karte = Karte("Status-Index 2025", KLASSEN, "31.12.2025", "Statistisches Landesamt", hervorgehoben="SR02")
    return choropleth(flaechen, klassen, karte, gesperrt={"SR05"})


def _structure(svg: str) -> dict:
    root = ET.fromstring(svg)
    group = list(root.find(f"{SVG}g[@id='flaechen']"))
    paths = [p for p in group if p.get("data-schluessel")]
    legend = [t.text for t in root.iter(f"{SVG}text") if t.text]
    return {
        "title": root.find(f"{SVG}title").text,
        "flaechen": [
            {
                "schluessel": p.get("data-schluessel"),
                "name": p.find(f"{SVG}title").text,
                "fill": p.get("fill"),
                "klasse": p.get("data-klasse"),
                "gesperrt": p.get("data-gesperrt") == "1",
            }
            for p in paths
        ],
        "hervorgehoben": len(root.findall(f".//{SVG}path[@class='hervorgehoben']")),
        "schraffiert": [
            a.get("data-schluessel")
            for a, b in pairwise(group)
            if a.get("data-schluessel") and b.get("class") == "schraffur" and b.get("d")
        ],
        "texte": legend,
        "desc": root.find(f"{SVG}desc").text,
    }


def test_choropleth_structure_golden(dateien: dict[str, Path]) -> None:
    structure = _structure(_map(dateien))
    # one path per area, fill by class, the suppressed area hatched and named, never its class
    assert len(structure["flaechen"]) == len(GEBIETE)
    fills = {f["schluessel"]: f["fill"] for f in structure["flaechen"]}
    assert fills["SR01"] == STATUS_FARBEN[1] and fills["SR04"] == STATUS_FARBEN[4]
    assert fills["SR05"] == "#ffffff" and fills["SR06"] == "#ffffff"
    assert structure["schraffiert"] == ["SR05"]  # hatching as lines cut to the area
    sr05 = next(f for f in structure["flaechen"] if f["schluessel"] == "SR05")
    assert sr05["klasse"] is None and sr05["gesperrt"]
    assert "geheim gehalten: Böfingen-Nord" in structure["texte"]
    assert any(t.startswith("Datenstand: 31.12.2025 · Quelle: Statistisches Landesamt") for t in structure["texte"])
    assert any(t.endswith("\u00a0km") for t in structure["texte"])  # scale bar
    assert "Böfingen-Nord" not in structure["desc"].split("Geheim gehalten:")[0]
    assert_golden(GOLDEN / "status_karte.json", json.dumps(structure, ensure_ascii=False, indent=1) + "\n")


def test_export_respects_suppression(dateien: dict[str, Path], tmp_path: Path) -> None:
    flaechen = lies_flaechen(dateien["gpkg"], GEBIETE).flaechen
    werte = {"SR01": 12.5, "SR02": 8.25, "SR03": 3.0, "SR04": 17.75, "SR05": 4242.0}
    for suffix in (".gpkg", ".geojson"):
        out = tmp_path / f"export{suffix}"
        schreibe(out, flaechen, werte, spalte="sgb2_quote", gesperrt={"SR05"})
        meta, _, _geoms, values = pyogrio.raw.read(out)
        assert "25832" in meta["crs"]
        row = dict(zip(meta["fields"], values, strict=True))
        keys = list(row["schluessel"])
        assert np.isnan(row["sgb2_quote"][keys.index("SR05")])
        assert row["gesperrt"][keys.index("SR05")] == 1
        assert row["sgb2_quote"][keys.index("SR02")] == 8.25
        assert b"4242" not in out.read_bytes()


def test_stored_per_gebietsstand(dateien: dict[str, Path], sqlite_engine) -> None:
    from datetime import UTC, date, datetime

    import sqlalchemy as sa

    from sozialforum.karten.speicher import flaechen_am, laden
    from sozialforum.store.db import session_scope
    from sozialforum.store.models import Gebiet, GebietGeometrie
    from sozialforum.vocab import GebietEbene

    now = datetime(2026, 3, 1, tzinfo=UTC)
    with session_scope(sqlite_engine, actor="test") as session:
        for key, name in GEBIETE.items():
            session.add(Gebiet(schluessel=key, name=name, ebene=GebietEbene.SOZIALRAUM))
        session.flush()
        first = laden(session, dateien["shp"], stand=date(2024, 1, 1), now=now, schluessel_feld="SR_NR")
        assert len(first.flaechen) == 6
        laden(session, dateien["shp"], stand=date(2024, 1, 1), now=now, schluessel_feld="SR_NR")  # again: replaces
        assert session.scalar(sa.select(sa.func.count()).select_from(GebietGeometrie)) == 6
        later = laden(session, dateien["gpkg"], stand=date(2025, 1, 1), now=now)
        assert later.ohne_geometrie == ["Wiblingen"]
        assert len(flaechen_am(session, date(2024, 6, 30))) == 6
        assert len(flaechen_am(session, date(2023, 6, 30))) == 0
        in_2025 = flaechen_am(session, date(2025, 6, 30), anzeige=False)
        assert [f.schluessel for f in in_2025] == list(GEBIETE)  # Wiblingen keeps its 2024 border
        with pytest.raises(ValueError, match="kein Objekt der Datei passt"):
            laden(session, dateien["gpkg"], stand=date(2025, 1, 1), now=now, ebene="gemeinde")
