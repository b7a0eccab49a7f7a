"""What one recipient may see of a stored computation: every output goes through here.

First the publication level (``veroeffentlichung``): values of internal sources only for the
Geschäftsstelle, and in monitor-only mode values only for the Kommune concerned.

A cell is shown unsuppressed only to the Geschäftsstelle and to persons entitled to that
Gemeinde; for everybody else the suppression pattern of its Stichtag applies (a change is
hidden when either of its two periods is hidden, a target's attainment too, since "missed"
tells an interval). Suppressed cells read ``.`` ("unbekannt oder geheim zu halten"), rates on
few cases are put in parentheses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from sozialforum.daten.ergebnis import Monitor
from sozialforum.daten.fehlwerte import Fehlwert
from sozialforum.daten.geheimhaltung import Empfaenger, Muster, berechne_muster
from sozialforum.daten.index import DYNAMIK_KLASSEN, STATUS_KLASSEN
from sozialforum.daten.katalog import DefinitionsKonflikt, IndikatorDef, Katalog, pruefe_vergleichbar
from sozialforum.daten.veroeffentlichung import Veroeffentlichung
from sozialforum.settings import DatenSettings
from sozialforum.timeutil import format_zahl

GEHEIM = "."


@dataclass(frozen=True)
class Zelle:
    text: str
    wert: float | None = None  # None when missing or hidden: charts and sheets leave it empty
    unsicher: bool = False
    geheim: bool = False


@dataclass(frozen=True)
class Vergleichswert:
    name: str
    wert: float | None
    hinweis: str | None = None  # why there is no comparison


class Sicht:
    def __init__(
        self,
        monitor: Monitor,
        katalog: Katalog,
        settings: DatenSettings,
        empfaenger: Empfaenger,
    ) -> None:
        """What ``empfaenger`` may see of ``monitor``. The licences come from one place: the
        catalogue's and those the deliveries carry themselves, which the monitor read with the
        computation (``Monitor.interne_quellen``), so no output can leave them out."""
        self.monitor, self.katalog, self.settings, self.empfaenger = monitor, katalog, settings, empfaenger
        self.veroeffentlichung = Veroeffentlichung.aus(katalog, settings, monitor.interne_quellen)
        self._muster: dict[date, Muster] = {}
        self._rows: dict[date, dict[int, int]] = {}

    def muster(self, day: date) -> Muster:
        if day not in self._muster:
            werte = {code: self.monitor.werte[(code, day)] for code in self.katalog.indikatoren}
            self._muster[day] = berechne_muster(werte, self.monitor.stand, self.katalog, self.settings)
            first = next(iter(werte.values()))
            self._rows[day] = {int(str(i)): r for r, i in enumerate(first.ids)}
        return self._muster[day]

    def stand(self, code: str) -> date:
        """The latest Stichtag with values of this indicator: sources arrive at different times
        (population for 2024 before the BA's figures), and an output shows each indicator at its
        own latest Stichtag rather than a column of "k. A."."""
        for day in reversed(self.monitor.stichtage):
            werte = self.monitor.werte.get((code, day))
            if werte is not None and (werte.code == Fehlwert.VORHANDEN).any():
                return day
        return self.monitor.letzter_stichtag

    def index_stand(self, ebene: str) -> date:
        for day in reversed(self.monitor.stichtage):
            entry = self.monitor.index.get((f"{ebene}:gesamt", day))
            if entry is not None and (entry.status_code == Fehlwert.VORHANDEN).any():
                return day
        return self.monitor.letzter_stichtag

    def _row(self, day: date, bereich_id: int) -> int | None:
        self.muster(day)
        return self._rows[day].get(bereich_id)

    def sichtbar(self, code: str) -> bool:
        """False for an indicator of which this recipient may see no value at all (an internal
        source): outputs leave it out and name it once, rather than print a column of "."."""
        return self.empfaenger.intern or code not in self.veroeffentlichung.interne_indikatoren

    def gesperrt(self, code: str, bereich_id: int) -> bool:
        """Not for this recipient at all (an internal source; monitor-only mode): see
        ``veroeffentlichung``."""
        return self.veroeffentlichung.gesperrt(code, self.empfaenger, bereich_id)

    def verborgen(self, code: str, day: date, bereich_id: int) -> bool:
        if self.gesperrt(code, bereich_id):
            return True
        if self.empfaenger.sieht_ungeschuetzt(bereich_id):
            return False
        row = self._row(day, bereich_id)
        return row is not None and bool(self.muster(day).unterdrueckt[code][row])

    def _previous(self, day: date) -> date | None:
        days = self.monitor.stichtage
        index = days.index(day)
        return days[index - 1] if index > 0 else None

    def wert(self, code: str, day: date, bereich_id: int, feld: str = "wert") -> Zelle:
        ind = self.katalog.indikatoren[code]
        row = self._row(day, bereich_id)
        if row is None:
            return Zelle(Fehlwert.NICHT_GELIEFERT.symbol)
        werte = self.monitor.werte[(code, day)]
        values, codes = {
            "wert": (werte.wert, werte.code),
            "anzahl": (werte.zaehler, werte.zaehler_code),
            "veraenderung": (werte.veraenderung, werte.veraenderung_code),
        }[feld]
        if self.gesperrt(code, bereich_id):
            return Zelle(GEHEIM, geheim=True)
        if values is None or codes is None:
            return Zelle("")
        hidden = self.verborgen(code, day, bereich_id)
        if feld == "veraenderung" and (previous := self._previous(day)) is not None:
            hidden = hidden or self.verborgen(code, previous, bereich_id)
        if hidden:
            return Zelle(GEHEIM, geheim=True)
        if codes[row] != Fehlwert.VORHANDEN:
            return Zelle(Fehlwert(int(codes[row])).symbol)
        value = float(values[row])
        decimals = 0 if feld == "anzahl" else ind.nachkommastellen
        text = format_zahl(value, decimals)
        if feld == "veraenderung" and round(value, decimals) > 0:  # no "+0,0"
            text = "+" + text
        flagged = (
            feld == "wert"
            and not self.empfaenger.sieht_ungeschuetzt(bereich_id)
            and bool(self.muster(day).unsicher[code][row])
        )
        return Zelle(f"({text})" if flagged else text, value, unsicher=flagged)

    def ziel(self, code: str, day: date, bereich_id: int) -> str:
        ind = self.katalog.indikatoren[code]
        cell = self.wert(code, day, bereich_id)
        if ind.ziel is None:
            return ""
        if cell.wert is None:
            return "–"
        return "erreicht" if ind.ziel.erreicht(cell.wert) else "verfehlt"

    def vergleich(self, ind: IndikatorDef, day: date) -> Vergleichswert | None:
        """The benchmark of an indicator, refused when it is defined differently."""
        bench = ind.vergleich
        if bench is None:
            return None
        if bench.definition is not None:
            try:
                pruefe_vergleichbar(
                    ind.name, ind.beschreibung(self.katalog.merkmal_namen), bench.definition, wo=bench.name
                )
            except DefinitionsKonflikt as conflict:
                return Vergleichswert(bench.name, None, str(conflict))
        if bench.gebiet is None:
            return Vergleichswert(bench.name, bench.werte.get(day))
        if not self.empfaenger.intern and ind.code in self.veroeffentlichung.interne_indikatoren:
            # delivered with the internal figures (the Land row of the same file), under their licence
            return Vergleichswert(bench.name, None)
        werte = self.monitor.vergleich.get((ind.code, day))
        if werte is None:
            return Vergleichswert(bench.name, None)
        keys: list[int | str] = list(werte.ids)  # benchmark rows are keyed by name
        if bench.gebiet not in keys:
            return Vergleichswert(bench.name, None)
        row = keys.index(bench.gebiet)
        present = werte.code[row] == Fehlwert.VORHANDEN
        return Vergleichswert(bench.name, float(werte.wert[row]) if present else None)

    def index_zellen(self, ebene: str, dimension: str, day: date, bereich_id: int) -> tuple[Zelle, str, Zelle, str]:
        """(status value, status class, dynamics value, dynamics class): the values as cells with
        their number (sheets store numbers), the classes as texts. The index and its classes are
        public in every mode (Zwickau: the monitor is public, the data behind it are not)."""
        entry = self.monitor.index.get((f"{ebene}:{dimension}", day))
        if entry is None or bereich_id not in entry.ids:
            return Zelle(""), "", Zelle(""), ""
        i = entry.ids.index(bereich_id)

        def cell(values: np.ndarray, codes: np.ndarray) -> Zelle:
            if codes[i] != Fehlwert.VORHANDEN:
                return Zelle(Fehlwert(int(codes[i])).symbol)
            return Zelle(format_zahl(float(values[i]), 2), float(values[i]))

        return (
            cell(entry.status, entry.status_code),
            STATUS_KLASSEN.get(int(entry.status_klasse[i]), ""),
            cell(entry.dynamik, entry.dynamik_code),
            DYNAMIK_KLASSEN.get(int(entry.dynamik_klasse[i]), ""),
        )

    def index(self, ebene: str, dimension: str, day: date, bereich_id: int) -> tuple[str, str, str, str]:
        """(status value, status class, dynamics value, dynamics class) as texts."""
        status, klasse, dynamik, dyn_klasse = self.index_zellen(ebene, dimension, day, bereich_id)
        return status.text, klasse, dynamik.text, dyn_klasse
