"""What a computation carries from one Stichtag to the next, and the step that moves it on.

A computation runs Stichtag by Stichtag in time order (``ergebnis.berechne``). What one
Stichtag passes to the next is small: the values of the previous one (for the change), its
index (for the class change), which indicators each level has had values for (``bekannt``,
for the index), each indicator's latest values (``aktuell``), and the notes and class changes
of the summary. Kept here in one object so that the refresh's worker process
(``daten.vorrechnen``) can run the same steps and hand over where it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from sozialforum.daten.berechnung import Stichtagsergebnis, Werte, berechne_stichtag
from sozialforum.daten.ergebnisspalten import stichtag_chunks
from sozialforum.daten.fehlwerte import VORHANDEN
from sozialforum.daten.gebietsstand import Gebietsstand
from sozialforum.daten.index import GESAMT, STATUS_KLASSEN, Indexwerte, berechne_index, klassenwechsel
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.speicher import Tafel

PLANUNGSEBENEN = ("kreis", "sozialregion", "sozialraum", "planungsraum")


@dataclass
class Verlauf:
    previous: Stichtagsergebnis | None = None
    prev_index: list[Indexwerte] | None = None
    notes: list[str] = field(default_factory=list)
    moved: list[dict[str, str]] = field(default_factory=list)
    bekannt: dict[tuple[str, bool], set[str]] = field(default_factory=dict)
    aktuell: dict[str, tuple[date, Werte]] = field(default_factory=dict)  # each indicator's latest values

    def schritt(
        self,
        day: date,
        tafel: Tafel | None,
        vergleich: Tafel | None,
        stand: Gebietsstand,
        katalog: Katalog,
        mindestzahl: int,
        berechnung_id: int,
    ) -> list[dict[str, Any]]:
        """Compute one Stichtag (the next in time order): its rows of ``ergebnisspalte``."""
        result = berechne_stichtag(day, tafel, vergleich, stand, katalog, self.previous)
        index, index_notes = berechne_index(result, stand, katalog, mindestzahl, self.bekannt)
        if any((i.status_code == VORHANDEN).any() for i in index):
            self.moved = klassenwechsel(index, self.prev_index, stand, day)
        self.aktuell.update(
            {code: (day, werte) for code, werte in result.werte.items() if (werte.code == VORHANDEN).any()}
        )
        self.notes = [*result.hinweise, *index_notes]
        chunks = stichtag_chunks(berechnung_id, result, index, katalog)
        result.tafel = _nur_gebiete(result.tafel)  # the next Stichtag needs its areas, not its counts (8 MB)
        self.previous, self.prev_index = result, index
        return chunks

    def abschluss(self) -> tuple[dict[str, tuple[date, Werte]], dict[str, dict[str, int]]]:
        """After the last Stichtag: each indicator's latest values (one never delivered: the
        missing values of the last day) and the status classes counted per level."""
        aktuell = dict(self.aktuell)
        if self.previous is not None:
            for code, werte in self.previous.werte.items():
                aktuell.setdefault(code, (self.previous.stichtag, werte))
        return aktuell, _class_counts(self.prev_index or [])

    def weitergabe(self, stand: Gebietsstand) -> Verlauf:
        """What the next Stichtag needs of this state, without what it does not: of the previous
        Stichtag the areas and the values (the change is taken against them), of the latest
        values the planning areas' rows (all the snapshot and the targets read)."""
        previous = None
        if self.previous is not None:
            previous = Stichtagsergebnis(
                self.previous.stichtag,
                _nur_gebiete(self.previous.tafel),
                # the values stand in for the sums too: a change is taken of the values only
                {code: Werte(w.ids, w.wert, w.code, w.wert, w.code) for code, w in self.previous.werte.items()},
            )
        aktuell = planungsgebiete(self.aktuell, stand)
        return Verlauf(previous, self.prev_index, self.notes, self.moved, self.bekannt, aktuell)


def _nur_gebiete(tafel: Tafel) -> Tafel:
    n = len(tafel.index)
    return Tafel(tafel.index, [], np.zeros((n, 0)), np.zeros((n, 0), dtype=np.int8))


def planungsgebiete(aktuell: dict[str, tuple[date, Werte]], stand: Gebietsstand) -> dict[str, tuple[date, Werte]]:
    """The latest values cut to the planning areas' rows."""
    rows: dict[int, np.ndarray] = {}
    cut = {}
    for code, (day, w) in aktuell.items():
        pick = rows.get(id(w.ids))
        if pick is None:
            pick = rows[id(w.ids)] = np.array(
                [i for i, a in enumerate(w.ids) if stand.bereiche[int(str(a))].ebene in PLANUNGSEBENEN], dtype=np.int64
            )

        def take(array: np.ndarray | None) -> np.ndarray | None:
            return None if array is None else array[pick]  # noqa: B023 (used at once)

        cut[code] = (
            day,
            Werte(
                [w.ids[i] for i in pick.tolist()],
                w.wert[pick],
                w.code[pick],
                w.zaehler[pick],
                w.zaehler_code[pick],
                take(w.nenner),
                take(w.nenner_code),
                take(w.veraenderung),
                take(w.veraenderung_code),
            ),
        )
    return cut


def _class_counts(index: list[Indexwerte]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for entry in index:
        if entry.dimension != GESAMT:
            continue
        values, numbers = np.unique(entry.status_klasse[entry.status_klasse > 0], return_counts=True)
        counts[entry.ebene] = {STATUS_KLASSEN[int(v)]: int(n) for v, n in zip(values, numbers, strict=True)}
    return counts
