"""Tables for the plausibility checks: one table's values for other areas and columns
(``ausrichten``), and numerators, denominators and indicators over delivered columns
(``Summen``) by the computation's own rules."""

from __future__ import annotations

import numpy as np

from sozialforum.daten.berechnung import Codes, Floats, kennzahl
from sozialforum.daten.fehlwerte import NICHT_GELIEFERT, combine_sum
from sozialforum.daten.katalog import IndikatorDef
from sozialforum.daten.merkmale import MerkmalKey, tile
from sozialforum.daten.speicher import Tafel


def ausrichten(source: Tafel | None, ids: list[int], keys: list[MerkmalKey], *, kopie: bool = False) -> Tafel:
    """``source``'s values for the areas ``ids`` (sorted) and the columns ``keys``: the source
    itself when it has exactly these (the usual case of a file like the one before), unless a
    ``kopie`` is wanted to write into."""
    if not kopie and source is not None and source.spalten == keys and list(source.index) == ids:
        return source
    out = Tafel.leer(ids, keys)
    if source is None or not len(source.index) or not ids:
        return out
    index = np.asarray(source.index, dtype=np.int64)
    wanted = np.asarray(ids, dtype=np.int64)
    position = np.minimum(np.searchsorted(index, wanted), len(index) - 1)
    found = index[position] == wanted
    have = {key: j for j, key in enumerate(source.spalten)}
    for j, key in enumerate(keys):
        c = have.get(key)
        if c is not None:
            out.werte[found, j] = source.werte[position[found], c]
            out.codes[found, j] = source.codes[position[found], c]
    return out


class Summen:
    """Numerators and denominators over one column layout: which delivered columns make up a
    Merkmal with its band (``merkmale.tile``) is resolved once, not per indicator and Stichtag."""

    def __init__(self, spalten: list[MerkmalKey]) -> None:
        self.spalten = spalten
        self.position = {key: i for i, key in enumerate(spalten)}
        self.columns: dict[tuple[MerkmalKey, ...], list[int] | None] = {}

    def spalten_fuer(self, keys: tuple[MerkmalKey, ...]) -> list[int] | None:
        if keys not in self.columns:
            found: list[int] | None = []
            for key in keys:
                parts = tile(key, self.spalten)
                if parts is None or found is None:
                    found = None
                    break
                found += [self.position[part] for part in parts]
            self.columns[keys] = found
        return self.columns[keys]

    def summe(self, keys: tuple[MerkmalKey, ...], tafel: Tafel, rows: np.ndarray | None = None) -> tuple[Floats, Codes]:
        columns = self.spalten_fuer(keys)
        n = len(tafel.index) if rows is None else len(rows)
        if columns is None:
            return np.full(n, np.nan), np.full(n, NICHT_GELIEFERT, dtype=np.int8)
        if len(columns) == 1:  # one column: a view, picked by row only when asked
            werte, codes = tafel.werte[:, columns[0]], tafel.codes[:, columns[0]]
            return (werte, codes) if rows is None else (werte[rows], codes[rows])
        werte, codes = tafel.werte[:, columns], tafel.codes[:, columns]
        if rows is not None:
            werte, codes = werte[rows], codes[rows]
        return combine_sum(werte, codes, axis=1)

    def kennzahl(
        self, ind: IndikatorDef, tafel: Tafel, rows: np.ndarray | None = None
    ) -> tuple[Floats, Codes, Floats, Codes]:
        """Value, code, numerator and its code, by the computation's own rule (``kennzahl``)."""
        z, zc = self.summe(ind.zaehler_keys, tafel, rows)
        n, nc = self.summe(ind.nenner_keys, tafel, rows) if ind.ist_quote else (None, None)
        wert, code = kennzahl(z, zc, n, nc, ind.faktor)
        return wert, code, z, zc
