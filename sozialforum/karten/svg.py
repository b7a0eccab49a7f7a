"""Choropleth maps as self-contained SVG: no tile server, no script, works offline and in PDFs.

One ``<path>`` per area (``data-schluessel``), filled with the colour of its class; areas whose
value is kept secret are hatched and named in the legend; a scale bar, the Datenstand and the
source sit under the map; ``<title>``/``<desc>`` carry the alternative text.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

import shapely

from sozialforum.karten.geometrie import Flaeche

# Status classes of the monitoring (daten.index.STATUS_KLASSEN): light for "hoch", dark for
# "sehr niedrig" — a sequential, colour-blind-safe scale that also prints in grey.
STATUS_FARBEN = {1: "#fef0d9", 2: "#fdcc8a", 3: "#fc8d59", 4: "#d7301f"}
DYNAMIK_FARBEN = {1: "#1a9850", 2: "#ffffbf", 3: "#d73027"}
KEIN_WERT = "#ffffff"
SCHRAFFUR = "schraffur"


@dataclass(frozen=True)
class Klasse:
    nummer: int
    label: str
    farbe: str


@dataclass(frozen=True)
class Karte:
    titel: str
    klassen: Sequence[Klasse]
    datenstand: str
    quelle: str
    hervorgehoben: str | None = None  # key of the area a profile is about
    grenzen: str = ""  # where the borders come from (``herkunft.grenzen_quelle``)

    @property
    def grenzen_text(self) -> str:
        """The line under the map that says where the borders come from, and in what system."""
        return f"Gebietsgrenzen: {self.grenzen} (ETRS89/UTM 32N)" if self.grenzen else "Gebietsgrenzen ETRS89/UTM 32N"


def _ring(coords: Iterable[Sequence[float]], x0: float, y1: float, scale: float) -> str:
    points = [f"{(x - x0) * scale:.1f},{(y1 - y) * scale:.1f}" for x, y, *_ in coords]
    return "M" + "L".join(points[:-1]) + "Z"


@lru_cache(maxsize=4096)  # a profile series draws the same areas at the same scale
def pfad(geom: shapely.Geometry, x0: float, y1: float, scale: float) -> str:
    parts = getattr(geom, "geoms", [geom])
    out = []
    for poly in parts:
        if poly.geom_type != "Polygon":
            continue
        out.append(_ring(poly.exterior.coords, x0, y1, scale))
        out.extend(_ring(ring.coords, x0, y1, scale) for ring in poly.interiors)
    return "".join(out)


@lru_cache(maxsize=1024)
def _schraffur(geom: shapely.Geometry, x0: float, y1: float, scale: float, abstand_px: float = 6.0) -> str:
    """Diagonal hatching as plain lines cut to the area (no SVG pattern: PDF renderers drop it)."""
    minx, miny, maxx, maxy = geom.bounds
    step = abstand_px / scale
    size = (maxx - minx) + (maxy - miny)
    lines = [((minx + k * step - (maxy - miny), miny), (minx + k * step, maxy)) for k in range(int(size / step) + 2)]
    cut = shapely.intersection(shapely.MultiLineString(lines), geom)
    parts = []
    for line in getattr(cut, "geoms", [cut]):
        if line.geom_type != "LineString" or line.is_empty:
            continue
        (ax, ay), (bx, by) = line.coords[0], line.coords[-1]
        parts.append(
            f"M{(ax - x0) * scale:.1f},{(y1 - ay) * scale:.1f}L{(bx - x0) * scale:.1f},{(y1 - by) * scale:.1f}"
        )
    return "".join(parts)


def _nice_length(metres: float) -> float:
    exponent = 10 ** math.floor(math.log10(metres))
    for step in (5, 2, 1):
        if step * exponent <= metres:
            return step * exponent
    return exponent


def _length_label(metres: float) -> str:
    return f"{metres / 1000:g}".replace(".", ",") + "\u00a0km" if metres >= 1000 else f"{metres:g}\u00a0m"


def choropleth(
    flaechen: Sequence[Flaeche],
    klassen_je_flaeche: dict[str, int | None],
    karte: Karte,
    *,
    gesperrt: set[str] | frozenset[str] = frozenset(),
    breite: int = 640,
) -> str:
    """The map as an SVG document. ``klassen_je_flaeche`` maps area key → class number (None:
    no value); keys in ``gesperrt`` are hatched whatever their class (their class is not shown)."""
    x0, y0, x1, y1 = shapely.total_bounds([f.geometrie for f in flaechen])
    span = max(x1 - x0, 1.0)
    scale = (breite - 20) / span
    map_h = (y1 - y0) * scale
    colours = {k.nummer: k.farbe for k in karte.klassen}
    secret = sorted((f for f in flaechen if f.schluessel in gesperrt), key=lambda f: f.name)
    empty = [f for f in flaechen if f.schluessel not in gesperrt and klassen_je_flaeche.get(f.schluessel) is None]
    legend_rows = len(karte.klassen) + (1 if secret else 0) + (1 if empty else 0)
    height = int(map_h + 20 + 24 * legend_rows + 84)
    alt = _alt_text(flaechen, klassen_je_flaeche, karte, secret)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {breite} {height}" width="{breite}" '
        f'height="{height}" role="img" aria-labelledby="karte-titel karte-text" lang="de" '
        'font-family="DejaVu Sans, Arial, sans-serif" font-size="12">',
        f'<title id="karte-titel">{escape(karte.titel)}</title>',
        f'<desc id="karte-text">{escape(alt)}</desc>',
        '<g id="flaechen" transform="translate(10,10)" stroke="#444444" stroke-width="0.6">',
    ]
    highlighted = ""
    for flaeche in flaechen:
        d = pfad(flaeche.geometrie, x0, y1, scale)
        klasse = klassen_je_flaeche.get(flaeche.schluessel)
        hatch = ""
        if flaeche.schluessel in gesperrt:
            fill, data = KEIN_WERT, ' data-gesperrt="1"'
            lines = _schraffur(flaeche.geometrie, x0, y1, scale)
            hatch = f'<path class="{SCHRAFFUR}" fill="none" stroke="#555555" stroke-width="1" d="{lines}"/>'
        else:
            fill = colours.get(klasse, KEIN_WERT) if klasse is not None else KEIN_WERT
            data = f' data-klasse="{klasse}"' if klasse is not None else ""
        out.append(
            f'<path data-schluessel={quoteattr(flaeche.schluessel)}{data} fill="{fill}" '
            f'fill-rule="evenodd" d="{d}"><title>{escape(flaeche.name)}</title></path>{hatch}'
        )
        if flaeche.schluessel == karte.hervorgehoben:
            highlighted = f'<path class="hervorgehoben" fill="none" stroke="#000000" stroke-width="2.5" d="{d}"/>'
    out.append(highlighted + "</g>")
    y = map_h + 30
    out.append(f'<g id="legende" transform="translate(10,{y:.0f})">')
    for row, stufe in enumerate(karte.klassen):
        out.append(
            f'<rect x="0" y="{row * 24}" width="18" height="14" fill="{stufe.farbe}" stroke="#444444"/>'
            f'<text x="26" y="{row * 24 + 12}">{escape(stufe.label)}</text>'
        )
    if secret:
        row = len(karte.klassen)
        names = ", ".join(f.name for f in secret)
        out.append(
            f'<rect x="0" y="{row * 24}" width="18" height="14" fill="{KEIN_WERT}" stroke="#444444"/>'
            f'<path class="{SCHRAFFUR}" stroke="#555555" stroke-width="1" d="M0,{row * 24 + 6}L6,{row * 24}'
            f'M0,{row * 24 + 12}L12,{row * 24}M4,{row * 24 + 14}L18,{row * 24}M10,{row * 24 + 14}L18,{row * 24 + 6}"/>'
            f'<text x="26" y="{row * 24 + 12}">geheim gehalten: {escape(names)}</text>'
        )
    if empty:
        row = legend_rows - 1
        out.append(
            f'<rect x="0" y="{row * 24}" width="18" height="14" fill="{KEIN_WERT}" stroke="#444444"/>'
            f'<text x="26" y="{row * 24 + 12}">ohne Wert</text>'
        )
    out.append("</g>")
    bar_m = _nice_length(span / 4)
    bar_px = bar_m * scale
    base = y + 24 * legend_rows + 8
    out.append(
        f'<g id="massstab" transform="translate(10,{base:.0f})"><rect x="0" y="0" width="{bar_px:.1f}" '
        f'height="5" fill="#222222"/><text x="{bar_px + 6:.1f}" y="7">{_length_label(bar_m)}</text></g>'
    )
    out.append(
        f'<text id="quelle" x="10" y="{base + 30:.0f}" font-size="10">Datenstand: {escape(karte.datenstand)} · '
        f"Quelle: {escape(karte.quelle)}</text>"
        f'<text id="grenzen" x="10" y="{base + 44:.0f}" font-size="10">{escape(karte.grenzen_text)}</text>'
    )
    out.append("</svg>")
    return "\n".join(out)


def _alt_text(flaechen: Sequence[Flaeche], klassen: dict[str, int | None], karte: Karte, secret: list[Flaeche]) -> str:
    labels = {k.nummer: k.label for k in karte.klassen}
    parts = [f"Karte: {karte.titel}, {len(flaechen)} Gebiete."]
    for nummer, label in labels.items():
        names = sorted(
            f.name
            for f in flaechen
            if f.schluessel not in {s.schluessel for s in secret} and klassen.get(f.schluessel) == nummer
        )
        if names:
            parts.append(f"{label}: {', '.join(names)}.")
    if secret:
        parts.append(f"Geheim gehalten: {', '.join(f.name for f in secret)}.")
    if karte.hervorgehoben:
        name = next((f.name for f in flaechen if f.schluessel == karte.hervorgehoben), "")
        if name:
            parts.append(f"Hervorgehoben: {name}.")
    return " ".join(parts)
