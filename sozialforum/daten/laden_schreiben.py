"""Writing the values of a file that passed every check (``laden.lade_datei``): column chunks
(one per Merkmal and Stichtag, areas in order, compact: ``kodierung``) with the driver's
executemany, the values of the Vergleichsgebiete as rows, and, for a wide file, its matrix into
the store's cache of decoded Stichtage, so that the next file's jump check and the computation
need not decode what was just written.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.daten.fehlwerte import Fehlwert
from sozialforum.daten.kodierung import Kodiert, kodiere, pack
from sozialforum.daten.speicher import Bestandsschluessel, Tafel, inhalt, vormerken
from sozialforum.daten.vorrechnen import melde
from sozialforum.daten.zeilen import Zeilen
from sozialforum.store.direct import DirectStatement
from sozialforum.store.models import Vergleichswert, Wertespalte
from sozialforum.store.models.base import table_of

CHUNK = 2000
_WERTESPALTE = DirectStatement(table_of(Wertespalte).insert())  # the driver's executemany


def schreibe(session: Session, lieferung_id: int, rows: Zeilen) -> None:
    chunks = _wide_chunks(lieferung_id, rows) if rows.breit is not None else _long_chunks(lieferung_id, rows)
    for start in range(0, len(chunks), CHUNK):
        _WERTESPALTE.run_many(session.connection(), chunks[start : start + CHUNK])
    kept = _vormerken(session, lieferung_id, rows, chunks) if rows.breit is not None else None
    others = _others(lieferung_id, rows)
    for start in range(0, len(others), CHUNK):
        session.execute(table_of(Vergleichswert).insert(), others[start : start + CHUNK])
    if kept is not None:  # the refresh's worker may compute this Stichtag while the next file loads
        melde(session, *kept)


def _chunk(
    lieferung_id: int,
    rows: Zeilen,
    merkmal: int,
    day: int,
    gebiet: Kodiert,
    wert: np.ndarray | Kodiert,
    code: np.ndarray | Kodiert,
) -> dict[str, Any]:
    daten = pack(None, gebiet=gebiet, wert=wert, code=code)
    return {
        "datenlieferung_id": lieferung_id,
        "merkmal": str(rows.merkmale[merkmal]),
        "stichtag": rows.stichtage[day],
        "anzahl": gebiet.length,
        "daten": daten,
        "pruefsumme": inhalt(daten),
    }


def _wide_chunks(lieferung_id: int, rows: Zeilen) -> list[dict[str, Any]]:
    """One chunk per column and Stichtag, straight from the matrix (areas already in order)."""
    wide = rows.breit
    assert wide is not None
    own = wide.eigene
    days = wide.stichtag[own]
    chunks = []
    for day in np.unique(days).tolist():
        pick: slice | np.ndarray = own if (days == day).all() else np.arange(own.start, own.stop)[days == day]
        gebiet = kodiere(wide.gebiet[pick].astype(np.int32))  # shared by every column
        merkmale = wide.merkmal.tolist()
        if (
            wide.kodiert is not None and isinstance(pick, slice) and pick == slice(0, len(wide.gebiet))
        ):  # the file's rows as they stand
            chunks += [
                _chunk(lieferung_id, rows, merkmal, day, gebiet, *wide.kodiert[c]) for c, merkmal in enumerate(merkmale)
            ]
            continue
        values, codes = wide.werte[pick].T.copy(), wide.codes[pick].T.copy()  # a column a row
        chunks += [
            _chunk(lieferung_id, rows, merkmal, day, gebiet, values[c], codes[c]) for c, merkmal in enumerate(merkmale)
        ]
    return chunks


def _vormerken(
    session: Session, lieferung_id: int, rows: Zeilen, chunks: list[dict[str, Any]]
) -> tuple[date, Bestandsschluessel, Tafel] | None:
    """A wide file of one Stichtag that nothing else was stored for is what ``lade_bestand``
    will read back for that day: its matrix goes into the store's cache under the chunks just
    written, so the next file's jump check and the computation need not decode it."""
    wide = rows.breit
    assert wide is not None
    days = {chunk["stichtag"] for chunk in chunks}
    if len(days) != 1 or len(chunks) != len(wide.merkmal):
        return None
    day = days.pop()
    others = sa.select(sa.func.count()).where(
        col(Wertespalte.stichtag) == day, col(Wertespalte.datenlieferung_id) != lieferung_id
    )
    if session.scalar(others):
        return None
    keys = [rows.merkmale[m] for m in wide.merkmal.tolist()]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    own = wide.eigene
    stored = [(chunk["merkmal"], chunk["pruefsumme"]) for chunk in chunks]
    tafel = Tafel(
        wide.gebiet[own].tolist(),
        [keys[c] for c in order],
        wide.werte[own][:, order].T.copy().T,  # as lade_bestand builds it: a Merkmal a row, transposed
        wide.codes[own][:, order].T.copy().T,
    )
    vormerken(day, stored, tafel)
    return day, (day, tuple(stored)), tafel


def _long_chunks(lieferung_id: int, rows: Zeilen) -> list[dict[str, Any]]:
    group = rows.merkmal * len(rows.stichtage) + rows.stichtag
    mine = np.flatnonzero(rows.gebiet >= 0)
    # Chunks are (Merkmal × Stichtag) with areas in order.
    order = group[mine] * (int(rows.gebiet.max(initial=0)) + 1) + rows.gebiet[mine]
    if len(order) > 1 and not (order[1:] >= order[:-1]).all():
        mine = mine[np.argsort(order, kind="stable")]
    groups = group[mine]
    starts = np.flatnonzero(groups[1:] != groups[:-1]) + 1
    chunks = []
    shared: tuple[np.ndarray, Kodiert] | None = None
    for pick in np.split(mine, starts) if len(mine) else []:
        merkmal, day = divmod(int(group[pick[0]]), len(rows.stichtage))
        gebiet = rows.gebiet[pick].astype(np.int32)
        if shared is None or not np.array_equal(shared[0], gebiet):  # columns alike: encoded once
            shared = (gebiet, kodiere(gebiet))
        chunks.append(_chunk(lieferung_id, rows, merkmal, day, shared[1], rows.wert[pick], rows.code[pick]))
    return chunks


def _others(lieferung_id: int, rows: Zeilen) -> list[dict[str, Any]]:
    """Values of the Vergleichsgebiete (Land, Bund): a few rows of ``vergleichswert``."""
    wide = rows.breit
    if wide is not None:
        cells = [
            (int(wide.vergleich[r]), int(m), int(wide.stichtag[r]), float(wide.werte[r, c]), int(wide.codes[r, c]))
            for r in range(wide.eigene.start)
            for c, m in enumerate(wide.merkmal.tolist())
        ]
    else:
        cells = [
            (
                int(rows.vergleich[i]),
                int(rows.merkmal[i]),
                int(rows.stichtag[i]),
                float(rows.wert[i]),
                int(rows.code[i]),
            )
            for i in np.flatnonzero(rows.gebiet < 0)
        ]
    return [
        {
            "datenlieferung_id": lieferung_id,
            "schluessel": rows.vergleichsgebiete[other],
            "merkmal": str(rows.merkmale[merkmal]),
            "stichtag": rows.stichtage[day],
            "wert": None if code else value,
            "fehlend": Fehlwert(code).symbol or None,
        }
        for other, merkmal, day, value, code in cells
    ]
