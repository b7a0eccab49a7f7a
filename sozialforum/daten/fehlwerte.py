"""Typed missing values: why a number is not there, kept through every computation.

The symbols are those of the official statistics (GENESIS/Regionaldatenbank, "Zeichenerklärung")
plus the Bundesagentur für Arbeit's ``*`` and our own "nothing delivered". None of them is ever
read as 0. In memory a value is a float (NaN when missing) beside an int8 code; code 0 means
"a number is there".

Combining missing values (sums, rates): ``-`` ("nichts vorhanden", exactly nothing) is the one
symbol with a known magnitude, so a sum of numbers and ``-`` is the sum of the numbers, and a sum
of only ``-`` stays ``-``. Any other symbol makes the result missing; when several meet, the one
that says most about why wins (unknown/secret before "not yet available" before "not reliable"
before "not meaningful").
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
import numpy.typing as npt


class Fehlwert(IntEnum):
    """Codes of missing values; ``symbol`` is how files and reports write them."""

    VORHANDEN = 0
    NICHTS = 1
    UNBEKANNT = 2
    NICHT_SINNVOLL = 3
    UNSICHER = 4
    SPAETER = 5
    BA_ANONYMISIERT = 6
    NICHT_GELIEFERT = 7

    @property
    def symbol(self) -> str:
        return _SYMBOLS[self]

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def from_symbol(cls, text: str) -> Fehlwert | None:
        """The code of a cell that holds a symbol, or None when it is not one."""
        return BY_SYMBOL.get(text.strip())


_SYMBOLS = {
    Fehlwert.VORHANDEN: "",
    Fehlwert.NICHTS: "-",
    Fehlwert.UNBEKANNT: ".",
    Fehlwert.NICHT_SINNVOLL: "x",
    Fehlwert.UNSICHER: "/",
    Fehlwert.SPAETER: "...",
    Fehlwert.BA_ANONYMISIERT: "*",
    Fehlwert.NICHT_GELIEFERT: "k. A.",
}
_LABELS = {
    Fehlwert.VORHANDEN: "Wert vorhanden",
    Fehlwert.NICHTS: "nichts vorhanden (genau null)",
    Fehlwert.UNBEKANNT: "Zahlenwert unbekannt oder geheim zu halten",
    Fehlwert.NICHT_SINNVOLL: "Tabellenfach gesperrt, weil Aussage nicht sinnvoll",
    Fehlwert.UNSICHER: "keine Angabe, da Zahlenwert nicht sicher genug",
    Fehlwert.SPAETER: "Angabe fällt später an",
    Fehlwert.BA_ANONYMISIERT: "aus Datenschutzgründen anonymisiert (Bundesagentur für Arbeit)",
    Fehlwert.NICHT_GELIEFERT: "keine Daten geliefert",
}
# Symbols as they appear in source cells; the en dash is how some exports write "-".
BY_SYMBOL = {
    "-": Fehlwert.NICHTS,
    "–": Fehlwert.NICHTS,
    ".": Fehlwert.UNBEKANNT,
    "x": Fehlwert.NICHT_SINNVOLL,
    "X": Fehlwert.NICHT_SINNVOLL,
    "/": Fehlwert.UNSICHER,
    "...": Fehlwert.SPAETER,
    "…": Fehlwert.SPAETER,
    "*": Fehlwert.BA_ANONYMISIERT,
}
SOURCE_SYMBOLS = ("-", ".", "x", "/", "...", "*")

# Precedence when missing values meet (index: code). NICHTS (0) is not missing in a sum.
PRIORITY = np.array([0, 0, 7, 1, 2, 3, 6, 5], dtype=np.int8)
BY_PRIORITY = np.array([0, 3, 4, 5, 0, 7, 6, 2], dtype=np.int8)

Codes = npt.NDArray[np.int8]
Values = npt.NDArray[np.float64]

# The codes as numpy scalars for array work: numpy compares an array with an IntEnum member
# several times slower than with a number (it inspects the Python object on every call).
VORHANDEN = np.int8(Fehlwert.VORHANDEN)
NICHTS = np.int8(Fehlwert.NICHTS)
UNBEKANNT = np.int8(Fehlwert.UNBEKANNT)
NICHT_SINNVOLL = np.int8(Fehlwert.NICHT_SINNVOLL)
NICHT_GELIEFERT = np.int8(Fehlwert.NICHT_GELIEFERT)


def combine_sum(values: Values, codes: Codes, axis: int) -> tuple[Values, Codes]:
    """Sum along ``axis`` under the rules above; returns (sums, codes)."""
    if codes.shape[axis] == 1:  # one part: the sum is the part itself, symbol and all
        return np.take(values, 0, axis=axis).copy(), np.take(codes, 0, axis=axis).copy()
    present = codes == VORHANDEN
    dash = codes == NICHTS
    total = np.where(present, values, 0.0).sum(axis=axis)
    worst = PRIORITY.take(codes).max(axis=axis)
    result_codes = BY_PRIORITY.take(worst)
    all_dash = dash.all(axis=axis) if codes.shape[axis] else np.zeros_like(total, dtype=bool)
    result_codes = np.where(all_dash, NICHTS, result_codes).astype(np.int8)
    return np.where(result_codes == VORHANDEN, total, np.nan), result_codes


def combine_codes(*codes: Codes) -> Codes:
    """The code of a value computed from several inputs that must all be present (a rate)."""
    parts = [part for part in codes if part.any()]  # inputs all present: the common case
    if not parts:
        return np.zeros_like(codes[0])
    if len(parts) == 1:  # the precedence maps a single code onto itself ("-" included)
        return parts[0].astype(np.int8)
    worst = PRIORITY.take(parts[0])
    dash = parts[0] == NICHTS
    for part in parts[1:]:
        np.maximum(worst, PRIORITY.take(part), out=worst)
        dash |= part == NICHTS
    result = BY_PRIORITY.take(worst)
    # A rate of "nothing" over a number is "nothing" as well, never a 0 that looks measured.
    result[(result == VORHANDEN) & dash] = NICHTS
    return result


LEGENDE = [(f.symbol, f.label) for f in Fehlwert if f is not Fehlwert.VORHANDEN]
