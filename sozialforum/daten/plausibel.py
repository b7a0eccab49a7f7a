"""Checks of a file's values before anything is written: duplicates, negative counts, and
shares whose numerator exceeds the denominator (with the values already in the store, e.g.
a BA file's unemployed against the population loaded before)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from sozialforum.daten.berechnung import teilsumme
from sozialforum.daten.fehlwerte import Fehlwert
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.speicher import Tafel, lade_bestand
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
    frame = pd.DataFrame({"g": rows.gebiet, "v": rows.vergleich, "m": rows.merkmal,
                          "s": rows.stichtag, "z": rows.zeile})
    twice = frame.duplicated(["g", "v", "m", "s"], keep=False)
    if not twice.any():
        return []
    problems = []
    for _, group in frame[twice].groupby(["g", "v", "m", "s"]):
        lines = group["z"].tolist()
        key = rows.merkmale[int(group["m"].iloc[0])]
        day = rows.stichtage[int(group["s"].iloc[0])]
        for line in lines[1:]:
            problems.append(Problem(datei, int(line), None,
                                    f"doppelte Angabe: {key} für dasselbe Gebiet am "
                                    f"{day:%d.%m.%Y} steht schon in Zeile {lines[0]}."))
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
        pick = own & (rows.stichtag == day_index)
        if not pick.any():
            continue
        tafel, origin = _combined(stored.get(day), rows, pick)
        for ind in checks:
            z, zc = teilsumme(ind.zaehler_keys, tafel, [], {})
            n, nc = teilsumme(ind.nenner_keys, tafel, [], {})
            bad = (zc == Fehlwert.VORHANDEN) & (nc == Fehlwert.VORHANDEN) & (z > n)
            for r in np.nonzero(bad)[0]:
                where = next((origin[(tafel.index[r], key)] for key in (*ind.zaehler_keys, *ind.nenner_keys)
                              if (tafel.index[r], key) in origin), None)
                if where is None:
                    continue
                problems.append(Problem(
                    datei, where[0], where[1],
                    f"Zähler größer als Nenner bei „{ind.name}“ am {day:%d.%m.%Y}: "
                    f"{format_zahl(z[r])} von {format_zahl(n[r])} – ein Anteil über 100 % ist "
                    "nicht möglich."))
    return problems


def _combined(stored: Tafel | None, rows: Zeilen, pick: np.ndarray) -> tuple[Tafel, dict]:
    """The stored values of the file's areas, overwritten by the file's own values."""
    ids = sorted(set(rows.gebiet[pick].tolist()))
    keys = sorted(set(rows.merkmale[int(m)] for m in rows.merkmal[pick])
                  | set(stored.spalten if stored else []))
    tafel = Tafel.leer(ids, keys)
    row_of = {area: i for i, area in enumerate(ids)}
    if stored is not None:
        for i, area in enumerate(stored.index):
            if area in row_of:
                for j, key in enumerate(stored.spalten):
                    tafel.werte[row_of[area], keys.index(key)] = stored.werte[i, j]
                    tafel.codes[row_of[area], keys.index(key)] = stored.codes[i, j]
    origin = {}
    column_of = {key: j for j, key in enumerate(keys)}
    for i in np.nonzero(pick)[0]:
        key = rows.merkmale[int(rows.merkmal[i])]
        r, c = row_of[int(rows.gebiet[i])], column_of[key]
        tafel.werte[r, c], tafel.codes[r, c] = rows.wert[i], rows.code[i]
        origin[(int(rows.gebiet[i]), key)] = (int(rows.zeile[i]), rows.spalten[int(rows.spalte[i])])
    return tafel, origin
