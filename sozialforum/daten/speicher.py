"""Reading and writing column chunks, and assembling the effective base data per Stichtag.

Every delivery is kept; the effective value of a Merkmal for an area on a Stichtag is the one
of the newest delivery that has it (a corrected file supersedes, the history stays).

The store is imported inside the functions that read it (see ``gebietsstand``): ``Tafel`` is
what the computation needs, also in the refresh's worker process, which has no store.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from sozialforum.daten.fehlwerte import NICHT_GELIEFERT, Fehlwert
from sozialforum.daten.kodierung import unpack
from sozialforum.daten.merkmale import MerkmalKey, parse_key

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def eindeutig(ids: npt.NDArray[np.integer]) -> npt.NDArray[np.int64]:
    """The distinct area ids, sorted. Ids are small non-negative integers, so a bitmap is
    many times faster than ``np.unique`` on the 880,000 values of a nationwide file."""
    if not len(ids):
        return np.zeros(0, dtype=np.int64)
    seen = np.zeros(int(ids.max()) + 1, dtype=bool)
    seen[ids] = True
    return np.flatnonzero(seen)


@dataclass
class Tafel:
    """Base counts of one Stichtag: rows are areas (ids, or keys of Vergleichsgebiete),
    columns are Merkmale with their bands; values NaN where the code says why."""

    index: list[int] | list[str]
    spalten: list[MerkmalKey]
    werte: npt.NDArray[np.float64]
    codes: npt.NDArray[np.int8]

    def column(self, key: MerkmalKey) -> int:
        return self.spalten.index(key)

    @classmethod
    def leer(cls, index: list, spalten: list[MerkmalKey]) -> Tafel:
        shape = (len(index), len(spalten))
        return cls(index, spalten, np.full(shape, np.nan), np.full(shape, NICHT_GELIEFERT, dtype=np.int8))


def inhalt(blob: bytes) -> str:
    """A chunk's content checksum (``wertespalte.pruefsumme``), computed when it is written."""
    return hashlib.blake2b(blob, digest_size=16).hexdigest()


def _stored(session: Session, stichtage: Iterable[date] | None) -> list[tuple[int, str, date, str | None]]:
    """(id, Merkmal, Stichtag, checksum) of the stored chunks, oldest delivery first: no blobs."""
    import sqlalchemy as sa
    from sqlmodel import col

    from sozialforum.store.models import Wertespalte

    query = sa.select(
        col(Wertespalte.id), col(Wertespalte.merkmal), col(Wertespalte.stichtag), col(Wertespalte.pruefsumme)
    ).order_by(col(Wertespalte.datenlieferung_id), col(Wertespalte.id))
    if stichtage is not None:
        query = query.where(col(Wertespalte.stichtag).in_(list(stichtage)))
    return [(i, m, s, h) for i, m, s, h in session.execute(query)]


def stichtage(session: Session) -> list[date]:
    """The Stichtage with stored values, in time order."""
    import sqlalchemy as sa
    from sqlmodel import col

    from sozialforum.store.models import Wertespalte

    return sorted(session.scalars(sa.select(col(Wertespalte.stichtag)).distinct()).all())


def _blobs(session: Session, ids: list[int]) -> dict[int, bytes]:
    import sqlalchemy as sa
    from sqlmodel import col

    from sozialforum.store.models import Wertespalte

    found: dict[int, bytes] = {}
    for start in range(0, len(ids), 500):  # bound parameters per statement
        part = ids[start : start + 500]
        query = sa.select(col(Wertespalte.id), col(Wertespalte.daten)).where(col(Wertespalte.id).in_(part))
        found.update((i, d) for i, d in session.execute(query))
    return found


Bestandsschluessel = tuple[date, tuple[tuple[str, str], ...]]  # a Stichtag's chunks (Merkmal, checksum)

# Decoded Stichtage by the content checksums of their stored chunks (content, not row ids: a
# rolled-back load or another database can never hit an entry that does not hold the same
# bytes). A refresh reads the same Stichtage again and again: each load's jump check reads up to
# ``verlauf`` earlier ones, and the computation reads them all; decoding 80 columns of 11,000
# Gemeinden costs ~25 ms a Stichtag, and reading its blobs from the store to compare them cost
# about as much again (they were the key until migration 0035): now a hit reads no blob.
_VORRAT: OrderedDict[Bestandsschluessel, Tafel] = OrderedDict()
VORRAT_BYTES = 128 * 2**20  # decoded arrays kept (a nationwide Stichtag: ~8 MB)


def _merke(key: Bestandsschluessel, tafel: Tafel) -> None:
    tafel.werte.flags.writeable = tafel.codes.flags.writeable = False  # shared from now on
    _VORRAT[key] = tafel
    size = sum(t.werte.nbytes + t.codes.nbytes for t in _VORRAT.values())
    while size > VORRAT_BYTES and len(_VORRAT) > 1:
        _, old = _VORRAT.popitem(last=False)
        size -= old.werte.nbytes + old.codes.nbytes


def vormerken(stichtag: date, chunks: list[tuple[str, str]], tafel: Tafel) -> None:
    """What ``lade_bestand`` would build from exactly the stored chunks (Merkmal, checksum) of
    one Stichtag, known to the writer without decoding: kept as if it had been read."""
    _merke((stichtag, tuple(chunks)), tafel)


def bestandsschluessel(
    session: Session, stichtage: Iterable[date] | None = None
) -> tuple[dict[date, Bestandsschluessel], dict[date, list[tuple[int, str, str | None]]], dict[int, bytes]]:
    """What identifies each Stichtag's base counts by content (the key of ``_VORRAT``), read
    without a blob except of chunks written before migration 0035 (returned with the rows)."""
    by_day: dict[date, list[tuple[int, str, str | None]]] = {}
    for row_id, merkmal, stichtag, pruefsumme in _stored(session, stichtage):
        by_day.setdefault(stichtag, []).append((row_id, merkmal, pruefsumme))
    unhashed = [i for chunks in by_day.values() for i, _, h in chunks if h is None]
    blobs = _blobs(session, unhashed) if unhashed else {}  # written before 0035: hashed here
    keys = {
        day: (day, tuple((m, h if h is not None else inhalt(blobs[i])) for i, m, h in chunks))
        for day, chunks in by_day.items()
    }
    return keys, by_day, blobs


def lade_bestand(session: Session, stichtage: Iterable[date] | None = None) -> dict[date, Tafel]:
    """The effective base counts of every Stichtag (or the given ones). The arrays are shared
    between callers (read-only): copy before changing."""
    keys, by_day, blobs = bestandsschluessel(session, stichtage)
    missing = [day for day, key in keys.items() if key not in _VORRAT]
    if missing:
        blobs.update(_blobs(session, [i for day in missing for i, _, _ in by_day[day] if i not in blobs]))
    result = {}
    for stichtag, key in sorted(keys.items()):
        found = _VORRAT.get(key)
        if found is None:
            _merke(key, found := _tafel([(m, blobs[i]) for i, m, _ in by_day[stichtag]]))
        else:
            _VORRAT.move_to_end(key)
        result[stichtag] = found
    return result


def _tafel(blobs: list[tuple[str, bytes]]) -> Tafel:
    """One Stichtag's chunks (oldest delivery first) as a Tafel."""
    shared: dict[bytes, npt.NDArray[np.generic]] = {}  # the area ids a delivery's columns share
    chunks = [(merkmal, unpack(blob, shared=("gebiet", shared))) for merkmal, blob in blobs]
    distinct = {id(chunk["gebiet"]): chunk["gebiet"] for _, chunk in chunks}
    ids = eindeutig(np.concatenate(list(distinct.values())))
    names = {merkmal: parse_key(merkmal) for merkmal, _ in chunks}
    keys = sorted(set(names.values()))
    position = {key: i for i, key in enumerate(keys)}
    row_of = np.zeros(int(ids[-1]) + 1 if len(ids) else 0, dtype=np.int64)
    row_of[ids] = np.arange(len(ids))
    every = np.arange(len(ids))
    rows = {
        key: slice(None) if len(gebiet) == len(ids) and (row_of[gebiet] == every).all() else row_of[gebiet]
        for key, gebiet in distinct.items()
    }
    # Column by column into a Merkmal × area array (contiguous writes), handed out transposed.
    werte = np.full((len(keys), len(ids)), np.nan)
    codes = np.full((len(keys), len(ids)), NICHT_GELIEFERT, dtype=np.int8)
    for merkmal, chunk in chunks:  # oldest first: newer deliveries overwrite
        column, where = position[names[merkmal]], rows[id(chunk["gebiet"])]
        werte[column, where] = chunk["wert"]
        codes[column, where] = chunk["code"]
    return Tafel(ids.tolist(), keys, werte.T, codes.T)


def lade_vergleich(session: Session, stichtag: date | None = None) -> dict[date, Tafel]:
    """Delivered counts of the Vergleichsgebiete per Stichtag, or of one (newest delivery wins)."""
    import sqlalchemy as sa
    from sqlmodel import col

    from sozialforum.store.models import Vergleichswert

    query = sa.select(
        col(Vergleichswert.schluessel),
        col(Vergleichswert.merkmal),
        col(Vergleichswert.stichtag),
        col(Vergleichswert.wert),
        col(Vergleichswert.fehlend),
    ).order_by(col(Vergleichswert.datenlieferung_id))
    if stichtag is not None:
        query = query.where(col(Vergleichswert.stichtag) == stichtag)
    rows = session.execute(query).all()
    by_day: dict[date, dict[tuple[str, str], tuple[float | None, str | None]]] = {}
    for key, merkmal, stichtag, wert, fehlend in rows:
        by_day.setdefault(stichtag, {})[(key, merkmal)] = (wert, fehlend)
    result = {}
    for stichtag, cells in by_day.items():
        keys = sorted({key for key, _ in cells})
        spalten = sorted({parse_key(m) for _, m in cells})
        tafel = Tafel.leer(keys, spalten)
        for (key, merkmal), (wert, fehlend) in cells.items():
            row, spalte = keys.index(key), spalten.index(parse_key(merkmal))
            code = Fehlwert.VORHANDEN if fehlend is None else _code(fehlend)
            tafel.werte[row, spalte] = np.nan if wert is None else wert
            tafel.codes[row, spalte] = code
        result[stichtag] = tafel
    return result


def _code(symbol: str) -> Fehlwert:
    for code in Fehlwert:
        if code.symbol == symbol:
            return code
    return Fehlwert.UNBEKANNT
