"""Excel templates of the reference lists, and what each column means.

A planner's first question at an upload is "which columns?": the template answers it with the
header the importer expects (mandatory columns shaded), drop-downs with the German labels of each
vocabulary (the importer accepts label or key), and a sheet "Erläuterung" that explains every
column. The importer reads the first sheet only, so a filled template uploads as it is.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from sozialforum.parsing import parse_bool, parse_date, parse_email, parse_int_list
from sozialforum.stammdaten.listen import SPECS, TITEL, Column, VocabParser, day_start
from sozialforum.store.models import Gebiet

# Rows a drop-down covers: more than any list a Landkreis keeps by hand.
ZEILEN = 2000
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A reference column names a row of another list: which one, for the explanation.
TITEL_VON_REF = {spec.model: TITEL[kind] for kind, spec in SPECS.items()}

_FORMAT = {
    parse_date: "Datum (TT.MM.JJJJ)",
    day_start: "Datum (TT.MM.JJJJ)",
    parse_bool: "ja oder nein",
    parse_email: "E-Mail-Adresse",
    parse_int_list: "ganze Zahlen, durch Komma getrennt",
}


@dataclass(frozen=True)
class Spalte:
    """One column as the upload page and the template's explanation show it."""

    name: str
    pflicht: bool
    hilfe: str
    werte: str  # allowed values or the format, in words
    auswahl: tuple[str, ...] = ()  # a vocabulary's labels, for the drop-down


def _werte(column: Column) -> tuple[str, tuple[str, ...]]:
    if isinstance(column.parse, VocabParser):
        labels = tuple(member.label for member in column.parse.kind)
        return "eine der Angaben: " + "; ".join(labels), labels
    if column.ref is not None:
        was = "Schlüssel" if column.ref is Gebiet else "Kennung"
        return f"{was} aus der Liste {TITEL_VON_REF[column.ref]} (bereits hochgeladen oder in dieser Datei)", ()
    if column.parse in _FORMAT:
        return _FORMAT[column.parse], ()
    if column.parse is not None:
        return "Zahl", ()
    return "Text", ()


def spalten(kind: str) -> list[Spalte]:
    spec = SPECS[kind]
    result = []
    for column in (*spec.columns, *spec.extra):
        werte, auswahl = _werte(column)
        result.append(Spalte(column.name, column.required, column.hilfe, werte, auswahl))
    return result


def dateiname(kind: str) -> str:
    return f"Vorlage_{TITEL[kind].replace(' ', '_')}.xlsx"


def vorlage_xlsx(kind: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = spalten(kind)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = TITEL[kind][:31]
    sheet.append([c.name for c in columns])
    pflicht = PatternFill("solid", fgColor="FFE699")
    # The drop-downs' values live on a hidden sheet: a list written into the rule itself may
    # not exceed 255 characters, and the labels of some vocabularies are longer together.
    werte = workbook.create_sheet("Werte")
    werte.sheet_state = "hidden"
    listen = 0
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        head = sheet.cell(row=1, column=index)
        head.font = Font(bold=True)
        if column.pflicht:
            head.fill = pflicht
        sheet.column_dimensions[letter].width = max(14, len(column.name) + 4)
        if column.auswahl:
            listen += 1
            source = get_column_letter(listen)
            for row, label in enumerate(column.auswahl, start=1):
                werte.cell(row=row, column=listen, value=label)
            rule = DataValidation(
                type="list",
                formula1=f"=Werte!${source}$1:${source}${len(column.auswahl)}",
                allow_blank=not column.pflicht,
                showErrorMessage=True,
                errorTitle="Unbekannter Wert",
                error="Bitte einen Wert aus der Liste wählen.",
            )
            rule.add(f"{letter}2:{letter}{ZEILEN}")
            sheet.add_data_validation(rule)
    sheet.freeze_panes = "A2"

    hilfe = workbook.create_sheet("Erläuterung", 1)
    hilfe.append(["Spalte", "Pflicht", "Bedeutung", "Erlaubte Werte"])
    for cell in hilfe[1]:
        cell.font = Font(bold=True)
    for column in columns:
        hilfe.append([column.name, "ja" if column.pflicht else "nein", column.hilfe, column.werte])
    hilfe.append([])
    hilfe.append(
        [
            "Hinweis",
            "",
            "Das erste Blatt ausfüllen, eine Zeile je Eintrag; Pflichtspalten sind gelb markiert. "
            "Beim Hochladen wird die Liste erst geprüft, ohne etwas zu ändern.",
        ]
    )
    for letter, width in zip("ABCD", (24, 8, 70, 60), strict=True):
        hilfe.column_dimensions[letter].width = width
    for row in hilfe.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
