"""The Sozialstrukturatlas as an Excel workbook: an overview, one sheet per dimension (every
area of the hierarchy with value, count and change of each indicator), the index with its
classes, the Kennzahlen with their targets, and a Sozialraumbudget's derivation.

Values are numbers (Excel users compute with them), index values too, with Excel number formats
(Excel shows them in the reader's locale: 1.234,5); missing and suppressed cells hold their
symbol as text; rates on few cases keep their number and show it in parentheses. Every sheet has
a bold frozen header with a filter and column widths from its content; the area columns stay
visible when scrolling right. Budgets: the latest stored distribution of each, in every edition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
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
from sozialforum.timeutil import format_datum_kurz, format_termin, format_zahl

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


@dataclass(frozen=True)
class Zahl:
    """A number with its Excel format (shown by Excel in the reader's locale: 1.234,5 in German)."""

    wert: float | int | date
    format: str


def _muster(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _zahl(zelle: Zelle, decimals: int) -> Any:
    """A view's cell: its number when it has one (in parentheses when on few cases), else its
    symbol as text (``.`` suppressed, ``k. A.`` not delivered, …)."""
    if zelle.wert is None:
        return zelle.text or None
    pattern = _muster(decimals)
    return Zahl(zelle.wert, f'"("{pattern}")"' if zelle.unsicher else pattern)


def _tag(day: date) -> Zahl:
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


def gespeicherte_budgets(session: Session, katalog: Katalog) -> list[Budget]:
    """The latest stored distribution of each budget of the catalogue, rebuilt from its recorded
    derivation: every edition of the atlas carries the budget sheet, not only the run that
    computed it (the flow computes a budget only when given a total)."""
    import sqlalchemy as sa
    from sqlmodel import col

    from sozialforum.daten.budget import Budgetzeile
    from sozialforum.daten.katalog import BudgetAnteil
    from sozialforum.store.models import Budgetverteilung

    found: dict[str, Budgetverteilung] = {}
    query = sa.select(Budgetverteilung).order_by(col(Budgetverteilung.haushaltsjahr), col(Budgetverteilung.id))
    for verteilung in session.scalars(query):
        found[verteilung.kennung] = verteilung  # the latest year wins
    result = []
    for kennung, verteilung in found.items():
        definition = katalog.budgets.get(kennung)
        herleitung: dict[str, Any] = dict(verteilung.herleitung)
        if definition is None or not herleitung.get("zeilen"):
            continue
        definition = definition.model_copy(
            update={
                "anteile": [BudgetAnteil.model_validate(a) for a in herleitung.get("anteile", [])]
                or definition.anteile,
                "untergrenze": herleitung.get("untergrenze", definition.untergrenze),
                "obergrenze": herleitung.get("obergrenze", definition.obergrenze),
            }
        )
        fields = set(Budgetzeile.__dataclass_fields__)
        zeilen = [Budgetzeile(**{k: v for k, v in z.items() if k in fields}) for z in herleitung["zeilen"]]
        result.append(
            Budget(kennung, definition, int(verteilung.gesamt), verteilung.haushaltsjahr, verteilung.stichtag, zeilen)
        )
    return result


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
    budgets: Sequence[Budget] | None = None,
) -> Path:
    """``budgets``: None takes the stored ones (the latest year of each), as every edition should."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    sicht = Sicht(monitor, katalog, settings, empfaenger)
    day = monitor.letzter_stichtag
    areas = reihenfolge(monitor)
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    if budgets is None:
        budgets = gespeicherte_budgets(session, katalog)

    stand = datenstand(session)
    overview = Blatt(
        "Übersicht",
        ["Herausgeber", "Titel", "Datenstand", "Lizenz", "Datei"],
        fixieren=False,
        vorspann=[
            [f"Sozialstrukturatlas {kommune}"],
            ["Stichtag", _tag(day)],
            ["Datenstand", _tag(stand) if stand else "unbekannt"],
            ["Berechnet am", format_termin(now)],
            ["Fassung", empfaenger.name],
            *([hinweis] for hinweis in sicht.veroeffentlichung.hinweise(empfaenger)),
            [],
            ["Zeichen", "Bedeutung"],
            *([symbol, meaning] for symbol, meaning in LEGENDE),
            ["( )", f"Aussagewert eingeschränkt: weniger als {settings.unsicher_unter} Fälle"],
            [],
            ["Quellen"],
        ],
    )
    for q in quellen(session, katalog, empfaenger):
        overview.zeilen.append(
            [
                q["herausgeber"],
                q["titel"],
                _tag(q["datenstand"]) if q["datenstand"] else "",
                q["lizenz"],
                q["datei"],
            ]
        )
    sheets = [overview]

    for dimension, title in katalog.dimensionen.items():
        indicators = [i for i in katalog.indikatoren.values() if i.dimension == dimension and sicht.sichtbar(i.code)]
        if not indicators:
            continue  # nothing of it for this recipient (internal sources only): no sheet of "."
        columns = ["Ebene", "Schlüssel", "Gebiet"]
        stichtage = {ind.code: sicht.stand(ind.code) for ind in indicators}  # each at its latest Stichtag
        for ind in indicators:
            note = "" if stichtage[ind.code] == day else f" (Stand {format_datum_kurz(stichtage[ind.code])})"
            columns += [f"{ind.name} [{ind.einheit}]{note}", f"{ind.name}: Anzahl", f"{ind.name}: Veränderung"]
        sheet = Blatt(title, columns, feste_spalten=3)
        for bereich in areas:
            row: list[Any] = [EBENEN.get(bereich.ebene, bereich.ebene), bereich.schluessel, bereich.name]
            for ind in indicators:
                at = stichtage[ind.code]
                row.append(_zahl(sicht.wert(ind.code, at, bereich.id), ind.nachkommastellen))
                row.append(_zahl(sicht.wert(ind.code, at, bereich.id, "anzahl"), 0))
                row.append(_zahl(sicht.wert(ind.code, at, bereich.id, "veraenderung"), ind.nachkommastellen))
            sheet.zeilen.append(row)
        for ind in indicators:
            bench = sicht.vergleich(ind, stichtage[ind.code])
            if bench is not None:
                sheet.nachspann.append(
                    [
                        "Vergleich",
                        "",
                        f"{ind.name}: {bench.name}",
                        Zahl(bench.wert, _muster(ind.nachkommastellen))
                        if bench.wert is not None
                        else (bench.hinweis or "–"),
                    ]
                )
        sheets.append(sheet)

    dims = [d for d in katalog.dimensionen if katalog.index_indikatoren(d)]
    index_sheet = Blatt(
        "Index",
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
        feste_spalten=3,
    )
    for bereich in areas:
        if bereich.ebene not in katalog.index.ebenen:
            continue
        at = sicht.index_stand(bereich.ebene)
        status, klasse, dynamik, dyn_klasse = sicht.index_zellen(bereich.ebene, GESAMT, at, bereich.id)
        index_sheet.zeilen.append(
            [
                EBENEN.get(bereich.ebene, bereich.ebene),
                bereich.schluessel,
                bereich.name,
                _zahl(status, 2),
                klasse,
                _zahl(dynamik, 2),
                dyn_klasse,
                *(sicht.index(bereich.ebene, d, at, bereich.id)[1] for d in dims),
                _tag(at),
            ]
        )
    sheets.append(index_sheet)

    targets = Blatt(
        "Kennzahlen und Ziele", ["Kennzahl", "Indikator", "Ziel", "Ebene", "Gebiet", "Wert", "Ziel erreicht"]
    )
    for ind in katalog.indikatoren.values():
        if ind.ziel is None or not sicht.sichtbar(ind.code):
            continue
        for bereich in areas:
            if bereich.ebene in ("gemeinde", "ortsteil"):
                continue
            targets.zeilen.append(
                [
                    ind.kennzahl or "",
                    ind.name,
                    ind.ziel.text,
                    EBENEN.get(bereich.ebene, ""),
                    bereich.name,
                    _zahl(sicht.wert(ind.code, sicht.stand(ind.code), bereich.id), ind.nachkommastellen),
                    sicht.ziel(ind.code, sicht.stand(ind.code), bereich.id),
                ]
            )
    if not targets.zeilen:  # a sheet of bare column heads would look like a failed export
        targets.nachspann = [["In dieser Fassung hat kein Indikator ein Ziel."]]
    sheets.append(targets)
    sheets += [budgetblatt(budget) for budget in budgets]
    for blatt in sheets:
        schreibe_blatt(book, blatt, bold)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    # One map per dimension and one of the overall index beside the workbook (when borders are
    # loaded): the atlas's maps, through the same view as its sheets.
    for code, name in [(GESAMT, "Gesamtindex"), *katalog.dimensionen.items()]:
        titel = f"Sozialstrukturatlas {kommune}: {name}, Statusklassen"
        status_karte(session, sicht, "sozialraum", code, titel, path.parent / f"{path.stem}_karte_{code}.svg")
    return path


def budgetblatt(budget: Budget) -> Blatt:
    """The derivation of a budget, step by step (every figure that led to each euro)."""
    euro, cent = '#,##0" €"', '#,##0.00" €"'
    columns = ["Schlüssel", "Gebiet"]
    for part in budget.definition.anteile:
        gewicht = f"{part.gewicht:g}".replace(".", ",")  # German: "Gewicht 0,2"
        columns += [f"{part.name}: Basis", f"{part.name}: Anteil", f"{part.name}: Gewicht {gewicht}"]
    columns += ["Rohbetrag", "Grenze", "Betrag exakt", "abgerundet", "Rest", "+1 € (größte Reste)", "Budget"]
    sheet = Blatt(
        budget.definition.blattname(budget.haushaltsjahr),
        columns,
        vorspann=[
            [f"{budget.definition.name}, Haushaltsjahr {budget.haushaltsjahr}"],
            ["Gesamtbetrag", Zahl(budget.gesamt, euro)],
            ["Datenbasis: Stichtag", _tag(budget.stichtag)],
            [
                f"Untergrenze {format_zahl(budget.definition.untergrenze, 0)} €, Obergrenze "
                + (
                    f"{format_zahl(budget.definition.obergrenze, 0)} €"
                    if budget.definition.obergrenze is not None
                    else "–"
                )
                + "; Rundung auf volle Euro nach dem Verfahren der größten Reste (Hare–Niemeyer)"
            ],
            [],
        ],
        feste_spalten=2,
    )
    for row in budget.zeilen:
        cells: list[Any] = [row.schluessel, row.name]
        for part, base, share in zip(budget.definition.anteile, row.basis, row.anteil, strict=True):
            cells += [
                Zahl(round(base, 4), "#,##0.####"),
                Zahl(round(share, 6), "0.0000%"),
                Zahl(round(share * part.gewicht * budget.gesamt, 2), cent),
            ]
        cells += [
            Zahl(round(row.roh, 2), cent),
            row.grenze,
            Zahl(round(row.exakt, 2), cent),
            Zahl(row.abgerundet, euro),
            Zahl(round(row.rest, 4), "0.0000"),
            Zahl(row.zuschlag, euro),
            Zahl(row.betrag, euro),
        ]
        sheet.zeilen.append(cells)
    sheet.nachspann.append(
        [
            "",
            "Summe",
            *[""] * (3 * len(budget.definition.anteile)),
            Zahl(round(sum(r.roh for r in budget.zeilen), 2), cent),
            "",
            Zahl(round(sum(r.exakt for r in budget.zeilen), 2), cent),
            Zahl(sum(r.abgerundet for r in budget.zeilen), euro),
            "",
            Zahl(sum(r.zuschlag for r in budget.zeilen), euro),
            Zahl(sum(r.betrag for r in budget.zeilen), euro),
        ]
    )
    return sheet
