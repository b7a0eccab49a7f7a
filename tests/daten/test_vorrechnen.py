"""The refresh's worker computes each loaded Stichtag while the next file loads
(``vorrechnen``); the computation takes what it computed from exactly its own inputs. Whatever
the case, what is stored is what the computation stores alone: the same rows, byte for byte."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.daten.aktualisierung import lade, rechne
from sozialforum.daten.genesis_schreiben import indent, write_table
from sozialforum.daten.katalog import Katalog, load_katalog
from sozialforum.daten.vorlesen import Vorleser, vorlesen
from sozialforum.settings import Settings
from sozialforum.store.db import make_engine, session_scope
from sozialforum.store.models import Gebiet
from tests.daten.conftest import GEBIETE, NOW, add_gebiete

DAYS = [date(2019 + i, 12, 31) for i in range(4)]
MERKMALE = 4
NEU = "03999008"  # a Gemeinde formed on the third Stichtag

KATALOG = "\n".join(
    [
        '[dimensionen]\na = "A"\n',
        '[index]\nebenen = ["gemeinde", "sozialraum"]\nbevoelkerung = "m1"\n',
        *(f'[merkmale.m{j}]\nname = "Merkmal {j}"\n' for j in range(1, MERKMALE + 1)),
        *(
            f'[indikatoren.i{j}]\nname = "Indikator {j}"\ndimension = "a"\nzaehler = "m{j}"\nnenner = "m1"\n'
            "index = true\n"
            for j in range(2, MERKMALE + 1)
        ),
        '[[quellen]]\nkennung = "q"\nformat = "genesis"\nname = "Test"\ntabelle = "99999-01-01"',
        "spalten = { " + ", ".join(f'"Merkmal {j}" = "m{j}"' for j in range(1, MERKMALE + 1)) + " }\n",
    ]
)


def datei(folder: Path, *days: date, ohne: tuple[int, ...] = ()) -> Path:
    """Stichtage of every Gemeinde valid then, wide (a column a Merkmal and Stichtag), as GENESIS
    writes it; ``ohne``: Merkmale not delivered."""
    keys = [k for k, (_, _, level) in GEBIETE.items() if level == "gemeinde"]
    columns = [(day, j) for day in days for j in range(1, MERKMALE + 1) if j not in ohne]
    rows = []
    for key in [*keys, NEU]:
        rng = np.random.default_rng(int(key))
        values = [
            (
                "-"
                if day < DAYS[2] and key == NEU
                else str(int(rng.integers(2000, 9000) if j == 1 else rng.integers(0, 900)))
            )
            for day, j in columns
        ]
        if key != NEU or max(days) >= DAYS[2]:
            rows.append([key, indent(key, GEBIETE.get(key, ("Neustadt",))[0]), *values])
    path = folder / f"99999-01-01-5_{'_'.join(f'{day:%Y}' for day in days)}.csv"
    write_table(
        path,
        tabelle="99999-01-01-5",
        titel=["Test: Merkmale nach Gemeinden"],
        kopf=[["", "", *(f"{day:%d.%m.%Y}" for day, _ in columns)], ["", "", *(f"Merkmal {j}" for _, j in columns)]],
        zeilen=rows,
        stand=date(2024, 9, 1),
    )
    return path


def gerechnet(count: int) -> Callable[[Engine, Vorleser], None]:
    """Before computing: wait until the worker has computed the first ``count`` jobs."""

    def wait(engine: Engine, vorleser: Vorleser) -> None:
        assert vorleser._ordner is not None
        deadline = time.monotonic() + 60
        while not (vorleser._ordner / f"e{count - 1}").exists():
            assert time.monotonic() < deadline, "the worker computed nothing"
            time.sleep(0.02)

    return wait


@pytest.fixture
def katalog(tmp_path: Path) -> Katalog:
    path = tmp_path / "vorrechnen.toml"
    path.write_text(KATALOG, encoding="utf-8")
    return load_katalog(path)


@pytest.fixture
def zwei(sqlite_engine: Engine, tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    """Two stores with the same areas: one computed with the worker, one without."""
    add_gebiete(sqlite_engine)
    with session_scope(sqlite_engine, actor="test") as session:
        parent = session.scalar(sa.select(Gebiet.id).where(Gebiet.schluessel == "S3"))
        session.add(
            Gebiet(schluessel=NEU, ags=NEU, name="Neustadt", ebene="gemeinde", parent_id=parent, gueltig_ab=DAYS[2])
        )
    path = tmp_path / "allein.db"
    with sqlite3.connect(str(sqlite_engine.url.database)) as source, sqlite3.connect(path) as target:
        source.backup(target)  # with what the WAL holds
    other = make_engine(f"sqlite:///{path}")
    yield sqlite_engine, other
    other.dispose()


def inhalt(engine: Engine) -> str:
    """Every stored result row and the summary (without the computation's time)."""
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for query in (
            "select art, kennung, stichtag, daten, berechnung_id from ergebnisspalte order by id",
            "select indikator_id, gebiet_id, stichtag, wert, zaehler, nenner, fehlend, veraenderung from indikatorwert"
            " order by id",
            "select eingaben, stichtage, zusammenfassung from berechnung order by id",
        ):
            for row in connection.execute(sa.text(query)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def refresh(
    engine: Engine,
    files: list[Path],
    katalog: Katalog,
    *,
    worker: bool,
    before_computing: Callable[[Engine, Vorleser], None] | None = None,
) -> Vorleser:
    settings = Settings()
    rechnen = (katalog, settings.daten.einwohner_mindestzahl) if worker else None
    with vorlesen([(p, None) for p in files], mindestbytes=0 if worker else 2**62, rechnen=rechnen) as vorleser:
        for path in files:
            assert lade(engine, path, katalog, now=NOW, akteur="test").status == "geladen"
        if before_computing is not None:
            before_computing(engine, vorleser)
        assert rechne(engine, katalog, settings, now=NOW, akteur="test").neu
    return vorleser


def both(
    zwei: tuple[Engine, Engine],
    files: list[Path],
    katalog: Katalog,
    before_computing: Callable[[Engine, Vorleser], None],
) -> int:
    """Stichtage the computation took from the worker; the stored rows compared with a store
    loaded and computed without a worker."""
    with_worker, alone = zwei
    vorleser = refresh(with_worker, files, katalog, worker=True, before_computing=before_computing)
    assert vorleser.gestartet and vorleser.vorrechnung is not None
    refresh(alone, files, katalog, worker=False)
    assert inhalt(with_worker) == inhalt(alone)
    return vorleser.vorrechnung.uebernommen


def test_the_worker_computes_every_stichtag_and_the_rows_are_the_same(
    zwei: tuple[Engine, Engine], katalog: Katalog, tmp_path: Path
) -> None:
    """Four Stichtage, a Gemeinde formed on the third (the areas differ between Stichtage), an
    indicator missing on the second (known at the level before: that day's index is missing)."""
    files = [datei(tmp_path, day, ohne=(3,) if day == DAYS[1] else ()) for day in DAYS]
    assert both(zwei, files, katalog, gerechnet(len(DAYS))) == len(DAYS)


def test_the_computation_goes_on_from_where_the_worker_stopped(
    zwei: tuple[Engine, Engine], katalog: Katalog, tmp_path: Path
) -> None:
    """The last file holds two Stichtage (it is not handed to the worker): the worker's state
    after the second is where this process goes on."""
    files = [datei(tmp_path, DAYS[0]), datei(tmp_path, DAYS[1], ohne=(3,)), datei(tmp_path, *DAYS[2:])]
    assert both(zwei, files, katalog, gerechnet(2)) == 2


def test_a_stichtag_loaded_out_of_time_order_means_computing_here(
    zwei: tuple[Engine, Engine], katalog: Katalog, tmp_path: Path
) -> None:
    """The worker has computed the fourth Stichtag as the third; the computation finds the
    third in the store, removes what it took and computes all."""
    files = [datei(tmp_path, day) for day in DAYS]
    assert both(zwei, [files[0], files[1], files[3], files[2]], katalog, gerechnet(3)) == 0


def test_a_gebiet_changed_after_the_loads_is_computed_here(
    zwei: tuple[Engine, Engine], katalog: Katalog, tmp_path: Path
) -> None:
    def rename(engine: Engine, vorleser: Vorleser) -> None:
        if vorleser.gestartet:  # the worker has computed every Stichtag with the old name
            gerechnet(len(DAYS))(engine, vorleser)
        with session_scope(engine, actor="test") as session:
            session.execute(sa.update(Gebiet).where(Gebiet.schluessel == "03999001").values(name="Ahausen-Neu"))

    files = [datei(tmp_path, day) for day in DAYS]
    with_worker, alone = zwei
    vorleser = refresh(with_worker, files, katalog, worker=True, before_computing=rename)
    refresh(alone, files, katalog, worker=False, before_computing=rename)
    assert inhalt(with_worker) == inhalt(alone)
    assert vorleser.vorrechnung is not None and vorleser.vorrechnung.uebernommen == 0


@pytest.mark.parametrize("computed", [0, 2])
def test_a_killed_worker_leaves_the_computation_to_this_process(
    zwei: tuple[Engine, Engine], katalog: Katalog, tmp_path: Path, computed: int
) -> None:
    def kill(engine: Engine, vorleser: Vorleser) -> None:
        if computed:
            gerechnet(computed)(engine, vorleser)
        assert vorleser._prozess is not None
        vorleser._prozess.kill()
        vorleser._prozess.wait()

    assert both(zwei, [datei(tmp_path, day) for day in DAYS], katalog, kill) == 0
