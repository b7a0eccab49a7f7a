"""Column chunks come back bit for bit, whatever form the encoder chose, and blobs written in
the first format (before the compact forms) stay readable."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sozialforum.daten.kodierung import kodiere, pack, unpack, unpack_meta


def _same(original: np.ndarray, back: np.ndarray) -> None:
    assert back.dtype == original.dtype and back.shape == original.shape
    if original.dtype.kind == "f":
        assert np.array_equal(np.isnan(original), np.isnan(back))
        present = ~np.isnan(original)
        assert np.array_equal(original[present].view(np.int64), back[present].view(np.int64))  # -0.0 too
    else:
        assert np.array_equal(original, back)


def _cases() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    counts = rng.integers(0, 5000, 11_000).astype(np.float64)
    with_symbols = counts.copy()
    with_symbols[rng.random(11_000) < 0.01] = np.nan
    sums = np.concatenate([counts, rng.integers(10**6, 6 * 10**7, 127).astype(np.float64), [np.nan]])
    return {
        "ids": np.arange(17, 11_017, dtype=np.int32),
        "ids_gaps": np.sort(rng.choice(10**6, 5000, replace=False)).astype(np.int64),
        "counts": counts,
        "with_symbols": with_symbols,
        "sums_over_levels": sums,
        "rates": rng.random(11_000) * 100,
        "z_values": rng.normal(size=500),
        "codes": np.where(rng.random(11_000) < 0.01, rng.integers(1, 8, 11_000), 0).astype(np.int8),
        "dense_codes": rng.integers(0, 8, 1000).astype(np.int8),
        "no_codes": np.zeros(9, np.int8),
        "minus_zero": np.array([0.0, -0.0, 3.0]),
        "infinite": np.array([1.0, np.inf, -np.inf, np.nan]),
        "all_missing": np.full(4, np.nan),
        "empty": np.zeros(0),
        "one": np.array([42.0]),
        "extremes": np.array([np.iinfo(np.int64).min, 0, np.iinfo(np.int64).max], dtype=np.int64),
        "huge_floats": np.array([2.0**62, -(2.0**62), 1e300, 0.5]),
        "negative_counts": np.array([-129.0, -128.0, 127.0, np.nan]),
        "big_negative_sparse": np.where(rng.random(5000) < 0.01, -(10**7), rng.integers(-300, 300, 5000)),
        "unsigned": np.array([0, 65535, 7], dtype=np.uint16),
        "unsigned_falling": np.array([*range(20), 3, 1], dtype=np.uint16),
        "flags": np.array([True, False, True]),
        "names": np.array(["i01", "altenquotient"]),
        "constant": np.full(50, 3, dtype=np.int8),
    }


@pytest.mark.parametrize("name", sorted(_cases()))
def test_every_array_comes_back_exactly(name: str) -> None:
    array = _cases()[name]
    _same(array, unpack(pack(None, x=array))["x"])


def test_many_arrays_meta_and_a_shared_encoding_in_one_blob() -> None:
    cases = _cases()
    shared = kodiere(cases["ids"])
    meta, back = unpack_meta(pack({"faktor": 100.0, "nenner": None}, gebiet=shared, **cases))
    assert meta == {"faktor": 100.0, "nenner": None}
    _same(cases["ids"], back["gebiet"])
    for name, array in cases.items():
        _same(array, back[name])


def test_counts_take_far_less_room_than_raw_floats() -> None:
    cases = _cases()
    assert len(pack(None, x=cases["with_symbols"])) < cases["with_symbols"].nbytes / 3
    assert len(pack(None, x=cases["sums_over_levels"])) < cases["sums_over_levels"].nbytes / 3
    assert len(pack(None, x=cases["codes"])) < cases["codes"].nbytes / 10
    assert len(pack(None, x=cases["ids"])) < cases["ids"].nbytes / 3


def test_blobs_of_the_first_format_stay_readable() -> None:
    arrays = {
        "gebiet": np.array([3, 5], dtype=np.int32),
        "wert": np.array([1.5, np.nan]),
        "code": np.array([0, 2], dtype=np.int8),
    }
    head = json.dumps([[name, a.dtype.str, len(a)] for name, a in arrays.items()]).encode()
    blob = b"SFC1" + len(head).to_bytes(4, "little") + head + b"".join(a.tobytes() for a in arrays.values())
    back = unpack(blob)
    for name, array in arrays.items():
        _same(array, back[name])
    with pytest.raises(ValueError, match="unbekanntes Format"):
        unpack(b"XXXX" + blob[4:])
