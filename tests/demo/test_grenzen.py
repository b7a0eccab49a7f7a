"""The demo's schematic borders: twelve cells that tile one outline, loaded through the product's
boundary import onto the demo's Sozialräume, and every map drawn from them says they are schematic."""

from __future__ import annotations

from datetime import UTC, date, datetime

import shapely
from sqlalchemy.engine import Engine

from sozialforum.demo import DATA, grenzen
from sozialforum.karten.herkunft import grenzen_quelle
from sozialforum.karten.speicher import flaechen_am, laden
from sozialforum.karten.svg import Karte, Klasse, choropleth
from sozialforum.stammdaten.importer import import_file
from sozialforum.store.db import session_scope

NOW = datetime(2026, 12, 6, 9, tzinfo=UTC)
SCHEMATISCH = "Gebietsgrenzen: Schematische Demo-Grenzen (keine amtlichen Grenzen) (ETRS89/UTM 32N)"


def test_the_cells_tile_the_outline_without_gaps_or_overlaps() -> None:
    cells = [area for _, _, area in grenzen.flaechen()]
    assert len(cells) == 12 and all(c.geom_type == "Polygon" and c.is_valid for c in cells)
    outline = grenzen.umriss().area
    assert abs(sum(c.area for c in cells) - outline) < 0.001 * outline  # no overlaps
    assert abs(shapely.union_all(cells).area - outline) < 0.001 * outline  # no gaps
    assert (DATA / grenzen.DATEI).read_text(encoding="utf-8") == grenzen.geojson()  # the shipped file


def test_loaded_through_the_boundary_import_and_labelled_schematic(sqlite_engine: Engine) -> None:
    with session_scope(sqlite_engine, actor="test") as session:
        import_file(session, "gebiete", DATA / "gebiete.csv")
        result = laden(session, DATA / grenzen.DATEI, stand=date.fromisoformat(grenzen.STAND), now=NOW)
        assert (len(result.flaechen), result.ohne_gebiet, result.ohne_geometrie) == (12, [], [])
        day = date(2023, 12, 31)
        flaechen = flaechen_am(session, day)
        assert [f.name for f in flaechen][:2] == ["Sozialraum Lindenau", "Sozialraum Eichhausen"]
        quelle = grenzen_quelle(session, day)
    assert quelle == "Schematische Demo-Grenzen (keine amtlichen Grenzen)"
    karte = Karte("Gesamtindex", [Klasse(1, "Status hoch", "#fef0d9")], "31.12.2023", "Atlas", grenzen=quelle)
    svg = choropleth(flaechen, {f.schluessel: 1 for f in flaechen}, karte)
    assert f">{SCHEMATISCH}</text>" in svg
