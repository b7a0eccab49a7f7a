"""A file's values between reading and storing: in long form (one entry per value) and, for
the usual wide file, also as the matrix it came as.

Long form serves every layout (age groups in rows, a date per column, benchmark areas mixed
in). A wide file, where every column takes the same rows (GENESIS: 11,000 Gemeinden × 80
Merkmale), is checked and stored straight from its matrix, and its 880,000-entry long arrays
are built only if something needs them (a problem to report with its line and column).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np

from sozialforum.daten.kodierung import Kodiert
from sozialforum.daten.merkmale import MerkmalKey


@dataclass
class Breit:
    """A wide file: rows in area order (benchmark areas first), one Stichtag per row."""

    zeile: np.ndarray  # per row: line in the file
    gebiet: np.ndarray  # per row: area id, -1 for Vergleichsgebiete
    vergleich: np.ndarray  # per row: index into ``vergleichsgebiete``, -1 for own areas
    stichtag: np.ndarray  # per row: index into ``stichtage``
    spalte: np.ndarray  # per column: index into ``spalten``
    merkmal: np.ndarray  # per column: index into ``merkmale``
    werte: np.ndarray  # rows × columns
    codes: np.ndarray
    kodiert: list[tuple[Kodiert, Kodiert]] | None = None  # per column, when the rows are the file's as they stand

    @cached_property
    def eigene(self) -> slice:
        """The rows of own areas: after the benchmark areas (id -1 sorts first)."""
        return slice(int(np.count_nonzero(self.gebiet < 0)), len(self.gebiet))


class Zeilen:
    """Parallel arrays (line, column, area, Vergleichsgebiet, Merkmal, Stichtag, value, code),
    column by column with areas in order; ``breit`` for a wide file."""

    def __init__(
        self,
        spalten: list[str],
        vergleichsgebiete: list[str],
        merkmale: list[MerkmalKey],
        stichtage: list[date],
        *,
        long: list[np.ndarray] | None = None,
        breit: Breit | None = None,
    ) -> None:
        self.spalten, self.vergleichsgebiete = spalten, vergleichsgebiete
        self.merkmale, self.stichtage = merkmale, stichtage
        self.breit = breit
        if long is not None:
            self.__dict__["_long"] = long

    @cached_property
    def _long(self) -> list[np.ndarray]:
        wide = self.breit
        assert wide is not None
        count, width = len(wide.zeile), len(wide.spalte)
        return [
            np.tile(wide.zeile, width),
            np.repeat(wide.spalte, count),
            np.tile(wide.gebiet, width),
            np.tile(wide.vergleich, width),
            np.repeat(wide.merkmal, count),
            np.tile(wide.stichtag, width),
            wide.werte.T.ravel(),
            wide.codes.T.ravel(),
        ]

    @property
    def zeile(self) -> np.ndarray:  # line in the file
        return self._long[0]

    @property
    def spalte(self) -> np.ndarray:  # index into ``spalten``
        return self._long[1]

    @property
    def gebiet(self) -> np.ndarray:  # area id, -1 for Vergleichsgebiete
        return self._long[2]

    @property
    def vergleich(self) -> np.ndarray:  # index into ``vergleichsgebiete``, -1 for own areas
        return self._long[3]

    @property
    def merkmal(self) -> np.ndarray:  # index into ``merkmale``
        return self._long[4]

    @property
    def stichtag(self) -> np.ndarray:  # index into ``stichtage``
        return self._long[5]

    @property
    def wert(self) -> np.ndarray:
        return self._long[6]

    @property
    def code(self) -> np.ndarray:
        return self._long[7]

    @property
    def anzahl(self) -> int:
        wide = self.breit
        return wide.werte.size if wide is not None else len(self.wert)

    def eigene(self) -> tuple[int, int, int]:
        """(values of own areas, distinct own areas, values of Vergleichsgebiete)."""
        if self.breit is not None:
            wide = self.breit
            own = wide.eigene.stop - wide.eigene.start
            others = len(wide.gebiet) - own
            return own * len(wide.spalte), _distinct(wide.gebiet[wide.eigene]), others * len(wide.spalte)
        mine = self.gebiet >= 0
        return int(mine.sum()), _distinct(self.gebiet[mine]), int((~mine).sum())


def _distinct(values: np.ndarray) -> int:
    """How many different values (sorting: np.unique hashes, which is slower for these)."""
    ordered = np.sort(values)
    return int(np.count_nonzero(ordered[1:] != ordered[:-1])) + 1 if len(ordered) else 0
