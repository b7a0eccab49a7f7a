"""The scheduled refresh runs what the CLI can: Stichtag, foreign keys and the saved reading per
source in the configuration (``[[daten.dateien]]``), matched by file name."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sozialforum.flows.datenaktualisierung import datei_laden
from sqlalchemy.engine import Engine

from sozialforum.daten.assistent_vorschau import Korrektur, bestaetige
from sozialforum.daten.katalog import Katalog
from sozialforum.problems import ProblemReport
from sozialforum.settings import load_settings
from sozialforum.store.db import session_scope
from tests.daten.conftest import NOW
from tests.daten.test_assistent import DATEN, katalog, stadt  # noqa: F401  (fixtures)


def _config(tmp_path: Path, engine: Engine, katalog_pfad: Path, dateien: str) -> str:
    url = engine.url.render_as_string(hide_password=False)
    path = tmp_path / "sozialforum.toml"
    path.write_text(
        f'data_dir = "{tmp_path / "var"}"\ndatabase_url = "{url}"\n[daten]\nkatalog = "{katalog_pfad}"\n{dateien}',
        encoding="utf-8",
    )
    return str(path)


def test_options_by_file_name_first_match_wins(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(
        '[[daten.dateien]]\nmuster = "sozialatlas_*.csv"\nstichtag = 2024-12-31\nzuordnung = "Sozialatlas"\n\n'
        '[[daten.dateien]]\nmuster = "*.csv"\nunbekannte_ignorieren = true\n',
        encoding="utf-8",
    )
    daten = load_settings(str(path)).daten
    first = daten.optionen_fuer("Sozialatlas_Arbeit_2024.CSV")
    assert first.stichtag == date(2024, 12, 31) and first.zuordnung == "Sozialatlas" and not first.unbekannte_ignorieren
    assert daten.optionen_fuer("gemeinden.csv").unbekannte_ignorieren
    assert daten.optionen_fuer("ba.xlsx").stichtag is None


def test_refresh_task_loads_a_table_without_stichtag_by_its_options(
    stadt: Engine,  # noqa: F811
    katalog: Katalog,  # noqa: F811
    tmp_path: Path,
) -> None:
    with session_scope(stadt, actor="test") as session:
        korrektur = Korrektur(spalten={"Spalte 2": "alo", "Spalte 3": "alo_anteil"})
        path = DATEN / "sozialatlas_arbeit_2023.csv"
        day = date(2023, 12, 31)
        bestaetige(session, path, katalog, "Sozialatlas Arbeit", korrektur, now=NOW, akteur="t", stichtag=day)
    katalog_pfad = tmp_path / "indikatoren.toml"  # written by the fixture ``katalog``
    nxt = str(DATEN / "sozialatlas_arbeit_2024.csv")
    without = _config(tmp_path, stadt, katalog_pfad, "")
    with pytest.raises(ProblemReport, match="Die Datei nennt keinen Stichtag"):
        datei_laden.fn(without, nxt, NOW)
    options = (
        '[[daten.dateien]]\nmuster = "sozialatlas_arbeit_*.csv"\n'
        'stichtag = 2024-12-31\nzuordnung = "Sozialatlas Arbeit"\n'
    )
    result = datei_laden.fn(_config(tmp_path, stadt, katalog_pfad, options), nxt, NOW)
    assert result["status"] == "geladen" and result["stichtage"] == "31.12.2024" and result["gebiete"] == 13


def test_a_geojson_in_the_folder_is_a_source_only_when_a_pattern_names_it(tmp_path: Path) -> None:
    from sozialforum.daten.aktualisierung import quelldateien

    for name in ("grenzen.geojson", "stadtteile_2024.geojson", "tabelle.csv", "~$tabelle.xlsx"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    assert [p.name for p in quelldateien(tmp_path)] == ["tabelle.csv"]
    assert [p.name for p in quelldateien(tmp_path, ["stadtteile_*.geojson"])] == [
        "stadtteile_2024.geojson",
        "tabelle.csv",
    ]
