"""Is a day fit for a Sitzung or a deadline? Public holidays of the configured Land (the
``holidays`` package, German names), school holidays from ``konferenz.schulferien`` (KMK dates)
and weekends. The answer is a list of German remarks; planning still decides (a Kreis-AG may
well meet in the school holidays), but nobody plans a conference on 25 December unawares."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import holidays

from sozialforum.ressourcen import konfigurationsdatei
from sozialforum.settings import KonferenzSettings
from sozialforum.timeutil import format_datum_kurz

LAENDER = {
    "BB": "Brandenburg",
    "BE": "Berlin",
    "BW": "Baden-Württemberg",
    "BY": "Bayern",
    "HB": "Bremen",
    "HE": "Hessen",
    "HH": "Hamburg",
    "MV": "Mecklenburg-Vorpommern",
    "NI": "Niedersachsen",
    "NW": "Nordrhein-Westfalen",
    "RP": "Rheinland-Pfalz",
    "SH": "Schleswig-Holstein",
    "SL": "Saarland",
    "SN": "Sachsen",
    "ST": "Sachsen-Anhalt",
    "TH": "Thüringen",
}


@dataclass(frozen=True)
class Ferien:
    name: str
    von: date
    bis: date


@lru_cache(maxsize=8)
def _schulferien(path: Path) -> dict[str, tuple[Ferien, ...]]:
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {
        land: tuple(Ferien(str(e["name"]), e["von"], e["bis"]) for e in eintraege) for land, eintraege in data.items()
    }


def schulferien(settings: KonferenzSettings) -> tuple[Ferien, ...]:
    path = konfigurationsdatei(settings.schulferien)
    return _schulferien(path.resolve()).get(settings.bundesland, ())


def feiertag(day: date, land: str) -> str | None:
    """The German name of the public holiday on ``day`` in ``land``, if it is one."""
    return holidays.Germany(subdiv=land, years=day.year, language="de").get(day)


def hinweise(day: date, settings: KonferenzSettings, *, was: str = "Der Termin") -> list[str]:
    """German remarks on ``day``: public holiday, weekend, school holidays, or missing data."""
    land = LAENDER[settings.bundesland]
    datum = format_datum_kurz(day)
    found: list[str] = []
    name = feiertag(day, settings.bundesland)
    if name:
        found.append(f"{was} am {datum} fällt auf einen Feiertag in {land}: {name}.")
    if day.weekday() >= 5:
        found.append(f"{was} am {datum} fällt auf einen {'Samstag' if day.weekday() == 5 else 'Sonntag'}.")
    ferien = schulferien(settings)
    for f in ferien:
        if f.von <= day <= f.bis:
            zeitraum = format_datum_kurz(f.von) + (f"–{format_datum_kurz(f.bis)}" if f.bis != f.von else "")
            found.append(f"{was} am {datum} liegt in den {f.name} ({land}, {zeitraum}).")
    # The file covers the time from its first to its last holidays; beyond that nobody knows.
    if not ferien or not min(f.von for f in ferien).replace(month=1, day=1) <= day <= max(f.bis for f in ferien):
        found.append(
            f"Für den {datum} sind keine Schulferien für {land} hinterlegt "
            f"({settings.schulferien.name}); bitte die Ferientermine ergänzen."
        )
    return found
