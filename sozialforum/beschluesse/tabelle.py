"""The Sachstand table: Aufträge exported as XLSX or CSV, filled in by the responsible units,
read back in the same format.

Rows are matched by ``id`` (and checked against ``kennung``, so a row pasted into the wrong
line is caught). Re-importing the same file changes nothing. Every problem is reported with
file, line and column, and a file with any problem changes nothing at all.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.beschluesse.sachstand import Meldung, melde_sachstand
from sozialforum.beschluesse.stand import beschluss_staende
from sozialforum.channels.tabular import druckfertig, read_table, safe_row
from sozialforum.parsing import parse_date, parse_int
from sozialforum.problems import Problem, ProblemReport
from sozialforum.store.models import Auftrag
from sozialforum.timeutil import format_datum_kurz
from sozialforum.vocab import AuftragStatus

COLUMNS = [
    "id",
    "kennung",
    "beschluss",
    "beschluss_titel",
    "auftrag",
    "verantwortlich",
    "frist",
    "frist_wortlaut",
    "status",
    "fortschritt_prozent",
    "begonnen_am",
    "erledigt_am",
    "sachstand",
    "bericht_datum",
]
EDITABLE = ["frist", "status", "fortschritt_prozent", "begonnen_am", "erledigt_am", "sachstand", "bericht_datum"]


def _rows(session: Session, *, today: date, bald: int) -> list[list[object]]:
    rows: list[list[object]] = []
    for stand in beschluss_staende(session, today=today, bald=bald):
        for task in stand.auftraege:
            a = task.auftrag
            rows.append(
                [
                    a.id,
                    a.kennung,
                    stand.beschluss.kennung,
                    stand.beschluss.titel,
                    a.beschreibung,
                    task.verantwortlich,
                    a.frist,
                    a.frist_wortlaut,
                    AuftragStatus(a.status).label,
                    a.fortschritt_prozent,
                    a.begonnen_am,
                    a.erledigt_am,
                    None,
                    None,
                ]
            )
    return rows


def export_csv(session: Session, path: Path, *, today: date, bald: int = 30) -> int:
    """Semicolon CSV in UTF-8 with BOM (Excel opens it with umlauts intact); dates TT.MM.JJJJ."""
    rows = _rows(session, today=today, bald=bald)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(safe_row("" if v is None else format_datum_kurz(v) if isinstance(v, date) else v for v in row))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    return len(rows)


def export_xlsx(session: Session, path: Path, *, today: date, bald: int = 30) -> int:
    """One sheet, header frozen, status as a drop-down of the German labels."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    rows = _rows(session, today=today, bald=bald)
    book = Workbook()
    sheet = book.active
    sheet.title = "Sachstand"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        if cell.value in EDITABLE:
            cell.fill = PatternFill("solid", fgColor="FFF2CC")  # the columns to fill in
    for row in rows:
        sheet.append(safe_row(row))
    for column, width in zip("ABCDEFGHIJKLMN", (6, 16, 14, 40, 50, 30, 12, 28, 14, 10, 12, 12, 60, 12), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "DD.MM.YYYY"
    labels = ",".join(s.label for s in AuftragStatus)
    validation = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=False)
    validation.error = "Bitte einen Status aus der Liste wählen."
    sheet.add_data_validation(validation)
    validation.add(f"I2:I{max(len(rows) + 1, 2)}")
    sheet.freeze_panes = "C2"
    druckfertig(sheet)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return len(rows)


@dataclass
class ImportErgebnis:
    datei: str
    zeilen: int = 0
    geaendert: int = 0
    unveraendert: int = 0
    berichte_neu: int = 0

    def __str__(self) -> str:
        return (
            f"{self.datei}: {self.zeilen} Zeilen, {self.geaendert} Aufträge geändert, "
            f"{self.unveraendert} unverändert, {self.berichte_neu} neue Umsetzungsberichte"
        )


def _parse(name: str, line: int, column: str, raw: str | None, parser, problems: list[Problem]):
    if raw is None:
        return None
    try:
        return parser(raw)
    except ValueError as exc:
        problems.append(Problem(name, line, column, f"„{raw}“: {exc}"))
        return None


def _progress(raw: str) -> int:
    value = parse_int(raw.rstrip("% "), minimum=0)
    if value > 100:
        raise ValueError("muss zwischen 0 und 100 liegen")
    return value


def _status(raw: str) -> AuftragStatus:
    try:
        return AuftragStatus.parse(raw)
    except ValueError:
        raise ValueError("unbekannter Status (erlaubt: " + ", ".join(s.label for s in AuftragStatus) + ")") from None


def import_sachstand(session: Session, path: Path, *, today: date) -> ImportErgebnis:
    """Read a filled-in Sachstand table back; raise ProblemReport (nothing changed) on any error."""
    table = read_table(path, required=["id", "status"])
    result = ImportErgebnis(table.name, zeilen=len(table.rows))
    problems: list[Problem] = []
    parsed: list[tuple[int, int, str | None, Meldung]] = []
    seen: dict[int, int] = {}
    for line, values in table.rows:
        auftrag_id = _parse(table.name, line, "id", values.get("id"), lambda r: parse_int(r, minimum=1), problems)
        if values.get("id") is None:
            problems.append(Problem(table.name, line, "id", "fehlt (die Zeile lässt sich keinem Auftrag zuordnen)"))
        if auftrag_id is not None and auftrag_id in seen:
            problems.append(
                Problem(table.name, line, "id", f"Auftrag {auftrag_id} steht schon in Zeile {seen[auftrag_id]}")
            )
        if auftrag_id is not None:
            seen.setdefault(auftrag_id, line)
        status = _parse(table.name, line, "status", values.get("status"), _status, problems)
        if values.get("status") is None:
            problems.append(Problem(table.name, line, "status", "fehlt"))

        def field(column: str, parser, values=values, line=line):
            return _parse(table.name, line, column, values.get(column), parser, problems)

        meldung = Meldung(
            status=status,
            fortschritt_prozent=field("fortschritt_prozent", _progress),
            frist=field("frist", parse_date),
            begonnen_am=field("begonnen_am", parse_date),
            erledigt_am=field("erledigt_am", parse_date),
            sachstand=values.get("sachstand"),
            bericht_datum=field("bericht_datum", parse_date),
        )
        if meldung.bericht_datum and meldung.bericht_datum > today:
            problems.append(Problem(table.name, line, "bericht_datum", "liegt in der Zukunft"))
        if auftrag_id is not None:
            parsed.append((line, auftrag_id, values.get("kennung"), meldung))
    found = {
        a.id: a for a in session.scalars(sa.select(Auftrag).where(col(Auftrag.id).in_([item[1] for item in parsed])))
    }
    for line, auftrag_id, kennung, _ in parsed:
        auftrag = found.get(auftrag_id)
        if auftrag is None:
            problems.append(Problem(table.name, line, "id", f"Auftrag {auftrag_id} gibt es nicht"))
        elif kennung is not None and kennung != auftrag.kennung:
            problems.append(
                Problem(
                    table.name,
                    line,
                    "kennung",
                    f"„{kennung}“ passt nicht zu Auftrag {auftrag_id} ({auftrag.kennung}); wurden Zeilen verschoben?",
                )
            )
    if problems:
        raise ProblemReport(problems)
    for _, auftrag_id, _, meldung in parsed:
        effect = melde_sachstand(session, found[auftrag_id], meldung, today=today)
        result.geaendert += effect.geaendert
        result.unveraendert += not effect.geaendert and not effect.bericht_neu
        result.berichte_neu += effect.bericht_neu
    return result
