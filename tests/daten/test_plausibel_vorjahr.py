"""The jump check computes each Stichtag's indicators once per refresh: what a load computed for
its own Stichtag is the "previous" of the next load, taken only while the store holds exactly that
table, and kept only while the refresh runs (#18, speed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.engine import Engine

from sozialforum.daten import plausibel_spruenge
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.lieferung import zurueckziehen
from sozialforum.daten.plausibel_tafel import Summen
from sozialforum.daten.speicher import Tafel
from sozialforum.daten.vorlesen import vorlesen
from sozialforum.store.db import session_scope
from sozialforum.store.models import Datenlieferung
from tests.daten.conftest import NOW, T22, T23
from tests.daten.test_plausibel_bericht import T21, bev_lang, found, load

HISTORY = {
    T21: {"03999001": (150, 650, 200), "03999002": (80, 320, 100), "03999003": (300, 1300, 390)},
    T22: {"03999001": (150, 650, 120), "03999002": (80, 320, 102), "03999003": (300, 1300, 400)},
}
NOW_2023 = {T23: {"03999001": (150, 650, 200), "03999002": (80, 320, 40), "03999003": (300, 1300, 200)}}
BEDORF = "„Altenquotient“ in Bedorf (03999002) am 31.12.2023: 12,5 nach 31,9 am 31.12.2022"


@pytest.fixture
def ganze_tafeln(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the indicator values computed over a whole table (not the history's few rows)."""
    calls: list[int] = []
    block = plausibel_spruenge._block

    def counted(tafel: Tafel, summen: Summen, group: list, quote: bool, rows: np.ndarray | None) -> tuple:
        if rows is None:
            calls.append(len(tafel.index))
        return block(tafel, summen, group, quote, rows)

    monkeypatch.setattr(plausibel_spruenge, "_block", counted)
    monkeypatch.setattr(plausibel_spruenge, "_ZULETZT", [])
    with vorlesen([]):  # a refresh (no files to parse ahead): what a load keeps lives as long
        yield calls


def test_the_previous_load_s_values_are_taken_not_computed_again(
    kreis: tuple[Engine, dict[str, int]], katalog: Katalog, tmp_path: Path, ganze_tafeln: list[int]
) -> None:
    engine, _ = kreis
    load(engine, bev_lang(tmp_path / "bev_alt.csv", HISTORY), katalog)
    ganze_tafeln.clear()
    result = load(engine, bev_lang(tmp_path / "bev_2023.csv", NOW_2023), katalog)
    once = len(ganze_tafeln)
    assert once and any(BEDORF in text for text in found(result, "sprung"))

    # The same check without what the load of 2022 kept: 2022's values are computed as well.
    plausibel_spruenge._ZULETZT.clear()
    ganze_tafeln.clear()
    with session_scope(engine, actor="test") as session:
        stored = session.get(Datenlieferung, result.datenlieferung_id)
        assert stored is not None
        zurueckziehen(session, stored, grund="zum Vergleich erneut geladen", akteur="test", now=NOW)
    again = load(engine, bev_lang(tmp_path / "bev_2023_neu.csv", NOW_2023), katalog)
    assert len(ganze_tafeln) == 2 * once
    assert [str(b).split(": ", 1)[1] for b in again.befunde] == [str(b).split(": ", 1)[1] for b in result.befunde]


def test_a_kept_table_the_store_no_longer_holds_is_not_taken(
    kreis: tuple[Engine, dict[str, int]], katalog: Katalog, tmp_path: Path, ganze_tafeln: list[int]
) -> None:
    """A correction of 2022 (Bedorf's 65+ at 40) is checked, so its values are kept, and then
    withdrawn: the store holds the first delivery's 2022 again, and 2023 is compared with that.
    With the correction's values Bedorf's fall would not be a jump."""
    engine, _ = kreis
    load(engine, bev_lang(tmp_path / "bev_alt.csv", HISTORY), katalog)
    correction = {T22: {**HISTORY[T22], "03999002": (80, 320, 40)}}
    fixed = load(engine, bev_lang(tmp_path / "bev_2022_korrektur.csv", correction), katalog)
    assert plausibel_spruenge._ZULETZT  # the correction's 2022 is kept
    with session_scope(engine, actor="test") as session:
        stored = session.get(Datenlieferung, fixed.datenlieferung_id)
        assert stored is not None
        zurueckziehen(session, stored, grund="Korrektur war die falsche Datei", akteur="test", now=NOW)
    ganze_tafeln.clear()
    result = load(engine, bev_lang(tmp_path / "bev_2023.csv", NOW_2023), katalog)
    assert any(BEDORF in text for text in found(result, "sprung")), found(result, "sprung")


def test_what_a_refresh_kept_is_forgotten_when_it_ends(
    kreis: tuple[Engine, dict[str, int]], katalog: Katalog, tmp_path: Path
) -> None:
    """A nationwide file's values are ~17 MB: a long-lived process (the portal, a worker) must
    not hold them after its refresh, and a load outside a refresh has no next load to keep them for."""
    engine, _ = kreis
    with vorlesen([]):
        load(engine, bev_lang(tmp_path / "bev_alt.csv", HISTORY), katalog)
        assert plausibel_spruenge._ZULETZT
    assert not plausibel_spruenge._ZULETZT
    result = load(engine, bev_lang(tmp_path / "bev_2023.csv", NOW_2023), katalog)
    assert any(BEDORF in text for text in found(result, "sprung"))
    assert not plausibel_spruenge._ZULETZT
