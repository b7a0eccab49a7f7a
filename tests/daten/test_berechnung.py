"""Golden values computed by hand on the Testkreis (see conftest): rates from summed numerators
and denominators (never averaged), aggregation, change, missing values, the MSS index and its
classes, target attainment and benchmark comparison."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.daten.ergebnis import Monitor, berechne, lade_monitor
from sozialforum.daten.fehlwerte import Fehlwert
from sozialforum.daten.geheimhaltung import Empfaenger
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.laden import lade_datei
from sozialforum.daten.sicht import Sicht
from sozialforum.settings import DatenSettings
from sozialforum.store.db import session_scope
from sozialforum.store.models import Berechnung, Indikatorwert
from tests.daten.conftest import ALO, NOW, T22, T23, alo_datei, bev_datei


def refresh(engine: Engine, katalog: Katalog, files: list[Path]) -> Monitor:
    for path in files:
        with session_scope(engine, actor="test") as session:
            lade_datei(session, path, katalog, now=NOW, akteur="test")
    with session_scope(engine, actor="test") as session:
        berechne(session, katalog, DatenSettings(), now=NOW, akteur="test")
    with session_scope(engine, actor="test") as session:
        monitor = lade_monitor(session)
    assert monitor is not None
    return monitor


@pytest.fixture
def monitor(kreis: tuple[Engine, dict[str, int]], katalog: Katalog, tmp_path: Path) -> Monitor:
    engine, _ = kreis
    return refresh(engine, katalog, [bev_datei(tmp_path / "bev.csv"), alo_datei(tmp_path / "alo.csv")])


def value(monitor: Monitor, ids: dict[str, int], code: str, key: str, day: date = T23, field: str = "wert") -> float:
    werte = monitor.werte[(code, day)]
    row = werte.ids.index(ids[key])
    return float(getattr(werte, field)[row])


def test_rates_are_recomputed_from_sums_on_every_level(monitor: Monitor, kreis: tuple[Engine, dict[str, int]]) -> None:
    ids = kreis[1]
    assert value(monitor, ids, "alo_quote", "03999001") == pytest.approx(30 / 650 * 100)
    assert value(monitor, ids, "alo_quote", "S1") == pytest.approx(32 / 970 * 100)  # 3,2990
    assert value(monitor, ids, "alo_quote", "S2") == pytest.approx(70 / 1450 * 100)  # 4,8276
    assert value(monitor, ids, "alo_quote", "S3") == pytest.approx(72 / 1690 * 100)  # 4,2604
    assert value(monitor, ids, "alo_quote", "RA") == pytest.approx(102 / 2420 * 100)
    kreis_rate = value(monitor, ids, "alo_quote", "03999000")
    assert kreis_rate == pytest.approx(174 / 4110 * 100)  # 4,2336
    averaged = np.mean([32 / 970, 70 / 1450, 72 / 1690]) * 100  # 4,1290: what averaging would give
    assert abs(kreis_rate - averaged) > 0.1
    assert value(monitor, ids, "alo_quote", "03999000", field="zaehler") == 174
    assert value(monitor, ids, "alo_quote", "03999000", field="nenner") == 4110
    assert value(monitor, ids, "einwohner", "RB") == 600 + 800 + 1200  # counts: plain sums
    assert value(monitor, ids, "altenquotient", "S2") == pytest.approx(460 / 1450 * 100)


def test_change_against_the_previous_stichtag(monitor: Monitor, kreis: tuple[Engine, dict[str, int]]) -> None:
    ids = kreis[1]
    assert monitor.stichtage == [T22, T23]
    assert value(monitor, ids, "alo_quote", "S1", field="veraenderung") == pytest.approx((32 - 37) / 970 * 100)
    first = monitor.werte[("alo_quote", T22)]
    assert (first.veraenderung_code == Fehlwert.NICHT_GELIEFERT).all()  # no earlier period: no change


def test_the_index_and_its_classes(monitor: Monitor, kreis: tuple[Engine, dict[str, int]]) -> None:
    ids = kreis[1]
    areas = [ids["S1"], ids["S2"], ids["S3"]]
    gesamt = monitor.index[("sozialraum:gesamt", T23)]
    assert gesamt.ids == areas and gesamt.indikatoren == ["alo_quote", "altenquotient"]
    # z(alo) = [-1,31551, 1,10728, 0,20824]; z(Altenquotient) = [-0,50876, 1,39713, -0,88837]
    # sums z-standardised again:
    assert gesamt.status.tolist() == pytest.approx([-0.9960842355117507, 1.3674454458054799, -0.3713612102937291])
    assert gesamt.status_klasse.tolist() == [2, 3, 2]  # mittel, niedrig, mittel
    arbeit = monitor.index[("sozialraum:arbeit", T23)]
    assert arbeit.status.tolist() == pytest.approx([-1.315514390631815, 1.107275177192555, 0.20823921343925914])
    assert arbeit.status_klasse.tolist() == [1, 3, 2]  # hoch, niedrig, mittel
    # Dynamics: only the unemployment changed (the Altenquotient has no spread and drops out).
    assert gesamt.dynamik.tolist() == pytest.approx([-1.010281804184798, 1.3621694938557263, -0.35188768967092854])
    assert gesamt.dynamik_klasse.tolist() == [1, 3, 2]  # positiv, negativ, stabil
    gemeinden = monitor.index[("gemeinde:gesamt", T23)]
    deweiler = gemeinden.ids.index(ids["03999004"])  # 250 inhabitants: under the floor of 300
    assert gemeinden.status_code[deweiler] == Fehlwert.NICHT_SINNVOLL and gemeinden.status_klasse[deweiler] == 0
    included = [i for i in range(7) if i != deweiler]
    assert gemeinden.status[included].tolist() == pytest.approx(
        [
            0.3338661177801763,
            -1.580992472620382,
            0.5265333995608161,
            -0.4822400973221957,
            1.63963606194397,
            -0.43680300934238486,
        ]
    )
    assert gemeinden.status_klasse[included].tolist() == [2, 1, 2, 2, 4, 2]


def test_class_boundaries_follow_the_mss() -> None:
    from sozialforum.daten.index import dynamik_klasse, status_klasse

    edges = np.array([-1.0001, -1.0, 1.0, 1.0001, 1.5, 1.5001, np.nan])
    assert status_klasse(edges).tolist() == [1, 2, 2, 3, 3, 4, 0]
    assert dynamik_klasse(edges).tolist() == [1, 2, 2, 3, 3, 3, 0]


def test_targets_benchmarks_and_different_definitions(
    monitor: Monitor, kreis: tuple[Engine, dict[str, int]], katalog: Katalog
) -> None:
    ids = kreis[1]
    sicht = Sicht(monitor, katalog, DatenSettings(), Empfaenger.geschaeftsstelle())
    assert sicht.ziel("alo_quote", T23, ids["S1"]) == "erreicht"  # 3,3 ≤ 4,0
    assert sicht.ziel("alo_quote", T23, ids["S2"]) == "verfehlt"  # 4,8 > 4,0
    land = sicht.vergleich(katalog.indikatoren["alo_quote"], T23)
    assert land is not None and land.wert == pytest.approx(240_000 / 5_100_000 * 100)  # same definition
    eu = sicht.vergleich(katalog.indikatoren["altenquotient"], T23)
    assert eu is not None and eu.wert is None  # 65+/15-64 of Eurostat is not our 65+/15-65
    assert "anders definiert" in (eu.hinweis or "") and "nicht verglichen" in (eu.hinweis or "")


def test_missing_values_stay_missing_up_the_hierarchy(
    kreis: tuple[Engine, dict[str, int]], katalog: Katalog, tmp_path: Path
) -> None:
    engine, ids = kreis
    secret = {T23: {**ALO[T23], "03999007": "."}}
    monitor = refresh(
        engine,
        katalog,
        [bev_datei(tmp_path / "bev.csv", days=(T23,)), alo_datei(tmp_path / "alo.csv", days=(T23,), werte=secret)],
    )
    werte = monitor.werte[("alo_quote", T23)]
    for key in ("03999007", "S3", "RB", "03999000"):
        row = werte.ids.index(ids[key])
        assert np.isnan(werte.wert[row]) and werte.code[row] == Fehlwert.UNBEKANNT, key
    assert value(monitor, ids, "alo_quote", "RA") == pytest.approx(102 / 2420 * 100)
    index = monitor.index[("sozialraum:gesamt", T23)]
    assert index.status_code[index.ids.index(ids["S3"])] == Fehlwert.UNBEKANNT


def test_an_age_band_that_cannot_be_built_is_refused(monitor: Monitor, kreis: tuple[Engine, dict[str, int]]) -> None:
    engine, _ids = kreis
    werte = monitor.werte[("hze_quote", T23)]
    assert (werte.code == Fehlwert.NICHT_GELIEFERT).all()
    with session_scope(engine, actor="test") as session:
        summary = session.scalars(sa.select(Berechnung)).one().zusammenfassung
    assert any(
        "Bevölkerung unter 21 Jahre lässt sich aus den gelieferten Altersgruppen nicht bilden" in n
        for n in summary["hinweise"]
    )


def test_unchanged_inputs_give_no_new_computation_and_planning_rows_exist(
    monitor: Monitor, kreis: tuple[Engine, dict[str, int]], katalog: Katalog
) -> None:
    engine, ids = kreis
    with session_scope(engine, actor="test") as session:
        again = berechne(session, katalog, DatenSettings(), now=NOW, akteur="test")
        assert not again.neu
        rows = session.scalars(sa.select(Indikatorwert).where(Indikatorwert.gebiet_id == ids["S1"])).all()
        by_code = {r.indikator_id: r for r in rows}
        assert len(by_code) == len(katalog.indikatoren)
        assert all(r.stichtag == T23 and r.berechnung_id == monitor.berechnung.id for r in rows)
        assert not session.scalars(
            sa.select(Indikatorwert).where(Indikatorwert.gebiet_id == ids["03999001"])
        ).all()  # Gemeinde detail stays in the column store
