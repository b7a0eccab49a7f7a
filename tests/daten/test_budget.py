"""Sozialraumbudget: golden shares, floor and cap, whole euros by the largest remainder that
add up exactly, the need-weighted share, and refusal when a figure is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from sozialforum.daten.budget import BudgetFehler, berechne_budget, grosste_reste, speichere_budget
from sozialforum.daten.ergebnis import Monitor
from sozialforum.daten.katalog import BudgetAnteil, BudgetDef, Katalog
from sozialforum.store.db import session_scope
from tests.daten.conftest import NOW, T23, alo_datei, bev_datei
from tests.daten.test_berechnung import refresh


@pytest.fixture
def monitor(kreis: tuple[Engine, dict[str, int]], katalog: Katalog, tmp_path: Path) -> Monitor:
    return refresh(kreis[0], katalog, [bev_datei(tmp_path / "bev.csv"), alo_datei(tmp_path / "alo.csv")])


def _budget(engine: Engine, monitor: Monitor, katalog: Katalog, total: int = 100_000):  # type: ignore[no-untyped-def]
    with session_scope(engine, actor="test") as session:
        return berechne_budget(session, monitor, katalog, "test", gesamt=total, haushaltsjahr=2025)


def test_golden_shares_and_largest_remainder(
    kreis: tuple[Engine, dict[str, int]], monitor: Monitor, katalog: Katalog
) -> None:
    # Children under 15: S1 150+80 = 230, S2 300+40 = 340, S3 200+100+90 = 390 (960 in all).
    # S1: 0,5 × 1/3 + 0,5 × 230/960 = 0,2864583 → 28.645,83 €; S2: 0,34375 → 34.375,00 €;
    # S3: 0,3697917 → 36.979,17 €. Floors add up to 99.999 €: the euro goes to S1 (,83 > ,17).
    budget = _budget(kreis[0], monitor, katalog)
    rows = {row.schluessel: row for row in budget.zeilen}
    assert [round(rows[k].exakt, 2) for k in ("S1", "S2", "S3")] == [28645.83, 34375.0, 36979.17]
    assert [rows[k].betrag for k in ("S1", "S2", "S3")] == [28646, 34375, 36979]
    assert sum(row.betrag for row in budget.zeilen) == 100_000
    assert rows["S1"].zuschlag == 1 and rows["S1"].basis == [1.0, 230.0]
    assert rows["S2"].anteil[1] == pytest.approx(340 / 960)


def test_floor_and_cap_are_met_and_the_rest_shared_again(
    kreis: tuple[Engine, dict[str, int]], monitor: Monitor, katalog: Katalog
) -> None:
    floored = katalog.model_copy(
        update={"budgets": {"test": katalog.budgets["test"].model_copy(update={"untergrenze": 30_000})}}
    )
    budget = _budget(kreis[0], monitor, floored)
    rows = {row.schluessel: row for row in budget.zeilen}
    # S1 is lifted to 30.000 €; the remaining 70.000 € go to S2 and S3 in the ratio 0,34375 : 0,3697917.
    assert rows["S1"].betrag == 30_000 and rows["S1"].grenze == "Untergrenze"
    assert round(rows["S2"].exakt, 2) == 33722.63 and rows["S2"].betrag == 33_723
    assert rows["S3"].betrag == 36_277 and sum(r.betrag for r in budget.zeilen) == 100_000
    capped = katalog.model_copy(
        update={"budgets": {"test": katalog.budgets["test"].model_copy(update={"obergrenze": 35_000})}}
    )
    rows = {r.schluessel: r for r in _budget(kreis[0], monitor, capped).zeilen}
    assert rows["S3"].betrag == 35_000 and rows["S3"].grenze == "Obergrenze"
    assert rows["S1"].betrag + rows["S2"].betrag == 65_000
    impossible = katalog.model_copy(
        update={"budgets": {"test": katalog.budgets["test"].model_copy(update={"untergrenze": 40_000})}}
    )
    with pytest.raises(BudgetFehler, match="Untergrenze"):
        _budget(kreis[0], monitor, impossible)


def test_need_weighted_share_uses_the_index(
    kreis: tuple[Engine, dict[str, int]], monitor: Monitor, katalog: Katalog
) -> None:
    need = BudgetDef(
        name="Bedarf", anteile=[BudgetAnteil(name="Bedarf", art="bedarf", gewicht=1.0, merkmal="bev[0-15]", faktor=0.5)]
    )
    weighted = katalog.model_copy(update={"budgets": {"test": need}})
    rows = {r.schluessel: r for r in _budget(kreis[0], monitor, weighted).zeilen}
    # Weights: 230 × (1 + 0,5 × −0,99608), 340 × (1 + 0,5 × 1,36745), 390 × (1 + 0,5 × −0,37136)
    bases = [
        230 * (1 + 0.5 * -0.9960842355117507),
        340 * (1 + 0.5 * 1.3674454458054799),
        390 * (1 + 0.5 * -0.3713612102937291),
    ]
    assert rows["S2"].basis[0] == pytest.approx(bases[1])
    assert rows["S2"].exakt == pytest.approx(100_000 * bases[1] / sum(bases))
    assert sum(r.betrag for r in rows.values()) == 100_000


def test_largest_remainder_ties_are_reproducible() -> None:
    assert grosste_reste([1.5, 1.5, 1.0], 4, ["b", "a", "c"]) == ([1, 1, 1], [0, 1, 0])
    assert grosste_reste([33.3333, 33.3333, 33.3334], 100, ["a", "b", "c"]) == ([33, 33, 33], [0, 0, 1])


def test_missing_count_refuses_the_budget(
    kreis: tuple[Engine, dict[str, int]], katalog: Katalog, tmp_path: Path
) -> None:
    path = bev_datei(tmp_path / "bev.csv", days=(T23,))
    path.write_text(
        path.read_text(encoding="iso-8859-1").replace("Fehain;unter 15 Jahre;100", "Fehain;unter 15 Jahre;."),
        encoding="iso-8859-1",
    )
    monitor = refresh(kreis[0], katalog, [path])
    with pytest.raises(BudgetFehler, match=r"bev\[0-15\] fehlt für Sozialraum Drei \(\.\)"):
        _budget(kreis[0], monitor, katalog)


def test_stored_once_and_unchanged_on_repeat(
    kreis: tuple[Engine, dict[str, int]], monitor: Monitor, katalog: Katalog
) -> None:
    budget = _budget(kreis[0], monitor, katalog)
    with session_scope(kreis[0], actor="test") as session:
        assert speichere_budget(session, budget, berechnung_id=monitor.berechnung.id or 0, now=NOW)
    with session_scope(kreis[0], actor="test") as session:
        assert not speichere_budget(session, budget, berechnung_id=monitor.berechnung.id or 0, now=NOW)


def test_the_sheet_name_fits_excel_and_never_shows_the_key() -> None:
    anteile = [BudgetAnteil(name="Sockel", art="gleich", gewicht=1.0)]
    lang = BudgetDef(name="Sozialraumbudget Hilfen zur Erziehung", anteile=anteile)
    assert lang.blattname(2027) == "Sozialraumbudget Hilfen… 2027"  # cut at a word, the year whole
    kurz = lang.model_copy(update={"kurzname": "Sozialraumbudget HzE"})
    assert kurz.blattname(2027) == "Sozialraumbudget HzE 2027"
    ein_wort = BudgetDef(name="Jugendhilfebudgetfuerallesozialraeumedeskreises", anteile=anteile)
    assert ein_wort.blattname(2027) == "Jugendhilfebudgetfueralle… 2027"
    assert all(len(b.blattname(2027)) <= 31 for b in (lang, kurz, ein_wort))
    with pytest.raises(ValueError, match="kurzname"):
        BudgetDef(name="x", kurzname="Ein Kurzname, der nicht kurz ist", anteile=anteile)
