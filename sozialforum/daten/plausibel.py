"""Checks of a file's values before anything is written: duplicates, negative counts, and
shares whose numerator exceeds the denominator (with the values already in the store, e.g.
a BA file's unemployed against the population loaded before)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy.orm import Session

from sozialforum.daten.berechnung import Summen, teilsumme
from sozialforum.daten.fehlwerte import Fehlwert
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.merkmale import MerkmalKey
from sozialforum.daten.speicher import Tafel, eindeutig, lade_bestand
from sozialforum.problems import Problem
from sozialforum.timeutil import format_zahl

if TYPE_CHECKING:
    from sozialforum.daten.laden import Zeilen


def pruefe(session: Session, datei: str, rows: Zeilen, katalog: Katalog) -> list[Problem]:
    problems = _duplicates(datei, rows)
    problems.extend(_negative(datei, rows, katalog))
    if not problems:
        problems.extend(_shares(session, datei, rows, katalog))
    return problems


def _duplicates(datei: str, rows: Zeilen) -> list[Problem]:
    if not len(rows.zeile):
        return []
    # One integer per (Merkmal, Stichtag, area or Vergleichsgebiet); equal integers are
    # duplicates. In this order the values of a wide file already come sorted, and a check that
    # the integers strictly increase replaces the sort.
    area = np.where(rows.gebiet >= 0, rows.gebiet, -1 - rows.vergleich).astype(np.int64)
    low = int(area.min())
    key = ((rows.merkmal.astype(np.int64) * (len(rows.stichtage) + 1) + rows.stichtag)
           * (int(area.max()) - low + 1) + (area - low))
    if (key[1:] > key[:-1]).all():
        return []
    order = np.argsort(key, kind="stable")
    same = np.nonzero(key[order][1:] == key[order][:-1])[0]
    problems = []
    for position in same:
        first, second = order[position], order[position + 1]
        line = int(rows.zeile[second])
        merkmal = rows.merkmale[int(rows.merkmal[second])]
        day = rows.stichtage[int(rows.stichtag[second])]
        problems.append(Problem(datei, line, None,
                                f"doppelte Angabe: {merkmal} für dasselbe Gebiet am {day:%d.%m.%Y} steht "
                                f"schon in Zeile {int(rows.zeile[first])}."))
    return problems


def _negative(datei: str, rows: Zeilen, katalog: Katalog) -> list[Problem]:
    counts = np.array([katalog.merkmale[k.name].art == "anzahl" for k in rows.merkmale], dtype=bool)
    if not len(counts):
        return []
    bad = np.nonzero(counts[rows.merkmal] & (rows.code == Fehlwert.VORHANDEN) & (rows.wert < 0))[0]
    return [Problem(datei, int(rows.zeile[i]), rows.spalten[int(rows.spalte[i])],
                    f"negative Anzahl ({format_zahl(rows.wert[i])}): erwartet 0 oder mehr, "
                    "oder „-“ für nichts.") for i in bad]


def _shares(session: Session, datei: str, rows: Zeilen, katalog: Katalog) -> list[Problem]:
    """A share (unit %) cannot exceed 100 %: the numerator is part of the denominator."""
    names = {k.name for k in rows.merkmale}
    checks = [ind for ind in katalog.indikatoren.values()
              if ind.einheit == "%" and ind.ist_quote
              and names & {k.name for k in (*ind.zaehler_keys, *ind.nenner_keys)}]
    own = rows.gebiet >= 0
    if not checks or not own.any():
        return []
    stored = lade_bestand(session, rows.stichtage)
    problems: list[Problem] = []
    for day_index, day in enumerate(rows.stichtage):
        pick = np.flatnonzero(own & (rows.stichtag == day_index))
        if not len(pick):
            continue
        tafel, where = _combined(stored.get(day), rows, pick)
        summen: Summen = {}
        for ind in checks:
            z, zc = teilsumme(ind.zaehler_keys, tafel, [], {}, summen)
            n, nc = teilsumme(ind.nenner_keys, tafel, [], {}, summen)
            bad = np.nonzero((zc == Fehlwert.VORHANDEN) & (nc == Fehlwert.VORHANDEN) & (z > n))[0]
            for r in bad:
                origin = next((where(r, key) for key in (*ind.zaehler_keys, *ind.nenner_keys)
                               if where(r, key) is not None), None)
                if origin is None:
                    continue
                problems.append(Problem(
                    datei, origin[0], origin[1],
                    f"Zähler größer als Nenner bei „{ind.name}“ am {day:%d.%m.%Y}: "
                    f"{format_zahl(z[r])} von {format_zahl(n[r])} – ein Anteil über 100 % ist "
                    "nicht möglich."))
    return problems


def _combined(stored: Tafel | None, rows: Zeilen, pick: np.ndarray) -> tuple[Tafel, Callable]:
    """The stored values of the file's areas, overwritten by the file's own values; and a lookup
    (row, Merkmal) → (line, column label) for cells that came from the file."""
    whole = len(pick) == len(rows.gebiet)  # the usual file: one Stichtag, only own areas
    gebiet = rows.gebiet if whole else rows.gebiet[pick]
    ids = eindeutig(gebiet)
    merkmal = rows.merkmal if whole else rows.merkmal[pick]
    present = np.flatnonzero(np.bincount(merkmal, minlength=len(rows.merkmale)))
    file_keys = sorted(rows.merkmale[int(m)] for m in present)
    keys = sorted(set(file_keys) | set(stored.spalten if stored else []))
    column_of = {key: j for j, key in enumerate(keys)}
    tafel = Tafel.leer(ids.tolist(), keys)
    if stored is not None:
        index = np.asarray(stored.index)
        inside = np.isin(index, ids)
        targets = np.searchsorted(ids, index[inside])
        columns = [column_of[key] for key in stored.spalten]
        tafel.werte[np.ix_(targets, columns)] = stored.werte[inside]
        tafel.codes[np.ix_(targets, columns)] = stored.codes[inside]
    row_of = np.zeros(int(ids[-1]) + 1, dtype=np.int64)  # area id → row: a gather, not a search
    row_of[ids] = np.arange(len(ids))
    flat = row_of[gebiet] * len(keys) + np.array([column_of.get(key, -1) for key in rows.merkmale],
                                                 dtype=np.int64)[merkmal]
    tafel.werte.reshape(-1)[flat] = rows.wert if whole else rows.wert[pick]
    tafel.codes.reshape(-1)[flat] = rows.code if whole else rows.code[pick]
    origin: list[np.ndarray] = []  # built only when a problem is to be reported

    def where(row: int, key: MerkmalKey) -> tuple[int, str] | None:
        if not origin:
            origin.append(np.full(tafel.werte.size, -1, dtype=np.int64))
            origin[0][flat] = pick
        j = column_of.get(key)
        i = -1 if j is None else int(origin[0][row * len(keys) + j])
        return None if i < 0 else (int(rows.zeile[i]), rows.spalten[int(rows.spalte[i])])

    return tafel, where
