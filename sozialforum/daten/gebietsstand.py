"""The area hierarchy as it stood on a Stichtag, and matching source keys to areas.

Areas are versioned (re-formed Kreise and merged Gemeinden): a key is matched to the version
valid on the Stichtag of the value. Keys are compared as strings, never as numbers, so
``03199001`` keeps its leading zero; a 5-digit Kreis key from a GENESIS Kreise table matches the
Kreis whose AGS it starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.orm import Session

from sozialforum.models import Gebiet, GebietVorgaenger
from sozialforum.timeutil import format_datum_kurz


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


@dataclass
class Gebietsstand:
    bereiche: dict[int, Bereich]
    vorgaenger: dict[int, list[int]]  # successor → predecessors
    _am: dict[date, list[Bereich]] = field(default_factory=dict, repr=False, compare=False)
    _tiefe: dict[int, int] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def aus(cls, session: Session) -> Gebietsstand:
        # Core rows, not ORM rows: several times faster for 11,000 Gemeinden, read on every load.
        connection = session.connection()
        rows = connection.execute(sa.select(
            Gebiet.id, Gebiet.schluessel, Gebiet.name, Gebiet.ebene, Gebiet.parent_id, Gebiet.ags,
            Gebiet.ars, Gebiet.einwohner, Gebiet.gueltig_ab, Gebiet.gueltig_bis)).all()
        links: dict[int, list[int]] = {}
        for gebiet_id, vorgaenger_id in connection.execute(
                sa.select(GebietVorgaenger.gebiet_id, GebietVorgaenger.vorgaenger_id)):
            links.setdefault(gebiet_id, []).append(vorgaenger_id)
        return cls({row[0]: Bereich(*row) for row in rows}, links)

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


class Schluesselabgleich:
    def __init__(self, stand: Gebietsstand) -> None:
        self.stand = stand
        self.by_key: dict[str, list[Bereich]] = {}
        for bereich in stand.bereiche.values():
            for key in {bereich.schluessel, bereich.ags, bereich.ars}:
                if key:
                    self.by_key.setdefault(key, []).append(bereich)
            if bereich.ebene == "kreis" and bereich.ags and bereich.ags.endswith("000"):
                self.by_key.setdefault(bereich.ags[:5], []).append(bereich)

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
            f"{format_datum_kurz(b.gueltig_bis) if b.gueltig_bis else 'heute'}" for b in versions)
        successors = [self.stand.bereiche[s].schluessel for s, pre in self.stand.vorgaenger.items()
                      if any(v.id in pre for v in versions)]
        more = f"; Nachfolger: {', '.join(successors)}" if successors else ""
        return -1, (f"Gebiet „{key}“ gab es am {format_datum_kurz(day)} nicht (gültig {spans}){more}")

    def zuordnen(self, keys: list[str], days: list[date]) -> Zuordnung:
        found = [self.finde(key, day) for key, day in zip(keys, days, strict=True)]
        ids = np.fromiter((hit[0] for hit in found), dtype=np.int64, count=len(found))
        reasons = {index: hit[1] for index, hit in enumerate(found) if hit[1] is not None}
        return Zuordnung(ids, reasons)
