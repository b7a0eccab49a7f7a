"""Profiles with maps for many Sozialräume: the product path beside a bare matplotlib loop.

Product path, per Sozialraum: the choropleth SVG of all areas with this one outlined
(sozialforum.karten.svg.choropleth over display geometries simplified by karten.geometrie) and the
profile's trend chart (sozialforum.daten.diagramme.trends, PNG), both written to files.
Baseline, per Sozialraum: matplotlib draws the same polygons (a PolyCollection, one colour per
class, the area outlined) into an SVG and the same three trend panels into a PNG.

    .venv/bin/python benchmarks/berichte.py [--gebiete 500]

Last line: JSON with ``ratio`` (product / baseline), goal ≤ 1.5.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import tempfile
import time
from datetime import date
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import shapely
from matplotlib.collections import PolyCollection

from sozialforum.daten.diagramme import Panel, trends
from sozialforum.karten.geometrie import Flaeche, vereinfacht
from sozialforum.karten.svg import STATUS_FARBEN, Karte, Klasse, choropleth

STICHTAGE = [date(y, 12, 31) for y in range(2019, 2025)]


def _areas(count: int) -> list[Flaeche]:
    """A grid of wobbly 1.5 km cells in UTM 32N, 40 vertices each (like published borders)."""
    rng = random.Random(17)
    side = math.ceil(math.sqrt(count))
    out = []
    for n in range(count):
        cx, cy = 560_000 + (n % side) * 1500, 5_350_000 + (n // side) * 1500
        ring = []
        for k in range(40):
            angle = 2 * math.pi * k / 40
            r = 700 + rng.uniform(-40, 40)
            ring.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
        out.append(Flaeche(f"SR{n:04d}", f"Sozialraum {n + 1}", shapely.Polygon(ring)))
    return out


def _panels(rng: random.Random) -> list[Panel]:
    def series() -> list[float | None]:
        return [round(rng.uniform(2, 20), 1) for _ in STICHTAGE]

    return [
        Panel(name, "%", [("Gebiet", "gebiet", series()), ("Kreis", "kreis", series())])
        for name in ("SGB-II-Quote", "Arbeitslosenquote", "Kinderarmut")
    ]


def product(areas: list[Flaeche], klassen: dict[str, int | None], gesperrt: set[str], folder: Path) -> None:
    rng = random.Random(1)
    display = vereinfacht(areas, toleranz_m=20)
    legend = [Klasse(n, f"Status {n}", farbe) for n, farbe in STATUS_FARBEN.items()]
    for area in display:
        karte = Karte("Status-Index 2024", legend, "31.12.2024", "Statistisches Landesamt", area.schluessel)
        svg = choropleth(display, klassen, karte, gesperrt=gesperrt)
        (folder / f"{area.schluessel}.svg").write_text(svg, encoding="utf-8")
        trends(folder / f"{area.schluessel}.png", STICHTAGE, _panels(rng))


def bare(areas: list[Flaeche], klassen: dict[str, int | None], gesperrt: set[str], folder: Path) -> None:
    rng = random.Random(1)
    display = vereinfacht(areas, toleranz_m=20)
    polygons = [list(shapely.get_coordinates(a.geometrie.exterior)) for a in display]
    colours = [
        "#ffffff" if a.schluessel in gesperrt else STATUS_FARBEN.get(klassen[a.schluessel] or 0, "#ffffff")
        for a in display
    ]
    years = [d.year for d in STICHTAGE]
    for index, area in enumerate(display):
        figure, axis = plt.subplots(figsize=(6.4, 6.4))
        axis.add_collection(PolyCollection(polygons, facecolors=colours, edgecolors="#444444", linewidths=0.6))
        axis.add_collection(PolyCollection([polygons[index]], facecolors="none", edgecolors="#000000", linewidths=2.5))
        axis.autoscale_view()
        axis.set_aspect("equal")
        axis.set_axis_off()
        figure.savefig(folder / f"{area.schluessel}-bare.svg", format="svg")
        plt.close(figure)
        figure, axes = plt.subplots(1, 3, figsize=(10, 2.8), dpi=100)
        for ax, panel in zip(axes, _panels(rng), strict=True):
            for _label, _kind, values in panel.reihen:
                ax.plot(years, values)
            ax.set_title(panel.titel, fontsize=8)
        figure.savefig(folder / f"{area.schluessel}-bare.png", format="png")
        plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gebiete", type=int, default=500)
    args = parser.parse_args()
    areas = _areas(args.gebiete)
    rng = random.Random(5)
    klassen: dict[str, int | None] = {a.schluessel: rng.choice([1, 2, 3, 4, None]) for a in areas}
    gesperrt = {a.schluessel for a in areas[::37]}
    times, cpu = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, run in (("produkt", product), ("matplotlib", bare)):
            folder = Path(tmp) / name
            folder.mkdir()
            start, start_cpu = time.perf_counter(), time.process_time()
            run(areas, klassen, gesperrt, folder)
            times[name] = time.perf_counter() - start
            cpu[name] = time.process_time() - start_cpu
    p, q = times["produkt"], times["matplotlib"]
    pc, qc = cpu["produkt"], cpu["matplotlib"]
    print(f"Produkt (Karte als SVG + Trenddiagramm, {args.gebiete} Profile): {p:7.2f} s (CPU {pc:7.2f} s)")
    print(f"bloßes matplotlib (dieselben Polygone und Diagramme):   {q:7.2f} s (CPU {qc:7.2f} s)")
    # On a shared machine the wall-clock ratio depends on what else runs; the CPU ratio does not.
    print(f"Verhältnis: {p / q:.2f}, nach CPU-Zeit {pc / qc:.2f} (Ziel ≤ 1,5)")
    print(
        json.dumps(
            {
                "ratio": round(p / q, 3),
                "cpu_ratio": round(pc / qc, 3),
                "produkt_s": round(p, 2),
                "matplotlib_s": round(q, 2),
                "produkt_cpu_s": round(pc, 2),
                "matplotlib_cpu_s": round(qc, 2),
                "gebiete": args.gebiete,
            }
        )
    )


if __name__ == "__main__":
    main()
