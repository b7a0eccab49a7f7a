"""Merkmal keys with age bands, and building a requested band from the bands a source delivers.

A base count is a Merkmal (``bevoelkerung``, ``arbeitslose``) in an age band ``[von, bis)``;
``bevoelkerung[65-]`` is 65 and older, ``bevoelkerung`` all ages. Indicator definitions name
the bands they need (the Altenquotient of GENESIS is ``bevoelkerung[65-]`` per 100
``bevoelkerung[20-65]``, the EU's per 100 ``bevoelkerung[15-65]``); a band is built by adding
delivered bands that tile it exactly, and refused when they do not (GENESIS' 17 age groups
have no boundary at 21, so the 0–21-year-olds of Ulm's HzE-Quote must come from elsewhere).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_KEY = re.compile(r"^([a-z][a-z0-9_]*)(?:\[(\d+)-(\d*)\])?$")


@dataclass(frozen=True)
class MerkmalKey:
    name: str
    von: int = 0
    bis: int | None = None  # exclusive; None: open-ended

    def __lt__(self, other: MerkmalKey) -> bool:
        return self._order < other._order

    @property
    def _order(self) -> tuple[str, int, int]:
        return self.name, self.von, 10**6 if self.bis is None else self.bis

    @property
    def alle_alter(self) -> bool:
        return self.von == 0 and self.bis is None

    def __str__(self) -> str:
        if self.alle_alter:
            return self.name
        return f"{self.name}[{self.von}-{'' if self.bis is None else self.bis}]"

    @property
    def altersgruppe(self) -> str:
        """German label of the band: ``65 Jahre und älter``, ``20 bis unter 65 Jahre``."""
        if self.alle_alter:
            return "alle Altersgruppen"
        if self.bis is None:
            return f"{self.von} Jahre und älter"
        if self.von == 0:
            return f"unter {self.bis} Jahre"
        return f"{self.von} bis unter {self.bis} Jahre"

    def with_band(self, von: int, bis: int | None) -> MerkmalKey:
        return MerkmalKey(self.name, von, bis)


def parse_key(text: str) -> MerkmalKey:
    """``bevoelkerung[20-65]`` → MerkmalKey; ValueError with a German text otherwise."""
    match = _KEY.match(text.strip())
    if not match:
        raise ValueError(f"„{text}“ ist kein Merkmal (erwartet z. B. bevoelkerung oder bevoelkerung[20-65])")
    name, von, bis = match.groups()
    if von is None:
        return MerkmalKey(name)
    lower, upper = int(von), (int(bis) if bis else None)
    if upper is not None and upper <= lower:
        raise ValueError(f"„{text}“: Altersgrenze bis muss größer als von sein")
    return MerkmalKey(name, lower, upper)


# Age-group texts as GENESIS, the BA and city statistics write them.
_UNDER = re.compile(r"^unter (\d+) jahr(?:e|en)?(?: alt)?$")
_RANGE = re.compile(r"^(\d+) bis unter (\d+) jahr(?:e|en)?(?: alt)?$")
_RANGE_DASH = re.compile(r"^(\d+)\s*[-–]\s*(\d+) jahr(?:e|en)?$")
_OVER = re.compile(r"^(\d+) jahr(?:e|en)? (?:und (?:mehr|älter)|u\. ?ä\.|und darüber)$")
_TOTAL = {"insgesamt", "zusammen", "alle altersgruppen", "gesamt"}


def parse_altersgruppe(text: str) -> tuple[int, int | None] | None:
    """``3 bis unter 6 Jahre`` → (3, 6); ``75 Jahre und mehr`` → (75, None); ``Insgesamt`` →
    (0, None). None when the text names no age group."""
    clean = " ".join(text.strip().lower().split())
    if clean in _TOTAL:
        return 0, None
    if match := _UNDER.match(clean):
        return 0, int(match.group(1))
    if match := _RANGE.match(clean) or _RANGE_DASH.match(clean):
        return int(match.group(1)), int(match.group(2))
    if match := _OVER.match(clean):
        return int(match.group(1)), None
    return None


def _end(value: int | None) -> float:
    return float("inf") if value is None else float(value)


def tile(wanted: MerkmalKey, available: Iterable[MerkmalKey]) -> list[MerkmalKey] | None:
    """Delivered bands of the same Merkmal that add up exactly to ``wanted``; None if none do.

    The exact band wins; otherwise the fewest, widest bands (a search over band ends, so
    overlapping deliveries such as 15–25 beside 15–18 and 18–20 are handled).
    """
    bands = sorted({key for key in available if key.name == wanted.name}, key=lambda k: k.von)
    if wanted in bands:
        return [wanted]
    target = _end(wanted.bis)
    usable = [b for b in bands if not b.alle_alter and b.von >= wanted.von and _end(b.bis) <= target]
    best: dict[float, list[MerkmalKey]] = {float(wanted.von): []}
    for start in sorted({float(b.von) for b in usable} | {float(wanted.von)}):
        if start not in best:
            continue
        for band in (b for b in usable if b.von == start):
            path = [*best[start], band]
            end = _end(band.bis)
            if end not in best or len(path) < len(best[end]):
                best[end] = path
    return best.get(target) or None


def describe(keys: Iterable[MerkmalKey], names: dict[str, str]) -> str:
    """``Bevölkerung 65 Jahre und älter`` (+ joined with „und“ for sums)."""
    parts = []
    for key in keys:
        label = names.get(key.name, key.name)
        parts.append(label if key.alle_alter else f"{label} {key.altersgruppe}")
    return " und ".join(parts)
