"""The Sozialstrukturatlas as an Excel workbook: an overview, one sheet per dimension (every
area of the hierarchy with value, count and change of each indicator), the index with its
classes, the Kennzahlen with their targets, and a Sozialraumbudget's derivation.

Values are numbers (Excel users compute with them); missing and suppressed cells hold their
symbol as text; rates on few cases keep their number and show it in parentheses.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from sozialforum.channels.tabular import safe_row
from sozialforum.daten.budget import Budget
from sozialforum.daten.ergebnis import Monitor
from sozialforum.daten.fehlwerte import LEGENDE
from sozialforum.daten.gebietsstand import Bereich
from sozialforum.daten.geheimhaltung import Empfaenger
from sozialforum.daten.index import GESAMT
from sozialforum.daten.kartenexport import status_karte
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.profil import datenstand, quellen
from sozialforum.daten.sicht import Sicht, Zelle
from sozialforum.settings import DatenSettings
from sozialforum.timeutil import format_datum_kurz, format_termin

EBENEN = {
    "kreis": "Kreis",
    "sozialregion": "Sozialregion",
    "sozialraum": "Sozialraum",
    "planungsraum": "Planungsraum",
    "gemeinde": "Gemeinde",
    "ortsteil": "Ortsteil",
}


def reihenfolge(monitor: Monitor) -> list[Bereich]:
    """Areas in the order of the hierarchy: Kreis, region, Sozialraum, its Gemeinden, …"""
    day = monitor.letzter_stichtag
    valid = monitor.stand.am(day)
    children: dict[int | None, list[Bereich]] = {}
    for bereich in valid:
        parent = bereich.parent_id if bereich.parent_id in monitor.stand.bereiche else None
        children.setdefault(parent, []).append(bereich)
    ordered: list[Bereich] = []

    def walk(parent: int | None) -> None:
        for bereich in sorted(children.get(parent, []), key=lambda b: b.schluessel):
            if parent is None and bereich.ebene == "kreis" and not children.get(bereich.id):
                continue  # a former Kreis without areas on this day
            ordered.append(bereich)
            walk(bereich.id)

    walk(None)
    return ordered


def put(sheet: Any, values: list[Any]) -> None:
    """Append a row with every text neutralised: area and source names come from files, and
    openpyxl would store a name like ``=HYPERLINK(…)`` as a live formula."""
    sheet.append(safe_row(values))


def _cell(sheet: Any, zelle: Zelle, decimals: int) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if zelle.wert is None:
        return WriteOnlyCell(sheet, value=zelle.text or None)
    cell = WriteOnlyCell(sheet, value=zelle.wert)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    cell.number_format = f'"("{pattern}")"' if zelle.unsicher else pattern
    return cell


def schreibe_atlas(
    session: Session,
    monitor: Monitor,
    katalog: Katalog,
    settings: DatenSettings,
    empfaenger: Empfaenger,
    path: Path,
    *,
    kommune: str,
    now: datetime,
    budgets: Sequence[Budget] = (),
) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    sicht = Sicht(monitor, katalog, settings, empfaenger)
    day = monitor.letzter_stichtag
    areas = reihenfolge(monitor)
    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def header(sheet: Any, values: list[str]) -> None:
        from openpyxl.cell import WriteOnlyCell

        row = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            cell.font = bold
            row.append(cell)
        put(sheet, row)

    overview = book.create_sheet("Übersicht")
    stand = datenstand(session)
    for line in (
        f"Sozialstrukturatlas {kommune}",
        f"Stichtag: {format_datum_kurz(day)}",
        f"Datenstand: {format_datum_kurz(stand) if stand else 'unbekannt'}",
        f"Berechnet am: {format_termin(now)}",
        f"Fassung: {empfaenger.name}",
        "",
    ):
        put(overview, [line])
    put(overview, ["Zeichen", "Bedeutung"])
    for symbol, meaning in LEGENDE:
        put(overview, [symbol, meaning])
    put(overview, ["( )", f"Aussagewert eingeschränkt: weniger als {settings.unsicher_unter} Fälle"])
    put(overview, [])
    put(overview, ["Quelle (Datei)", "Herausgeber", "Lizenz", "Datenstand"])
    for q in quellen(session):
        put(
            overview,
            [q["datei"], q["herausgeber"], q["lizenz"], format_datum_kurz(q["datenstand"]) if q["datenstand"] else ""],
        )

    for dimension, title in katalog.dimensionen.items():
        indicators = [i for i in katalog.indikatoren.values() if i.dimension == dimension]
        if not indicators:
            continue
        sheet = book.create_sheet(title[:31])
        columns = ["Ebene", "Schlüssel", "Gebiet"]
        stichtage = {ind.code: sicht.stand(ind.code) for ind in indicators}  # each at its latest Stichtag
        for ind in indicators:
            note = "" if stichtage[ind.code] == day else f" (Stand {format_datum_kurz(stichtage[ind.code])})"
            columns += [f"{ind.name} [{ind.einheit}]{note}", f"{ind.name}: Anzahl", f"{ind.name}: Veränderung"]
        header(sheet, columns)
        for bereich in areas:
            row: list[Any] = [EBENEN.get(bereich.ebene, bereich.ebene), bereich.schluessel, bereich.name]
            for ind in indicators:
                at = stichtage[ind.code]
                row.append(_cell(sheet, sicht.wert(ind.code, at, bereich.id), ind.nachkommastellen))
                row.append(_cell(sheet, sicht.wert(ind.code, at, bereich.id, "anzahl"), 0))
                row.append(_cell(sheet, sicht.wert(ind.code, at, bereich.id, "veraenderung"), ind.nachkommastellen))
            put(sheet, row)
        for ind in indicators:
            bench = sicht.vergleich(ind, stichtage[ind.code])
            if bench is not None:
                put(
                    sheet,
                    [
                        "Vergleich",
                        "",
                        f"{ind.name}: {bench.name}",
                        bench.wert if bench.wert is not None else (bench.hinweis or "–"),
                    ],
                )

    index_sheet = book.create_sheet("Index")
    dims = [d for d in katalog.dimensionen if katalog.index_indikatoren(d)]
    header(
        index_sheet,
        [
            "Ebene",
            "Schlüssel",
            "Gebiet",
            "Statusindex",
            "Status",
            "Dynamikindex",
            "Dynamik",
            *(f"{katalog.dimensionen[d]}: Status" for d in dims),
            "Stichtag",
        ],
    )
    for bereich in areas:
        if bereich.ebene not in katalog.index.ebenen:
            continue
        at = sicht.index_stand(bereich.ebene)
        status = sicht.index(bereich.ebene, GESAMT, at, bereich.id)
        put(
            index_sheet,
            [
                EBENEN.get(bereich.ebene, bereich.ebene),
                bereich.schluessel,
                bereich.name,
                *status,
                *(sicht.index(bereich.ebene, d, at, bereich.id)[1] for d in dims),
                format_datum_kurz(at),
            ],
        )

    targets = book.create_sheet("Kennzahlen und Ziele")
    header(targets, ["Kennzahl", "Indikator", "Ziel", "Ebene", "Gebiet", "Wert", "Ziel erreicht"])
    for ind in katalog.indikatoren.values():
        if ind.ziel is None:
            continue
        for bereich in areas:
            if bereich.ebene in ("gemeinde", "ortsteil"):
                continue
            put(
                targets,
                [
                    ind.kennzahl or "",
                    ind.name,
                    ind.ziel.text,
                    EBENEN.get(bereich.ebene, ""),
                    bereich.name,
                    _cell(targets, sicht.wert(ind.code, sicht.stand(ind.code), bereich.id), ind.nachkommastellen),
                    sicht.ziel(ind.code, sicht.stand(ind.code), bereich.id),
                ],
            )
    for budget in budgets:
        schreibe_budgetblatt(book, budget, bold)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    # One map per dimension and one of the overall index beside the workbook (when borders are
    # loaded): the atlas's maps, through the same view as its sheets.
    for code, name in [(GESAMT, "Gesamtindex"), *katalog.dimensionen.items()]:
        titel = f"Sozialstrukturatlas {kommune}: {name}, Statusklassen"
        status_karte(session, sicht, "sozialraum", code, titel, path.parent / f"{path.stem}_karte_{code}.svg")
    return path


def schreibe_budgetblatt(book: Any, budget: Budget, bold: Any) -> None:
    """The derivation of a budget, step by step (every figure that led to each euro)."""
    sheet = book.create_sheet(f"Budget {budget.kennung} {budget.haushaltsjahr}"[:31])
    put(sheet, [f"{budget.definition.name}, Haushaltsjahr {budget.haushaltsjahr}"])
    put(sheet, [f"Gesamtbetrag: {budget.gesamt} €; Datenbasis: Stichtag {format_datum_kurz(budget.stichtag)}"])
    put(
        sheet,
        [
            f"Untergrenze {budget.definition.untergrenze} €, Obergrenze "
            f"{budget.definition.obergrenze or '–'} €; Rundung auf volle Euro nach dem Verfahren der "
            "größten Reste (Hare–Niemeyer)"
        ],
    )
    columns = ["Schlüssel", "Gebiet"]
    for part in budget.definition.anteile:
        columns += [f"{part.name}: Basis", f"{part.name}: Anteil", f"{part.name}: Gewicht {part.gewicht:g}"]
    columns += ["Rohbetrag", "Grenze", "Betrag exakt", "abgerundet", "Rest", "+1 € (größte Reste)", "Budget"]
    put(sheet, columns)
    for row in budget.zeilen:
        cells: list[Any] = [row.schluessel, row.name]
        for part, base, share in zip(budget.definition.anteile, row.basis, row.anteil, strict=True):
            cells += [round(base, 4), round(share, 6), round(share * part.gewicht * budget.gesamt, 2)]
        cells += [
            round(row.roh, 2),
            row.grenze,
            round(row.exakt, 2),
            row.abgerundet,
            round(row.rest, 4),
            row.zuschlag,
            row.betrag,
        ]
        put(sheet, cells)
    put(
        sheet,
        [
            "",
            "Summe",
            *[""] * (3 * len(budget.definition.anteile)),
            round(sum(r.roh for r in budget.zeilen), 2),
            "",
            round(sum(r.exakt for r in budget.zeilen), 2),
            sum(r.abgerundet for r in budget.zeilen),
            "",
            sum(r.zuschlag for r in budget.zeilen),
            sum(r.betrag for r in budget.zeilen),
        ],
    )
