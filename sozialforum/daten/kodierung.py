"""Column chunks as compact blobs: named 1-d arrays, each stored in the smallest exact form.

Why: a nationwide refresh writes tens of millions of values, and SQLite's cost grows with the
bytes it writes (page by page into the WAL, then again at the checkpoint), not with the rows.
Statistics are mostly small whole numbers beside codes that are almost all 0, so:

- ``float``: whole-number floats (counts) as integers, NaN as the type's smallest value, and then:
- ``int``: integers in the narrowest type that holds them;
- ``patched``: 16 bits for most, the few larger ones beside (Gemeinden beside Kreis totals);
- ``delta``: non-decreasing integers (area ids in order) as narrow differences;
- ``sparse``/``const``: arrays that are (almost) all 0 or all one value;
- ``raw``: everything else (rates, z-values) as it is.

Every form gives back bit for bit what went in (a NaN comes back as the canonical NaN), and
-0.0 or infinities simply stay ``raw``. Blobs of the first format (``SFC1``, raw only) stay
readable, so stored deliveries need no migration.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

_V1 = b"SFC1"
_V2 = b"SFC2"
_SIGNED = (np.int8, np.int16, np.int32, np.int64)
_UNSIGNED = (np.uint8, np.uint16, np.uint32, np.uint64)

Array = npt.NDArray[Any]
_LOWEST = {np.dtype(kind): int(np.iinfo(kind).min) for kind in _SIGNED}
_RANGES = {
    unsigned: [(np.dtype(k), int(np.iinfo(k).min), int(np.iinfo(k).max)) for k in kinds]
    for unsigned, kinds in ((False, _SIGNED), (True, _UNSIGNED))
}


def _narrow(lo: int, hi: int, *, unsigned: bool = False) -> np.dtype[Any]:
    for kind, low, high in _RANGES[unsigned and lo >= 0]:
        if low <= lo and hi <= high:
            return kind
    return np.dtype(np.int64)


def _ints(array: Array) -> tuple[list[Any], bytes]:
    """Integers: constant, sparse (mostly 0, e.g. codes), delta (ids in order) or narrowed.

    Few passes over the data: this runs for every column of every delivery."""
    n = len(array)
    if n == 0:
        return ["raw"], b""
    lo, hi = int(array.min()), int(array.max())
    if lo == hi:
        return ["const", lo], b""
    plain = _narrow(lo, hi)
    if lo <= 0 <= hi:
        others = np.count_nonzero(array)
        if others * (plain.itemsize + 4) < n * plain.itemsize:
            where = np.flatnonzero(array != 0)  # on a bool array: many times faster than on int8
            where_kind, positions = _positions(where)
            data = positions + array[where].astype(plain).tobytes()
            return ["sparse", 0, len(where), where_kind.str, plain.str], data
    if plain.itemsize >= 4:
        # Sums over all levels: Gemeinden in 16 bits, the few Kreis and Land totals beside them.
        outside = (array < -32768) | (array > 32767)
        count = int(np.count_nonzero(outside))
        if count * (plain.itemsize + 4) < n * (plain.itemsize - 2):
            where = np.flatnonzero(outside)
            where_kind, positions = _positions(where)
            base = np.where(outside, 0, array).astype(np.int16)
            data = base.tobytes() + positions + array[where].astype(plain).tobytes()
            return ["patched", count, where_kind.str, plain.str], data
    head = array[:16]
    if plain.itemsize > 1 and (head[1:] >= head[:-1]).all():  # ids in order, not counts
        # Differences in a type that holds them (unsigned ones would wrap around).
        fits = array.dtype.kind == "i" and hi - lo <= np.iinfo(array.dtype).max
        wide = array if fits else array.astype(np.int64)
        steps = np.diff(wide)
        if int(steps.min()) >= 0:
            kind = _narrow(0, int(steps.max()), unsigned=True)
            if kind.itemsize < plain.itemsize:
                return ["delta", int(array[0]), kind.str], steps.astype(kind).tobytes()
    return ["int", plain.str], array.astype(plain, copy=False).tobytes()


def _positions(where: Array) -> tuple[np.dtype[Any], bytes]:
    """Ascending positions as narrow gaps."""
    gaps = where.copy()
    gaps[1:] -= where[:-1]
    kind = _narrow(0, int(gaps.max(initial=0)), unsigned=True)
    return kind, gaps.astype(kind).tobytes()


def _floats(array: Array) -> tuple[list[Any], bytes] | None:
    """Whole-number floats as narrow integers with a sentinel for NaN; None if not exact."""
    if not len(array):
        return None
    sample = array[:64]
    if ((np.rint(sample) != sample) & (sample == sample)).any():  # a rate: fractions at once
        return None
    lo, hi = float(np.fmin.reduce(array)), float(np.fmax.reduce(array))
    if lo != lo:  # every value missing
        return ["float", -128, ["const", -128]], b""
    if not (lo > -(2.0**62) and hi < 2.0**62):  # also refuses infinities
        return None
    kind = _narrow(int(lo) - 1, int(hi))
    with np.errstate(invalid="ignore"):
        whole = array.astype(kind)
    # Bitwise round trip: refuses fractions and -0.0 (which comparing values would let pass);
    # the only cells allowed to differ are the NaNs, which take the type's smallest value.
    exact = whole.astype(np.float64).view(np.int64) == array.view(np.int64)
    sentinel = None
    if not exact.all():
        missing = ~exact
        if not np.isnan(array[missing]).all():
            return None
        sentinel = _LOWEST[kind]
        whole[missing] = sentinel
    spec, data = _ints(whole)
    return ["float", sentinel, spec], data


class Kodiert(NamedTuple):
    """An array already encoded: to share one encoding between many blobs (the area ids of
    every column of a delivery) instead of encoding it for each."""

    dtype: str
    length: int
    spec: list[Any]
    data: bytes


def kodiere(array: Array) -> Kodiert:
    array = np.asarray(array)
    return Kodiert(array.dtype.str, int(array.shape[0]), *_encode(array))


def _encode(array: Array) -> tuple[list[Any], bytes]:
    if array.dtype.kind == "i" or (array.dtype.kind == "u" and array.dtype.itemsize < 8):
        return _ints(array)
    if array.dtype == np.float64:
        packed = _floats(array)
        if packed is not None:
            return packed
    return ["raw"], np.ascontiguousarray(array).tobytes()


def pack(meta: dict[str, Any] | None = None, /, **arrays: Array | Kodiert) -> bytes:
    """Named 1-d arrays (and optional JSON-able ``meta``) as one blob."""
    header: dict[str, Any] = {"meta": meta or {}, "arrays": []}
    parts = []
    for name, array in arrays.items():
        done = array if isinstance(array, Kodiert) else kodiere(array)
        header["arrays"].append([name, done.dtype, done.length, len(done.data), done.spec])
        parts.append(done.data)
    head = json.dumps(header, separators=(",", ":")).encode()
    return b"".join([_V2, len(head).to_bytes(4, "little"), head, *parts])


def _decode_ints(spec: list[Any], data: memoryview, n: int) -> Array:
    form = spec[0]
    if form == "const":
        return np.full(n, spec[1], dtype=np.int64)
    if form == "int":
        return np.frombuffer(data, dtype=spec[1], count=n).astype(np.int64)
    if form == "delta":
        out = np.empty(n, dtype=np.int64)
        out[0] = spec[1]
        np.cumsum(np.frombuffer(data, dtype=spec[2], count=n - 1), dtype=np.int64, out=out[1:])
        out[1:] += spec[1]
        return out
    if form == "patched":
        _, count, where_kind, value_kind = spec
        out = np.frombuffer(data, dtype=np.int16, count=n).astype(np.int64)
        where = np.cumsum(np.frombuffer(data, dtype=where_kind, count=count, offset=2 * n), dtype=np.int64)
        offset = 2 * n + np.dtype(where_kind).itemsize * count
        out[where] = np.frombuffer(data, dtype=value_kind, count=count, offset=offset)
        return out
    if form == "sparse":
        _, common, count, where_kind, value_kind = spec
        where = np.cumsum(np.frombuffer(data, dtype=where_kind, count=count), dtype=np.int64)
        offset = np.dtype(where_kind).itemsize * count
        out = np.full(n, common, dtype=np.int64)
        out[where] = np.frombuffer(data, dtype=value_kind, count=count, offset=offset)
        return out
    raise ValueError(f"unbekannte Kodierung {form!r} einer Wertespalte")


def _decode(dtype: str, n: int, spec: list[Any], data: memoryview) -> Array:
    kind = np.dtype(dtype)
    if spec[0] == "raw":
        return np.frombuffer(data, dtype=kind, count=n).copy()
    if spec[0] == "float":
        whole = _decode_ints(spec[2], data, n)
        out = whole.astype(np.float64)
        if spec[1] is not None:
            out[whole == spec[1]] = np.nan
        return out
    return _decode_ints(spec, data, n).astype(kind)


def unpack_meta(
    blob: bytes, *, shared: tuple[str, dict[bytes, Array]] | None = None
) -> tuple[dict[str, Any], dict[str, Array]]:
    """(meta, arrays) of a blob of either format. ``shared``: (name of an array, cache) – blobs
    whose array of that name is stored alike get one decoded array object (read-only)."""
    magic = blob[:4]
    size = int.from_bytes(blob[4:8], "little")
    offset = 8 + size
    view = memoryview(blob)
    arrays: dict[str, Array] = {}
    if magic == _V1:
        for name, dtype, length in json.loads(blob[8:offset]):
            kind = np.dtype(dtype)
            arrays[name] = np.frombuffer(blob, dtype=kind, count=length, offset=offset).copy()
            offset += kind.itemsize * length
        return {}, arrays
    if magic != _V2:
        raise ValueError("unbekanntes Format einer Wertespalte")
    header = json.loads(blob[8:offset])
    for name, dtype, length, nbytes, spec in header["arrays"]:
        data = view[offset : offset + nbytes]
        if shared is not None and name == shared[0]:
            key = json.dumps([dtype, length, spec]).encode() + bytes(data)
            if key not in shared[1]:
                shared[1][key] = _decode(dtype, length, spec, data)
                shared[1][key].flags.writeable = False
            arrays[name] = shared[1][key]
        else:
            arrays[name] = _decode(dtype, length, spec, data)
        offset += nbytes
    return header["meta"], arrays


def unpack(blob: bytes, *, shared: tuple[str, dict[bytes, Array]] | None = None) -> dict[str, Array]:
    return unpack_meta(blob, shared=shared)[1]
