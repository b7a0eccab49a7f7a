"""One sheet of an Excel workbook: numbers with their Excel format, the sheet's lines around a
table with a bold frozen header and a filter, written in openpyxl's write-only mode with column
widths from the content."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sozialforum.channels.tabular import druckfertig, safe_row
from sozialforum.timeutil import format_zahl


@dataclass(frozen=True)
class Zahl:
    """A number with its Excel format (shown by Excel in the reader's locale: 1.234,5 in German)."""

    wert: float | int | date
    format: str


def zahlformat(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def datum(day: date) -> Zahl:
    return Zahl(day, "DD.MM.YYYY")


@dataclass
class Blatt:
    """One sheet: lines above the table (title, notes), the table with a bold header that stays
    frozen and carries a filter, and lines below it (benchmarks, sums) outside the filter."""

    titel: str
    kopf: list[str]
    zeilen: list[list[Any]] = field(default_factory=list)
    vorspann: list[list[Any]] = field(default_factory=list)
    nachspann: list[list[Any]] = field(default_factory=list)
    feste_spalten: int = 0  # columns that stay visible when scrolling right (area key and name)
    fixieren: bool = True  # keep the header in view (not on the overview: its table is far down)


def _breite(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, Zahl):
        if isinstance(value.wert, date):
            return 10
        return len(format_zahl(float(value.wert), value.format.count("0") - 1 if "." in value.format else 0)) + 2
    if isinstance(value, float):
        return len(format_zahl(value, 2))
    return len(str(value))


def schreibe_blatt(book: Any, blatt: Blatt, bold: Any) -> None:
    """Write a sheet in write-only mode: widths, frozen panes and the filter must be set before
    the first row, so the rows are collected first (an atlas has hundreds of rows, not millions)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(blatt.titel[:31])
    widths = [len(h) for h in blatt.kopf]
    for row in blatt.zeilen:
        for i, value in enumerate(row):
            if i < len(widths):
                widths[i] = max(widths[i], _breite(value))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
    head_row = len(blatt.vorspann) + 1
    if blatt.fixieren:
        sheet.freeze_panes = f"{get_column_letter(blatt.feste_spalten + 1)}{head_row + 1}"
    if blatt.zeilen:
        last = head_row + len(blatt.zeilen)
        sheet.auto_filter.ref = f"A{head_row}:{get_column_letter(len(blatt.kopf))}{last}"
    druckfertig(sheet, head_row)

    def cells(values: list[Any], *, fett: bool = False) -> list[Any]:
        out: list[Any] = []
        for value in safe_row(values):
            if isinstance(value, Zahl):
                cell = WriteOnlyCell(sheet, value=value.wert)
                cell.number_format = value.format
            else:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, float):
                    cell.number_format = "#,##0.00"
            if fett:
                cell.font = bold
            out.append(cell)
        return out

    for line in blatt.vorspann:
        sheet.append(cells(line))
    sheet.append(cells(list(blatt.kopf), fett=True))
    for row in blatt.zeilen:
        sheet.append(cells(row))
    for line in blatt.nachspann:
        sheet.append(cells(line))
