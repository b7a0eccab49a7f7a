"""Checks that refuse a file before anything is written: duplicates and negative counts.

What is possible but implausible (a share above 100 %, a total that is not the sum of its parts,
a jump) is reported, not refused: ``plausibel_bericht``, which uses ``tafeln`` from here (the
file's values over the stored ones, per Stichtag)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy.orm import Session

from sozialforum.daten.fehlwerte import VORHANDEN
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.merkmale import MerkmalKey
from sozialforum.daten.speicher import Tafel, eindeutig
from sozialforum.problems import Problem
from sozialforum.timeutil import format_zahl

if TYPE_CHECKING:
    from sozialforum.daten.zeilen import Breit, Zeilen


def pruefe(session: Session, datei: str, rows: Zeilen, katalog: Katalog) -> list[Problem]:
    problems = _duplicates(datei, rows)
    problems.extend(_negative(datei, rows, katalog))
    return problems


def _duplicates(datei: str, rows: Zeilen) -> list[Problem]:
    if not rows.anzahl:
        return []
    wide = rows.breit
    if wide is not None:  # a matrix has duplicates only in a repeated row or Merkmal
        area = np.where(wide.gebiet >= 0, wide.gebiet, -1 - wide.vergleich)
        row_key = (area - area.min()) * (len(rows.stichtage) + 1) + wide.stichtag
        ordered = np.sort(row_key)
        if (ordered[1:] != ordered[:-1]).all() and len(set(wide.merkmal.tolist())) == len(wide.merkmal):
            return []
    # One integer per (Merkmal, Stichtag, area or Vergleichsgebiet); equal integers are
    # duplicates. In this order the values of a wide file already come sorted, and a check that
    # the integers strictly increase replaces the sort.
    area = np.where(rows.gebiet >= 0, rows.gebiet, -1 - rows.vergleich).astype(np.int64)
    low = int(area.min())
    key = (rows.merkmal.astype(np.int64) * (len(rows.stichtage) + 1) + rows.stichtag) * (int(area.max()) - low + 1) + (
        area - low
    )
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
        problems.append(
            Problem(
                datei,
                line,
                None,
                f"doppelte Angabe: {merkmal} für dasselbe Gebiet am {day:%d.%m.%Y} steht "
                f"schon in Zeile {int(rows.zeile[first])}.",
            )
        )
    return problems


def _negative(datei: str, rows: Zeilen, katalog: Katalog) -> list[Problem]:
    counts = np.array([katalog.merkmale[k.name].art == "anzahl" for k in rows.merkmale], dtype=bool)
    if not len(counts):
        return []
    wide = rows.breit
    if wide is not None and not ((wide.werte < 0) & (wide.codes == VORHANDEN) & counts[wide.merkmal]).any():
        return []
    bad = np.nonzero(counts[rows.merkmal] & (rows.code == VORHANDEN) & (rows.wert < 0))[0]
    return [
        Problem(
            datei,
            int(rows.zeile[i]),
            rows.spalten[int(rows.spalte[i])],
            f"negative Anzahl ({format_zahl(rows.wert[i])}): erwartet 0 oder mehr, oder „-“ für nichts.",
        )
        for i in bad
    ]


def tafeln(stored: Mapping[date, Tafel | None], rows: Zeilen) -> Iterator[tuple[date, Tafel, Callable]]:
    """Per Stichtag: the file's values of its own areas over the stored ones."""
    wide = rows.breit
    days = wide.stichtag[wide.eigene] if wide is not None else None
    if wide is not None and days is not None and (days == days[0]).all():
        day = rows.stichtage[int(wide.stichtag[wide.eigene.start])]
        yield (day, *_wide_tafel(stored.get(day), rows, wide))
        return
    own = rows.gebiet >= 0
    for day_index, day in enumerate(rows.stichtage):
        pick = np.flatnonzero(own & (rows.stichtag == day_index))
        if len(pick):
            yield (day, *_combined(stored.get(day), rows, pick))


def _stored_into(tafel: Tafel, stored: Tafel | None, ids: np.ndarray, column_of: dict[MerkmalKey, int]) -> None:
    if stored is not None:
        index = np.asarray(stored.index)
        inside = np.isin(index, ids)
        targets = np.searchsorted(ids, index[inside])
        columns = np.array([column_of[key] for key in stored.spalten], dtype=np.int64)
        tafel.werte[np.ix_(targets, columns)] = stored.werte[inside]
        tafel.codes[np.ix_(targets, columns)] = stored.codes[inside]


def _wide_tafel(stored: Tafel | None, rows: Zeilen, wide: Breit) -> tuple[Tafel, Callable]:
    """``_combined`` for a matrix of one Stichtag: its columns go in as a block."""
    own = wide.eigene
    ids = wide.gebiet[own]  # in order and distinct (duplicates are reported before)
    file_keys = [rows.merkmale[m] for m in wide.merkmal.tolist()]
    keys = sorted(set(file_keys) | set(stored.spalten if stored else []))
    column_of = {key: j for j, key in enumerate(keys)}
    if stored is None and keys == file_keys:  # nothing stored for the day: the matrix itself
        tafel = Tafel(ids.tolist(), keys, wide.werte[own], wide.codes[own])
    else:
        tafel = Tafel.leer(ids.tolist(), keys)
        _stored_into(tafel, stored, ids, column_of)
        columns = [column_of[key] for key in file_keys]
        tafel.werte[:, columns] = wide.werte[own]
        tafel.codes[:, columns] = wide.codes[own]
    source = {key: c for c, key in enumerate(file_keys)}

    def where(row: int, key: MerkmalKey) -> tuple[int, str] | None:
        c = source.get(key)
        return None if c is None else (int(wide.zeile[own.start + row]), rows.spalten[int(wide.spalte[c])])

    return tafel, where


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
    _stored_into(tafel, stored, ids, column_of)
    row_of = np.zeros(int(ids[-1]) + 1, dtype=np.int64)  # area id → row: a gather, not a search
    row_of[ids] = np.arange(len(ids))
    flat = (
        row_of[gebiet] * len(keys)
        + np.array([column_of.get(key, -1) for key in rows.merkmale], dtype=np.int64)[merkmal]
    )
    np.put(tafel.werte, flat, rows.wert if whole else rows.wert[pick])  # flat index, in place
    np.put(tafel.codes, flat, rows.code if whole else rows.code[pick])
    origin: list[np.ndarray] = []  # built only when a problem is to be reported

    def where(row: int, key: MerkmalKey) -> tuple[int, str] | None:
        if not origin:
            origin.append(np.full(tafel.werte.size, -1, dtype=np.int64))
            origin[0][flat] = pick
        j = column_of.get(key)
        i = -1 if j is None else int(origin[0][row * len(keys) + j])
        return None if i < 0 else (int(rows.zeile[i]), rows.spalten[int(rows.spalte[i])])

    return tafel, where
