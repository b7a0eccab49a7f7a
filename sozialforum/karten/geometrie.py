"""Area geometries as cities publish them: GeoJSON, Shapefile (with its .prj), GeoPackage.

Every file is read with pyogrio (GDAL in the wheel), transformed with pyproj to ETRS89 / UTM 32N
(EPSG:25832, metres: the scale bar and simplification tolerances are in metres) and matched to the
areas by key (an ``id``/``schluessel`` column) or, failing that, by name. What did not match is
reported on both sides; nothing is half-matched. Display geometries are simplified with a
tolerance in metres that keeps shared borders closed enough for a choropleth.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from pyproj import CRS, Transformer

ZIEL_CRS = "EPSG:25832"
KEY_FIELDS = ("schluessel", "schlüssel", "id", "key", "nr", "nummer", "code", "ags", "ars")
NAME_FIELDS = ("name", "bezeichnung", "gebiet", "sozialraum", "stadtteil")


@dataclass(frozen=True)
class Flaeche:
    schluessel: str
    name: str
    geometrie: shapely.Geometry  # EPSG:25832


@dataclass
class Zuordnung:
    """Result of matching a file's features to the known areas."""

    flaechen: list[Flaeche] = field(default_factory=list)
    ohne_gebiet: list[str] = field(default_factory=list)  # features of the file no area matched
    ohne_geometrie: list[str] = field(default_factory=list)  # areas the file has no feature for
    quelle_crs: str = ""

    def bericht(self) -> list[str]:
        lines = [f"{len(self.flaechen)} Flächen zugeordnet (Koordinatensystem der Datei: {self.quelle_crs})."]
        if self.ohne_gebiet:
            lines.append("In der Datei, aber keinem Gebiet zuzuordnen: " + ", ".join(self.ohne_gebiet))
        if self.ohne_geometrie:
            lines.append("Gebiete ohne Fläche in der Datei: " + ", ".join(self.ohne_geometrie))
        return lines


def _norm(text: str) -> str:
    clean = unicodedata.normalize("NFKC", str(text)).casefold().strip()
    return " ".join(clean.replace("-", " ").split())


def _column(fields: list[str], wanted: str | None, candidates: tuple[str, ...], path: Path) -> str | None:
    lowered = {f.casefold(): f for f in fields}
    if wanted:
        if wanted.casefold() not in lowered:
            raise ValueError(f"{path.name}: Spalte „{wanted}“ fehlt (vorhanden: {', '.join(fields)})")
        return lowered[wanted.casefold()]
    return next((lowered[c] for c in candidates if c in lowered), None)


def lies_flaechen(
    path: Path,
    gebiete: dict[str, str],
    *,
    schluessel_feld: str | None = None,
    name_feld: str | None = None,
    layer: str | None = None,
    crs_falls_fehlt: str | None = None,
) -> Zuordnung:
    """Read ``path`` and match its features to ``gebiete`` (key → name).

    A feature matches by its key column first, then by its name (case, dashes and spaces
    ignored). A file without a coordinate system is refused unless ``crs_falls_fehlt`` says
    which one it is (GeoJSON without ``crs`` is WGS 84 by RFC 7946 and is read as such).
    """
    import pyogrio  # with GDAL about 50 MB: imported when a map file is read, not by every portal process

    try:
        meta, _, wkb, values = pyogrio.raw.read(path, layer=layer)
    except Exception as exc:  # pyogrio raises its own DataSourceError/DataLayerError and OSErrors
        raise ValueError(f"{path.name}: keine lesbare Geodatei ({exc})") from None
    fields = [str(f) for f in meta["fields"]]
    crs_text = meta.get("crs") or crs_falls_fehlt
    if not crs_text:
        if path.suffix.lower() in {".geojson", ".json"}:
            crs_text = "EPSG:4326"
        else:
            raise ValueError(
                f"{path.name}: kein Koordinatensystem angegeben (bei Shapefiles fehlt die .prj-Datei); "
                "bitte angeben, z. B. EPSG:25832"
            )
    source = CRS.from_user_input(crs_text)
    key_col = _column(fields, schluessel_feld, KEY_FIELDS, path)
    name_col = _column(fields, name_feld, NAME_FIELDS, path)
    if key_col is None and name_col is None:
        raise ValueError(f"{path.name}: weder Schlüssel- noch Namensspalte gefunden (vorhanden: {', '.join(fields)})")
    geoms = shapely.from_wkb(wkb)
    target = CRS.from_user_input(ZIEL_CRS)
    if not source.equals(target):
        transformer = Transformer.from_crs(source, target, always_xy=True)
        geoms = shapely.transform(geoms, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
    by_name = {_norm(name): key for key, name in gebiete.items()}
    result = Zuordnung(quelle_crs=source.to_string())
    seen: set[str] = set()
    for row, geom in enumerate(geoms):
        key_value = str(values[fields.index(key_col)][row]).strip() if key_col else ""
        name_value = str(values[fields.index(name_col)][row]).strip() if name_col else ""
        key = key_value if key_value in gebiete else by_name.get(_norm(name_value)) if name_value else None
        label = name_value or key_value or f"Objekt {row + 1}"
        if key is None or geom is None or geom.is_empty:
            result.ohne_gebiet.append(label)
            continue
        if key in seen:
            raise ValueError(f"{path.name}: Gebiet „{gebiete[key]}“ kommt mehrfach vor (Objekt {row + 1})")
        seen.add(key)
        result.flaechen.append(Flaeche(key, gebiete[key], shapely.make_valid(geom)))
    result.ohne_geometrie = [name for key, name in gebiete.items() if key not in seen]
    return result


def vereinfacht(flaechen: list[Flaeche], toleranz_m: float = 20.0) -> list[Flaeche]:
    """Display geometries: simplified (topology-preserving per area) with ``toleranz_m`` metres."""
    geoms = shapely.simplify(
        np.array([f.geometrie for f in flaechen], dtype=object), toleranz_m, preserve_topology=True
    )
    return [Flaeche(f.schluessel, f.name, g) for f, g in zip(flaechen, geoms, strict=True)]


def schreibe(
    path: Path,
    flaechen: list[Flaeche],
    werte: dict[str, float | None],
    *,
    spalte: str,
    gesperrt: set[str] | frozenset[str] = frozenset(),
) -> None:
    """Export for QGIS (GeoPackage or GeoJSON by suffix) in EPSG:25832; a suppressed or missing
    value is written as empty with ``gesperrt`` = 1, never the number."""
    driver = "GPKG" if path.suffix.lower() == ".gpkg" else "GeoJSON"
    keys = np.array([f.schluessel for f in flaechen], dtype=object)
    names = np.array([f.name for f in flaechen], dtype=object)
    numbers = np.array(
        [
            np.nan if f.schluessel in gesperrt or werte.get(f.schluessel) is None else werte[f.schluessel]
            for f in flaechen
        ],
        dtype=np.float64,
    )
    locked = np.array([1 if f.schluessel in gesperrt else 0 for f in flaechen], dtype=np.int32)
    geoms = shapely.to_wkb(np.array([shapely.force_2d(f.geometrie) for f in flaechen], dtype=object))
    import pyogrio  # see lies()

    pyogrio.raw.write(
        path,
        geometry=geoms,
        field_data=[keys, names, numbers, locked],
        fields=["schluessel", "name", spalte, "gesperrt"],
        driver=driver,
        geometry_type="MultiPolygon",
        promote_to_multi=True,
        crs=ZIEL_CRS,
        layer="sozialraeume",
    )
