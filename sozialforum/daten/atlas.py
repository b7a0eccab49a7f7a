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
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from sozialforum.daten.atlas_blatt import Blatt, Zahl, datum, schreibe_blatt, zahlformat
from sozialforum.daten.atlas_budget import budgetblatt, gespeicherte_budgets
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


def _zahl(zelle: Zelle, decimals: int) -> Any:
    """A view's cell: its number when it has one (in parentheses when on few cases), else its
    symbol as text (``.`` suppressed, ``k. A.`` not delivered, …)."""
    if zelle.wert is None:
        return zelle.text or None
    pattern = zahlformat(decimals)
    return Zahl(zelle.wert, f'"("{pattern}")"' if zelle.unsicher else pattern)


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
            ["Stichtag", datum(day)],
            ["Datenstand", datum(stand) if stand else "unbekannt"],
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
                datum(q["datenstand"]) if q["datenstand"] else "",
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
                        Zahl(bench.wert, zahlformat(ind.nachkommastellen))
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
                datum(at),
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
