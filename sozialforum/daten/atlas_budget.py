"""A Sozialraumbudget in the atlas: the latest stored distribution of each budget and its sheet,
the derivation step by step."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from sozialforum.daten.atlas_blatt import Blatt, Zahl, datum
from sozialforum.daten.budget import Budget
from sozialforum.daten.katalog import Katalog
from sozialforum.timeutil import format_zahl


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
            ["Datenbasis: Stichtag", datum(budget.stichtag)],
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
