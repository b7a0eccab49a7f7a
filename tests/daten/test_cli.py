"""`sozialforum daten …` as users run it: a real process, German messages, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sozialforum.flows.datenaktualisierung import DEMO_QUELLEN

from tests.conftest import REPO
from tests.test_cli import run


@pytest.mark.slow
def test_laden_berechnen_budget_and_a_refused_file(tmp_path: Path) -> None:
    assert run("db", "migrieren", data_dir=tmp_path).returncode == 0
    assert run("import", "gebiete", str(REPO / "sozialforum/demo/data/gebiete.csv"), data_dir=tmp_path).returncode == 0
    bad = tmp_path / "kita.csv"
    bad.write_text("Gemeinde;Stichtag;Betreute Kinder unter 3 Jahren\n3199001;31.12.2023;12\n", encoding="utf-8")
    loaded = run("daten", "laden", str(DEMO_QUELLEN / "jugendamt_hze_sozialraeume.xlsx"), str(bad), data_dir=tmp_path)
    assert loaded.returncode == 1  # one file refused: exit 1, the other file is loaded
    assert "jugendamt_hze_sozialraeume.xlsx: 300 Werte für 12 Gebiete geladen" in loaded.stdout
    assert "kita.csv, Zeile 2, Spalte „Schlüssel“" in loaded.stdout and "führende Null" in loaded.stdout
    assert "es wurde nichts geändert" in loaded.stdout

    computed = run("daten", "berechnen", data_dir=tmp_path)
    assert computed.returncode == 0 and "Berechnung Nr. 1: neu berechnet" in computed.stdout
    budget = run("daten", "budget", "hze", "--gesamt", "1000000", "--jahr", "2025", data_dir=tmp_path)
    assert budget.returncode == 0, budget.stderr
    assert "1.000.000 €" in budget.stdout and "gespeichert." in budget.stdout
