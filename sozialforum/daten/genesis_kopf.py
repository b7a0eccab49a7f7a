"""The frame around a GENESIS flat CSV's numbers: the ``GENESIS-Tabelle:`` line, the title and
header rows (dates, labels and units of the columns), and the footer after ``__________`` with
footnotes, publisher, licence and ``Stand:``. Plain text work on the first and last lines; the
number block between them is ``genesis``'s."""

from __future__ import annotations

import csv
import re
from datetime import date

from sozialforum.daten.quelldatei import Spalte, find_date, parse_stichtag
from sozialforum.problems import Problem, ProblemReport

KOPF = "GENESIS-Tabelle:"

_UNITS = {
    "anzahl",
    "prozent",
    "%",
    "eur",
    "euro",
    "tsd.",
    "tsd. eur",
    "1000",
    "personen",
    "jahre",
    "je 1000 einwohner",
    "je 100 einwohner",
}

_FOOTER = "_____"  # the line above the footnotes: at least five underscores


def _fields(line: str) -> list[str]:
    return next(csv.reader([line], delimiter=";"))


def leading_empty(fields: list[str]) -> int:
    count = 0
    for value in fields:
        if value.strip():
            break
        count += 1
    return count


def header(lines: list[str], name: str) -> tuple[int, int, list[list[str]], list[str]]:
    """(first header line, first data line, header rows, title lines)."""
    first = next((i for i, line in enumerate(lines) if i > 0 and line.startswith(";")), None)
    if first is None:
        raise ProblemReport(
            [Problem(name, None, None, "Die Kopfzeilen der Tabelle fehlen (Zeilen, die mit „;“ beginnen).")]
        )
    end = first
    while end < len(lines) and lines[end].startswith(";"):
        end += 1
    titles = [_fields(line)[0].strip() for line in lines[1:first] if line.strip(" ;")]
    return first, end, [_fields(line) for line in lines[first:end]], titles


def header_within(lines: list[str]) -> bool:
    """Whether the header rows end before the last (possibly cut) line of ``lines``."""
    inside = False
    for line in lines[1:-1]:
        if line.startswith(";"):
            inside = True
        elif inside:
            return True
    return False


def check_layout(head: list[str], text: str, name: str) -> int:
    """Offset of the line break above the footer; problems for a wrong separator or a
    truncated file. ``head``: the first lines (the file is not split as a whole: 11,000 lines)."""
    if not head[0].startswith(KOPF):
        raise ProblemReport(
            [Problem(name, 1, None, f"Keine GENESIS-Datei: die erste Zeile muss mit „{KOPF}“ beginnen.")]
        )
    sample = head[1:30]
    if not any(";" in line for line in sample):
        sep = "Tabulator" if any("\t" in line for line in sample) else "Komma"
        raise ProblemReport(
            [
                Problem(
                    name,
                    2,
                    None,
                    f"Falsches Trennzeichen: die Datei ist mit {sep} getrennt, GENESIS-Dateien mit Semikolon („;“).",
                )
            ]
        )
    footer = text.find("\n" + _FOOTER)
    if footer < 0:
        last = max(i for i, line in enumerate(text.split("\n")) if line.strip()) + 1
        raise ProblemReport(
            [
                Problem(
                    name,
                    last,
                    None,
                    "Die Datei ist unvollständig: die Fußzeile (Linie „__________“ "
                    "mit Quellenangabe und „Stand:“) fehlt – vermutlich wurde sie "
                    "beim Herunterladen oder Kopieren abgeschnitten.",
                )
            ]
        )
    return footer


def column_labels(rows: list[list[str]], n_label: int, n_cols: int) -> list[Spalte]:
    spalten = []
    for column in range(n_label, n_cols):
        parts: list[str] = []
        stichtag: date | None = None
        einheit: str | None = None
        for row in rows:
            cell = row[column].strip() if column < len(row) else ""
            if not cell:
                continue
            if (day := parse_stichtag(cell)) is not None and "." in cell:
                stichtag = day
            elif cell.lower() in _UNITS:
                einheit = cell
            elif not parts or parts[-1] != cell:
                parts.append(cell)
        spalten.append(Spalte(" | ".join(parts) or f"Spalte {column + 1}", stichtag, einheit))
    return spalten


def footer_meta(lines: list[str]) -> tuple[date | None, str | None, str | None, list[str]]:
    text = "\n".join(lines)
    stand = next((find_date(line) for line in lines if line.startswith("Stand:")), None)
    publisher = re.search(r"©\s*([^,\n]+)", text)
    licence = re.search(r"(Datenlizenz Deutschland[^\"]*)", text)
    notes = [
        " ".join(block.replace('""', '"').split())
        for block in re.findall(r'"((?:[^"]|"")*)"', text)
        if "©" not in block
    ]
    return (
        stand,
        publisher.group(1).strip() if publisher else None,
        " ".join(licence.group(1).split()).rstrip(".") if licence else None,
        notes,
    )


def title_date(title: str) -> date | None:
    if day := find_date(title):
        return day
    match = re.search(r"\((\d{4})\)", title)
    return date(int(match.group(1)), 12, 31) if match else None
