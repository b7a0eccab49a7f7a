"""Writing workbooks in the layout of the BA's "nach Gemeinden" tables (demo files and tests):
header block, key column, a row of column numbers, ``*`` for values below 3, the "keine
Angabe" row, the district sum row and the footer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sozialforum.timeutil import MONATE

KREIS = ("03199", "Landkreis Musterland")
MASK_BELOW = 3  # the BA anonymises counts 1 and 2


def write_ba(
    path: Path,
    year: int,
    rows: Sequence[tuple[str, str, dict[str, int]]],
    *,
    unassigned: dict[str, int],
    created: date | None = None,
    month: int = 12,
    kreis: tuple[str, str] = KREIS,
) -> None:
    from openpyxl import Workbook

    columns = list(rows[0][2]) if rows else list(unassigned)
    book = Workbook()
    sheet = book.active
    sheet.title = f"{MONATE[month - 1][:3]} {year}"
    sheet.append(["Statistik der Bundesagentur für Arbeit"])
    sheet.append(["Arbeitsmarkt und Grundsicherung für Arbeitsuchende nach Gemeinden"])
    sheet.append([f"Region: {kreis[1]}"])
    sheet.append([f"Berichtsmonat: {MONATE[month - 1]} {year}"])
    sheet.append([f"Erstellungsdatum: {(created or date(year + 1, 1, 16)):%d.%m.%Y}"])
    sheet.append([])
    sheet.append(["Regionalschlüssel", "Gemeinde", *columns])
    sheet.append([str(i) for i in range(1, len(columns) + 3)])
    totals = dict.fromkeys(columns, 0)
    for key, name, values in rows:
        cells = []
        for column in columns:
            value = values[column]
            totals[column] += value
            cells.append("*" if 0 < value < MASK_BELOW else value)
        sheet.append([key, name, *cells])
    sheet.append(["", "keine Angabe (Zuordnung nicht möglich)", *(unassigned.get(c, 0) for c in columns)])
    sheet.append([kreis[0], kreis[1], *(totals[c] + unassigned.get(c, 0) for c in columns)])
    sheet.append([])
    sheet.append(["© Statistik der Bundesagentur für Arbeit"])
    sheet.append(
        [
            "Hinweis: Aus Datenschutzgründen und Gründen der statistischen Geheimhaltung werden "
            "Zahlenwerte von 1 oder 2 und Daten, aus denen rechnerisch auf einen solchen "
            "Zahlenwert geschlossen werden kann, anonymisiert (*)."
        ]
    )
    book.save(path)
