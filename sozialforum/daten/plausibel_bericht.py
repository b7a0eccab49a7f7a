"""The plausibility report of a load: what is possible but unlikely, reported, never a block.

After the checks that refuse a file (``plausibel.pruefe``: duplicates, negative counts), the
file's values are compared, with the store, against what they should agree with:

- ``summe``: a total against the sum of its parts — an area's value against its sub-areas
  (also across tables: a wrong total delivered for a Kreis would replace the sum of its
  Gemeinden in every output), and a total over all ages against its age bands;
- ``anteil``: a share above 100 % (numerator above denominator, or a delivered share);
- ``sprung``: an indicator that moved beyond the configured band against the previous
  Stichtag, further than the area ever moved before;
- ``ohne_werte``: an area whose every value in the file is missing or ``-`` (a re-formed
  Landkreis would show zero unemployed);
- ``bruch``: a count that is not a whole number;
- ``bevoelkerung``: more inhabitants than Germany (or ten times the register), or a count
  larger than the area's population.

Each finding names file, area, Merkmal, Stichtag and the numbers in German; the load stores
them with the delivery (``Plausibilitaetsbefund``), and a person accepts them in the workspace.
All checks are array operations; texts are written only for what is found, and at most
``einzeln`` findings of one kind are listed one by one (a nationwide file with a broken column
would otherwise give 11,000 lines): the rest are counted.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.daten.berechnung import Codes, Floats, _grouped_sum, kennzahl
from sozialforum.daten.fehlwerte import NICHT_GELIEFERT, NICHTS, VORHANDEN, combine_sum
from sozialforum.daten.katalog import IndikatorDef, Katalog, PlausibilitaetDef
from sozialforum.daten.merkmale import MerkmalKey, describe, parse_key, tile
from sozialforum.daten.plausibel import tafeln
from sozialforum.daten.speicher import Tafel, lade_bestand
from sozialforum.store import audit
from sozialforum.store.models import Datenlieferung, Gebiet, Plausibilitaetsbefund, Wertespalte
from sozialforum.store.models.base import table_of
from sozialforum.timeutil import format_zahl
from sozialforum.vocab import AuditAktion

if TYPE_CHECKING:
    from sozialforum.daten.zeilen import Zeilen

ARTEN = {
    "summe": "Summe der Teile",
    "anteil": "Anteil über 100 %",
    "sprung": "Sprung",
    "ohne_werte": "Gebiet ohne Werte",
    "bruch": "keine ganze Zahl",
    "bevoelkerung": "mehr als die Bevölkerung",
}
Wo = Callable[[int, MerkmalKey], "tuple[int, str] | None"]


@dataclass(frozen=True)
class Befund:
    art: str
    datei: str
    meldung: str
    gebiet: str | None = None  # the area's key
    merkmal: str | None = None  # Merkmal key or indicator code
    stichtag: date | None = None
    zeile: int | None = None
    spalte: str | None = None

    def __str__(self) -> str:
        where = self.datei
        if self.zeile is not None:
            where += f", Zeile {self.zeile}"
        if self.spalte:
            where += f", Spalte „{self.spalte}“"
        return f"{where}: {ARTEN[self.art]}: {self.meldung}"


class _Gebiete:
    """The area tree as arrays (read on every load: four columns, no objects per area); keys,
    names and register populations only when a finding needs them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._namen: dict[int, tuple[str, str, int | None]] = {}
        self._eltern: np.ndarray | None = None

    def eltern(self) -> np.ndarray:
        """The ids of areas that have sub-areas (a few hundred: Sozialräume and above)."""
        if self._eltern is None:
            query = sa.select(col(Gebiet.parent_id)).where(col(Gebiet.parent_id).is_not(None)).distinct()
            self._eltern = np.array(self.session.connection().execute(query).scalars().all(), dtype=np.int64)
        return self._eltern

    @cached_property
    def _baum(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(ids, parent by id, valid from, valid to), read only when a sum is to be compared.
        Dates as ISO text (compared as text): no date object per area and load."""
        rows = (
            self.session.connection()
            .execute(
                sa.select(
                    col(Gebiet.id),
                    col(Gebiet.parent_id),
                    sa.cast(col(Gebiet.gueltig_ab), sa.String),
                    sa.cast(col(Gebiet.gueltig_bis), sa.String),
                )
            )
            .all()
        )
        ids_, parents, ab, bis = zip(*rows, strict=True) if rows else ((), (), (), ())
        ids = np.array(ids_, dtype=np.int64)
        parent = np.full(int(ids.max(initial=0)) + 1, -1, dtype=np.int64)
        parent[ids] = [-1 if p is None else p for p in parents]
        return (
            ids,
            parent,
            np.array(ab, dtype="U10"),
            np.array(["9999-12-31" if b is None else b for b in bis], dtype="U10"),
        )

    def _name(self, bereich_id: int) -> tuple[str, str, int | None]:
        if bereich_id not in self._namen:  # only for the few areas a finding names
            row = (
                self.session.connection()
                .execute(
                    sa.select(col(Gebiet.schluessel), col(Gebiet.name), col(Gebiet.einwohner)).where(
                        col(Gebiet.id) == bereich_id
                    )
                )
                .one()
            )
            self._namen[bereich_id] = (row[0], row[1], row[2])
        return self._namen[bereich_id]

    def label(self, bereich_id: int) -> str:
        key, name, _ = self._name(bereich_id)
        return f"{name} ({key})"

    def schluessel(self, bereich_id: int) -> str:
        return self._name(bereich_id)[0]

    def einwohner(self, bereich_id: int) -> int | None:
        return self._name(bereich_id)[2]

    def ebenen(self, day: date) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
        """The areas valid on ``day`` in id order and, deepest first, per level the rows of the
        children grouped by parent, their parents' rows and where each group starts (as
        ``gebietsstand.Baum``, from arrays)."""
        ids, parent, ab, bis = self._baum
        text = day.isoformat()
        valid = np.sort(ids[(ab <= text) & (text <= bis)])
        row_of = np.full(len(parent), -1, dtype=np.int64)
        row_of[valid] = np.arange(len(valid))
        parent_row = np.where(parent[valid] >= 0, row_of[np.maximum(parent[valid], 0)], -1)
        depth = np.zeros(len(valid), dtype=np.int64)
        current = parent_row.copy()
        for _ in range(50):  # a tree is shallow; the bound guards against a cycle
            has = current >= 0
            if not has.any():
                break
            depth += has
            current = np.where(has, parent_row[np.maximum(current, 0)], -1)
        levels = []
        for level in range(int(depth.max(initial=0)), 0, -1):
            children = np.flatnonzero((depth == level) & (parent_row >= 0))
            if not len(children):
                continue
            children = children[np.argsort(parent_row[children], kind="stable")]
            parents, starts = np.unique(parent_row[children], return_index=True)
            levels.append((children, parents, starts))
        return valid, levels


class _Sammlung:
    """Findings per kind, the first ``einzeln`` with text, the others only counted."""

    def __init__(self, datei: str, einzeln: int) -> None:
        self.datei, self.einzeln = datei, einzeln
        self.befunde: dict[str, list[Befund]] = {art: [] for art in ARTEN}
        self.weitere: dict[str, int] = dict.fromkeys(ARTEN, 0)
        self.ungeprueft = 0  # jumps beyond the band not compared with the history (list full)

    def frei(self, art: str) -> int:
        return max(0, self.einzeln - len(self.befunde[art]))

    def zaehle(self, art: str, anzahl: int) -> None:
        self.weitere[art] += anzahl

    def add(self, befund: Befund) -> None:
        if len(self.befunde[befund.art]) < self.einzeln:
            self.befunde[befund.art].append(befund)
        else:
            self.weitere[befund.art] += 1

    def alle(self) -> list[Befund]:
        out = []
        for art, found in self.befunde.items():
            out += found
            if self.weitere[art]:
                out.append(
                    Befund(art, self.datei, f"… und {format_zahl(self.weitere[art])} weitere Befunde dieser Art.")
                )
            if art == "sprung" and self.ungeprueft:
                out.append(
                    Befund(
                        art,
                        self.datei,
                        f"… und {format_zahl(self.ungeprueft)} weitere Werte jenseits des Bandes, deren Verlauf "
                        "nicht mehr einzeln geprüft wurde: bitte die Datei insgesamt prüfen.",
                    )
                )
        return out


def _genau(value: float) -> str:
    """A number as delivered, up to three decimals: 64,5 rather than 64,500."""
    text = format_zahl(value, 3)
    return text.rstrip("0").rstrip(",") if "," in text else text


def befunde(session: Session, datei: str, rows: Zeilen, katalog: Katalog) -> list[Befund]:
    """The plausibility findings of a file that passed the checks (nothing is written)."""
    if not rows.anzahl or not rows.eigene()[0]:
        return []
    regeln = katalog.plausibilitaet
    gebiete = _Gebiete(session)
    out = _Sammlung(datei, regeln.einzeln)
    file_days = sorted(set(rows.stichtage))
    earlier = _fruehere(session, file_days[0], regeln.verlauf)
    stored: dict[date, Tafel | None] = dict(lade_bestand(session, file_days))
    names = {key.name for key in rows.merkmale}
    file_keys = set(rows.merkmale)
    by_day = {day: (tafel, where) for day, tafel, where in tafeln(stored, rows)}

    def loader(d: date) -> Callable[[], Tafel | None]:
        def load() -> Tafel | None:
            if d in by_day:
                return by_day[d][0]
            if d not in stored:  # an earlier Stichtag: read only when a jump needs it
                stored[d] = lade_bestand(session, [d]).get(d)
            return stored[d]

        return load

    for day, (tafel, where) in sorted(by_day.items(), key=lambda item: item[0]):
        _einzelwerte(out, tafel, where, file_keys, day, katalog, gebiete)
        _altersgruppen(out, tafel, where, file_keys, day, katalog, gebiete)
        _anteile(out, tafel, where, names, day, katalog, gebiete)
        _teile(out, stored.get(day), tafel, where, file_keys, day, katalog, gebiete, regeln)
        days = sorted({d for d in earlier if d < day} | {d for d in by_day if d < day})[-max(regeln.verlauf, 1) :]
        history = [(d, loader(d)) for d in days]
        _spruenge(out, tafel, where, names, day, history, katalog, gebiete, regeln)
    return out.alle()


def speichere(session: Session, lieferung_id: int, found: list[Befund]) -> None:
    """The findings with the delivery, in bulk, each with its audit entry (created)."""
    if not found:
        return
    table = table_of(Plausibilitaetsbefund)
    rows = [
        {
            "datenlieferung_id": lieferung_id,
            "art": b.art,
            "gebiet": b.gebiet,
            "merkmal": b.merkmal,
            "stichtag": b.stichtag,
            "zeile": b.zeile,
            "spalte": b.spalte,
            "meldung": b.meldung,
        }
        for b in found
    ]
    session.execute(sa.insert(table), rows)
    ids = session.scalars(sa.select(table.c.id).where(table.c.datenlieferung_id == lieferung_id))
    audit.record_bulk(session, table=table.name, entries=[(i, AuditAktion.CREATE, {}) for i in ids])


def _fruehere(session: Session, first: date, count: int) -> list[date]:
    if count <= 0:
        return []
    query = (
        sa.select(col(Wertespalte.stichtag))
        .where(col(Wertespalte.stichtag) < first)
        .distinct()
        .order_by(col(Wertespalte.stichtag).desc())
        .limit(count)
    )
    return list(session.scalars(query))


def _ausrichten(source: Tafel | None, ids: list[int], keys: list[MerkmalKey], *, kopie: bool = False) -> Tafel:
    """``source``'s values for the areas ``ids`` (sorted) and the columns ``keys``: the source
    itself when it has exactly these (the usual case of a file like the one before), unless a
    ``kopie`` is wanted to write into."""
    if not kopie and source is not None and source.spalten == keys and list(source.index) == ids:
        return source
    out = Tafel.leer(ids, keys)
    if source is None or not len(source.index) or not ids:
        return out
    index = np.asarray(source.index, dtype=np.int64)
    wanted = np.asarray(ids, dtype=np.int64)
    position = np.minimum(np.searchsorted(index, wanted), len(index) - 1)
    found = index[position] == wanted
    have = {key: j for j, key in enumerate(source.spalten)}
    for j, key in enumerate(keys):
        c = have.get(key)
        if c is not None:
            out.werte[found, j] = source.werte[position[found], c]
            out.codes[found, j] = source.codes[position[found], c]
    return out


def _zelle(where: Wo, row: int, keys: tuple[MerkmalKey, ...] | list[MerkmalKey]) -> tuple[int | None, str | None]:
    for key in keys:
        found = where(row, key)
        if found is not None:
            return found
    return None, None


def _counts(katalog: Katalog, keys: list[MerkmalKey]) -> np.ndarray:
    return np.array([k.name in katalog.merkmale and katalog.merkmale[k.name].art == "anzahl" for k in keys], dtype=bool)


def _einzelwerte(
    out: _Sammlung,
    tafel: Tafel,
    where: Wo,
    file_keys: set[MerkmalKey],
    day: date,
    katalog: Katalog,
    gebiete: _Gebiete,
) -> None:
    """Counts that are not whole, populations beyond belief, areas whose values are all missing."""
    mine = np.array([key in file_keys for key in tafel.spalten], dtype=bool)
    counts = _counts(katalog, tafel.spalten) & mine
    present = tafel.codes == VORHANDEN
    values = np.where(present, tafel.werte, 0.0)
    namen = katalog.merkmal_namen
    stamp = f"{day:%d.%m.%Y}"
    # Counts that are not whole numbers (12,5 Arbeitslose).
    for r, c in zip(*np.nonzero(present & counts & (values != np.round(values))), strict=True):
        found = where(int(r), tafel.spalten[c])
        if found is None:
            continue
        key, area = tafel.spalten[c], int(tafel.index[r])
        out.add(
            Befund(
                "bruch",
                out.datei,
                f"{describe([key], namen)} in {gebiete.label(area)} am {stamp}: {_genau(values[r, c])} "
                "ist eine Anzahl, aber keine ganze Zahl (Dezimal- und Tausendertrennzeichen prüfen).",
                gebiete.schluessel(area),
                str(key),
                day,
                *found,
            )
        )
    # Populations beyond belief (10^20 inhabitants), and counts above the area's population.
    population = parse_key(katalog.index.bevoelkerung)
    people_columns = np.array([key.name == population.name for key in tafel.spalten], dtype=bool)
    limit = float(katalog.plausibilitaet.hoechstbevoelkerung)
    too_many = present & (people_columns & mine) & (values > limit)
    for r, c in zip(*np.nonzero(too_many), strict=True):
        found = where(int(r), tafel.spalten[c])
        if found is None:
            continue
        area = int(tafel.index[r])
        register = gebiete.einwohner(area)
        known = "" if register is None else f"; im Gebietsverzeichnis stehen {format_zahl(register)}"
        out.add(
            Befund(
                "bevoelkerung",
                out.datei,
                f"{describe([tafel.spalten[c]], namen)} in {gebiete.label(area)} am {stamp}: "
                f"{format_zahl(values[r, c])} – mehr, als Deutschland Einwohner hat "
                f"({format_zahl(limit)}){known}.",
                gebiete.schluessel(area),
                str(tafel.spalten[c]),
                day,
                *found,
            )
        )
    if population in tafel.spalten:
        total = tafel.column(population)
        others = counts & ~people_columns
        above = present & others & present[:, [total]] & (values > values[:, [total]])
        for r, c in zip(*np.nonzero(above), strict=True):
            found = where(int(r), tafel.spalten[c])
            if found is None:
                continue
            area = int(tafel.index[r])
            out.add(
                Befund(
                    "bevoelkerung",
                    out.datei,
                    f"{describe([tafel.spalten[c]], namen)} in {gebiete.label(area)} am {stamp}: "
                    f"{format_zahl(values[r, c])}, mehr als die {format_zahl(values[r, total])} Einwohner "
                    "des Gebiets.",
                    gebiete.schluessel(area),
                    str(tafel.spalten[c]),
                    day,
                    *found,
                )
            )
    # An area whose every value in this file is missing or "-" (a re-formed Landkreis).
    if mine.any():
        empty = ~(present[:, mine]).any(axis=1)
        file_columns = [tafel.spalten[c] for c in np.flatnonzero(mine)]
        for r in np.flatnonzero(empty):
            line, _ = _zelle(where, int(r), file_columns)
            if line is None:
                continue
            area = int(tafel.index[r])
            codes = tafel.codes[r, mine]
            all_dash = bool((codes == NICHTS).all())
            shown = "„-“ (nichts vorhanden)" if all_dash else "fehlende Werte"
            consequence = (
                "In den Kennzahlen stünde dort 0 – bei einem neu gebildeten oder umbenannten Gebiet bitte prüfen."
                if all_dash
                else "Die Kennzahlen des Gebiets fehlen für diesen Stichtag."
            )
            out.add(
                Befund(
                    "ohne_werte",
                    out.datei,
                    f"{gebiete.label(area)} am {stamp}: "
                    + (
                        f"der einzige Wert der Datei ist {shown}. "
                        if len(file_columns) == 1
                        else f"alle {len(file_columns)} Werte der Datei sind {shown}. "
                    )
                    + consequence,
                    gebiete.schluessel(area),
                    None,
                    day,
                    line,
                    None,
                )
            )


def _altersgruppen(
    out: _Sammlung,
    tafel: Tafel,
    where: Wo,
    file_keys: set[MerkmalKey],
    day: date,
    katalog: Katalog,
    gebiete: _Gebiete,
) -> None:
    """A total over all ages against the age bands that add up to it."""
    tolerance = katalog.plausibilitaet.summe_toleranz
    for key in tafel.spalten:
        if not key.alle_alter or katalog.merkmale.get(key.name) is None:
            continue
        parts = tile(key, [k for k in tafel.spalten if k.name == key.name and not k.alle_alter])
        if not parts or not ({key, *parts} & file_keys):
            continue
        total_c = tafel.column(key)
        columns = [tafel.column(p) for p in parts]
        codes = tafel.codes[:, [total_c, *columns]]
        usable = ((codes == VORHANDEN) | (codes == NICHTS)).all(axis=1) & (codes[:, 0] == VORHANDEN)
        total = tafel.werte[:, total_c]
        summed = np.where(tafel.codes[:, columns] == VORHANDEN, tafel.werte[:, columns], 0.0).sum(axis=1)
        off = usable & (np.abs(total - summed) > np.maximum(1.0, tolerance * np.abs(total)))
        for r in np.flatnonzero(off):
            line, column = _zelle(where, int(r), [key, *parts])
            if line is None:
                continue
            area = int(tafel.index[r])
            out.add(
                Befund(
                    "summe",
                    out.datei,
                    f"{describe([key], katalog.merkmal_namen)} in {gebiete.label(area)} am {day:%d.%m.%Y}: "
                    f"insgesamt {format_zahl(total[r])}, die Altersgruppen "
                    f"({', '.join(p.altersgruppe for p in parts)}) ergeben {format_zahl(summed[r])} "
                    f"(Abweichung {format_zahl(total[r] - summed[r])}).",
                    gebiete.schluessel(area),
                    str(key),
                    day,
                    line,
                    column,
                )
            )


def _teile(
    out: _Sammlung,
    stored: Tafel | None,
    tafel: Tafel,
    where: Wo,
    file_keys: set[MerkmalKey],
    day: date,
    katalog: Katalog,
    gebiete: _Gebiete,
    regeln: PlausibilitaetDef,
) -> None:
    """An area's count against the sum of its sub-areas, the file's values over the stored ones,
    summed up the tree as the computation does (``berechnung.vollstaendige_tafel``: a delivered
    value wins over the sum). Only where every sub-area has a value (``-`` counts as 0) and the
    total or one of its parts comes from this file. A delivered total wins over the sum in every
    output, so a typo in it (7.602 for 6.702), or another table's total, must be seen here."""
    keys = [k for k in tafel.spalten if k in file_keys and katalog.merkmale.get(k.name) is not None]
    keys = [k for k, is_count in zip(keys, _counts(katalog, keys), strict=True) if is_count]
    if not keys:
        return
    # Only an area with a value of its own (in the file or stored) can disagree with its parts:
    # a file of Gemeinden alone, with nothing above them stored, has nothing to compare.
    delivered = np.asarray(tafel.index, dtype=np.int64)
    if stored is not None:
        delivered = np.concatenate([delivered, np.asarray(stored.index, dtype=np.int64)])
    if not np.isin(delivered, gebiete.eltern()).any():
        return
    valid, ebenen = gebiete.ebenen(day)
    if not ebenen:
        return
    index = valid.tolist()
    full = _ausrichten(stored, index, keys, kopie=True)
    mine = _ausrichten(tafel, index, keys)
    from_file = np.isin(valid, np.asarray(tafel.index, dtype=np.int64))
    full.werte[from_file], full.codes[from_file] = mine.werte[from_file], mine.codes[from_file]
    involved = from_file.copy()
    namen = katalog.merkmal_namen
    file_rows = np.asarray(tafel.index, dtype=np.int64)
    for children, parents, starts in ebenen:
        sums, codes = _grouped_sum(full.werte[children], full.codes[children], starts)
        own, own_codes = full.werte[parents], full.codes[parents]
        child_from_file = np.maximum.reduceat(involved[children].astype(np.int8), starts) > 0
        sizes = np.diff(np.append(starts, len(children)))
        compare = (own_codes == VORHANDEN) & (codes == VORHANDEN) & (from_file[parents] | child_from_file)[:, None]
        off = compare & (np.abs(own - sums) > np.maximum(1.0, regeln.summe_toleranz * np.abs(own)))
        for g, j in zip(*np.nonzero(off), strict=True):
            area, key = int(valid[parents[g]]), keys[j]
            line, column = None, None
            if from_file[parents[g]]:
                found = where(int(np.searchsorted(file_rows, area)), key)
                line, column = found if found is not None else (None, None)
            source = "aus dieser Datei" if from_file[parents[g]] else "aus einer früheren Lieferung"
            parts_source = "mit Werten dieser Datei" if child_from_file[g] else "aus früheren Lieferungen"
            out.add(
                Befund(
                    "summe",
                    out.datei,
                    f"{describe([key], namen)} in {gebiete.label(area)} am {day:%d.%m.%Y}: geliefert "
                    f"{format_zahl(own[g, j])} ({source}), die Summe der {int(sizes[g])} Teilgebiete "
                    f"({parts_source}) ist {format_zahl(sums[g, j])} "
                    f"(Abweichung {format_zahl(own[g, j] - sums[g, j])}). "
                    "In den Kennzahlen gilt der gelieferte Wert, nicht die Summe.",
                    gebiete.schluessel(area),
                    str(key),
                    day,
                    line,
                    column,
                )
            )
        # Up the tree as the computation goes: the delivered value, else the sum.
        use_sum = (own_codes != VORHANDEN) & ((codes == VORHANDEN) | (own_codes == NICHT_GELIEFERT))
        full.werte[parents] = np.where(use_sum, sums, own)
        full.codes[parents] = np.where(use_sum, codes, own_codes)
        involved[parents] |= child_from_file


class _Summen:
    """Numerators and denominators over one column layout: which delivered columns make up a
    Merkmal with its band (``merkmale.tile``) is resolved once, not per indicator and Stichtag."""

    def __init__(self, spalten: list[MerkmalKey]) -> None:
        self.spalten = spalten
        self.position = {key: i for i, key in enumerate(spalten)}
        self.columns: dict[tuple[MerkmalKey, ...], list[int] | None] = {}

    def spalten_fuer(self, keys: tuple[MerkmalKey, ...]) -> list[int] | None:
        if keys not in self.columns:
            found: list[int] | None = []
            for key in keys:
                parts = tile(key, self.spalten)
                if parts is None or found is None:
                    found = None
                    break
                found += [self.position[part] for part in parts]
            self.columns[keys] = found
        return self.columns[keys]

    def summe(self, keys: tuple[MerkmalKey, ...], tafel: Tafel, rows: np.ndarray | None = None) -> tuple[Floats, Codes]:
        columns = self.spalten_fuer(keys)
        n = len(tafel.index) if rows is None else len(rows)
        if columns is None:
            return np.full(n, np.nan), np.full(n, NICHT_GELIEFERT, dtype=np.int8)
        if len(columns) == 1:  # one column: a view, picked by row only when asked
            werte, codes = tafel.werte[:, columns[0]], tafel.codes[:, columns[0]]
            return (werte, codes) if rows is None else (werte[rows], codes[rows])
        werte, codes = tafel.werte[:, columns], tafel.codes[:, columns]
        if rows is not None:
            werte, codes = werte[rows], codes[rows]
        return combine_sum(werte, codes, axis=1)

    def kennzahl(
        self, ind: IndikatorDef, tafel: Tafel, rows: np.ndarray | None = None
    ) -> tuple[Floats, Codes, Floats, Codes]:
        """Value, code, numerator and its code, by the computation's own rule (``kennzahl``)."""
        z, zc = self.summe(ind.zaehler_keys, tafel, rows)
        n, nc = self.summe(ind.nenner_keys, tafel, rows) if ind.ist_quote else (None, None)
        wert, code = kennzahl(z, zc, n, nc, ind.faktor)
        return wert, code, z, zc


def _anteile(
    out: _Sammlung, tafel: Tafel, where: Wo, names: set[str], day: date, katalog: Katalog, gebiete: _Gebiete
) -> None:
    """A share (unit %) cannot exceed 100 %: the numerator is part of the denominator; a
    delivered share neither."""
    summen = _Summen(tafel.spalten)
    for ind in katalog.indikatoren.values():
        keys = (*ind.zaehler_keys, *ind.nenner_keys)
        if ind.einheit != "%" or not names & {k.name for k in keys}:
            continue
        z, zc = summen.summe(ind.zaehler_keys, tafel)
        if ind.ist_quote:
            n, nc = summen.summe(ind.nenner_keys, tafel)
            bad = np.flatnonzero((zc == VORHANDEN) & (nc == VORHANDEN) & (z > n))
        else:
            n = np.full(len(z), 100.0 / ind.faktor)
            bad = np.flatnonzero((zc == VORHANDEN) & (z * ind.faktor > 100.0))
        for r in bad:
            line, column = _zelle(where, int(r), keys)
            if line is None:
                continue
            area = int(tafel.index[r])
            numbers = (
                f"{format_zahl(z[r])} von {format_zahl(n[r])}" if ind.ist_quote else f"{_genau(z[r] * ind.faktor)} %"
            )
            out.add(
                Befund(
                    "anteil",
                    out.datei,
                    f"„{ind.name}“ in {gebiete.label(area)} am {day:%d.%m.%Y}: {numbers} – ein Anteil über 100 % "
                    + ("ist nicht möglich (Zähler größer als Nenner)." if ind.ist_quote else "ist nicht möglich."),
                    gebiete.schluessel(area),
                    ind.code,
                    day,
                    line,
                    column,
                )
            )


def _spruenge(
    out: _Sammlung,
    tafel: Tafel,
    where: Wo,
    names: set[str],
    day: date,
    history: list[tuple[date, Callable[[], Tafel | None]]],
    katalog: Katalog,
    gebiete: _Gebiete,
    regeln: PlausibilitaetDef,
) -> None:
    """An indicator of counts that moved beyond the band against the previous Stichtag, further
    than the area ever moved between its earlier Stichtage.

    Indicators of one numerator column (and one denominator column) are computed together as
    one matrix per Stichtag (80 rates over the population: one call, not 80); the history only
    for the areas beyond the band."""
    if not history:
        return
    inds = [
        ind
        for ind in katalog.indikatoren.values()
        if names & {k.name for k in (*ind.zaehler_keys, *ind.nenner_keys)}
        and _counts(katalog, [*ind.zaehler_keys, *ind.nenner_keys]).all()
    ]
    if not inds:
        return
    ids = [int(i) for i in tafel.index]
    summen = _Summen(tafel.spalten)
    aligned: dict[int, Tafel] = {}

    def earlier(position: int) -> Tafel:
        if position not in aligned:
            aligned[position] = _ausrichten(history[position][1](), ids, tafel.spalten)
        return aligned[position]

    blocks: dict[tuple[bool, bool], list[tuple[IndikatorDef, int, int]]] = {}
    for ind in inds:
        z = summen.spalten_fuer(ind.zaehler_keys)
        n = summen.spalten_fuer(ind.nenner_keys) if ind.ist_quote else []
        if z is not None and n is not None and len(z) == 1 and len(n) <= 1:
            blocks.setdefault((True, ind.ist_quote), []).append((ind, z[0], n[0] if n else -1))
        else:
            blocks.setdefault((False, ind.ist_quote), []).append((ind, -1, -1))
    for (simple, quote), members in blocks.items():
        groups = [members] if simple else [[member] for member in members]
        for group in groups:
            _sprung_block(out, tafel, where, day, history, earlier, summen, group, quote, gebiete, regeln)


def _block(
    tafel: Tafel, summen: _Summen, group: list[tuple[IndikatorDef, int, int]], quote: bool, rows: np.ndarray | None
) -> tuple[Floats, Codes, Floats, Codes]:
    """Value, code, numerator and its code of the group's indicators: areas × indicators."""
    if group[0][1] < 0:  # one indicator with sums of several columns
        wert, code, z, zc = summen.kennzahl(group[0][0], tafel, rows)
        return wert[:, None], code[:, None], z[:, None], zc[:, None]
    z_cols = [z for _, z, _ in group]
    werte = tafel.werte if rows is None else tafel.werte[rows]
    codes = tafel.codes if rows is None else tafel.codes[rows]
    z, zc = werte[:, z_cols], codes[:, z_cols]
    faktor = np.array([ind.faktor for ind, _, _ in group])
    if not quote:
        wert, code = kennzahl(z, zc, None, None, 1.0)
        return wert * faktor, code, z, zc
    n_cols = [n for _, _, n in group]
    wert, code = kennzahl(z, zc, werte[:, n_cols], codes[:, n_cols], 1.0)
    return wert * faktor, code, z, zc


def _sprung_block(
    out: _Sammlung,
    tafel: Tafel,
    where: Wo,
    day: date,
    history: list[tuple[date, Callable[[], Tafel | None]]],
    earlier: Callable[[int], Tafel],
    summen: _Summen,
    group: list[tuple[IndikatorDef, int, int]],
    quote: bool,
    gebiete: _Gebiete,
    regeln: PlausibilitaetDef,
) -> None:
    now, now_code, now_cases, now_cases_code = _block(tafel, summen, group, quote, None)
    then, then_code, then_cases, then_cases_code = _block(earlier(len(history) - 1), summen, group, quote, None)
    ok = (now_code == VORHANDEN) & (then_code == VORHANDEN)
    ok &= (now_cases_code == VORHANDEN) & (now_cases >= regeln.mindestfaelle)
    ok &= (then_cases_code == VORHANDEN) & (then_cases >= regeln.mindestfaelle)
    change = np.where(ok, now - then, 0.0)
    rows, columns = np.nonzero(ok & (np.abs(change) > regeln.sprung * np.abs(np.where(ok, then, 0.0))))
    if not len(rows):
        return
    # The area's own history: the earlier Stichtage, for the areas beyond the band only, in
    # chunks until the list is full (a broken file would otherwise be compared cell by cell).
    steps = len(history) - 1
    if not steps:  # no history yet: every value beyond the band is a finding; texts for the first
        free = out.frei("sprung")
        out.zaehle("sprung", max(0, len(rows) - free))
        rows, columns = rows[:free], columns[:free]
        series: list[tuple[Floats, Codes]] = [(then[rows, columns], then_code[rows, columns])]
        largest = np.zeros(len(rows))
    else:
        kept: list[tuple[np.ndarray, np.ndarray, np.ndarray, list[tuple[Floats, Codes]]]] = []
        found, start = 0, 0
        while start < len(rows) and found < max(out.frei("sprung"), 1):
            chunk_rows, c = rows[start : start + 4096], columns[start : start + 4096]
            start += len(chunk_rows)
            picked = np.unique(chunk_rows)
            at = np.searchsorted(picked, chunk_rows)
            older = [_block(earlier(p), summen, group, quote, picked) for p in range(steps)]
            part = [(v[at, c], k[at, c]) for v, k, *_ in older]
            part.append((then[chunk_rows, c], then_code[chunk_rows, c]))
            biggest = np.zeros(len(chunk_rows))
            for (a, a_code), (b, b_code) in itertools.pairwise(part):
                both = (a_code == VORHANDEN) & (b_code == VORHANDEN)
                biggest = np.maximum(biggest, np.where(both, np.abs(b - a), 0.0))
            keep = np.abs(change[chunk_rows, c]) > biggest
            kept.append((chunk_rows[keep], c[keep], biggest[keep], [(v[keep], k[keep]) for v, k in part]))
            found += int(keep.sum())
        out.ungeprueft += len(rows) - start
        rows = np.concatenate([k[0] for k in kept])
        columns = np.concatenate([k[1] for k in kept])
        largest = np.concatenate([k[2] for k in kept])
        series = [
            (np.concatenate([k[3][i][0] for k in kept]), np.concatenate([k[3][i][1] for k in kept]))
            for i in range(steps + 1)
        ]
    free = out.frei("sprung")
    if len(rows) > free:
        out.zaehle("sprung", len(rows) - free)
    before_day = history[-1][0]
    for k in range(min(free, len(rows))):
        r, j = int(rows[k]), int(columns[k])
        ind = group[j][0]
        digits = ind.nachkommastellen
        line, column = _zelle(where, r, [*ind.zaehler_keys, *ind.nenner_keys])
        area = int(tafel.index[r])
        percent = change[r, j] / abs(then[r, j]) * 100 if then[r, j] else float("inf")
        known = [float(values[k]) for values, codes in series if codes[k] == VORHANDEN]
        past = (
            f"; bisher zwischen {format_zahl(min(known), digits)} und {format_zahl(max(known), digits)}, "
            f"größte Änderung zwischen zwei Stichtagen {format_zahl(largest[k], digits)}"
            if steps and len(known) > 1
            else ""
        )
        out.add(
            Befund(
                "sprung",
                out.datei,
                f"„{ind.name}“ in {gebiete.label(area)} am {day:%d.%m.%Y}: {format_zahl(now[r, j], digits)} "
                f"nach {format_zahl(then[r, j], digits)} am {before_day:%d.%m.%Y} "
                f"({'+' if percent > 0 else ''}{format_zahl(percent, 1)} %, erlaubt "
                f"±{format_zahl(regeln.sprung * 100)} %){past}.",
                gebiete.schluessel(area),
                ind.code,
                day,
                line,
                column,
            )
        )


def akzeptiere(session: Session, befund_id: int, *, von: str, am: datetime, begruendung: str) -> bool:
    """Record that a person checked a finding and accepts the value (audited: the table is);
    False when it was accepted before. ValueError with a German message for a bad input."""
    befund = session.get(Plausibilitaetsbefund, befund_id)
    if befund is None:
        raise ValueError("Befund: nicht gefunden (bitte aus der Liste wählen).")
    if not begruendung.strip():
        raise ValueError("Begründung: bitte angeben, warum der Wert stimmt oder hingenommen wird.")
    if befund.akzeptiert_am is not None:
        return False
    befund.akzeptiert_am, befund.akzeptiert_von, befund.begruendung = am, von, begruendung.strip()
    session.add(befund)
    return True


def offene(session: Session, grenze: int = 500) -> list[tuple[Plausibilitaetsbefund, str]]:
    """Findings not yet accepted, newest delivery first, with their file's name."""
    rows = session.execute(
        sa.select(Plausibilitaetsbefund, col(Datenlieferung.datei))
        .join(Datenlieferung, col(Datenlieferung.id) == col(Plausibilitaetsbefund.datenlieferung_id))
        .where(col(Plausibilitaetsbefund.akzeptiert_am).is_(None))
        .order_by(col(Plausibilitaetsbefund.datenlieferung_id).desc(), col(Plausibilitaetsbefund.id))
        .limit(grenze)
    ).all()
    return [(befund, datei) for befund, datei in rows]


def akzeptierte(session: Session, grenze: int = 200) -> list[tuple[Plausibilitaetsbefund, str]]:
    rows = session.execute(
        sa.select(Plausibilitaetsbefund, col(Datenlieferung.datei))
        .join(Datenlieferung, col(Datenlieferung.id) == col(Plausibilitaetsbefund.datenlieferung_id))
        .where(col(Plausibilitaetsbefund.akzeptiert_am).is_not(None))
        .order_by(col(Plausibilitaetsbefund.akzeptiert_am).desc())
        .limit(grenze)
    ).all()
    return [(befund, datei) for befund, datei in rows]
