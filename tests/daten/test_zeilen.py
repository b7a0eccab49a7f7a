"""A wide file is checked and stored straight from its matrix: the same chunks, benchmark
values and problem reports (file, line, column) as through the long form every layout has."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.engine import Engine

from sozialforum.daten import plausibel, plausibel_bericht
from sozialforum.daten.gebietsstand import Schluesselabgleich
from sozialforum.daten.genesis_schreiben import cell, indent, write_table
from sozialforum.daten.katalog import Katalog, load_katalog
from sozialforum.daten.kodierung import unpack
from sozialforum.daten.laden import _long, _read
from sozialforum.daten.laden_schreiben import _long_chunks, _others, _wide_chunks
from sozialforum.daten.quelldatei import read_bytes
from sozialforum.daten.zeilen import Zeilen
from sozialforum.store.db import session_scope
from tests.daten.conftest import GEBIETE, T22, T23

KATALOG = """
[dimensionen]
d = "D"

[vergleichsgebiete]
"03" = "Niedersachsen"

[merkmale.a]
name = "Teil"

[merkmale.b]
name = "Ganzes"

[indikatoren.anteil]
name = "Anteil"
dimension = "d"
zaehler = "a"
nenner = "b"

[[quellen]]
kennung = "breit"
format = "genesis"
name = "Breit"
tabelle = "99999-01-01"
spalten = { "A" = "a", "B" = "b" }
"""
GEMEINDEN = [key for key, (_, _, level) in GEBIETE.items() if level == "gemeinde"]


@pytest.fixture
def breit_katalog(tmp_path: Path) -> Katalog:
    path = tmp_path / "breit.toml"
    path.write_text(KATALOG, encoding="utf-8")
    return load_katalog(path)


def _file(
    path: Path,
    days: tuple[date, ...],
    change: dict[tuple[date, str], tuple[str, str]] | None = None,
    repeat: str | None = None,
    ordered: bool = False,
) -> Path:
    rows = []
    for day in days:
        if not ordered:
            rows.append([str(day.year), "03", "  Niedersachsen", cell(50_000), cell(900_000)])
        for n, key in enumerate(GEMEINDEN if ordered else reversed(GEMEINDEN)):  # the reader sorts
            a, b = (change or {}).get((day, key), (cell(10 + n), "." if n == 3 else cell(100 + n)))
            rows.append([str(day.year), key, indent(key, GEBIETE[key][0]), a, b])
            if key == repeat:
                rows.append(rows[-1])
    write_table(
        path,
        tabelle="99999-01-01-5",
        titel=["Breit"],
        kopf=[["", "", "", "A", "B"]],
        zeilen=rows,
        stand=date(2024, 1, 2),
    )
    return path


def _both(engine: Engine, path: Path, katalog: Katalog) -> tuple[Zeilen, Zeilen]:
    with session_scope(engine, actor="test") as session:
        data, quelle = _read(path, read_bytes(path), katalog, None)
        wide = _long(data, quelle, katalog, Schluesselabgleich.aus(session), False, [], [])
    assert wide.breit is not None
    # A file in area order with every column mapped is used as it was read, without a copy.
    in_order = bool((np.diff(wide.breit.gebiet) >= 0).all()) and wide.breit.gebiet[0] >= 0
    assert np.shares_memory(wide.breit.werte, data.werte) == in_order
    long = Zeilen(wide.spalten, wide.vergleichsgebiete, wide.merkmale, wide.stichtage, long=list(wide._long))
    return wide, long


def _decoded(chunks: list[dict]) -> list[tuple]:
    out = []
    for chunk in chunks:
        arrays = unpack(chunk["daten"])
        out.append(
            (
                chunk["merkmal"],
                chunk["stichtag"],
                chunk["anzahl"],
                arrays["gebiet"].tolist(),
                np.nan_to_num(arrays["wert"], nan=-1).tolist(),
                arrays["code"].tolist(),
            )
        )
    return sorted(out)


@pytest.mark.parametrize(("days", "ordered"), [((T23,), False), ((T22, T23), False), ((T23,), True)])
def test_wide_and_long_store_the_same(
    kreis: tuple[Engine, dict[str, int]], breit_katalog: Katalog, tmp_path: Path, days: tuple[date, ...], ordered: bool
) -> None:
    wide, long = _both(kreis[0], _file(tmp_path / "breit.csv", days, ordered=ordered), breit_katalog)
    assert _decoded(_wide_chunks(1, wide)) == _decoded(_long_chunks(1, long))
    assert sorted(map(str, _others(1, wide))) == sorted(map(str, _others(1, long)))
    land = 0 if ordered else 2 * len(days)  # the Land row, both columns
    assert len(_others(1, wide)) == land
    assert wide.eigene() == long.eigene() == (7 * 2 * len(days), 7, land)
    assert wide.anzahl == long.anzahl


@pytest.mark.parametrize(("days", "ordered"), [((T23,), False), ((T22, T23), False), ((T23,), True)])
def test_wide_and_long_report_the_same_problems(
    kreis: tuple[Engine, dict[str, int]], breit_katalog: Katalog, tmp_path: Path, days: tuple[date, ...], ordered: bool
) -> None:
    engine = kreis[0]
    cases = {
        "zaehler": {(T23, "03999005"): (cell(120), cell(100))},  # 120 of 100: above 100 %
        "negativ": {(T23, "03999002"): (cell(-4), cell(100))},
    }
    for name, change in cases.items():
        wide, long = _both(engine, _file(tmp_path / f"{name}.csv", days, change, ordered=ordered), breit_katalog)
        with session_scope(engine, actor="test") as session:
            # A share above 100 % is a finding of the report, a negative count a problem.
            check = plausibel_bericht.befunde if name == "zaehler" else plausibel.pruefe
            found = [str(p) for p in check(session, "x.csv", wide, breit_katalog)]
            assert found == [str(p) for p in check(session, "x.csv", long, breit_katalog)]
        assert len(found) == 1, found
        assert "Zähler größer als Nenner" in found[0] or "negative Anzahl (-4)" in found[0]
        assert "Spalte „A“" in found[0] or "Spalte „B“" in found[0]
    wide, long = _both(engine, _file(tmp_path / "doppelt.csv", days, repeat="03999004", ordered=ordered), breit_katalog)
    with session_scope(engine, actor="test") as session:
        found = [str(p) for p in plausibel.pruefe(session, "x.csv", wide, breit_katalog)]
        assert found == [str(p) for p in plausibel.pruefe(session, "x.csv", long, breit_katalog)]
    assert len(found) == 2 * len(days) and all("doppelte Angabe" in text for text in found)
