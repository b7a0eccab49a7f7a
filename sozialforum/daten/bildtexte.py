"""Alternative texts for the profile's images (PDF/UA, BITV 2.0): what a reader who cannot see
the trend chart or the map needs from it, in words."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from defusedxml import ElementTree

from sozialforum.daten.diagramme import Panel
from sozialforum.timeutil import format_zahl

SVG = "{http://www.w3.org/2000/svg}"


def diagramm_text(stichtage: Sequence[date], panels: Sequence[Panel]) -> str:
    """Per indicator: each line's first and last value with their years ("Arbeitslosenanteil [%]:
    Sozialraum Zwei 4,1 (2019) bis 3,9 (2023); Testkreis 4,5 (2019) bis 4,2 (2023)")."""
    if not panels or not stichtage:
        return ""
    first, last = stichtage[0].year, stichtage[-1].year
    parts = []
    for panel in panels:
        lines = []
        for label, _kind, values in panel.reihen:
            known = [(day.year, v) for day, v in zip(stichtage, values, strict=False) if v is not None]
            if not known:
                continue
            (y0, v0), (y1, v1) = known[0], known[-1]
            d = panel.nachkommastellen
            lines.append(
                f"{label} {format_zahl(v0, d)} ({y0})" + (f" bis {format_zahl(v1, d)} ({y1})" if y1 != y0 else "")
            )
        if panel.ziel is not None:
            lines.append(f"Zielwert {format_zahl(panel.ziel, panel.nachkommastellen)}")
        parts.append(f"{panel.titel} [{panel.einheit}]: " + "; ".join(lines))
    return f"Liniendiagramme {first} bis {last}. " + ". ".join(parts) + "."


def karten_text(svg: Path) -> str:
    """The map's own description (its ``<desc>``: the areas per class, what is secret)."""
    root = ElementTree.parse(svg).getroot()
    desc = root.find(f"{SVG}desc")
    return " ".join((desc.text or "").split()) if desc is not None else ""
