"""A table file as a grid of cells with their line numbers, before anything is decided about it.

The table assistant looks at this grid to find title lines, header rows and data. CSV files are
decoded like every source (UTF-8 or ISO-8859-1, refused with a reason otherwise) and split at
the separator most lines agree on (``;``, ``,`` or tab); XLSX cells keep their types (a number
stays a number, so ``1,234`` is never mistaken for a thousand). Empty rows are dropped, the line
numbers are those the planner sees in Excel. A GeoJSON's feature attributes are a table too.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sozialforum.daten.quelldatei import decode, open_workbook
from sozialforum.problems import Problem, ProblemReport

Zelle = str | float | int | date | None


@dataclass
class Raster:
    datei: str
    zeilen: list[tuple[int, list[Zelle]]]  # (line in the file, cells), empty rows left out

    @property
    def breite(self) -> int:
        return max((len(cells) for _, cells in self.zeilen), default=0)


def _clean(value: Any) -> Zelle:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, int | float | date):
        return value
    text = str(value).replace("\u00a0", " ").strip()
    return text or None


def _separator(lines: list[str]) -> str:
    votes: Counter[str] = Counter()
    for line in lines[:50]:
        counts = {sep: line.count(sep) for sep in (";", "\t", ",")}
        best = max(counts, key=lambda sep: counts[sep])
        if counts[best]:
            votes[best] += 1
    return votes.most_common(1)[0][0] if votes else ";"


def _geojson(name: str, raw: bytes) -> list[tuple[int, list[Zelle]]]:
    """The attributes of a GeoJSON FeatureCollection as a table: a header row of the property
    names (in the order first met), one row per feature (line = its number + 1, as in a table
    with a header). The geometries are not data: maps take them from ``sozialforum karten``."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProblemReport([Problem(name, None, None, f"Kein gültiges GeoJSON: {exc}.")]) from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or not features:
        raise ProblemReport([Problem(name, None, None, "Kein GeoJSON mit Features (FeatureCollection).")])
    properties = [f.get("properties") or {} if isinstance(f, dict) else {} for f in features]
    names = list(dict.fromkeys(key for props in properties for key in props))
    return [(1, list(names)), *((i + 2, [_clean(props.get(k)) for k in names]) for i, props in enumerate(properties))]


def lies_raster(path: Path, raw: bytes) -> Raster:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        workbook = open_workbook(path)
        try:
            rows = [
                (number, [_clean(cell) for cell in row])
                for number, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1)
            ]
        finally:
            workbook.close()
    elif suffix == ".csv":
        text = decode(path.name, raw)
        lines = text.split("\n")
        reader = csv.reader(io.StringIO(text), delimiter=_separator(lines))
        rows = [(reader.line_num, [_clean(cell) for cell in row]) for row in reader]
    elif suffix in (".geojson", ".json"):
        rows = _geojson(path.name, raw)
    else:
        raise ProblemReport(
            [Problem(path.name, None, None, f"Unbekanntes Dateiformat „{suffix}“: erwartet .csv, .xlsx oder .geojson.")]
        )
    kept = []
    for number, cells in rows:
        while cells and cells[-1] is None:
            cells.pop()
        if cells:
            kept.append((number, cells))
    if not kept:
        raise ProblemReport([Problem(path.name, None, None, "Die Datei ist leer.")])
    return Raster(path.name, kept)
