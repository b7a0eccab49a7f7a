"""Population projection per Sozialraum: a cohort-component model over age bands.

The population of a Sozialraum by age band ``[von, bis)`` (the bands the statistics deliver,
``bevoelkerung[0-3]`` … ``bevoelkerung[75-]``) is carried forward year by year with configured
rates. One step from 31.12. of year t to 31.12. of year t+1, in this order:

1. births ``B = Σ P[b] · geburten[b]`` from the population at the start of the year;
2. survivors with net migration ``S[b] = P[b] · (1 − sterbe[b] + wanderung[b])``;
3. ageing: of a closed band of width w the share ``1/w`` moves to the next band (an even
   spread of ages inside the band); the open last band keeps its people;
4. the newborns enter the first band.

Everything is computed with exact fractions, so a hand-computed example is reproduced to the
last digit; figures are rounded only for display. Rates are per person and year, read from a
TOML file (``[[band]]`` entries with ``von``, ``bis``, ``geburten``, ``sterbe``, ``wanderung``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from sozialforum.daten.ergebnis import Monitor, lade_monitor
from sozialforum.daten.speicher import Tafel, lade_bestand

Band = tuple[int, int | None]


def band_label(band: Band) -> str:
    von, bis = band
    if bis is None:
        return f"{von} Jahre und älter"
    if von == 0:
        return f"unter {bis} Jahre"
    return f"{von} bis unter {bis} Jahre"


def _fraction(value: object, where: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal | Fraction):
        raise ValueError(f"{where}: „{value}“ ist keine Zahl")
    try:
        return Fraction(str(value).replace(",", ".")) if not isinstance(value, Fraction) else value
    except ValueError:
        raise ValueError(f"{where}: „{value}“ ist keine Zahl") from None


@dataclass(frozen=True)
class Rate:
    geburten: Fraction = Fraction(0)
    sterbe: Fraction = Fraction(0)
    wanderung: Fraction = Fraction(0)


@dataclass(frozen=True)
class Annahmen:
    """Rates per age band (per person and year) and the horizon of the projection."""

    raten: dict[Band, Rate]
    jahre: int = 10
    quelle: str = ""

    def __post_init__(self) -> None:
        check_bands(list(self.raten), "Annahmen")
        for band, rate in self.raten.items():
            if not 0 <= rate.sterbe <= 1:
                raise ValueError(f"Annahmen, Altersgruppe {band_label(band)}: Sterberate muss zwischen 0 und 1 liegen")
            if rate.geburten < 0:
                raise ValueError(f"Annahmen, Altersgruppe {band_label(band)}: Geburtenrate darf nicht negativ sein")
        if not 1 <= self.jahre <= 50:
            raise ValueError("Annahmen: jahre muss zwischen 1 und 50 liegen")

    @classmethod
    def aus_toml(cls, path: Path) -> Annahmen:
        """Read ``jahre``, ``quelle`` and ``[[band]]`` entries; a German error names the entry."""
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"{path.name}: nicht lesbar ({exc})") from None
        raten: dict[Band, Rate] = {}
        for number, entry in enumerate(data.get("band", []), start=1):
            where = f"{path.name}, Eintrag band Nr. {number}"
            unknown = set(entry) - {"von", "bis", "geburten", "sterbe", "wanderung"}
            if unknown:
                raise ValueError(f"{where}: unbekannte Angabe {', '.join(sorted(unknown))}")
            if "von" not in entry:
                raise ValueError(f"{where}: „von“ fehlt")
            band = (int(entry["von"]), int(entry["bis"]) if "bis" in entry else None)
            raten[band] = Rate(
                geburten=_fraction(entry.get("geburten", 0), f"{where}, geburten"),
                sterbe=_fraction(entry.get("sterbe", 0), f"{where}, sterbe"),
                wanderung=_fraction(entry.get("wanderung", 0), f"{where}, wanderung"),
            )
        if not raten:
            raise ValueError(f"{path.name}: keine Altersgruppen ([[band]]) angegeben")
        return cls(raten=raten, jahre=int(data.get("jahre", 10)), quelle=str(data.get("quelle", "")))


def check_bands(bands: list[Band], where: str) -> None:
    """Bands must start at 0, follow each other without gap or overlap and end open."""
    ordered = sorted(bands, key=lambda b: b[0])
    if not ordered or ordered[0][0] != 0:
        raise ValueError(f"{where}: die Altersgruppen müssen bei 0 Jahren beginnen")
    for left, right in pairwise(ordered):
        if left[1] != right[0]:
            raise ValueError(
                f"{where}: auf „{band_label(left)}“ folgt „{band_label(right)}“ (Lücke oder Überschneidung)"
            )
    if ordered[-1][1] is not None:
        raise ValueError(f"{where}: die letzte Altersgruppe muss offen sein (z. B. 75 Jahre und älter)")


@dataclass
class Projektion:
    basisjahr: int
    bands: list[Band]
    # jahr -> band -> people (exact)
    stand: dict[int, dict[Band, Fraction]] = field(default_factory=dict)
    geburten: dict[int, Fraction] = field(default_factory=dict)

    def summe(self, jahr: int) -> Fraction:
        return sum(self.stand[jahr].values(), Fraction(0))

    def gerundet(self, jahr: int) -> dict[Band, int]:
        """Whole people for display (half up)."""
        return {b: int(v + Fraction(1, 2)) if v >= 0 else 0 for b, v in self.stand[jahr].items()}


def projiziere(bevoelkerung: Mapping[Band, int | Fraction], annahmen: Annahmen, basisjahr: int) -> Projektion:
    """Project ``bevoelkerung`` (people per band on 31.12. of ``basisjahr``) ``annahmen.jahre``
    years ahead. The bands must be those of the assumptions."""
    check_bands(list(bevoelkerung), "Bevölkerung")
    bands = sorted(bevoelkerung, key=lambda b: b[0])
    if set(bands) != set(annahmen.raten):
        missing = [band_label(b) for b in bands if b not in annahmen.raten]
        extra = [band_label(b) for b in annahmen.raten if b not in bevoelkerung]
        raise ValueError(
            "Die Altersgruppen der Bevölkerung und der Annahmen stimmen nicht überein"
            + (f"; ohne Annahme: {', '.join(missing)}" if missing else "")
            + (f"; ohne Bevölkerung: {', '.join(extra)}" if extra else "")
        )
    result = Projektion(basisjahr=basisjahr, bands=bands)
    current = {b: Fraction(bevoelkerung[b]) for b in bands}
    result.stand[basisjahr] = dict(current)
    for jahr in range(basisjahr + 1, basisjahr + annahmen.jahre + 1):
        births = sum((current[b] * annahmen.raten[b].geburten for b in bands), Fraction(0))
        survivors = {b: current[b] * (1 - annahmen.raten[b].sterbe + annahmen.raten[b].wanderung) for b in bands}
        moving = {b: (survivors[b] / (b[1] - b[0]) if b[1] is not None else Fraction(0)) for b in bands}
        following: dict[Band, Fraction] = {}
        for index, b in enumerate(bands):
            incoming = moving[bands[index - 1]] if index else births
            following[b] = max(Fraction(0), survivors[b] - moving[b] + incoming)
        current = following
        result.stand[jahr] = dict(current)
        result.geburten[jahr] = births
    return result


def _percent(value: Fraction) -> str:
    text = f"{float(value) * 100:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",").replace("-", "−") + "\u00a0%"


def annahmen_text(annahmen: Annahmen) -> list[str]:
    """The assumptions as German sentences, printed beside every projection."""
    lines = [
        f"Fortschreibung über {annahmen.jahre} Jahre nach der Komponentenmethode "
        "(Geburten, Sterbefälle, Wanderungssaldo je Altersgruppe und Jahr; "
        "innerhalb einer Altersgruppe gleich verteilte Jahrgänge).",
    ]
    for band in sorted(annahmen.raten, key=lambda b: b[0]):
        rate = annahmen.raten[band]
        parts = [f"Sterberate {_percent(rate.sterbe)}", f"Wanderungssaldo {_percent(rate.wanderung)}"]
        if rate.geburten:
            parts.insert(0, f"Geburten {_percent(rate.geburten)}")
        lines.append(f"{band_label(band)}: {', '.join(parts)} je Jahr")
    if annahmen.quelle:
        lines.append(f"Quelle der Raten: {annahmen.quelle}")
    return lines


def tabelle(projektion: Projektion) -> list[list[str]]:
    """Rows for a report table: head, one row per band, the total (German numbers)."""
    years = sorted(projektion.stand)
    head = ["Altersgruppe", *[str(y) for y in years]]
    rows = [head]
    for band in projektion.bands:
        rows.append([band_label(band), *[_number(projektion.gerundet(y)[band]) for y in years]])
    rows.append(["insgesamt", *[_number(int(projektion.summe(y) + Fraction(1, 2))) for y in years]])
    return rows


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def bevoelkerung_nach_alter(
    session: Session,
    schluessel: str,
    *,
    merkmal: str = "bevoelkerung",
    monitor: Monitor | None = None,
    tafeln: dict[date, Tafel] | None = None,
    bis: date | None = None,
) -> tuple[date, str, dict[Band, int]]:
    """Population by the delivered age bands on the latest Stichtag (up to ``bis``) for an area
    (summed over its Gemeinden when the counts are delivered per Gemeinde): (Stichtag, name, band
    → people). A report over many areas passes the computation and the delivered tables once."""
    monitor = monitor or lade_monitor(session)
    if monitor is None:
        raise LookupError("Noch keine Berechnung vorhanden (sozialforum daten berechnen).")
    tafeln = tafeln if tafeln is not None else lade_bestand(session)
    days = [
        d
        for d, t in tafeln.items()
        if (bis is None or d <= bis) and any(k.name == merkmal and not k.alle_alter for k in t.spalten)
    ]
    if not days:
        raise LookupError(f"Keine Bevölkerung nach Altersgruppen geladen (Merkmal „{merkmal}“).")
    day = max(days)
    tafel = tafeln[day]
    bereich = monitor.stand.nach_schluessel(schluessel, day)
    if bereich is None:
        raise LookupError(f"Gebiet „{schluessel}“ nicht gefunden.")
    rows = {area: i for i, area in enumerate(tafel.index)}

    def value(area_id: int, column: int) -> float | None:
        """The area's own delivered count, else the sum over its children (None if incomplete)."""
        if area_id in rows and not np.isnan(tafel.werte[rows[area_id], column]):
            return float(tafel.werte[rows[area_id], column])
        children = monitor.stand.kinder(area_id, day)
        parts = [value(child.id, column) for child in children]
        return sum(p for p in parts if p is not None) if children and None not in parts else None

    bands = sorted((k for k in tafel.spalten if k.name == merkmal and not k.alle_alter), key=lambda k: k.von)
    chain: list[Band] = []
    start = 0
    for key in bands:  # the finest tiling from 0 upward: the first band starting where the last ended
        if key.von == start and (not chain or chain[-1][1] is not None):
            chain.append((key.von, key.bis))
            if key.bis is None:
                break
            start = key.bis
    check_bands(chain, f"Bevölkerung {bereich.name}")
    counts = {}
    for band in chain:
        total = value(bereich.id, tafel.column(next(k for k in bands if (k.von, k.bis) == band)))
        if total is None:
            raise LookupError(f"{bereich.name}: Bevölkerung {band_label(band)} nicht für alle Gemeinden geliefert.")
        counts[band] = round(total)
    return day, bereich.name, counts
