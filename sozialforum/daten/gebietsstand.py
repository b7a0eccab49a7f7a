"""The area hierarchy as it stood on a Stichtag, and matching source keys to areas.

Areas are versioned (re-formed Kreise and merged Gemeinden): a key is matched to the version
valid on the Stichtag of the value. Keys are compared as strings, never as numbers, so
``03199001`` keeps its leading zero; a 5-digit Kreis key from a GENESIS Kreise table matches the
Kreis whose AGS it starts.

The store (SQLAlchemy, SQLModel, the models: ~0.45 s CPU to import) is imported inside the
functions that read it, so that the computation, which needs only ``Gebietsstand`` and
``Baum``, can be imported by the refresh's worker process (``daten.vorlesen``) without it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from itertools import repeat
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import numpy.typing as npt

from sozialforum.timeutil import format_datum_kurz

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlalchemy.orm import Session


class Bereich(NamedTuple):
    """One area version, detached from the session (a tuple: 11,000 of them build quickly)."""

    id: int
    schluessel: str
    name: str
    ebene: str
    parent_id: int | None
    ags: str | None
    ars: str | None
    einwohner: int | None
    gueltig_ab: date
    gueltig_bis: date | None

    def valid_on(self, day: date) -> bool:
        return self.gueltig_ab <= day and (self.gueltig_bis is None or day <= self.gueltig_bis)


Ebene = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]


def ebenen(depth: npt.NDArray[np.int64], parent_row: npt.NDArray[np.int64]) -> list[Ebene]:
    """Per level, deepest first: the rows of the children grouped by parent, their parents'
    rows and where each group starts (rows with their depth and their parent's row, -1 for none)."""
    levels = []
    for level in range(int(depth.max(initial=0)), 0, -1):
        children = np.flatnonzero((depth == level) & (parent_row >= 0))
        if not len(children):
            continue
        children = children[np.argsort(parent_row[children], kind="stable")]
        parents, starts = np.unique(parent_row[children], return_index=True)
        levels.append((children, parents, starts))
    return levels


@dataclass(frozen=True)
class Baum:
    """Areas in id order (``ids``, ``index``), and per level, deepest first, the rows of the
    children grouped by parent, their parents' rows and where each group starts."""

    ids: npt.NDArray[np.int64]
    index: list[int]
    ebenen: list[Ebene]

    @classmethod
    def aus(cls, stand: Gebietsstand, valid: tuple[int, ...]) -> Baum:
        ids: set[int] = set(valid)
        for bereich_id in valid:
            parent = stand.bereiche[bereich_id].parent_id
            while parent is not None and parent not in ids and parent in stand.bereiche:
                ids.add(parent)
                parent = stand.bereiche[parent].parent_id
        order = sorted(ids)
        row_of = {bereich_id: i for i, bereich_id in enumerate(order)}
        depth = np.fromiter(map(stand.tiefe, order), dtype=np.int64, count=len(order))
        parent_row = np.fromiter(
            (-1 if p is None else row_of.get(p, -1) for p in (stand.bereiche[i].parent_id for i in order)),
            dtype=np.int64,
            count=len(order),
        )
        return cls(np.array(order, dtype=np.int64), order, ebenen(depth, parent_row))


@dataclass
class Gebietsstand:
    bereiche: dict[int, Bereich]
    vorgaenger: dict[int, list[int]]  # successor → predecessors
    _am: dict[date, list[Bereich]] = field(default_factory=dict, repr=False, compare=False)
    _tiefe: dict[int, int] = field(default_factory=dict, repr=False, compare=False)
    _baum: dict[tuple[int, ...] | date, Baum] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def aus(cls, session: Session) -> Gebietsstand:
        import sqlalchemy as sa
        from sqlmodel import col

        from sozialforum.store.models import Gebiet, GebietVorgaenger

        # The driver's tuples, not ORM rows nor Core rows: read for every computation and output.
        rows = _zeilen(
            session,
            sa.select(
                col(Gebiet.id),
                col(Gebiet.schluessel),
                col(Gebiet.name),
                col(Gebiet.ebene),
                col(Gebiet.parent_id),
                col(Gebiet.ags),
                col(Gebiet.ars),
                col(Gebiet.einwohner),
                col(Gebiet.gueltig_ab),
                col(Gebiet.gueltig_bis),
            ),
        )
        days: dict[Any, date | None] = {None: None}  # each distinct date converted once
        days.update((value, _day(value)) for value in {row[8] for row in rows} | {row[9] for row in rows} if value)
        connection = session.connection()
        links: dict[int, list[int]] = {}
        for gebiet_id, vorgaenger_id in connection.execute(
            sa.select(col(GebietVorgaenger.gebiet_id), col(GebietVorgaenger.vorgaenger_id))
        ):
            links.setdefault(gebiet_id, []).append(vorgaenger_id)
        return cls({row[0]: Bereich._make((*row[:8], days[row[8]], days[row[9]])) for row in rows}, links)

    def am(self, day: date) -> list[Bereich]:
        found = self._am.get(day)
        if found is None:  # asked for every level and output of a Stichtag: kept
            found = self._am[day] = [b for b in self.bereiche.values() if b.valid_on(day)]
        return list(found)

    def tiefe(self, bereich_id: int) -> int:
        depth = self._tiefe.get(bereich_id)
        if depth is None:
            depth, seen = 0, set()
            current = self.bereiche[bereich_id].parent_id
            while current is not None and current in self.bereiche and current not in seen:
                seen.add(current)
                depth += 1
                current = self.bereiche[current].parent_id
            self._tiefe[bereich_id] = depth
        return depth

    def baum(self, day: date) -> Baum:
        """The hierarchy of the areas valid on ``day`` and their ancestors, as arrays for
        summing up level by level; the same for every Stichtag with the same areas."""
        found = self._baum.get(day)
        if found is None:
            valid = tuple(sorted(b.id for b in self.am(day)))
            found = self._baum.get(valid) or Baum.aus(self, valid)
            self._baum[valid] = self._baum[day] = found
        return found

    def kinder(self, bereich_id: int, day: date) -> list[Bereich]:
        return sorted((b for b in self.am(day) if b.parent_id == bereich_id), key=lambda b: b.schluessel)

    def nach_schluessel(self, schluessel: str, day: date | None = None) -> Bereich | None:
        found = [b for b in self.bereiche.values() if b.schluessel == schluessel]
        if day is not None:
            found = [b for b in found if b.valid_on(day)] or found
        return max(found, key=lambda b: b.gueltig_ab) if found else None

    def kreis(self, day: date) -> Bereich | None:
        roots = [b for b in self.am(day) if b.parent_id is None and b.ebene == "kreis"]
        return roots[0] if roots else None


@dataclass
class Zuordnung:
    """Result of matching keys: ids (-1 unmatched), and a German reason per unmatched key."""

    ids: npt.NDArray[np.int64]
    gruende: dict[int, str]


def _zeilen(session: Session, query: sa.Select[Any]) -> list[tuple[Any, ...]]:
    """The rows of a query without parameters as the driver's tuples (dates as the driver gives
    them, SQLite: text): the areas are read on every load, and for 11,000 Gemeinden SQLAlchemy's
    row objects cost several times the query."""
    connection = session.connection()
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(query.compile(dialect=connection.dialect)))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


class Schluesselabgleich:
    """Source keys to area ids. ``aus`` reads only what matching needs (a file of 11,000
    Gemeinden is matched with array operations); the full Gebietsstand is read only when a
    key needs explaining (unknown, or an area that did not exist on the day)."""

    def __init__(self, stand: Gebietsstand | Callable[[], Gebietsstand]) -> None:
        self._stand = stand
        self.zeilen: list[tuple[Any, ...]] = []  # the rows ``aus`` built the index from
        if isinstance(stand, Gebietsstand):
            self._index(
                [
                    (b.id, b.schluessel, b.ags, b.ars, b.ebene, b.gueltig_ab, b.gueltig_bis)
                    for b in stand.bereiche.values()
                ]
            )

    @classmethod
    def aus(cls, session: Session, vorher: Schluesselabgleich | None = None) -> Schluesselabgleich:
        """The index of the areas in the store; ``vorher``'s, when it was built from exactly
        the same rows (the next file of a refresh: the rows are read, the index not rebuilt)."""
        import sqlalchemy as sa
        from sqlmodel import col

        from sozialforum.store.models import Gebiet

        abgleich = cls(lambda: Gebietsstand.aus(session))
        rows = _zeilen(
            session,
            sa.select(
                col(Gebiet.id),
                col(Gebiet.schluessel),
                col(Gebiet.ags),
                col(Gebiet.ars),
                col(Gebiet.ebene),
                col(Gebiet.gueltig_ab),
                col(Gebiet.gueltig_bis),
            ).order_by(col(Gebiet.id)),
        )
        if vorher is not None and vorher.zeilen == rows:
            abgleich.zeilen, abgleich.single, abgleich.ab, abgleich.bis = rows, vorher.single, vorher.ab, vorher.bis
        else:
            abgleich.zeilen = rows
            abgleich._index(rows)  # dates converted once per distinct date
        return abgleich

    def _index(self, rows: Iterable[Any]) -> None:
        """From rows (id, schluessel, ags, ars, ebene, gueltig_ab, gueltig_bis)."""
        keys: list[str] = []
        owners: list[int] = []
        ids: list[int] = []
        ab: list[Any] = []
        bis: list[Any] = []
        for area, key, one, two, ebene, start, end in rows:
            ids.append(area)
            ab.append(start)
            bis.append(end)
            keys.append(key)
            owners.append(area)
            if one and one != key:
                keys.append(one)
                owners.append(area)
            if two and two != key and two != one:
                keys.append(two)
                owners.append(area)
            if ebene == "kreis" and one and one.endswith("000"):  # a Kreise table's 5 digits
                keys.append(one[:5])
                owners.append(area)
        versions = Counter(keys)
        self.single = {key: area for key, area in zip(keys, owners, strict=True) if versions[key] == 1}
        ordinal = {day: _day(day).toordinal() for day in {*ab, *bis} if day is not None}
        ordinal[None] = date.max.toordinal()
        index = np.fromiter(ids, dtype=np.int64, count=len(ids))
        self.ab = np.zeros(int(index.max(initial=0)) + 1, dtype=np.int64)
        self.bis = np.zeros(len(self.ab), dtype=np.int64)
        self.ab[index] = np.fromiter(map(ordinal.__getitem__, ab), dtype=np.int64, count=len(ids))
        self.bis[index] = np.fromiter(map(ordinal.__getitem__, bis), dtype=np.int64, count=len(ids))

    @cached_property
    def stand(self) -> Gebietsstand:
        return self._stand if isinstance(self._stand, Gebietsstand) else self._stand()

    @cached_property
    def by_key(self) -> dict[str, list[Bereich]]:
        found: dict[str, list[Bereich]] = {}
        for bereich in self.stand.bereiche.values():
            key, ags, ars = bereich.schluessel, bereich.ags, bereich.ars
            found.setdefault(key, []).append(bereich)
            if ags and ags != key:
                found.setdefault(ags, []).append(bereich)
            if ars and ars != key and ars != ags:
                found.setdefault(ars, []).append(bereich)
            if bereich.ebene == "kreis" and ags and ags.endswith("000"):
                found.setdefault(ags[:5], []).append(bereich)
        return found

    def finde(self, key: str, day: date) -> tuple[int, str | None]:
        """(area id, None) or (-1, why not)."""
        versions = self.by_key.get(key)
        if versions is not None and len(versions) == 1 and versions[0].valid_on(day):
            return versions[0].id, None  # the usual case, kept fast for 11,000 Gemeinden
        if not versions:
            hint = ""
            if key.isdigit() and len(key) in (7, 11, 4) and self.by_key.get("0" + key):
                hint = f" – fehlt die führende Null? „0{key}“ wäre bekannt"
            return -1, f"unbekannter Gebietsschlüssel „{key}“{hint}"
        valid = [b for b in versions if b.valid_on(day)]
        if valid:
            return max(valid, key=lambda b: b.gueltig_ab).id, None
        spans = "; ".join(
            f"{b.name}: {format_datum_kurz(b.gueltig_ab)}–"
            f"{format_datum_kurz(b.gueltig_bis) if b.gueltig_bis else 'heute'}"
            for b in versions
        )
        successors = [
            self.stand.bereiche[s].schluessel
            for s, pre in self.stand.vorgaenger.items()
            if any(v.id in pre for v in versions)
        ]
        more = f"; Nachfolger: {', '.join(successors)}" if successors else ""
        return -1, (f"Gebiet „{key}“ gab es am {format_datum_kurz(day)} nicht (gültig {spans}){more}")

    def zuordnen(self, keys: list[str], days: list[date]) -> Zuordnung:
        """Match a whole file: keys of one area version valid on the day at once, the rest
        (unknown keys, re-formed areas) one by one with ``finde`` and its reasons."""
        if len(keys) != len(days):
            raise ValueError("keys and days differ in length")
        n = len(keys)
        ids = np.fromiter(map(self.single.get, keys, repeat(-1, n)), dtype=np.int64, count=n)
        ordinal = {day: day.toordinal() for day in set(days)}
        when = np.fromiter(map(ordinal.__getitem__, days), dtype=np.int64, count=n)
        valid = (ids >= 0) & (self.ab[ids] <= when) & (when <= self.bis[ids])
        reasons: dict[int, str] = {}
        for index in np.flatnonzero(~valid).tolist():
            ids[index], reason = self.finde(keys[index], days[index])
            if reason is not None:
                reasons[index] = reason
        return Zuordnung(ids, reasons)
