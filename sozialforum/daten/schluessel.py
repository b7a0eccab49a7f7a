"""Key systems: what a file calls an area, matched to the area, and every miss explained.

Files name areas in many ways: the AGS (8 digits), the ARS (12: Land, Regierungsbezirk, Kreis,
Verband 4, Gemeinde 3), the 11 digits Niedersachsen's tables give the Gemeinden of a
Samtgemeinde (Kreis 5, Verband 3, Gemeinde 3) or an ARS whose leading zero a spreadsheet
dropped, the 9-digit key of a Gemeindeverband (Samtgemeinde, Verbandsgemeinde, Amt), a
Stadtteil code (``1``, ``01``, ``ST01``), a code with the name (``01 Altstadt``) or the name alone
(``Westliche_Höhe``). The fast exact matching stays in ``gebietsstand.Schluesselabgleich``; this
module takes the keys it could not match and tries, in this order, the official key readings,
the Stadtteil codes and the names of the areas valid on the Stichtag (a reading must point to
exactly one area). A Gemeindeverband row (9 digits) whose members are areas is an aggregate:
skipped with a hint, never silently. Whatever stays unmatched is reported with the nearest
candidates by key prefix and by name. With ``unbekannte_ignorieren`` only keys from outside the
territory are skipped: a key of one of our Kreise that matches nothing is always reported.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np

from sozialforum.daten.gebietsstand import Bereich, Schluesselabgleich, Zuordnung
from sozialforum.daten.katalog import norm_label

_CODE_NAME = re.compile(r"^\s*([A-Za-z]{0,4}\d{1,4})[\s_:.\-–]+(\D.*)$")
_CODE = re.compile(r"^[A-Za-z]{0,4}0*(\d{1,4})$")
_SUMME = re.compile(r"\s*\b(insgesamt|gesamt|zusammen|summe)$")
_LESART = {
    12: "Regionalschlüssel (12 Stellen) → AGS",
    11: "Schlüssel einer Gemeinde im Gemeindeverband (11 Stellen) → AGS",
    9: "Gemeindeverbandsschlüssel einer Einheitsgemeinde (9 Stellen) → AGS",
}
MAX_KANDIDATEN = 3
MAX_ERKLAERT = 200  # candidates are looked for in this many misses (a nationwide file: thousands)


def name_norm(text: str) -> str:
    """Names compare without case, umlauts, underscores, hyphens and the ", Stadt" suffix."""
    clean = re.sub(r"[_\-–/]+", " ", text)
    clean = re.sub(r",\s*(stadt|flecken|hansestadt)$", "", clean.strip(), flags=re.IGNORECASE)
    return norm_label(clean)


def code_norm(text: str) -> str | None:
    """A short Stadtteil code without prefix letters and leading zeros (``ST01`` → ``1``)."""
    match = _CODE.match(text.strip())
    return match.group(1).lstrip("0") or "0" if match else None


def amtliche_lesarten(key: str) -> list[str]:
    """The AGS an official key stands for: the ARS (12) and a Samtgemeinde member's 11 digits
    end in the 3-digit Gemeinde behind the 5-digit Kreis; a Gemeindeverband key (9) whose sixth
    digit is 0 is an Einheitsgemeinde (its Verband number repeats the Gemeinde). A key that lost
    its leading zero is not read: the load names it (``fehlt die führende Null?``)."""
    if not key.isdigit() or key[0] != "0":
        return []
    if len(key) in (11, 12):
        return [key[:5] + key[-3:]]
    if len(key) == 9 and key[5] == "0":
        return [key[:5] + key[6:]]
    return []


def _naechste(key: str) -> list[str]:
    """Readings for looking up candidates, including a lost leading zero."""
    padded = ["0" + key] if key.isdigit() and len(key) in (7, 11) else []
    return [key, *padded, *(r for k in [key, *padded] for r in amtliche_lesarten(k))]


@dataclass
class Karte:
    """Every way the areas valid on one day can be named, each pointing to one area (a name or
    code shared by two areas points to none: it must be written more precisely)."""

    bereiche: list[Bereich]
    codes: dict[str, int] = field(default_factory=dict)
    namen: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        codes: dict[str, set[int]] = {}
        names: dict[str, set[int]] = {}
        for bereich in self.bereiche:
            if not bereich.schluessel.isdigit() or len(bereich.schluessel) <= 4:
                code = code_norm(bereich.schluessel)
                if code is not None:
                    codes.setdefault(code, set()).add(bereich.id)
            names.setdefault(name_norm(bereich.name), set()).add(bereich.id)
        self.codes = {code: next(iter(ids)) for code, ids in codes.items() if len(ids) == 1}
        self.namen = {name: next(iter(ids)) for name, ids in names.items() if len(ids) == 1}

    @cached_property
    def nach_id(self) -> dict[int, Bereich]:
        return {b.id: b for b in self.bereiche}

    @cached_property
    def sortierte_schluessel(self) -> list[tuple[str, int]]:
        keys = {(k, b.id) for b in self.bereiche for k in (b.schluessel, b.ags, b.ars) if k}
        return sorted(keys)

    @cached_property
    def namensliste(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for bereich in self.bereiche:
            found.setdefault(name_norm(bereich.name), []).append(bereich.id)
        return found

    def verband(self, key: str) -> list[Bereich]:
        """The areas of a Gemeindeverband (their ARS starts with its 9 digits)."""
        return [b for b in self.bereiche if b.ars and b.ars.startswith(key)]

    def kandidaten(self, key: str) -> list[Bereich]:
        """Up to three areas nearest to an unmatched key: by the longest shared key prefix (at
        least the Kreis), then by name similarity."""
        found: list[int] = []
        digits = key.strip()
        for reading in _naechste(digits):
            if not reading.isdigit() or len(reading) < 5:
                continue
            keys = self.sortierte_schluessel
            at = bisect_left(keys, (reading, -1))
            near = keys[max(0, at - 2) : at + 2]
            near.sort(key=lambda item: -_prefix(item[0], reading))
            found += [area for k, area in near if _prefix(k, reading) >= 5]
        match = _CODE_NAME.match(key)
        name = name_norm(match.group(2) if match else key)
        if name and not name.isdigit():
            for close in difflib.get_close_matches(name, list(self.namensliste), n=MAX_KANDIDATEN, cutoff=0.6):
                found += self.namensliste[close]
        unique = list(dict.fromkeys(found))[:MAX_KANDIDATEN]
        return [self.nach_id[i] for i in unique]


def _prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


@dataclass
class Abgleich:
    """The result of matching a file's keys: ids (-1 unmatched), a German reason per unmatched
    key that must be reported, the positions of Gemeindeverband aggregates (skipped), how keys
    were read other than exactly, and the foreign keys skipped (for the load's hints)."""

    zuordnung: Zuordnung
    melden: dict[int, str]
    aggregate: list[int]
    lesarten: dict[str, int]
    fremde: list[int]  # skipped: outside the territory, with ``unbekannte_ignorieren``

    @property
    def ids(self) -> np.ndarray:
        return self.zuordnung.ids


class Schluesselsysteme:
    """Matching with every key system, for one load (maps per day built once)."""

    def __init__(
        self, abgleich: Schluesselabgleich, *, fremde_ignorieren: bool = False, aliase: dict[str, str] | None = None
    ) -> None:
        self.abgleich = abgleich
        self.fremde_ignorieren = fremde_ignorieren
        self.aliase = {name_norm(k): v for k, v in (aliase or {}).items()}
        self._karten: dict[date, Karte] = {}

    @cached_property
    def gebiet(self) -> set[str]:
        """The 5-digit Kreis keys of our territory (from the areas' AGS and ARS)."""
        return {k[:5] for b in self.abgleich.stand.bereiche.values() for k in (b.ags, b.ars) if k and len(k) >= 5}

    def karte(self, day: date) -> Karte:
        found = self._karten.get(day)
        if found is None:
            found = self._karten[day] = Karte(self.abgleich.stand.am(day))
        return found

    def eigen(self, key: str) -> bool:
        """Whether an official key belongs to our territory (it starts with one of our Kreise):
        then it is reported when unmatched even with ``unbekannte_ignorieren``."""
        if not key.isdigit() or len(key) < 5:
            return False
        return any(reading[:5] in self.gebiet for reading in [key, *amtliche_lesarten(key)])

    def zuordnen(
        self, keys: list[str], days: list[date], *, ignorieren: Callable[[int], bool] = lambda _: False
    ) -> Abgleich:
        """``ignorieren(position)``: the caller skips this row if it stays unmatched (a key
        outside the territory with ``unbekannte_ignorieren``, a Vergleichsgebiet)."""
        match = self.abgleich.zuordnen(keys, days)
        melden: dict[int, str] = {}
        aggregate: list[int] = []
        lesarten: dict[str, int] = {}
        fremde: list[int] = []
        explained = 0
        for position, reason in sorted(match.gruende.items()):
            key, day = keys[position].strip(), days[position]
            if ignorieren(position):
                continue
            if self.fremde_ignorieren and not self.eigen(key):
                fremde.append(position)
                continue
            area, how = self._lesen(key, day)
            if area >= 0:
                match.ids[position] = area
                lesarten[how] = lesarten.get(how, 0) + 1
                continue
            if how == "verband":
                aggregate.append(position)
                continue
            text = how or reason
            if explained < MAX_ERKLAERT:
                explained += 1
                near = self.karte(day).kandidaten(key)
                if near:
                    text += "; nächste Kandidaten: " + ", ".join(f"{b.schluessel} {b.name}" for b in near)
            melden[position] = text
        for position in [*aggregate, *(p for p in match.gruende if match.ids[p] >= 0)]:
            match.gruende.pop(position, None)
        return Abgleich(match, melden, aggregate, lesarten, fremde)

    def _lesen(self, key: str, day: date) -> tuple[int, str]:
        """(area id, how it was read) or (-1, a reason or "verband")."""
        karte = self.karte(day)
        alias = self.aliase.get(name_norm(key))
        if alias is not None:
            area, reason = self.abgleich.finde(alias, day)
            return (area, "Zuordnungstabelle") if area >= 0 else (-1, f"„{key}“ → „{alias}“: {reason}")
        for reading in amtliche_lesarten(key):
            area, _ = self.abgleich.finde(reading, day)
            if area >= 0:
                return area, _LESART[len(key)]
        if key.isdigit() and len(key) == 9 and self.eigen(key):
            members = karte.verband(key)
            if len(members) == 1:
                return members[0].id, "Gemeindeverband → sein einziges Gebiet"
            if members or key[5] == "5":  # several Gemeinden, or a Samtgemeinde by its key
                return -1, "verband"
        code = code_norm(key)
        if code is not None and code in karte.codes:
            return karte.codes[code], "Nummer → Gebiet"
        split = _CODE_NAME.match(key)
        if split:
            code, name = code_norm(split.group(1)), name_norm(split.group(2))
            by_code = karte.codes.get(code) if code is not None else None
            by_name = karte.namen.get(name)
            if by_code is not None and by_name is not None and by_code != by_name:
                return -1, (
                    f"„{key}“: die Nummer passt zu {karte.nach_id[by_code].name}, "
                    f"der Name zu {karte.nach_id[by_name].name}"
                )
            if by_code is not None or by_name is not None:
                return by_name if by_name is not None else by_code or 0, "Nummer und Name → Gebiet"
        name = name_norm(key)
        if name in karte.namen:
            return karte.namen[name], "Name → Gebiet"
        total = _SUMME.sub("", name)
        if total != name:  # "Musterstadt insgesamt", "Stadt insgesamt": the sum row of an area
            if total in karte.namen:
                return karte.namen[total], "Summenzeile → Gebiet"
            roots = [b for b in karte.bereiche if b.parent_id is None]
            if total in ("", "stadt", "kreis", "landkreis") and len(roots) == 1:
                return roots[0].id, "Summenzeile → Gebiet"
        if len(karte.namensliste.get(name, ())) > 1:
            return -1, f"der Name „{key}“ passt zu mehreren Gebieten; bitte den Schlüssel angeben"
        return -1, ""


def schluessel_hinweise(abgleich: Abgleich, keys: list[str]) -> list[str]:
    """What the load reports about keys it read other than exactly or skipped."""
    hints = [f"{count} Schlüssel umgeschlüsselt: {how}." for how, count in sorted(abgleich.lesarten.items())]
    if abgleich.aggregate:
        shown = ", ".join(dict.fromkeys(keys[p] for p in abgleich.aggregate[:5]))
        hints.append(
            f"{len(abgleich.aggregate)} Zeilen von Gemeindeverbänden (z. B. {shown}) nicht übernommen: "
            "ihre Werte ergeben sich aus ihren Gemeinden."
        )
    if abgleich.fremde:
        shown = ", ".join(dict.fromkeys(keys[p] for p in abgleich.fremde[:5]))
        count = len(abgleich.fremde)
        hints.append(f"{count} Zeilen mit Schlüsseln außerhalb des Gebiets übersprungen (z. B. {shown}).")
    return hints
