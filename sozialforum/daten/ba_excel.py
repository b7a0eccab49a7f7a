"""Excel workbooks of the Statistik der Bundesagentur für Arbeit (e.g. "nach Gemeinden").

Layout: a header block (title, region, ``Berichtsmonat: Dezember 2023``, ``Erstellungsdatum``),
a header row with the region key column, sometimes a row of column numbers, data rows with
cells masked as ``*`` (values below 3, anonymised), a "keine Angabe" row (persons that cannot
be assigned to a Gemeinde), a district sum row, and a footer (© and notes). Keys may have been
stored as numbers by a re-save in Excel: the lost leading zero is put back.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from sozialforum.daten.fehlwerte import Fehlwert
from sozialforum.daten.quelldatei import (
    Rohdaten,
    Spalte,
    cell_problem,
    checksum,
    find_date,
    open_workbook,
    parse_cell,
    parse_stichtag,
    read_bytes,
)
from sozialforum.problems import Problem, ProblemReport

_KEY_HEADER = re.compile(r"(schlüssel|^ags$|^ars$|^kennziffer)", re.I)
_NAME_HEADER = re.compile(r"(gemeinde|name|region|bezeichnung)", re.I)
_NO_ASSIGNMENT = re.compile(r"keine angabe|keine zuordnung|nicht zuordenbar", re.I)
_SUM = re.compile(r"^(insgesamt|summe|zusammen)\b", re.I)
_MEANING = {7: 8, 4: 5, 11: 12}  # digits left after Excel dropped a leading zero → key length


def is_ba_workbook(rows: list[tuple[Any, ...]]) -> bool:
    text = " ".join(str(cell) for row in rows[:40] for cell in row if cell is not None)
    return "Bundesagentur für Arbeit" in text


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip()


def _key(cell: Any, hints: list[str]) -> str:
    """Keys are strings; a key Excel turned into a number gets its leading zero back."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        digits = str(int(cell))
        if len(digits) in _MEANING:
            hints.append("Schlüssel waren als Zahlen gespeichert; führende Nullen wurden ergänzt.")
            return digits.zfill(_MEANING[len(digits)])
        return digits
    return _text(cell)


def _sheet_rows(path: Path) -> list[tuple[Any, ...]]:
    workbook = open_workbook(path)
    try:
        for sheet in workbook.worksheets:
            rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
            if _header_index(rows) is not None:
                return rows
    finally:
        workbook.close()
    raise ProblemReport(
        [Problem(path.name, None, None, "Keine Tabelle mit einer Spalte „Regionalschlüssel“ gefunden.")]
    )


def _header_index(rows: list[tuple[Any, ...]]) -> int | None:
    for index, row in enumerate(rows[:60]):
        if any(_KEY_HEADER.search(_text(cell)) for cell in row):
            return index
    return None


def _meta(block: list[tuple[Any, ...]]) -> tuple[str, date | None, date | None, str | None]:
    texts = [_text(cell) for row in block for cell in row if _text(cell)]
    stichtag = stand = None
    for text in texts:
        label, _, rest = text.partition(":")
        low = label.lower()
        if rest and ("berichtsmonat" in low or "stichtag" in low or "berichtsjahr" in low):
            stichtag = parse_stichtag(rest) or find_date(rest)
        elif rest and ("erstellungsdatum" in low or "datenstand" in low):
            stand = find_date(rest)
        elif stichtag is None and (day := parse_stichtag(text)):
            stichtag = day
    publisher = next(("Statistik der Bundesagentur für Arbeit" for t in texts if "Bundesagentur für Arbeit" in t), None)
    return (texts[0] if texts else ""), stichtag, stand, publisher


def read_ba(path: Path, *, stichtag: date | None = None) -> Rohdaten:
    raw = read_bytes(path)
    name = path.name
    rows = _sheet_rows(path)
    head = _header_index(rows)
    assert head is not None
    header = [_text(cell) for cell in rows[head]]
    key_col = next(i for i, text in enumerate(header) if _KEY_HEADER.search(text))
    name_col = next((i for i, text in enumerate(header) if i != key_col and _NAME_HEADER.search(text)), None)
    value_cols = [i for i, text in enumerate(header) if text and i not in (key_col, name_col)]
    titel, file_date, stand, publisher = _meta(rows[:head])
    problems: list[Problem] = []
    hints: list[str] = []
    start = head + 1
    if start < len(rows) and all(_text(c).isdigit() or not _text(c) for c in rows[start]):
        start += 1  # the row of column numbers under the header
    lines, keys, names, cells = [], [], [], []
    unassigned: dict[int, float] = {}
    for number, row in enumerate(rows[start:], start=start + 1):
        padded = list(row) + [None] * (len(header) - len(row))
        key, label = _key(padded[key_col], hints), _text(padded[name_col]) if name_col is not None else ""
        if not any(_text(padded[i]) for i in value_cols):
            continue  # empty row or footer text
        if _NO_ASSIGNMENT.search(f"{key} {label}"):
            for position, i in enumerate(value_cols):
                cell = padded[i]
                if isinstance(cell, int | float) and not isinstance(cell, bool):
                    unassigned[position] = float(cell)
            hints.append(
                f"Zeile {number} „{label or key}“ ist keinem Gebiet zugeordnet und wurde "
                "nicht übernommen (sie zählt nur in der Summe des Kreises)."
            )
            continue
        if not key and _SUM.match(label):
            hints.append(f"Summenzeile {number} „{label}“ ohne Schlüssel: nur zur Prüfung verwendet.")
            continue
        if not key:
            problems.append(Problem(name, number, header[key_col], "Regionalschlüssel fehlt."))
            continue
        lines.append(number)
        keys.append(key)
        names.append(label)
        cells.append([padded[i] for i in value_cols])
    values = np.full((len(keys), len(value_cols)), np.nan)
    codes = np.zeros((len(keys), len(value_cols)), dtype=np.int8)
    for r, row_cells in enumerate(cells):
        for c, cell in enumerate(row_cells):
            if isinstance(cell, int | float) and not isinstance(cell, bool):
                values[r, c] = float(cell)
                continue
            parsed = parse_cell(_text(cell) if not isinstance(cell, datetime) else None)
            if parsed is None:
                problems.append(cell_problem(name, lines[r], header[value_cols[c]], _text(cell)))
                codes[r, c] = Fehlwert.UNBEKANNT
            else:
                values[r, c], codes[r, c] = parsed
    if stichtag is None and file_date is None:
        problems.append(
            Problem(
                name,
                None,
                None,
                "Kein Berichtsmonat/Stichtag im Kopf der Tabelle "
                "gefunden: bitte beim Laden angeben (--stichtag TT.MM.JJJJ).",
            )
        )
    result = Rohdaten(
        datei=name,
        pruefsumme=checksum(raw),
        format="ba",
        titel=titel,
        zeilen=np.array(lines, dtype=np.int64),
        schluessel=keys,
        namen=names,
        stichtage=[stichtag or file_date] * len(keys),
        spalten=[Spalte(header[i]) for i in value_cols],
        werte=values,
        codes=codes,
        datenstand=stand,
        herausgeber=publisher,
        lizenz="Statistik der Bundesagentur für Arbeit (Quellenangabe erforderlich)" if publisher else None,
        hinweise=list(dict.fromkeys(hints)),
        problems=problems,
    )
    _check_sum_rows(result, unassigned)
    return result


def _check_sum_rows(data: Rohdaten, unassigned: dict[int, float]) -> None:
    """A district row (a key that is the prefix of all other keys) must equal the sum of its
    Gemeinden plus the unassigned row wherever nothing is masked: otherwise the file is damaged."""
    keys = data.schluessel
    for row, key in enumerate(keys):
        children = [i for i, other in enumerate(keys) if other != key and other.startswith(key)]
        if len(key) != 5 or not children:
            continue
        for col in range(len(data.spalten)):
            part = data.codes[children, col]
            if data.codes[row, col] or (part != Fehlwert.VORHANDEN).any():
                continue
            total = data.werte[children, col].sum() + unassigned.get(col, 0.0)
            if abs(total - data.werte[row, col]) > 0.5:
                data.problems.append(
                    Problem(
                        data.datei,
                        int(data.zeilen[row]),
                        data.spalten[col].label,
                        f"Summenzeile ({data.werte[row, col]:g}) stimmt nicht mit der Summe der Gemeinden "
                        f"({total:g}) überein – ist die Datei vollständig?",
                    )
                )
