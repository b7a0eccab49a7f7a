"""Trend charts (PNG) for the Sozialraumprofil: the area beside the Kreis, the benchmark and
the target. Hidden or missing values leave a gap; they are never drawn as 0."""

from __future__ import annotations

import math
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


def trends(path: Path, stichtage: Sequence[date], panels: Sequence[Panel], *, spalten: int = 3) -> Path:
    """Small multiples, one panel per indicator, in one PNG (one image per profile keeps the
    PDF small and the rendering fast)."""
    rows = math.ceil(len(panels) / spalten)
    figure, axes = plt.subplots(rows, spalten, figsize=(10, 2.3 * rows + 0.5), dpi=100, squeeze=False)
    years = [day.year for day in stichtage]
    styles = {"gebiet": "-o", "kreis": "--s", "vergleich": ":^"}
    handles: dict[str, Artist] = {}
    for axis, panel in zip(axes.flat, panels, strict=False):
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
        axis.set_title(f"{panel.titel} [{panel.einheit}]", fontsize=8, loc="left")
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
    figure.subplots_adjust(
        left=0.06, right=0.98, top=0.94, bottom=0.5 / (2.3 * rows + 0.5) + 0.06, hspace=0.55, wspace=0.25
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # No creation date or software version in the file, so the same data give the same bytes.
    figure.savefig(path, format="png", metadata={"Software": None})
    plt.close(figure)
    return path
