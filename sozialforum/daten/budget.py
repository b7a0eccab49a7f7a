"""Sozialraumbudgets (Ulm: youth-welfare money split into budgets per Sozialraum by indicators).

The formula comes from the catalogue: weighted shares (an equal base, a share by a target-group
count, a share by that count weighted with the need index), then a floor and a cap per area
(areas outside are fixed at the bound and the rest is shared out again), then whole euros by
the largest-remainder method (Hare–Niemeyer), so the parts add up exactly to the total.
Every step is kept in the derivation table. A missing count or index refuses the budget: a
missing value is never treated as 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.daten.berechnung import teilsumme, vollstaendige_tafel
from sozialforum.daten.ergebnis import Monitor
from sozialforum.daten.fehlwerte import Fehlwert
from sozialforum.daten.katalog import BudgetDef, Katalog
from sozialforum.daten.merkmale import parse_key
from sozialforum.daten.speicher import lade_bestand
from sozialforum.store.models import Budgetanteil, Budgetverteilung


class BudgetFehler(ValueError):
    """The budget cannot be computed; the message says why, in German."""


@dataclass
class Budgetzeile:
    gebiet_id: int
    schluessel: str
    name: str
    basis: list[float] = field(default_factory=list)  # per component: the area's base figure
    anteil: list[float] = field(default_factory=list)  # per component: share of the area (0..1)
    roh: float = 0.0  # before floor and cap
    grenze: str = ""  # "Untergrenze", "Obergrenze" or ""
    exakt: float = 0.0
    abgerundet: int = 0
    rest: float = 0.0
    zuschlag: int = 0  # +1 € from the largest remainders

    @property
    def betrag(self) -> int:
        return self.abgerundet + self.zuschlag


@dataclass
class Budget:
    kennung: str
    definition: BudgetDef
    gesamt: int
    haushaltsjahr: int
    stichtag: date
    zeilen: list[Budgetzeile]

    def herleitung(self) -> dict[str, Any]:
        return {
            "anteile": [part.model_dump() for part in self.definition.anteile],
            "untergrenze": self.definition.untergrenze,
            "obergrenze": self.definition.obergrenze,
            "zeilen": [{**row.__dict__, "betrag": row.betrag} for row in self.zeilen],
        }


def grosste_reste(exact: list[float], total: int, keys: list[str]) -> tuple[list[int], list[int]]:
    """Whole units that add up to ``total``: floors, then +1 to the largest remainders (ties by
    key, so the result is reproducible)."""
    floors = [math.floor(value + 1e-9) for value in exact]
    left = total - sum(floors)
    if left < 0 or left > len(exact):
        raise BudgetFehler("Rundung nicht möglich: die Beträge ergeben nicht die Gesamtsumme.")
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), keys[i]))
    extra = [0] * len(exact)
    for i in order[:left]:
        extra[i] = 1
    return floors, extra


def _bounded(raw: np.ndarray, total: int, floor: int, cap: int | None) -> tuple[np.ndarray, list[str]]:
    """Share ``total`` by ``raw`` with every part within [floor, cap]."""
    n = len(raw)
    if floor * n > total or (cap is not None and cap * n < total):
        raise BudgetFehler(
            f"Unter-/Obergrenze passen nicht zur Gesamtsumme: {n} Gebiete × "
            f"{floor} € Untergrenze bzw. × {cap} € Obergrenze."
        )
    fixed = np.full(n, np.nan)
    bound = [""] * n
    while True:
        free = np.isnan(fixed)
        remaining = total - np.nansum(fixed)
        weights = raw[free]
        amounts = np.full(n, np.nan)
        amounts[free] = remaining * weights / weights.sum() if weights.sum() > 0 else remaining / free.sum()
        low = free & (amounts < floor)
        high = free & (cap is not None) & (amounts > (cap or 0))
        if low.any():
            fixed[low] = floor
            for i in np.nonzero(low)[0]:
                bound[i] = "Untergrenze"
        elif high.any():
            fixed[high] = cap
            for i in np.nonzero(high)[0]:
                bound[i] = "Obergrenze"
        else:
            return np.where(np.isnan(fixed), amounts, fixed), bound


def berechne_budget(
    session: Session,
    monitor: Monitor,
    katalog: Katalog,
    kennung: str,
    *,
    gesamt: int,
    haushaltsjahr: int,
    stichtag: date | None = None,
) -> Budget:
    if kennung not in katalog.budgets:
        raise BudgetFehler(f"Unbekanntes Budget „{kennung}“ (Katalog: {', '.join(katalog.budgets)}).")
    if stichtag is None:  # the latest Stichtag whose figures are complete for this budget
        for day in reversed(monitor.stichtage[1:]):
            try:
                return berechne_budget(
                    session, monitor, katalog, kennung, gesamt=gesamt, haushaltsjahr=haushaltsjahr, stichtag=day
                )
            except BudgetFehler:
                continue
    definition = katalog.budgets[kennung]
    day = stichtag or monitor.letzter_stichtag
    if day not in monitor.stichtage:
        raise BudgetFehler(f"Für den Stichtag {day:%d.%m.%Y} gibt es keine berechneten Daten.")
    areas = sorted((b for b in monitor.stand.am(day) if b.ebene == definition.ebene), key=lambda b: b.schluessel)
    if not areas:
        raise BudgetFehler(f"Keine Gebiete der Ebene „{definition.ebene}“ am {day:%d.%m.%Y}.")
    tafel = vollstaendige_tafel(lade_bestand(session, [day]).get(day), monitor.stand, day, katalog)
    rows = [Budgetzeile(a.id, a.schluessel, a.name) for a in areas]
    raw = np.zeros(len(areas))
    for part in definition.anteile:
        base = np.ones(len(areas))
        if part.merkmal:
            base = _counts(tafel, part.merkmal, [a.id for a in areas], [a.name for a in areas], katalog)
        if part.art == "bedarf":
            base = base * np.maximum(0.0, 1 + part.faktor * _index(monitor, definition.ebene, part.index, day, areas))
        share = base / base.sum()
        raw += part.gewicht * share
        for row, b, s in zip(rows, base.tolist(), share.tolist(), strict=True):
            row.basis.append(b)
            row.anteil.append(s)
    exact, bounds = _bounded(raw * gesamt, gesamt, definition.untergrenze, definition.obergrenze)
    floors, extra = grosste_reste(exact.tolist(), gesamt, [r.schluessel for r in rows])
    for i, row in enumerate(rows):
        row.roh, row.grenze, row.exakt = float(raw[i] * gesamt), bounds[i], float(exact[i])
        row.abgerundet, row.zuschlag, row.rest = floors[i], extra[i], float(exact[i] - floors[i])
    return Budget(kennung, definition, gesamt, haushaltsjahr, day, rows)


def _counts(tafel: Any, merkmal: str, ids: list[int], names: list[str], katalog: Katalog) -> np.ndarray:
    notes: list[str] = []
    values, codes = teilsumme((parse_key(merkmal),), tafel, notes, katalog.merkmal_namen)
    rows = [tafel.index.index(i) for i in ids]
    missing = [
        f"{names[k]} ({Fehlwert(int(codes[r])).symbol})" for k, r in enumerate(rows) if codes[r] != Fehlwert.VORHANDEN
    ]
    if missing or notes:
        raise BudgetFehler(f"Budget nicht berechenbar: {merkmal} fehlt für {', '.join(missing)}. " + " ".join(notes))
    return values[rows]


def _index(monitor: Monitor, ebene: str, dimension: str, day: date, areas: list[Any]) -> np.ndarray:
    index = monitor.index.get((f"{ebene}:{dimension}", day))
    if index is None:
        raise BudgetFehler(f"Kein Index „{dimension}“ für die Ebene {ebene} am {day:%d.%m.%Y}.")
    where = {bereich_id: i for i, bereich_id in enumerate(index.ids)}
    values = []
    for area in areas:
        i = where.get(area.id)
        if i is None or index.status_code[i] != Fehlwert.VORHANDEN:
            raise BudgetFehler(f"Budget nicht berechenbar: der Bedarfsindex fehlt für {area.name}.")
        values.append(float(index.status[i]))
    return np.array(values)


def speichere_budget(session: Session, budget: Budget, *, berechnung_id: int, now: datetime) -> bool:
    """Store (or replace) the budget of the year; returns False when nothing changed."""
    existing = session.scalars(
        sa.select(Budgetverteilung).where(
            col(Budgetverteilung.kennung) == budget.kennung, col(Budgetverteilung.haushaltsjahr) == budget.haushaltsjahr
        )
    ).first()
    amounts = {row.gebiet_id: Decimal(row.betrag) for row in budget.zeilen}
    if existing is not None:
        query = sa.select(col(Budgetanteil.gebiet_id), col(Budgetanteil.betrag)).where(
            col(Budgetanteil.verteilung_id) == existing.id
        )
        stored = {gebiet_id: betrag for gebiet_id, betrag in session.execute(query).tuples()}
        if stored == amounts and existing.gesamt == Decimal(budget.gesamt):
            return False
        session.execute(sa.delete(Budgetanteil).where(col(Budgetanteil.verteilung_id) == existing.id))
        existing.gesamt, existing.stichtag = Decimal(budget.gesamt), budget.stichtag
        existing.berechnung_id, existing.erstellt_am = berechnung_id, now
        existing.herleitung = budget.herleitung()
        verteilung = existing
    else:
        verteilung = Budgetverteilung(
            kennung=budget.kennung,
            haushaltsjahr=budget.haushaltsjahr,
            stichtag=budget.stichtag,
            gesamt=Decimal(budget.gesamt),
            berechnung_id=berechnung_id,
            erstellt_am=now,
            herleitung=budget.herleitung(),
        )
        session.add(verteilung)
    session.flush()
    session.execute(
        sa.insert(Budgetanteil),
        [
            {"verteilung_id": verteilung.id, "gebiet_id": gebiet_id, "betrag": amount}
            for gebiet_id, amount in amounts.items()
        ],
    )
    return True
