"""The objects of one import, flattened: embedded objects become entries of their own.

A Meeting carries its AgendaItems, a Paper its Consultations, a Person (1.0) its Memberships;
each is kept with its parent and its position there, because embedded objects often omit the
back-reference (``meeting``, ``paper``, ``person``) and the position is the fallback ``order``.
An object delivered twice (embedded and from its own list) is merged, later values winning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sozialforum.oparl.lesen import Leser, is_url, typ_of

EMBEDDED = {
    "Meeting": ("agendaItem", "AgendaItem"),
    "Paper": ("consultation", "Consultation"),
    "Person": ("membership", "Membership"),
}
KNOWN = (
    "Organization",
    "Person",
    "Membership",
    "Meeting",
    "AgendaItem",
    "Paper",
    "Consultation",
    "Body",
    "System",
    "File",
    "Location",
    "LegislativeTerm",
)


_KNOWN = frozenset(KNOWN)
_SEGMENTS = {t.casefold(): t for t in KNOWN} | {t.casefold() + "s": t for t in KNOWN} | {"people": "Person"}


def typ_from_url(url: str) -> str | None:
    """``Meeting`` from ``…/meeting/4711`` or ``…/meetings/4711`` (STERNBERG deletion records
    carry no ``type``): the last path segment that names an OParl type."""
    for segment in reversed(re.split(r"[/?#]", url.split("://", 1)[-1])[1:]):
        found = _SEGMENTS.get(segment.casefold())
        if found:
            return found
    return None


@dataclass(slots=True)  # a quarter of a million in a full import: no __dict__ each
class Eintrag:
    obj: dict[str, Any]
    typ: str
    version: str
    parent: str | None = None
    position: int | None = None


class Stapel:
    def __init__(self, leser: Leser) -> None:
        self.leser = leser
        self.eintraege: dict[str, Eintrag] = {}
        self.stubs: set[str] = set()  # URLs given where objects were expected: to fetch
        self.aliases: dict[str, str] = {}  # URL an object was fetched from → its own id
        self._typen: dict[str, list[Eintrag]] = {}  # the entries of each type, in their order

    def __contains__(self, oparl_id: str) -> bool:
        if not self.aliases:  # the usual case (asked once per reference of every object)
            return oparl_id in self.eintraege
        return self.aliases.get(oparl_id, oparl_id) in self.eintraege

    def get(self, oparl_id: str | None) -> Eintrag | None:
        return self.eintraege.get(oparl_id) if oparl_id else None

    def of_type(self, typ: str) -> list[Eintrag]:
        return list(self._typen.get(typ, ()))

    def add(
        self,
        obj: dict[str, Any],
        *,
        expected: str | None = None,
        parent: str | None = None,
        position: int | None = None,
    ) -> None:
        raw_id = obj.get("id")
        if not self.leser._is_url(raw_id):  # remembered: references to it are checked at once
            self.leser.maengel.melde(
                str(parent or "(Liste)"), "id", f"Objekt ohne gültige id ({str(raw_id)[:60]!r}): übersprungen"
            )
            return
        oparl_id = str(raw_id)
        fetched_as = obj.pop("_abgerufen_als", None)
        if fetched_as is not None and is_url(fetched_as) and fetched_as != oparl_id:
            self.aliases[str(fetched_as)] = str(oparl_id)
            self.stubs.discard(str(fetched_as))
        if len(obj) == 1:  # only its id (a valid URL, checked above): a reference to fetch
            if oparl_id not in self.eintraege:
                self.stubs.add(oparl_id)
            return
        found = typ_of(obj)
        if found is None and "type" not in obj and (expected is None or obj.get("deleted")):
            from_url = typ_from_url(oparl_id)
            if from_url is not None:
                self.leser.maengel.melde(oparl_id, "type", f"fehlt: {from_url} (aus der URL)")
                found = (from_url, "1.0")
        if found is None:
            if expected is None:
                self.leser.maengel.melde(oparl_id, "type", f"unbekannter Typ {obj.get('type')!r}: übersprungen")
                return
            self.leser.maengel.melde(oparl_id, "type", f"fehlt: {expected} angenommen")
            found = (expected, "1.1")
        typ, version = found
        if typ not in _KNOWN:
            self.leser.maengel.melde(oparl_id, "type", f"unbekannter Typ {typ!r}: übersprungen")
            return
        if self.stubs:
            self.stubs.discard(oparl_id)
        entry = self.eintraege.get(oparl_id)
        if entry is None:  # the object itself, not a copy (a quarter of a million dictionaries)
            entry = self.eintraege[oparl_id] = Eintrag(obj, typ, version, parent, position)
            self._typen.setdefault(typ, []).append(entry)
        else:  # merged into a new dictionary: the objects delivered stay as they were
            entry.obj = {**entry.obj, **{k: v for k, v in obj.items() if v not in (None, "", [])}}
            entry.parent = entry.parent or parent
            entry.position = entry.position if entry.position is not None else position
        if typ in EMBEDDED:
            field, child_type = EMBEDDED[typ]
            for index, child in enumerate(self.leser.objects(obj, field)):
                self.add(child, expected=child_type, parent=oparl_id, position=index)

    def take_embedded(self) -> None:
        """Objects the reader found where URLs belong: import them too."""
        while self.leser.eingebettet:
            pending, self.leser.eingebettet = self.leser.eingebettet, []
            for obj in pending:
                self.add(obj)
