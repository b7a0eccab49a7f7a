"""Statistical confidentiality (§ 16 BStatG): what may leave the Geschäftsstelle, and for whom.

Primary suppression: a confidential count (persons with benefits, Hilfen) below the threshold
(3; 10 for sub-city areas) but above 0 is suppressed, with every rate built on it. Secondary
suppression: the area hierarchy is a set of equations (each parent is the sum of its children);
in every equation that holds an unknown cell at least two must stay unknown, so no suppressed
cell can be recovered from the total, its siblings or the level above. Because every Kommune
sees its own Gemeinde unsuppressed (Zwickau: the data behind the monitor go to the Kommune
concerned), an equation whose unknown cells include a Gemeinde needs one more unknown: a
Kommune that knows its own value still cannot recover a neighbour's. (In a tree of equations
with at least two unknowns each, no single unknown is determined; the protection holds against
one insider, not against several Kommunen pooling their data.)

Complements are chosen among siblings that are not small themselves (a 0 beside a 2 would give
the 2 away) and, of those, the smallest, so that little is hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.daten.berechnung import Werte
from sozialforum.daten.fehlwerte import Fehlwert
from sozialforum.daten.gebietsstand import Gebietsstand
from sozialforum.daten.katalog import IndikatorDef, Katalog
from sozialforum.daten.merkmale import MerkmalKey
from sozialforum.settings import DatenSettings
from sozialforum.store.models import Datenfreigabe, Person

KLEINRAEUMIG = {"planungsraum", "ortsteil"}
EINHEIT = "gemeinde"  # the level a Kommune is entitled to

Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Empfaenger:
    """Who an output is for: the public, a person entitled to some Gemeinden, or the
    Geschäftsstelle itself (internal: nothing suppressed)."""

    name: str
    gemeinden: frozenset[int] = field(default_factory=frozenset)
    intern: bool = False

    @classmethod
    def oeffentlich(cls) -> Empfaenger:
        return cls("öffentlich")

    @classmethod
    def geschaeftsstelle(cls) -> Empfaenger:
        return cls("Geschäftsstelle (intern)", intern=True)

    @classmethod
    def fuer_person(cls, session: Session, kennung: str, day: date) -> Empfaenger:
        """A person with their entitlements; unknown persons are refused, not made public."""
        person = session.scalars(sa.select(Person).where(col(Person.kennung) == kennung)).first()
        if person is None or person.geloescht_am is not None:
            raise LookupError(f"Person „{kennung}“ nicht gefunden.")
        ids = session.scalars(
            sa.select(col(Datenfreigabe.gebiet_id)).where(
                col(Datenfreigabe.person_id) == person.id, col(Datenfreigabe.erteilt_am) <= day
            )
        ).all()
        return cls(person.anzeigename or kennung, frozenset(ids))

    def sieht_ungeschuetzt(self, bereich_id: int) -> bool:
        return self.intern or bereich_id in self.gemeinden


def schwelle(ind: IndikatorDef, ebene: str, settings: DatenSettings) -> int:
    if ind.geheimhaltung is not None:
        return ind.geheimhaltung
    if ebene in KLEINRAEUMIG:
        return settings.geheimhaltung_schwelle_kleinraeumig
    return settings.geheimhaltung_schwelle


def geschuetzte_reihen(ind: IndikatorDef, katalog: Katalog) -> list[tuple[MerkmalKey, ...]]:
    """The confidential counts an indicator shows: its numerator and/or its denominator."""
    series = []
    for keys in (ind.zaehler_keys, ind.nenner_keys):
        if keys and any(katalog.merkmale[k.name].geheim for k in keys):
            series.append(keys)
    return series


@dataclass
class Gruppen:
    """The equations of the hierarchy: parent row → child rows (rows of the result tafel)."""

    kinder: dict[int, list[int]]
    eltern: dict[int, int]
    ist_einheit: Mask
    ebenen: list[str]

    @classmethod
    def aus(cls, ids: list[int], stand: Gebietsstand) -> Gruppen:
        row_of = {bereich_id: i for i, bereich_id in enumerate(ids)}
        kinder: dict[int, list[int]] = {}
        eltern: dict[int, int] = {}
        for row, bereich_id in enumerate(ids):
            parent = stand.bereiche[bereich_id].parent_id
            if parent in row_of:
                kinder.setdefault(row_of[parent], []).append(row)
                eltern[row] = row_of[parent]
        ebenen = [stand.bereiche[i].ebene for i in ids]
        return cls(kinder, eltern, np.array([e == EINHEIT for e in ebenen], dtype=bool), ebenen)


GEHEIME_FEHLWERTE = (Fehlwert.UNBEKANNT, Fehlwert.UNSICHER, Fehlwert.BA_ANONYMISIERT)


def sekundaer(values: np.ndarray, unknown: Mask, primary: Mask, gruppen: Gruppen, threshold: int) -> Mask:
    """Add complementary suppressions until every equation is safe; returns the full mask."""
    hidden = unknown | primary
    work = [p for p, children in gruppen.kinder.items() if hidden[[p, *children]].any()]
    while work:
        parent = work.pop()
        children = gruppen.kinder[parent]
        cells = [parent, *children]
        count = int(hidden[cells].sum())
        if count == 0:
            continue
        need = _need(hidden, children, gruppen, len(cells))
        if count >= need:
            continue
        open_children = [c for c in children if not hidden[c]]
        # Prefer siblings that are not small (value ≥ threshold), then the smallest of them.
        open_children.sort(key=lambda c: (not values[c] >= threshold, values[c], c))
        added = []
        for child in open_children:
            if count >= need or not values[child] > 0:
                break
            hidden[child] = True
            added.append(child)
            count += 1
            need = _need(hidden, children, gruppen, len(cells))
        if count < need and not hidden[parent]:
            hidden[parent] = True
            added.append(parent)
            count += 1
        for child in open_children:  # only zeros left: they must go too
            if count >= need:
                break
            if not hidden[child]:
                hidden[child] = True
                added.append(child)
                count += 1
        for cell in added:  # a newly hidden cell changes the equations it appears in
            if cell in gruppen.kinder:
                work.append(cell)
            if cell in gruppen.eltern:
                work.append(gruppen.eltern[cell])
        if added:  # look again only when something changed: an equation that cannot improve ends
            work.append(parent)
    return hidden


def _need(hidden: Mask, children: list[int], gruppen: Gruppen, cells: int) -> int:
    """Hidden cells an equation needs: two (one alone is the difference of the others), three when
    a hidden cell is a Gemeinde (a neighbour could subtract its own value) — but never more than the
    equation has: a Sozialraum of one Gemeinde is safe with both hidden (it looped forever)."""
    return min(cells, 2 + int((hidden[children] & gruppen.ist_einheit[children]).any()))


@dataclass
class Muster:
    """Suppression of one Stichtag: per indicator, which rows are hidden and which flagged."""

    unterdrueckt: dict[str, Mask]
    primaer: dict[str, Mask]
    unsicher: dict[str, Mask]


def berechne_muster(werte: dict[str, Werte], stand: Gebietsstand, katalog: Katalog, settings: DatenSettings) -> Muster:
    """The pattern of one Stichtag from its computed values (all indicators share one area list)."""
    first = next(iter(werte.values()))
    ids = [int(i) for i in first.ids]
    gruppen = Gruppen.aus(ids, stand)
    cache: dict[tuple[tuple[MerkmalKey, ...], int], tuple[Mask, Mask]] = {}
    hidden_by, primary_by, flagged_by = {}, {}, {}
    for code, ind in katalog.indikatoren.items():
        current = werte[code]
        hidden = np.zeros(len(ids), dtype=bool)
        primary = np.zeros(len(ids), dtype=bool)
        thresholds = np.array([schwelle(ind, e, settings) for e in gruppen.ebenen])
        for series in geschuetzte_reihen(ind, katalog):
            key = (series, -1 if ind.geheimhaltung is None else ind.geheimhaltung)
            if key not in cache:
                if series == ind.zaehler_keys:
                    values, codes = current.zaehler, current.zaehler_code
                else:
                    assert current.nenner is not None and current.nenner_code is not None
                    values, codes = current.nenner, current.nenner_code
                small = (codes == Fehlwert.VORHANDEN) & (values > 0) & (values < thresholds)
                # Only values the publisher withheld are secrets in the equations; an area without
                # data (not delivered, not applicable, later) hides nothing and protects nothing.
                unknown = np.isin(codes, GEHEIME_FEHLWERTE)
                known_values = np.where(codes == Fehlwert.VORHANDEN, values, 0.0)
                complement = sekundaer(known_values, unknown, small, gruppen, int(thresholds.max()))
                cache[key] = (complement & ~unknown, small)
            series_hidden, series_small = cache[key]
            hidden |= series_hidden
            primary |= series_small
        flagged = np.zeros(len(ids), dtype=bool)
        if ind.ist_quote:
            flagged = (current.zaehler_code == Fehlwert.VORHANDEN) & (current.zaehler < settings.unsicher_unter)
        hidden_by[code], primary_by[code], flagged_by[code] = hidden, primary, flagged & ~hidden
    return Muster(hidden_by, primary_by, flagged_by)
