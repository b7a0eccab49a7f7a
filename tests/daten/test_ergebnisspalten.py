"""A stored computation reads back exactly as it was computed (on SQLite and PostgreSQL),
although values are rebuilt from their stored sums; computations stored in the earlier layout
(values in every chunk) stay readable."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
from sqlalchemy.engine import Engine

from sozialforum.daten.berechnung import Stichtagsergebnis, berechne_stichtag
from sozialforum.daten.ergebnis import berechne, lade_monitor
from sozialforum.daten.ergebnisspalten import lies_chunks
from sozialforum.daten.gebietsstand import Gebietsstand
from sozialforum.daten.index import berechne_index
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.laden import lade_datei
from sozialforum.daten.speicher import lade_bestand, lade_vergleich
from sozialforum.settings import DatenSettings
from sozialforum.store.db import session_scope
from tests.daten.conftest import NOW, T22, T23, add_gebiete, alo_datei, bev_datei


def _same(a: np.ndarray | None, b: np.ndarray | None) -> None:
    assert (a is None) == (b is None)
    if a is None or b is None:
        return
    assert a.dtype == b.dtype and a.shape == b.shape
    if a.dtype.kind == "f":
        assert np.array_equal(np.isnan(a), np.isnan(b))
        assert np.array_equal(a[~np.isnan(a)].view(np.int64), b[~np.isnan(b)].view(np.int64))
    else:
        assert np.array_equal(a, b)


def test_a_stored_computation_reads_back_bit_for_bit(engine: Engine, katalog: Katalog, tmp_path: Path) -> None:
    add_gebiete(engine)
    for path in (bev_datei(tmp_path / "bev.csv"), alo_datei(tmp_path / "alo.csv")):
        with session_scope(engine, actor="test") as session:
            lade_datei(session, path, katalog, now=NOW, akteur="test")
    settings = DatenSettings()
    with session_scope(engine, actor="test") as session:
        berechne(session, katalog, settings, now=NOW, akteur="test")
    with session_scope(engine, actor="test") as session:
        monitor = lade_monitor(session)
        stand = Gebietsstand.aus(session)
        bestand, vergleich = lade_bestand(session), lade_vergleich(session)
    assert monitor is not None and monitor.stichtage == [T22, T23]
    previous: Stichtagsergebnis | None = None
    bekannt: dict[tuple[str, bool], set[str]] = {}
    for day in monitor.stichtage:  # the same computation again, in memory
        result = berechne_stichtag(day, bestand.get(day), vergleich.get(day), stand, katalog, previous)
        for code, werte in result.werte.items():
            stored = monitor.werte[(code, day)]
            assert list(stored.ids) == list(werte.ids)
            for field in (
                "wert",
                "code",
                "zaehler",
                "zaehler_code",
                "nenner",
                "nenner_code",
                "veraenderung",
                "veraenderung_code",
            ):
                _same(getattr(werte, field), getattr(stored, field))
        for code, werte in result.vergleich.items():
            _same(werte.wert, monitor.vergleich[(code, day)].wert)
        index, _notes = berechne_index(result, stand, katalog, settings.einwohner_mindestzahl, bekannt)
        for entry in index:
            stored_index = monitor.index[(entry.kennung, day)]
            assert stored_index.ids == entry.ids and stored_index.indikatoren == entry.indikatoren
            for field in ("status", "status_code", "status_klasse", "dynamik", "dynamik_code", "dynamik_klasse"):
                _same(getattr(entry, field), getattr(stored_index, field))
        previous = result


def _first_format(**arrays: np.ndarray) -> bytes:
    head = json.dumps([[name, a.dtype.str, len(a)] for name, a in arrays.items()]).encode()
    return b"SFC1" + len(head).to_bytes(4, "little") + head + b"".join(a.tobytes() for a in arrays.values())


def test_computations_of_the_earlier_layout_stay_readable() -> None:
    day = date(2023, 12, 31)
    ids = np.array([4, 9], dtype=np.int32)
    values = {
        "wert": np.array([12.5, np.nan]),
        "code": np.array([0, 2], dtype=np.int8),
        "zaehler": np.array([5.0, np.nan]),
        "zaehler_code": np.array([0, 2], dtype=np.int8),
        "nenner": np.array([40.0, 30.0]),
        "nenner_code": np.array([0, 0], dtype=np.int8),
    }
    areas, werte, _vergleich, _index = lies_chunks(
        [("gebiete", "", day, _first_format(ids=ids)), ("indikator", "quote", day, _first_format(**values))]
    )
    assert areas == {day: [4, 9]}
    stored = werte[("quote", day)]
    assert stored.ids == [4, 9]
    for name, array in values.items():
        _same(array, getattr(stored, name))
