"""A Sozialraum of exactly one Gemeinde, on the demo Landkreis (#18): Moorwinkel leaves Lindenau
and becomes the Sozialraum "Moorwinkel" on its own. The secondary suppression once looped forever
there, so profiles, atlas and the refresh never finished. Now every output finishes within
seconds, and the public suppression pattern is the golden one — with nothing hidden that may be
shown: a Sozialraum equal to its one Gemeinde is hidden only where that Gemeinde is."""

from __future__ import annotations

import json
import resource
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pytest
from sqlalchemy.engine import Engine

from sozialforum.channels.pdf import html_to_pdf
from sozialforum.daten import aktualisierung as service
from sozialforum.daten.ergebnis import lade_monitor
from sozialforum.daten.geheimhaltung import GEHEIME_FEHLWERTE, Empfaenger, berechne_muster
from sozialforum.daten.katalog import load_for
from sozialforum.demo import DATA
from sozialforum.settings import Settings, load_settings
from sozialforum.stammdaten.importer import import_folder
from sozialforum.stammdaten.planung import import_planung
from sozialforum.store.db import make_engine, migrate, session_scope
from tests.daten.conftest import NOW
from tests.support.golden import assert_golden

pytestmark = pytest.mark.slow
GOLDEN = Path(__file__).parent / "golden" / "eine_gemeinde_muster.json"
# Each output on its own; it never finished before the fix.
FRIST_SEKUNDEN = 5.0
T = TypeVar("T")


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (profiles print in workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _within_deadline(what: str, work: Callable[[], T]) -> T:
    """Run ``work`` and check its CPU time: on a shared CI machine the wall clock measures the
    neighbours as well; the loop this guards against burnt CPU without end."""
    started, wall = _cpu(), time.monotonic()
    result = work()
    seconds = _cpu() - started
    print(f"{what}: {seconds:.2f} s CPU, {time.monotonic() - wall:.2f} s")
    assert seconds < FRIST_SEKUNDEN, f"{what} took {seconds:.1f} s of CPU"
    return result


def _stammdaten(folder: Path) -> Path:
    """The demo lists, with Moorwinkel (03199004) as the only Gemeinde of a new Sozialraum."""
    target = folder / "stammdaten"
    target.mkdir()
    for name in ("gebiete.csv", "organisationen.csv", "personen.csv", "gremien.csv", "mitgliedschaften.csv"):
        shutil.copy(DATA / name, target / name)
    lines = (target / "gebiete.csv").read_text(encoding="utf-8").splitlines()
    edited = []
    for line in lines:
        if line.startswith("SR01;"):
            line = line.replace(";54430;", ";31400;")
            edited += [line, "SR13;Sozialraum Moorwinkel;sozialraum;REG-N;;;23030;;;"]
            continue
        if line.startswith("03199004;"):
            line = line.replace(";SR01;", ";SR13;")
        edited.append(line)
    (target / "gebiete.csv").write_text("\n".join(edited) + "\n", encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Settings]:
    folder = tmp_path_factory.mktemp("eine-gemeinde")
    settings = load_settings(data_dir=folder / "var")
    engine = make_engine(settings.db_url)
    migrate(engine)
    with session_scope(engine, actor="test") as session:
        import_folder(session, _stammdaten(folder))
        import_planung(session, DATA / "planung.json")
    katalog = load_for(settings)
    for path in service.quelldateien(DATA / "statistik"):
        service.lade(engine, path, katalog, now=NOW, akteur="test")
    # Starting the PDF engine (imports, fonts, stylesheet) is the process's, once, not an output's.
    html_to_pdf("<h1>Probe</h1>", title="Probe")
    return engine, settings


def test_every_output_finishes_within_seconds(demo: tuple[Engine, Settings]) -> None:
    engine, settings = demo
    katalog = load_for(settings)
    _within_deadline("Berechnung", lambda: service.rechne(engine, katalog, settings, now=NOW, akteur="test"))
    public = Empfaenger.oeffentlich()
    # Imports and caches (charts, maps, the workbook) are the process's: warmed on another area.
    service.ausgaben(engine, katalog, settings, public, now=NOW, sozialraeume=["SR05"])
    out = _within_deadline(
        "Profil und Atlas",
        lambda: service.ausgaben(engine, katalog, settings, public, now=NOW, sozialraeume=["SR13"]),
    )
    [profile] = out.profile
    assert "SR13" in profile.name and profile.with_suffix(".pdf").stat().st_size > 10_000
    assert "Moorwinkel" in profile.read_text(encoding="utf-8")
    _within_deadline(
        "Profil des Nachbarn",
        lambda: service.ausgaben(engine, katalog, settings, public, now=NOW, sozialraeume=["SR01"]),
    )


def test_the_public_suppression_pattern_hides_nothing_that_may_be_shown(demo: tuple[Engine, Settings]) -> None:
    engine, settings = demo
    katalog = load_for(settings)
    service.rechne(engine, katalog, settings, now=NOW, akteur="test")
    with session_scope(engine, actor="test") as session:
        monitor = lade_monitor(session)
        assert monitor is not None
        day = monitor.letzter_stichtag
        werte = {code: monitor.werte[(code, day)] for code in katalog.indikatoren}
        muster = _within_deadline(
            "Geheimhaltung", lambda: berechne_muster(werte, monitor.stand, katalog, settings.daten)
        )
        keys = {b.id: b.schluessel for b in monitor.stand.am(day)}
    ids = [int(i) for i in next(iter(werte.values())).ids]
    hidden = {
        code: sorted(keys[ids[row]] for row in np.flatnonzero(mask)) for code, mask in muster.unterdrueckt.items()
    }
    for code, areas in hidden.items():
        # The Sozialraum equals its one Gemeinde: one is hidden exactly when the other is, and
        # only because of a small count or a value the publisher withheld, never by itself.
        assert ("SR13" in areas) == ("03199004" in areas), code
        withheld = np.isin(werte[code].zaehler_code, GEHEIME_FEHLWERTE).any()
        if areas:
            assert muster.primaer[code].any() or withheld, f"{code}: hidden without a reason: {areas}"
    # Schilfau's young unemployed are withheld ('*', BA); the pattern protects them with
    # Ahornstedt, and — because Sozialraum and Region inherit the unknown — Region Nord by the
    # cheapest complement: the one-Gemeinde Sozialraum, whose equation costs two cells, not three.
    assert hidden["jugendarbeitslosigkeit"] == ["03199004", "03199041", "REG-N", "SR13"]
    assert hidden["arbeitslosenanteil"] == []  # every count large, nothing withheld
    assert_golden(GOLDEN, json.dumps({code: areas for code, areas in hidden.items() if areas}, indent=1) + "\n")
