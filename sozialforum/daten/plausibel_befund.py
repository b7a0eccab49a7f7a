"""What the plausibility report finds (``Befund``), and the collection that keeps the first
``einzeln`` findings of each kind with text and only counts the rest (``Sammlung``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from sozialforum.daten.katalog import Katalog
from sozialforum.daten.merkmale import MerkmalKey
from sozialforum.problems import ort
from sozialforum.timeutil import format_zahl

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
        return f"{ort(self.datei, self.zeile, self.spalte)}: {ARTEN[self.art]}: {self.meldung}"


class Sammlung:
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


def genau(value: float) -> str:
    """A number as delivered, up to three decimals: 64,5 rather than 64,500."""
    text = format_zahl(value, 3)
    return text.rstrip("0").rstrip(",") if "," in text else text


def zelle(where: Wo, row: int, keys: tuple[MerkmalKey, ...] | list[MerkmalKey]) -> tuple[int | None, str | None]:
    for key in keys:
        found = where(row, key)
        if found is not None:
            return found
    return None, None


def anzahlen(katalog: Katalog, keys: list[MerkmalKey]) -> np.ndarray:
    return np.array([k.name in katalog.merkmale and katalog.merkmale[k.name].art == "anzahl" for k in keys], dtype=bool)


def zellen(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.nonzero`` of an areas × Merkmale mask, in the same order, for masks that are mostly
    or wholly False (what a check finds): ``np.nonzero`` walks all 880,000 cells of a nationwide
    file twice (~2 ms even when none is set), ``any`` stops at the first it meets, and only
    the rows with a cell set are listed."""
    if not mask.any():
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    rows = np.flatnonzero(mask.any(axis=1))
    found, columns = np.nonzero(mask[rows])
    return rows[found], columns
