"""GENESIS / Regionaldatenbank flat CSV ("Flatfile-CSV", the download of regionalstatistik.de).

Layout: a ``GENESIS-Tabelle: <code>`` line, title lines padded with ``;``, one to three header
rows (first field empty; dates, labels and units), data rows keyed by an official code kept as
a string, names indented by level, optional dimension columns (age group, sector), a footer
after ``__________`` with quoted footnotes, the licence and a ``Stand:`` line. ISO-8859-1 or
UTF-8, semicolons, decimal comma, symbols instead of numbers.

Speed matters (a Regionalstatistik download of all Gemeinden has 11,000 rows): pandas' C
parser reads the numbers, and only cells it read as missing are looked at again, in the
original line, to learn which symbol they hold. The title, header and footer lines are read by
``genesis_kopf``.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from sozialforum.daten.fehlwerte import Fehlwert
from sozialforum.daten.genesis_kopf import (
    KOPF,
    check_layout,
    column_labels,
    footer_meta,
    header,
    header_within,
    leading_empty,
    title_date,
)
from sozialforum.daten.quelldatei import (
    Rohdaten,
    cell_problem,
    checksum,
    decode,
    parse_cell,
    parse_column,
    parse_stichtag,
    read_bytes,
)
from sozialforum.daten.zeilenraster import Zeilenraster
from sozialforum.problems import Problem, ProblemReport

_KEY = re.compile(r"^(DG|\d{2,12})$")
_KEYS = re.compile(r"(?:[^\S\n]*(?:DG|\d{2,12})[^\S\n]*\n)*[^\S\n]*(?:DG|\d{2,12})[^\S\n]*")  # _KEY, per line
_HEAD = 65_536  # characters that hold the title and header rows
_NA = ["-", "–", ".", "x", "X", "/", "...", "…", "*"]


def is_genesis(raw: bytes) -> bool:
    return raw.lstrip(b"\xef\xbb\xbf").startswith(KOPF.encode())


def table_code(code: str) -> tuple[str, str | None]:
    """``12411-02-03-4`` → (``12411-02-03``, ``4``): the stem names the table, the suffix its
    regional depth (4 Kreise, 5 Gemeinden), so one catalogue entry serves both."""
    match = re.fullmatch(r"(\d{5}-\d{2}-\d{2})-(\d+)(?:_\d+)?", code.strip())
    return (match.group(1), match.group(2)) if match else (code.strip(), None)


def _text(cell: object) -> str:
    return "" if cell is None or cell != cell else str(cell).strip()  # NaN: an empty cell


def _texts(series: pd.Series) -> list[str]:
    """Cell texts, stripped; an empty cell as "" (without a Python test per cell when none is)."""
    if series.dtype == object or series.isna().any():
        return [_text(cell) for cell in series.tolist()]
    return list(map(str.strip, series.astype(str).tolist()))


def _all_keys(frame: pd.DataFrame, column: int) -> bool:
    series = frame[column].dropna()
    if not len(series):
        return False
    if series.dtype != object:  # text: one pattern over all cells (11,000 Gemeinden)
        return _KEYS.fullmatch("\n".join(series.astype(str).tolist())) is not None
    return all(_KEY.match(str(cell).strip()) for cell in series.tolist())


def _key_column(frame: pd.DataFrame, n_label: int) -> int | None:
    for column in range(n_label):
        if _all_keys(frame, column) and (column + 1 >= n_label or not _all_keys(frame, column + 1)):
            return column
    return None


def _check_fields(raster: Zeilenraster, n_cols: int, start: int, name: str) -> None:
    """Every data row has as many fields as the header (data rows hold no quotes)."""
    suspect = np.flatnonzero(~raster.blank & (raster.fields != n_cols)).tolist()
    problems = []
    for index in suspect:
        line = raster.line(index)
        if not line.strip() or '"' in line:
            continue
        found = int(raster.fields[index])
        why = (
            "ein Semikolon zu viel?"
            if found > n_cols
            else "abgeschnitten?"
            if index == len(raster.line_start) - 1
            else "Feld fehlt?"
        )
        problems.append(Problem(name, start + index + 1, None, f"Zeile hat {found} statt {n_cols} Felder ({why})."))
    if problems:
        raise ProblemReport(problems)


def _read_block(raster: Zeilenraster, n_label: int, n_cols: int, name: str, offset: int) -> pd.DataFrame:
    try:  # bytes, not text: pandas' C parser skips a round of decoding
        return pd.read_csv(
            io.BytesIO(raster.data),
            encoding="utf-8",
            sep=";",
            header=None,
            names=list(range(n_cols)),
            dtype={i: str for i in range(n_label)},
            decimal=",",
            na_values=_NA,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
            index_col=False,
        )
    except pd.errors.ParserError as exc:
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if match:
            expected, line, saw = (int(part) for part in match.groups())
            raise ProblemReport(
                [
                    Problem(
                        name,
                        offset + line,
                        None,
                        f"Zeile hat {saw} statt {expected} Felder (Trennzeichen „;“, ein Semikolon zu viel?).",
                    )
                ]
            ) from None
        raise ProblemReport([Problem(name, None, None, f"Datei nicht lesbar: {exc}")]) from None


def read_genesis(
    path: Path, *, stichtag: date | None = None, raw: bytes | None = None, pruefsumme: str | None = None
) -> Rohdaten:
    """Parse a GENESIS flat CSV; raise ProblemReport for a file that cannot be read at all and
    return cell problems (text in a number column, empty fields) in ``Rohdaten.problems``.
    ``raw`` and ``pruefsumme``: the file's bytes and checksum when the caller has them."""
    raw = read_bytes(path) if raw is None else raw
    name = path.name
    text = decode(name, raw)
    lines = text[:_HEAD].split("\n")  # title and header rows: the first lines
    footer = check_layout(lines, text, name)
    lines = text[:footer].split("\n") if footer < _HEAD or not header_within(lines) else lines
    _first, data_start, header_rows, titles = header(lines, name)
    n_label = min(leading_empty(row) for row in header_rows)
    n_cols = max(len(row) for row in header_rows)
    start = sum(len(line) + 1 for line in lines[:data_start])
    raster = Zeilenraster(text[start:footer] if start <= footer else "")
    _check_fields(raster, n_cols, data_start, name)
    frame = _read_block(raster, n_label, n_cols, name, data_start)
    frame = frame[~frame.isna().all(axis=1)]
    line_numbers = frame.index.to_numpy(dtype=np.int64) + data_start + 1
    key_col = _key_column(frame, n_label)
    if key_col is None:
        raise ProblemReport(
            [
                Problem(
                    name,
                    data_start + 1,
                    None,
                    "Keine Spalte mit amtlichen Gebietsschlüsseln gefunden (erwartet z. B. 03199001).",
                )
            ]
        )
    problems: list[Problem] = []
    spalten = column_labels(header_rows, n_label, n_cols)
    row_dates = _row_dates(frame, key_col, line_numbers, name, problems)
    file_date = stichtag or next((d for d in map(title_date, titles) if d), None)
    if row_dates is None and not any(s.stichtag for s in spalten) and file_date is None:
        problems.append(
            Problem(
                name,
                None,
                None,
                "Kein Stichtag in der Datei gefunden: bitte beim Laden angeben (--stichtag TT.MM.JJJJ).",
            )
        )
    codes = np.zeros((len(frame), len(spalten)), dtype=np.int8)
    numeric = [kind.kind in "fiu" for kind in frame.dtypes.iloc[n_label:n_cols]]
    if all(numeric):  # the numbers as one block: one copy instead of a strided write per column
        values = frame.iloc[:, n_label:n_cols].to_numpy(dtype=np.float64)
    else:
        values = np.empty((len(frame), len(spalten)))
        for position, column in enumerate(range(n_label, n_cols)):
            if numeric[position]:
                values[:, position] = frame[column].to_numpy()
                continue
            # text in the column: read every cell from the original line
            raw_cells = pd.Series([_field(raster.line(index), column) for index in frame.index])
            values[:, position], codes[:, position] = parse_column(
                raw_cells, line_numbers, name, spalten[position].label, problems
            )
    _recover_symbols(values, codes, frame, raster, data_start, n_label, spalten, name, problems)
    stand, publisher, licence, notes = footer_meta(text[footer + 1 :].split("\n"))
    dims = (
        frame[list(range(key_col + 2, n_label))]
        .fillna("")
        .astype(str)
        .agg(lambda r: " | ".join(v.strip() for v in r), axis=1)
        .tolist()
        if key_col + 2 < n_label
        else None
    )
    return Rohdaten(
        datei=name,
        pruefsumme=pruefsumme or checksum(raw),
        format="genesis",
        titel=" ".join(titles),
        tabelle=lines[0].removeprefix(KOPF).strip(" ;"),
        zeilen=line_numbers,
        schluessel=_texts(frame[key_col]),
        namen=_texts(frame[key_col + 1]) if key_col + 1 < n_label else [""] * len(frame),
        stichtage=row_dates or [file_date] * len(frame),
        spalten=spalten,
        werte=values,
        codes=codes,
        dimension=dims,
        datenstand=stand,
        herausgeber=publisher,
        lizenz=licence,
        hinweise=notes,
        problems=problems,
    )


def _field(line: str, column: int) -> str | None:
    fields = line.split(";")
    return fields[column] if column < len(fields) else None


def _row_dates(
    frame: pd.DataFrame, key_col: int, lines: np.ndarray, name: str, problems: list[Problem]
) -> list[date | None] | None:
    """Reference dates from a leading time column (long format), or None if there is none."""
    if key_col == 0:
        return None
    texts = frame[0].fillna("").astype(str).tolist()
    parsed = {text: parse_stichtag(text) for text in set(texts)}
    for index, text in enumerate(texts):
        if parsed[text] is None:
            problems.append(
                Problem(name, int(lines[index]), "Zeit", f"„{text}“ ist kein Stichtag (erwartet TT.MM.JJJJ oder JJJJ).")
            )
    return [parsed[text] for text in texts]


def _recover_symbols(
    values: np.ndarray,
    codes: np.ndarray,
    frame: pd.DataFrame,
    raster: Zeilenraster,
    start: int,
    n_label: int,
    spalten: list,
    name: str,
    problems: list[Problem],
) -> None:
    """Cells pandas read as missing: look at the original text to learn which symbol it was
    (all at once from the field offsets; only what is not a bare symbol one by one)."""
    rows, positions = np.nonzero(np.isnan(values) & (codes == Fehlwert.VORHANDEN))
    lines = frame.index.to_numpy()[rows]
    found, begin, end, exists = raster.symbols(lines, positions + n_label)
    plain = found >= 0
    codes[rows[plain], positions[plain]] = found[plain]
    for k in np.flatnonzero(~plain).tolist():
        row, position, line = int(rows[k]), int(positions[k]), int(lines[k])
        text = raster.text(int(begin[k]), int(end[k])) if exists[k] else None
        parsed = parse_cell(text)
        if parsed is None or parsed[1] is Fehlwert.VORHANDEN:
            if text is None:
                problems.append(
                    Problem(
                        name,
                        start + line + 1,
                        spalten[position].label,
                        f"Zeile hat nur {int(raster.fields[line])} von "
                        f"{n_label + len(spalten)} Feldern – abgeschnitten?",
                    )
                )
            else:
                problems.append(cell_problem(name, start + line + 1, spalten[position].label, text))
            codes[row, position] = Fehlwert.UNBEKANNT
            continue
        codes[row, position] = parsed[1]
