"""What every source reader shares: decoding, checksums, the parsed shape, cell values.

A reader returns ``Rohdaten``: one row per area (and dimension value, e.g. age group) with its
line in the file, and a matrix of values (NaN when missing) beside a matrix of Fehlwert codes.
Readers collect problems instead of stopping at the first, so a planner sees all of them.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from sozialforum.daten.fehlwerte import Fehlwert
from sozialforum.daten.kodierung import Kodiert
from sozialforum.problems import Problem, ProblemReport
from sozialforum.zipcheck import zu_gross_entpackt

ERWARTET_ZAHL = "erwartet eine Zahl (z. B. 1234 oder 7,8) oder ein Zeichen der amtlichen Statistik (-, ., x, /, ..., *)"


@dataclass(frozen=True)
class Spalte:
    label: str  # header text as shown, multi-row headers joined with " | "
    stichtag: date | None = None  # when the header carries the reference date
    einheit: str | None = None


@dataclass
class Rohdaten:
    datei: str
    pruefsumme: str
    format: str
    titel: str
    zeilen: npt.NDArray[np.int64]
    schluessel: list[str]
    namen: list[str]
    stichtage: list[date | None]
    spalten: list[Spalte]
    werte: npt.NDArray[np.float64]
    codes: npt.NDArray[np.int8]
    dimension: list[str] | None = None
    tabelle: str | None = None
    datenstand: date | None = None
    herausgeber: str | None = None
    lizenz: str | None = None
    hinweise: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Each column's values and codes already encoded for storing (``kodierung``), by the worker
    # that parses ahead (``vorlesen``); used when the rows are stored as they stand in the file.
    spalten_kodiert: list[tuple[Kodiert, Kodiert]] | None = None

    @property
    def anzahl_werte(self) -> int:
        return int(self.werte.size)


def open_workbook(path: Path) -> Any:
    """An XLSX workbook (read-only, values); a damaged or cut-off file is refused clearly."""
    from openpyxl import load_workbook

    if meldung := zu_gross_entpackt(path):
        raise ProblemReport([Problem(path.name, None, None, meldung)])
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ProblemReport(
            [Problem(path.name, None, None, "Die Excel-Datei ist beschädigt oder unvollständig (abgeschnitten?).")]
        ) from None


def checksum(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise ProblemReport([Problem(path.name, None, None, "Datei nicht gefunden.")])
    raw = path.read_bytes()
    if not raw or raw.isspace():  # (strip() would copy a file of megabytes)
        raise ProblemReport([Problem(path.name, None, None, "Die Datei ist leer.")])
    return raw


def csv_rohbytes(path: Path, raw: bytes) -> bytes:
    """A file's bytes as the readers take them: a CSV in UTF-16 or double-encoded is refused
    here with the reason (its head is enough to tell)."""
    if path.suffix.lower() == ".csv":
        decode(path.name, raw[:4096])
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raw = raw.decode("utf-16").encode("utf-8")
    return raw


_MOJIBAKE = re.compile("Ã[\u0080-\u00bf]|Â[©°§]")


def decode(name: str, raw: bytes) -> str:
    """UTF-8 or ISO-8859-1 (the GENESIS download); anything else is refused with a reason."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw[:2000]:
        raise ProblemReport(
            [
                Problem(
                    name,
                    None,
                    None,
                    "Die Datei ist UTF-16 kodiert; erwartet UTF-8 oder ISO-8859-1 (in Excel: „CSV UTF-8“ speichern).",
                )
            ]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # C1 control characters mean Windows-1252 rather than ISO-8859-1 (e.g. the € sign).
        c1 = (np.frombuffer(raw, dtype=np.uint8) - np.uint8(0x80)) < 0x20  # bytes 0x80–0x9f
        text = raw.decode("cp1252", errors="replace") if c1.any() else raw.decode("latin-1")
    # Double encoding shows in titles and the first names; the head is enough to look at.
    match = _MOJIBAKE.search(text, 0, 200_000)
    if match:
        line = text[: match.start()].count("\n") + 1
        raise ProblemReport(
            [
                Problem(
                    name,
                    line,
                    None,
                    f"Die Umlaute sind doppelt kodiert („{match.group()}“ statt "
                    "eines Umlauts): die Datei wurde falsch umgewandelt. Bitte die "
                    "Originaldatei verwenden.",
                )
            ]
        )
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


# Dots grouping thousands (German): never after a leading 0 ("0.125" is a decimal, not 125).
_THOUSANDS = re.compile(r"^-?[1-9]\d{0,2}(\.\d{3})+(,\d+)?$")
# A cell that can only be read with a decimal point: a dot not followed by exactly three digits.
_POINT_DECIMAL = re.compile(r"^-?\d+\.(\d{1,2}|\d{4,})$|^-?0\.\d+$")
_NUMBER = re.compile(r"^-?\d+(,\d+|\.\d+)?$")


def parse_cell(text: str | None, *, dezimalpunkt: bool = False) -> tuple[float, Fehlwert] | None:
    """A cell as written by people or statistics offices: ``1.234``, ``7,8``, ``12``, or a
    symbol. None when it is neither (text in a number column, or empty). ``dezimalpunkt``: the
    column writes decimals with a point (decided from the whole column), so ``1.234`` is 1.234."""
    if text is None:
        return None
    symbol = Fehlwert.from_symbol(text)  # the common case in statistics files: a bare symbol
    if symbol is not None:
        return float("nan"), symbol
    clean = text.strip().replace("\u00a0", "").replace(" ", "")
    if not clean:
        return None
    symbol = Fehlwert.from_symbol(clean)
    if symbol is not None:
        return float("nan"), symbol
    if not dezimalpunkt and _THOUSANDS.match(clean):
        clean = clean.replace(".", "")
    if not _NUMBER.match(clean):
        return None
    return float(clean.replace(",", ".")), Fehlwert.VORHANDEN


def cell_problem(datei: str, zeile: int, spalte: str, text: str | None) -> Problem:
    shown = (text or "").strip()
    if not shown:
        return Problem(datei, zeile, spalte, f"Feld ist leer – {ERWARTET_ZAHL}.")
    return Problem(datei, zeile, spalte, f"„{shown}“ ist keine Zahl – {ERWARTET_ZAHL}.")


def parse_column(
    values: pd.Series, lines: npt.NDArray[np.int64], datei: str, label: str, problems: list[Problem]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int8]]:
    """Convert a column of cell texts (the slow path, for columns pandas could not read as
    numbers or cells it read as missing): values, codes, and a problem per bad cell."""
    out = np.full(len(values), np.nan)
    codes = np.full(len(values), Fehlwert.UNBEKANNT, dtype=np.int8)
    texts = [None if text is None or text != text else str(text).strip() for text in values.tolist()]
    punkt = dezimalpunkt_der_spalte(texts)
    if punkt is None:  # "2.25" and "1,5" in one column: no reading is safe
        problems.append(
            Problem(
                datei, None, label, "Die Spalte schreibt Dezimalzahlen mal mit Punkt, mal mit Komma; bitte einheitlich."
            )
        )
        return out, codes
    for index, text in enumerate(texts):
        parsed = parse_cell(text, dezimalpunkt=punkt)
        if parsed is None:
            problems.append(cell_problem(datei, int(lines[index]), label, text))
            continue
        out[index], codes[index] = parsed
    return out, codes


def dezimalpunkt_der_spalte(texts: list[str | None]) -> bool | None:
    """How a column writes decimals, from all of its cells: True for a point (some cell has a dot
    that cannot group thousands, like ``12.5`` or ``0.125``), False for the German comma (the
    default: ``1.234`` is a thousand and more), None when both appear (ambiguous: refused)."""
    punkt = any(t is not None and _POINT_DECIMAL.match(t) for t in texts)
    komma = any(t is not None and "," in t and any(c.isdigit() for c in t) for t in texts)
    if punkt and komma:
        return None
    return punkt


_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_YEAR = re.compile(r"^(\d{4})$")
_MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "januar",
            "februar",
            "märz",
            "april",
            "mai",
            "juni",
            "juli",
            "august",
            "september",
            "oktober",
            "november",
            "dezember",
        ),
        start=1,
    )
}


def month_end(year: int, month: int) -> date:
    """Monthly and yearly data are aligned to the last day of their period, so that a BA
    December figure and a population count of 31.12. share one Stichtag."""
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_stichtag(text: str) -> date | None:
    """``31.12.2015``, ``2008`` (→ 31.12.2008), ``Dezember 2023`` (→ 31.12.2023)."""
    clean = text.strip()
    if match := _DATE.fullmatch(clean):
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return None
    if match := _YEAR.match(clean):
        return date(int(match.group(1)), 12, 31)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", clean):
        try:
            return date.fromisoformat(clean)
        except ValueError:
            return None
    words = clean.lower().split()
    if len(words) == 2 and words[0] in _MONTHS and _YEAR.match(words[1]):
        return month_end(int(words[1]), _MONTHS[words[0]])
    return None


def find_date(text: str) -> date | None:
    """The first full date inside a longer text (``Stand: 10.10.2017 / 19:27:24``)."""
    match = _DATE.search(text)
    if not match:
        return None
    return parse_stichtag(match.group())
