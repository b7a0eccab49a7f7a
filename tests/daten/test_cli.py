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
    # At 100 columns the deliveries keep their file names whole and name what each line is.
    listed = run("daten", "lieferungen", data_dir=tmp_path, columns=100).stdout
    assert "jugendamt_hze_sozialraeume.xlsx" in listed and "Herausgeber: Landkreis Musterland" in listed, listed
    assert "Lizenz: intern" in listed and "│ gültig │" in listed, listed
    assert "Noch keine gespeicherten Zuordnungen" in run("daten", "zuordnungen", data_dir=tmp_path).stdout
    katalog = run("daten", "katalog", data_dir=tmp_path, columns=100).stdout
    assert "│ langzeitarbeitslosenanteil │" in katalog and "Arbeit und Erwerbsleben" in katalog, katalog
    assert "Anteil Langzeitarbeitsloser" in katalog and "…" not in katalog, katalog

    computed = run("daten", "berechnen", data_dir=tmp_path)
    assert computed.returncode == 0 and "Berechnung Nr. 1: neu berechnet" in computed.stdout
    bevoelkerung = DEMO_QUELLEN / "12411-02-03-5_bevoelkerung_altersgruppen.csv"
    assert run("daten", "laden", str(bevoelkerung), data_dir=tmp_path).returncode == 0
    raten = str(REPO / "sozialforum/demo/data/projektion.toml")
    projected = run("daten", "projektion", "SR01", "--raten", raten, data_dir=tmp_path, columns=100).stdout
    # Eleven years on one line per age group at 100 columns (padded text took 158 and wrapped).
    total = next(line for line in projected.splitlines() if line.strip().startswith("insgesamt"))
    assert len(total.split()) == 12 and total.split()[1] == "54.429", projected
    budget = run("daten", "budget", "hze", "--gesamt", "1000000", "--jahr", "2025", data_dir=tmp_path)
    assert budget.returncode == 0, budget.stderr
    assert "1.000.000 €" in budget.stdout and "Budget gespeichert." in budget.stdout
    assert "begrenzt durch" not in budget.stdout  # no bound in this catalogue: no empty column
    again = run("daten", "budget", "hze", "--gesamt", "1000000", "--jahr", "2025", data_dir=tmp_path)
    assert "Unverändert: diese Verteilung ist schon gespeichert." in again.stdout, again.stdout


@pytest.mark.slow
def test_assistent_confirm_reload_next_year_and_withdraw(tmp_path: Path) -> None:
    """The table assistant and withdrawing as a planner runs them: preview without saving, confirm
    under a name, the next year's file with `daten laden` alone, a withdrawal with its reason."""
    tabellen = REPO / "tests/data/tabellen"
    gebiete = tmp_path / "gebiete.csv"
    rows = ["schluessel;name;ebene;uebergeordnet;ags;ars;einwohner;gueltig_ab;gueltig_bis;vorgaenger"]
    rows.append("09999000;Musterstadt;kreis;;09999000;;;;;")
    names = ["Altstadt", "Nordstadt", "Oststadt", "Südstadt", "Weststadt", "Am Hafen", "Bergheim"]
    names += ["Eichenau", "Feldmark", "Grünhof", "Heideweg", "Westliche Höhe", "Südliche Aue"]
    rows += [f"ST{i:02d};{name};sozialraum;09999000;;;;;;" for i, name in enumerate(names, start=1)]
    gebiete.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert run("db", "migrieren", data_dir=tmp_path).returncode == 0
    assert run("import", "gebiete", str(gebiete), data_dir=tmp_path).returncode == 0

    datei = str(tabellen / "sozialatlas_arbeit_2023.csv")
    preview = run("daten", "assistent", datei, "--spalte", "Spalte 2=arbeitslose", data_dir=tmp_path)
    assert preview.returncode == 1  # no Stichtag: shown, nothing saved
    assert "„Spalte 2“ → arbeitslose (Arbeitslose)" in preview.stdout
    assert "Die Datei nennt keinen Stichtag" in preview.stdout and "Nichts gespeichert." in preview.stdout
    confirm = run(
        "daten", "assistent", datei, "--spalte", "Spalte 2=arbeitslose", "--stichtag", "31.12.2023",
        "--name", "Sozialatlas Arbeit", "--bestaetigen", data_dir=tmp_path,
    )  # fmt: skip
    assert confirm.returncode == 0, confirm.stderr
    assert "Zuordnung „Sozialatlas Arbeit“ gespeichert. sozialatlas_arbeit_2023.csv: 13 Werte" in confirm.stdout

    listed = run("daten", "zuordnungen", data_dir=tmp_path)
    assert "Sozialatlas Arbeit" in listed.stdout and "beim Laden angeben" in listed.stdout
    nxt_file = str(tabellen / "sozialatlas_arbeit_2024.csv")
    nxt = run("daten", "laden", nxt_file, "--stichtag", "31.12.2024", data_dir=tmp_path)
    assert nxt.returncode == 0 and "13 Werte für 13 Gebiete geladen (Stichtage 31.12.2024" in nxt.stdout

    withdrawn = run("daten", "zurueckziehen", "2", "--grund", "Falscher Stichtag", data_dir=tmp_path)
    assert withdrawn.returncode == 0, withdrawn.stderr
    assert "Lieferung 2 (sozialatlas_arbeit_2024.csv) zurückgezogen: 13 Werte" in withdrawn.stdout
    assert "Neu berechnet" in withdrawn.stdout
