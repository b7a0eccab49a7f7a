"""Plain tables from the Kreis's or city's own statistics (CSV or XLSX), one row per area.

Columns: the area key (as named in the catalogue's source, e.g. ``sozialraum``), usually a
``stichtag``, and one column per Merkmal under the label the catalogue maps. CSV must be UTF-8
(the shared table reader explains how to save it from Excel); XLSX cells keep their types, so
that 1,234 (a decimal) is never mistaken for 1.234 (a thousand).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from sozialforum.channels.tabular import read_csv
from sozialforum.daten.fehlwerte import Fehlwert
from sozialforum.daten.katalog import Katalog, QuelleDef, norm_label
from sozialforum.daten.quelldatei import (
    Rohdaten,
    Spalte,
    cell_problem,
    checksum,
    open_workbook,
    parse_cell,
    parse_stichtag,
    read_bytes,
)
from sozialforum.problems import Problem, ProblemReport


def _xlsx_rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    workbook = open_workbook(path)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [str(cell).strip() if cell is not None else "" for cell in next(rows, ())]
        data = []
        for number, row in enumerate(rows, start=2):
            if any(cell is not None and str(cell).strip() for cell in row):
                data.append((number, dict(zip(header, row, strict=False))))
    finally:
        workbook.close()
    return header, data


def _read(path: Path) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(path)
    if suffix != ".csv":
        raise ProblemReport(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    f"Unbekanntes Dateiformat „{suffix}“: erwartet .csv oder .xlsx "
                    "(.geojson über „sozialforum daten assistent DATEI“).",
                )
            ]
        )
    table = read_csv(path)
    if len(table.header) == 1 and any(sep in table.header[0] for sep in ("\t", "|")):
        raise ProblemReport(
            [Problem(path.name, 1, None, "Falsches Trennzeichen (Tabulator oder „|“): erwartet Semikolon oder Komma.")]
        )
    # The shared reader lowercases the header; reports show the columns as the planner wrote them.
    first = path.read_bytes().decode("utf-8-sig").split("\n", 1)[0].strip("\r")
    original = [part.strip() for part in first.split(";" if ";" in first else ",")]
    names = dict(zip(table.header, original, strict=False)) if len(original) == len(table.header) else {}
    rows = [(line, {names.get(k, k): v for k, v in row.items()}) for line, row in table.rows]
    return [names.get(h, h) for h in table.header], rows


def _source_for(header: list[str], katalog: Katalog, name: str) -> QuelleDef:
    columns = {norm_label(h) for h in header if h}
    best: tuple[int, QuelleDef] | None = None
    for quelle in katalog.quellen:
        if quelle.format != "tabelle" or norm_label(quelle.schluessel_spalte) not in columns:
            continue
        hits = len(columns & set(quelle.zuordnung))
        if hits and (best is None or hits > best[0]):
            best = (hits, quelle)
    if best is None:
        known = ", ".join(q.schluessel_spalte for q in katalog.quellen if q.format == "tabelle")
        raise ProblemReport(
            [
                Problem(
                    name,
                    1,
                    None,
                    f"Die Kopfzeile passt zu keiner Quelle des Katalogs (erwartet eine Schlüsselspalte: {known}) "
                    "und zu keiner gespeicherten Zuordnung: mit „sozialforum daten assistent DATEI“ einlesen.",
                )
            ]
        )
    return best[1]


def _cell(value: Any) -> tuple[float, Fehlwert] | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value), Fehlwert.VORHANDEN
    return parse_cell(None if value is None else str(value))


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return parse_stichtag(str(value)) if value is not None else None


def read_tabelle(
    path: Path, katalog: Katalog, *, stichtag: date | None = None, quelle: QuelleDef | None = None
) -> tuple[Rohdaten, QuelleDef]:
    raw = read_bytes(path)
    name = path.name
    header, rows = _read(path)
    quelle = quelle or _source_for(header, katalog, name)
    by_norm = {norm_label(h): h for h in header if h}
    key_col = by_norm[norm_label(quelle.schluessel_spalte)]
    date_col = by_norm.get(norm_label(quelle.stichtag_spalte))
    problems: list[Problem] = []
    value_cols = []
    for column in (h for h in header if h and h not in (key_col, date_col)):
        if norm_label(column) in quelle.zuordnung:
            value_cols.append(column)
        else:
            problems.append(
                Problem(
                    name, 1, column, f"Spalte ist keinem Merkmal zugeordnet (bekannt: {', '.join(quelle.spalten)})."
                )
            )
    if date_col is None and stichtag is None:
        problems.append(
            Problem(name, 1, quelle.stichtag_spalte, "Spalte fehlt, und beim Laden wurde kein Stichtag angegeben.")
        )
    lines, keys, days = [], [], []
    values = np.full((len(rows), len(value_cols)), np.nan)
    codes = np.zeros((len(rows), len(value_cols)), dtype=np.int8)
    for r, (number, row) in enumerate(rows):
        key = row.get(key_col)
        key_text = str(int(key)) if isinstance(key, float) and key.is_integer() else str(key or "").strip()
        if not key_text:
            problems.append(Problem(name, number, key_col, "Schlüssel fehlt."))
        day = stichtag if date_col is None else _day(row.get(date_col))
        if day is None and date_col is not None:
            problems.append(
                Problem(name, number, date_col, f"„{row.get(date_col) or ''}“ ist kein Stichtag (erwartet TT.MM.JJJJ).")
            )
        lines.append(number)
        keys.append(key_text)
        days.append(day)
        for c, column in enumerate(value_cols):
            parsed = _cell(row.get(column))
            if parsed is None:
                problems.append(cell_problem(name, number, column, _show(row.get(column))))
                codes[r, c] = Fehlwert.UNBEKANNT
            else:
                values[r, c], codes[r, c] = parsed
    data = Rohdaten(
        datei=name,
        pruefsumme=checksum(raw),
        format="tabelle",
        titel=quelle.name,
        zeilen=np.array(lines, dtype=np.int64),
        schluessel=keys,
        namen=[""] * len(keys),
        stichtage=days,
        spalten=[Spalte(column) for column in value_cols],
        werte=values,
        codes=codes,
        herausgeber=quelle.herausgeber,
        lizenz=quelle.lizenz,
        problems=problems,
    )
    return data, quelle


def _show(value: Any) -> str | None:
    return None if value is None else str(value)
