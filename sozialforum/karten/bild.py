"""The same choropleth as ``karten.svg`` as a PNG, for documents that cannot hold SVG (Word).

Same classes, colours, hatching of secret areas, outline of the highlighted area, legend,
scale bar, Datenstand and source; drawn with matplotlib, no timestamp in the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import shapely
from matplotlib.collections import PolyCollection
from matplotlib.patches import Patch

from sozialforum.karten.geometrie import Flaeche
from sozialforum.karten.svg import KEIN_WERT, Karte, _length_label, _nice_length


def _rings(geom: shapely.Geometry) -> list[list[tuple[float, float]]]:
    parts = getattr(geom, "geoms", [geom])
    return [[(x, y) for x, y, *_ in poly.exterior.coords] for poly in parts if poly.geom_type == "Polygon"]


def choropleth_png(
    flaechen: Sequence[Flaeche],
    klassen_je_flaeche: dict[str, int | None],
    karte: Karte,
    path: Path,
    *,
    gesperrt: set[str] | frozenset[str] = frozenset(),
    breite_zoll: float = 6.0,
) -> Path:
    colours = {k.nummer: k.farbe for k in karte.klassen}
    x0, y0, x1, y1 = shapely.total_bounds([f.geometrie for f in flaechen])
    aspect = (y1 - y0) / max(x1 - x0, 1.0)
    figure = plt.figure(figsize=(breite_zoll, breite_zoll * aspect + 1.6), dpi=150)
    axis = figure.add_axes((0.02, 1.5 / (breite_zoll * aspect + 1.6), 0.96, 0.96 - 1.5 / (breite_zoll * aspect + 1.6)))
    polygons, fills, hatched, outline = [], [], [], []
    for flaeche in flaechen:
        rings = _rings(flaeche.geometrie)
        klasse = klassen_je_flaeche.get(flaeche.schluessel)
        secret = flaeche.schluessel in gesperrt
        fill = KEIN_WERT if secret or klasse is None else colours.get(klasse, KEIN_WERT)
        polygons += rings
        fills += [fill] * len(rings)
        if secret:
            hatched += rings
        if flaeche.schluessel == karte.hervorgehoben:
            outline += rings
    axis.add_collection(PolyCollection(polygons, facecolors=fills, edgecolors="#444444", linewidths=0.5))
    if hatched:
        axis.add_collection(
            PolyCollection(hatched, facecolors="none", edgecolors="#555555", linewidths=0.5, hatch="////")
        )
    if outline:
        axis.add_collection(PolyCollection(outline, facecolors="none", edgecolors="#000000", linewidths=2.0))
    axis.set_xlim(x0, x1)
    axis.set_ylim(y0, y1)
    axis.set_aspect("equal")
    axis.set_axis_off()
    bar = _nice_length(max(x1 - x0, 1.0) / 4)
    axis.plot([x0, x0 + bar], [y0 - (y1 - y0) * 0.02] * 2, color="#222222", linewidth=3, clip_on=False)
    axis.text(x0 + bar * 1.05, y0 - (y1 - y0) * 0.02, _length_label(bar), fontsize=7, va="center")
    handles = [Patch(facecolor=k.farbe, edgecolor="#444444", label=k.label) for k in karte.klassen]
    names = sorted(f.name for f in flaechen if f.schluessel in gesperrt)
    if names:
        handles.append(
            Patch(facecolor=KEIN_WERT, edgecolor="#555555", hatch="////", label="geheim gehalten: " + ", ".join(names))
        )
    if any(f.schluessel not in gesperrt and klassen_je_flaeche.get(f.schluessel) is None for f in flaechen):
        handles.append(Patch(facecolor=KEIN_WERT, edgecolor="#444444", label="ohne Wert"))
    figure.legend(handles=handles, loc="lower left", fontsize=7, frameon=False, ncol=2, bbox_to_anchor=(0.02, 0.12))
    figure.text(0.02, 0.055, f"Datenstand: {karte.datenstand} · Quelle: {karte.quelle}", fontsize=6.5)
    figure.text(0.02, 0.02, karte.grenzen_text, fontsize=6.5)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", metadata={"Software": None})
    plt.close(figure)
    return path
