"""GENESIS flat CSV: the real samples of the Regionaldatenbank, every symbol as its own typed
missing value, encodings, and files that must be refused with a clear report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from sozialforum.daten.fehlwerte import Fehlwert, combine_codes, combine_sum
from sozialforum.daten.genesis import read_genesis, table_code
from sozialforum.daten.genesis_schreiben import write_table
from sozialforum.problems import ProblemReport
from tests.conftest import DATA

SAMPLES = DATA / "genesis"


def test_the_shared_samples_load_with_their_metadata() -> None:
    pop = read_genesis(SAMPLES / "12411-01-01-4.csv")  # ISO-8859-1, as downloaded
    assert pop.tabelle == "12411-01-01-4" and table_code(pop.tabelle) == ("12411-01-01", "4")
    assert pop.datenstand == date(2017, 12, 14)
    assert pop.herausgeber == "Statistische Ämter des Bundes und der Länder"
    assert pop.lizenz == "Datenlizenz Deutschland - Namensnennung - Version 2.0"
    assert pop.schluessel[:3] == ["DG", "01", "01001"]  # strings, leading zero kept
    assert pop.namen[2] == "Flensburg, Kreisfreie Stadt"
    assert [s.label for s in pop.spalten] == ["Insgesamt", "männlich", "weiblich"]
    assert {s.stichtag for s in pop.spalten} == {date(2015, 12, 31)}  # date from the header row
    assert pop.werte[0, 0] == 82175684 and int(pop.zeilen[0]) == 9
    assert "Zensus 2011" in pop.hinweise[0]

    ages = read_genesis(SAMPLES / "12411-02-03-4_00.csv")  # UTF-8, long form with age groups
    assert ages.dimension is not None and ages.dimension[:2] == ["unter 3 Jahre", "3 bis unter 6 Jahre"]
    assert set(ages.stichtage) == {date(2015, 12, 31)}
    assert len(ages.schluessel) == 9468

    jobless = read_genesis(SAMPLES / "13211-02-04-4_00.csv")  # three header rows, year column
    assert jobless.spalten[0].label == "Arbeitslose" and jobless.spalten[0].einheit == "Anzahl"
    assert jobless.spalten[6].label == "Arbeitslose | 55 Jahre und älter"
    assert set(jobless.stichtage) == {date(2008, 12, 31)}
    codes = set(np.unique(jobless.codes).tolist())
    assert {Fehlwert.NICHTS, Fehlwert.UNBEKANNT} <= codes
    assert np.isnan(jobless.werte[jobless.codes != 0]).all()  # a symbol is never a number

    census = read_genesis(SAMPLES / "12111-22-02-4_00.csv")  # "/" and "-", date in the title
    assert Fehlwert.UNSICHER in census.codes and Fehlwert.NICHTS in census.codes
    assert set(census.stichtage) == {date(2011, 5, 9)}
    for data in (pop, ages, jobless, census):
        assert data.problems == []


def _symbol_file(path: Path, encoding: str = "utf-8") -> Path:
    rows = [
        ["2023", "03999001", "        Ahausen", "12", "7,5", "-"],
        ["2023", "03999002", "        Bedorf", ".", "x", "/"],
        ["2023", "03999003", "        Cestadt", "...", "*", "0"],
    ]
    write_table(
        path,
        tabelle="99999-01-01-5",
        titel=["Zeichentest"],
        kopf=[["", "", "", "A", "B", "C"]],
        zeilen=rows,
        stand=date(2024, 1, 2),
        encoding=encoding,
    )
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "iso-8859-1"])
def test_every_symbol_is_its_own_typed_missing_value(tmp_path: Path, encoding: str) -> None:
    data = read_genesis(_symbol_file(tmp_path / "zeichen.csv", encoding))
    assert data.problems == []
    assert data.codes.tolist() == [
        [Fehlwert.VORHANDEN, Fehlwert.VORHANDEN, Fehlwert.NICHTS],
        [Fehlwert.UNBEKANNT, Fehlwert.NICHT_SINNVOLL, Fehlwert.UNSICHER],
        [Fehlwert.SPAETER, Fehlwert.BA_ANONYMISIERT, Fehlwert.VORHANDEN],
    ]
    assert data.werte[0, 1] == 7.5 and data.werte[2, 2] == 0.0  # a real 0 stays 0
    assert np.isnan(data.werte[data.codes != Fehlwert.VORHANDEN]).all()
    assert data.titel == "Zeichentest"


def test_missing_values_combine_by_their_meaning() -> None:
    values = np.array([[5.0, np.nan, np.nan], [3.0, np.nan, 2.0]])
    codes = np.array([[0, 1, 1], [0, 2, 0]], dtype=np.int8)
    sums, sum_codes = combine_sum(values, codes, axis=1)
    assert sums[0] == 5.0 and sum_codes[0] == 0  # "-" is exactly nothing: 5 + nothing = 5
    assert np.isnan(sums[1]) and sum_codes[1] == Fehlwert.UNBEKANNT  # "." makes the sum unknown
    only_dash = combine_sum(np.array([[np.nan, np.nan]]), np.array([[1, 1]], dtype=np.int8), axis=1)
    assert only_dash[1][0] == Fehlwert.NICHTS
    precedence = combine_codes(np.array([3, 4, 5, 6], dtype=np.int8), np.array([2, 3, 4, 0], dtype=np.int8))
    assert precedence.tolist() == [Fehlwert.UNBEKANNT, Fehlwert.UNSICHER, Fehlwert.SPAETER, Fehlwert.BA_ANONYMISIERT]


def _expect(path: Path, *fragments: str) -> ProblemReport:
    with pytest.raises(ProblemReport) as caught:
        data = read_genesis(path)
        if data.problems:
            raise ProblemReport(data.problems)
    text = str(caught.value)
    for fragment in fragments:
        assert fragment in text, text
    return caught.value


def test_wrong_separator(tmp_path: Path) -> None:
    path = _symbol_file(tmp_path / "komma.csv")
    path.write_text(path.read_text(encoding="utf-8").replace(";", ","), encoding="utf-8")
    _expect(path, "komma.csv, Zeile 2", "Falsches Trennzeichen", "Komma", "Semikolon")


def test_utf16_and_double_encoded_files(tmp_path: Path) -> None:
    source = _symbol_file(tmp_path / "z.csv").read_text(encoding="utf-8").replace("Zeichentest", "Bevölkerung")
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(source.encode("utf-16"))
    _expect(utf16, "utf16.csv", "UTF-16", "erwartet UTF-8 oder ISO-8859-1")
    twice = tmp_path / "doppelt.csv"
    twice.write_bytes(source.encode("utf-8").decode("latin-1").encode("utf-8"))
    _expect(twice, "doppelt.csv, Zeile 2", "doppelt kodiert", "Ã¶")


def test_truncated_file(tmp_path: Path) -> None:
    text = _symbol_file(tmp_path / "ganz.csv").read_text(encoding="utf-8")
    cut = tmp_path / "abgeschnitten.csv"
    cut.write_text(text[: text.index("Cestadt") + 12], encoding="utf-8")
    _expect(cut, "abgeschnitten.csv, Zeile 6", "unvollständig", "abgeschnitten")


def test_text_in_a_number_column_names_file_row_and_column(tmp_path: Path) -> None:
    path = _symbol_file(tmp_path / "text.csv")
    path.write_text(path.read_text(encoding="utf-8").replace("7,5", "ca. 8"), encoding="utf-8")
    report = _expect(path, "text.csv, Zeile 4, Spalte „B“", "„ca. 8“ ist keine Zahl", "erwartet eine Zahl")
    assert len(report.problems) == 1


def test_a_row_with_too_many_fields(tmp_path: Path) -> None:
    path = _symbol_file(tmp_path / "feld.csv")
    path.write_text(path.read_text(encoding="utf-8").replace("12;7,5;-", "12;7,5;-;9"), encoding="utf-8")
    _expect(path, "feld.csv, Zeile 4", "7 statt 6 Felder")
