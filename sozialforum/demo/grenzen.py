"""Schematic borders of the demo's Sozialräume, so the demo's atlas, profiles and Sozialbericht
show maps: a made-up Landkreis outline (no real place) cut into twelve cells around fixed
points, three Sozialregionen from north to south. Deterministic: no random numbers, coordinates
rounded to the metre, so the shipped GeoJSON can be regenerated and diffed. The file's name is
what every map prints as the source of its borders, so it says that they are schematic.
"""

from __future__ import annotations

import json
import math

import shapely

from sozialforum.demo.gebiete_daten import SOZIALRAEUME

DATEI = "Schematische Demo-Grenzen (keine amtlichen Grenzen).geojson"
STAND = "2016-11-01"  # the Landkreis in its present form (gebiete.csv)
# Somewhere in southern Lower Saxony, in ETRS89 / UTM 32N (metres).
MITTE = (560_000.0, 5_740_000.0)
# One point per Sozialraum, in km from the middle (x east, y north), in the order of
# SOZIALRAEUME: Nord (1-4), Mitte (5-8, Musterstadt's two in the middle), Süd (9-12).
PUNKTE = [
    (-15, 10), (-4, 12), (8, 11), (18, 8),
    (-1, 0), (-12, 1), (10, 1), (3, -5),
    (-17, -8), (-6, -11), (6, -12), (17, -7),
]  # fmt: skip


def umriss() -> shapely.Polygon:
    """The Landkreis: wider than tall (about 56 × 34 km, so a map fits a page), with a wavy edge."""
    points = []
    for step in range(96):
        angle = 2 * math.pi * step / 96
        wobble = 1 + 0.07 * math.sin(3 * angle + 0.4) + 0.05 * math.cos(5 * angle + 1.1) + 0.03 * math.sin(9 * angle)
        points.append((MITTE[0] + 28_000 * wobble * math.cos(angle), MITTE[1] + 17_000 * wobble * math.sin(angle)))
    return shapely.Polygon(points)


def flaechen() -> list[tuple[str, str, shapely.Geometry]]:
    """(key, name, polygon) of each Sozialraum: the outline split by nearest point (Voronoi)."""
    outline = umriss()
    seeds = [shapely.Point(MITTE[0] + 1000 * x, MITTE[1] + 1000 * y) for x, y in PUNKTE]
    cells = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=outline).geoms
    out = []
    for number, ((name, _), seed) in enumerate(zip(SOZIALRAEUME, seeds, strict=True), start=1):
        cell = next(c for c in cells if c.contains(seed))
        area = shapely.set_precision(shapely.intersection(cell, outline), 1.0)
        out.append((f"SR{number:02d}", f"Sozialraum {name}", area))
    return out


def geojson() -> str:
    """The borders as GeoJSON in EPSG:25832 (named in the legacy ``crs`` member, which GDAL reads),
    one feature per line."""
    features = [
        {
            "type": "Feature",
            "properties": {"schluessel": key, "name": name},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[int(x), int(y)] for x, y in shapely.get_coordinates(area.exterior).tolist()]],
            },
        }
        for key, name, area in flaechen()
    ]
    head = {
        "type": "FeatureCollection",
        "name": "Schematische Demo-Grenzen",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
    }
    lines = ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features)
    return json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [\n' + lines + "\n]}\n"
