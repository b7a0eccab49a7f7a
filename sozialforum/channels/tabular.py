"""Tables as planners keep them: reading CSV (UTF-8, ; or ,) and XLSX, and writing them so that
Excel opens them safely.

Strict on purpose: a file that is not UTF-8 (an Excel "CSV" in Windows-1252 — only the person
list, which an older Outlook's contact export can deliver in nothing else, allows that), a file
cut off in the middle, or a header that is missing a column is rejected with a German message
instead of being half-read. Cell values come back as stripped strings (None for empty), never as numbers,
so that keys keep their leading zeros.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sozialforum.problems import Problem, ProblemReport
from sozialforum.timeutil import berlin
from sozialforum.zipcheck import zu_gross_entpackt


@dataclass
class Table:
    name: str  # file name as shown in reports
    header: list[str]
    rows: list[tuple[int, dict[str, str | None]]]  # (line number, values by column)
    kodierung: str = "utf-8"  # how a CSV was read: "cp1252" only where the caller allowed it


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _restored(str(value).strip()) or None


def _restored(text: str) -> str:
    """Undo our own neutralising on the way back in (``'=…`` → ``=…``), so that an exported
    table read again changes nothing."""
    return text[1:] if text.startswith("'") and neutralize(text[1:]) != text[1:] else text


def _decode(path: Path, raw: bytes, windows: bool) -> tuple[str, str]:
    """The text and how it was read. ``windows``: a file that is not UTF-8 is read as
    Windows-1252 (for lists that come from programs that cannot write UTF-8, such as an older
    Outlook's contact export); the dry run shows the names so that a wrong guess is seen."""
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        if windows:
            try:
                return raw.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                pass
        line = raw[: exc.start].count(b"\n") + 1
        raise ProblemReport(
            [
                Problem(
                    path.name,
                    line,
                    None,
                    "Die Datei ist nicht in UTF-8 kodiert (vermutlich Windows-1252 aus Excel). "
                    "Bitte in Excel als „CSV UTF-8 (durch Trennzeichen getrennt)“ speichern.",
                )
            ]
        ) from None


def read_csv(path: Path, *, required: Iterable[str] = (), windows: bool = False) -> Table:
    raw = path.read_bytes()
    text, kodierung = _decode(path, raw, windows)
    if not text.strip():
        raise ProblemReport([Problem(path.name, None, None, "Die Datei ist leer.")])
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise ProblemReport(
            [Problem(path.name, reader.line_num, None, f"Die Datei ist kein gültiges CSV ({exc}).")]
        ) from None
    header = [(h or "").strip().lower() for h in records[0]]
    rows: list[tuple[int, dict[str, str | None]]] = []
    problems: list[Problem] = []
    for index, record in enumerate(records[1:], start=2):
        if not any(field.strip() for field in record):
            continue
        if len(record) != len(header):
            last = index == len(records) and not text.endswith(("\n", "\r"))
            why = (
                "unvollständig – die Datei ist offenbar abgeschnitten"
                if last
                else f"{len(record)} statt {len(header)} Felder (Trennzeichen „{delimiter}“)"
            )
            problems.append(Problem(path.name, index, None, f"Zeile {why}."))
            continue
        # CSV cells are always text: strip them here instead of the general _cell().
        rows.append((index, {h: (_restored(v.strip()) or None) for h, v in zip(header, record, strict=True)}))
    table = Table(path.name, header, rows, kodierung)
    check_header(table, required, problems)
    return table


def read_xlsx(path: Path, *, required: Iterable[str] = ()) -> Table:
    from openpyxl import load_workbook

    if meldung := zu_gross_entpackt(path):
        raise ProblemReport([Problem(path.name, None, None, meldung)])
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ProblemReport(
            [Problem(path.name, None, None, "Die Excel-Datei ist beschädigt oder unvollständig.")]
        ) from None
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    try:
        header = [(_cell(h) or "").lower() for h in next(iterator)]
    except StopIteration:
        raise ProblemReport([Problem(path.name, None, None, "Die Tabelle ist leer.")]) from None
    rows = []
    try:
        for index, record in enumerate(iterator, start=2):
            values = [_cell(v) for v in record]
            if any(values):
                values += [None] * (len(header) - len(values))
                rows.append((index, dict(zip(header, values[: len(header)], strict=True))))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, SyntaxError):
        # A sheet cut off while it was being written: its XML ends midway (SyntaxError: ParseError).
        raise ProblemReport(
            [Problem(path.name, None, None, "Das Tabellenblatt ist unvollständig (beim Speichern abgebrochen?).")]
        ) from None
    finally:
        workbook.close()
    table = Table(path.name, header, rows)
    problems: list[Problem] = []
    check_header(table, required, problems)
    return table


def read_table(path: Path, *, required: Iterable[str] = (), windows: bool = False) -> Table:
    """Read a CSV or XLSX file; raise ProblemReport for anything that is not a clean table.
    ``windows``: a CSV that is not UTF-8 is read as Windows-1252 instead of refused."""
    if not path.exists():
        raise ProblemReport([Problem(path.name, None, None, "Datei nicht gefunden.")])
    if path.is_dir():
        raise ProblemReport([Problem(path.name, None, None, "Das ist ein Ordner, keine Datei.")])
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path, required=required, windows=windows)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, required=required)
    raise ProblemReport(
        [Problem(path.name, None, None, f"Unbekanntes Dateiformat „{suffix}“: erwartet .csv oder .xlsx.")]
    )


def check_header(table: Table, required: Iterable[str], problems: list[Problem] | None = None) -> None:
    """Refuse a header without a required column or with a column twice (with ``problems``
    already found in the file, if any)."""
    problems = [] if problems is None else problems
    for column in required:
        if column not in table.header:
            problems.append(Problem(table.name, 1, column, f"Pflichtspalte „{column}“ fehlt in der Kopfzeile."))
    seen: set[str] = set()
    for column in table.header:
        if column in seen:
            problems.append(Problem(table.name, 1, column, "Spalte kommt doppelt vor."))
        seen.add(column)
    if problems:
        raise ProblemReport(problems)


# --- Writing --------------------------------------------------------------------------------
# Formula injection (CWE-1236): a Träger could type ``=HYPERLINK(...)`` into a comment; Excel would
# run it when a planner opens the export. Every text cell that starts with ``=``, ``+``, ``-``,
# ``@`` (or a tab/CR, which Excel strips before looking) is prefixed with an apostrophe, which
# Excel shows as plain text. Numbers stay numbers. Every CSV and XLSX the product writes goes
# through ``neutralize``.

_DANGEROUS = ("=", "@", "\t", "\r", "\n", "\uff1d", "\uff20")  # also full-width ＝ ＠
_SIGNS = ("+", "-", "\uff0b", "\uff0d")  # also full-width ＋ －


def neutralize(value: object) -> object:
    """A cell value that no spreadsheet evaluates as a formula (nor a DDE call such as
    ``=cmd|' /C calc'!A0``, which needs one of these leading characters too). Leading spaces do
    not help: LibreOffice and some Excel imports trim them before looking. A lone ``-`` or ``+``
    (the statistics' symbol for "nothing") cannot start one and stays as it is."""
    if not isinstance(value, str):
        return value
    start = value.lstrip(" ")
    if start.startswith(_DANGEROUS) or (start[:1] in _SIGNS and len(start) > 1):
        return "'" + value
    return value


def safe_row(values: Iterable[object]) -> list[object]:
    """A row for openpyxl with every text neutralised: openpyxl stores a text that starts with
    ``=`` as a live formula (an area name or a Träger's comment such as ``=HYPERLINK(…)``)."""
    return [neutralize(v) for v in values]


def _written(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, datetime):
        return berlin(value).replace(tzinfo=None)
    if isinstance(value, list | tuple):
        value = "; ".join(str(item) for item in value)
    if isinstance(value, int | float | date):
        return value
    return neutralize(str(value))


def to_csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """UTF-8 with BOM and semicolons: what German Excel opens correctly by double click."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralize(h) for h in header])
    for row in rows:
        cells = [_written(value) for value in row]
        writer.writerow([_csv_text(cell) for cell in cells])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_text(cell: object) -> object:
    if isinstance(cell, datetime):
        return cell.strftime("%d.%m.%Y %H:%M")
    if isinstance(cell, date):
        return cell.strftime("%d.%m.%Y")
    if isinstance(cell, float):
        return f"{cell}".replace(".", ",")
    return cell


def druckfertig(sheet: Any, kopfzeile: int = 1) -> None:
    """Print setup of a sheet, for whoever prints it for a meeting: A4 landscape, as wide as one
    page, the column head (row ``kopfzeile``, below a title or preamble) repeated on every page,
    the sheet's name and "Seite n von m" in the footer. Without it Excel prints the head on the
    first page only and cuts the columns into separate pages. Works in write-only mode too."""
    sheet.print_title_rows = f"{kopfzeile}:{kopfzeile}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.oddFooter.center.text = "&A – Seite &P von &N"


def to_xlsx(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    return to_xlsx_sheets([(title, header, rows)])


def to_xlsx_sheets(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[object]]]]) -> bytes:
    """A workbook with one sheet per (title, header, rows): bold frozen header, filter, column
    widths from the content, text cells never formulas, numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    assert workbook.active is not None
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(str(neutralize(title))[:31])
        sheet.append([neutralize(h) for h in header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_written(value) for value in row])
        widths = [len(str(h)) for h in header]
        for row_cells in sheet.iter_rows(min_row=2):
            for i, cell in enumerate(row_cells):
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever the text
                elif isinstance(cell.value, datetime):
                    cell.number_format = "DD.MM.YYYY HH:MM"
                elif isinstance(cell.value, float):
                    cell.number_format = "#,##0.00"
                if i < len(widths):
                    widths[i] = max(widths[i], min(60, len(str(cell.value or ""))))
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width + 2
        sheet.freeze_panes = "A2"
        if rows:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
        druckfertig(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
