"""Trend charts (PNG) for the Sozialraumprofil: the area beside the Kreis, the benchmark and
the target. Hidden or missing values leave a gap; they are never drawn as 0.

Honest axes: a panel whose values are all positive (shares, rates, counts, durations) starts at
0, so a move from 5,7 to 6,1 % looks like what it is; panels of one unit whose ranges are
comparable (the largest within a factor of 3 of the smallest) share one scale, so they can be
compared at a glance. Two columns over the full width; long titles wrap instead of overlapping."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.artist import Artist
from matplotlib.ticker import FuncFormatter

from sozialforum.timeutil import format_zahl

FARBEN = {"gebiet": "#1f5fa8", "kreis": "#6b6b6b", "vergleich": "#2e8b57", "ziel": "#c0392b"}


@dataclass(frozen=True)
class Panel:
    titel: str
    einheit: str
    reihen: Sequence[tuple[str, str, Sequence[float | None]]]  # (label, kind, values)
    ziel: float | None = None
    nachkommastellen: int = 1


VERGLEICHBAR = 3.0  # panels of one unit share a scale when their maxima differ by at most this factor


def _werte(panel: Panel) -> list[float]:
    values = [v for _label, _kind, series in panel.reihen for v in series if v is not None and not math.isnan(v)]
    return values + ([panel.ziel] if panel.ziel is not None else [])


def skalen(panels: Sequence[Panel]) -> list[tuple[float, float] | None]:
    """The y-range of each panel: from 0 to a common top for comparable panels of one unit;
    None (matplotlib's own) for a panel with negative values."""
    tops: list[float | None] = []
    for panel in panels:
        values = _werte(panel)
        tops.append(max(values) if values and min(values) >= 0 and max(values) > 0 else None)
    result: list[tuple[float, float] | None] = [None] * len(panels)
    by_unit: dict[str, list[int]] = {}
    for i, panel in enumerate(panels):
        if tops[i] is not None:
            by_unit.setdefault(panel.einheit, []).append(i)
    for indices in by_unit.values():
        indices.sort(key=lambda i: tops[i] or 0.0)
        group: list[int] = []
        for i in [*indices, -1]:
            if i != -1 and (not group or (tops[i] or 0.0) <= VERGLEICHBAR * (tops[group[0]] or 0.0)):
                group.append(i)
                continue
            top = max(tops[j] or 0.0 for j in group) * 1.1
            for j in group:
                result[j] = (0.0, top)
            group = [i]
    return result


def trends(path: Path, stichtage: Sequence[date], panels: Sequence[Panel], *, spalten: int = 2) -> Path:
    """Small multiples, one panel per indicator, in one PNG (one image per profile keeps the
    PDF small and the rendering fast)."""
    rows = math.ceil(len(panels) / spalten)
    figure, axes = plt.subplots(rows, spalten, figsize=(10, 2.9 * rows + 0.6), dpi=100, squeeze=False)
    ranges = skalen(panels)
    years = [day.year for day in stichtage]
    styles = {"gebiet": "-o", "kreis": "--s", "vergleich": ":^"}
    handles: dict[str, Artist] = {}
    for axis, panel, y_range in zip(axes.flat, panels, ranges, strict=False):
        for label, kind, values in panel.reihen:
            points = [v if v is not None else float("nan") for v in values]
            (line,) = axis.plot(
                years,
                points,
                styles.get(kind, "-"),
                color=FARBEN.get(kind),
                linewidth=2 if kind == "gebiet" else 1.2,
                markersize=3.5,
            )
            handles.setdefault(label, line)
        if panel.ziel is not None:
            handles.setdefault("Zielwert", axis.axhline(panel.ziel, color=FARBEN["ziel"], linewidth=1))
        title = textwrap.fill(f"{panel.titel} [{panel.einheit}]", 55)
        axis.set_title(title, fontsize=8.5, loc="left")
        if y_range is not None:
            axis.set_ylim(*y_range)
        axis.set_xticks(years)
        axis.tick_params(labelsize=7)
        decimals = panel.nachkommastellen
        axis.yaxis.set_major_formatter(FuncFormatter(lambda v, _p, d=decimals: format_zahl(v, d)))
        axis.grid(axis="y", color="#dddddd", linewidth=0.6)
        axis.spines[["top", "right"]].set_visible(False)
    for axis in list(axes.flat)[len(panels) :]:
        axis.set_visible(False)
    figure.legend(
        list(handles.values()), list(handles), loc="lower center", ncol=len(handles), fontsize=8, frameon=False
    )
    height = 2.9 * rows + 0.6
    figure.subplots_adjust(left=0.07, right=0.98, top=1 - 0.45 / height, bottom=0.75 / height, hspace=0.5, wspace=0.2)
    path.parent.mkdir(parents=True, exist_ok=True)
    # No creation date or software version in the file, so the same data give the same bytes.
    figure.savefig(path, format="png", metadata={"Software": None})
    plt.close(figure)
    return path
