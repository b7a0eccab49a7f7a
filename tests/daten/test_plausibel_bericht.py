"""The plausibility report: each silent-error case of issue #18 in a file of the published
GENESIS shape loads, and is reported in German with file, area, Merkmal, Stichtag and numbers;
the findings are stored with the delivery."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.daten.genesis_schreiben import cell, indent, write_table
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.laden import LadeErgebnis, lade_datei
from sozialforum.store.db import session_scope
from sozialforum.store.models import Plausibilitaetsbefund
from tests.daten.conftest import ALO, BEV, GEBIETE, KREIS, NOW, T22, T23, alo_datei, bev_datei

T21 = date(2021, 12, 31)


def load(engine: Engine, path: Path, katalog: Katalog) -> LadeErgebnis:
    with session_scope(engine, actor="test") as session:
        return lade_datei(session, path, katalog, now=NOW, akteur="test")


def found(result: LadeErgebnis, art: str) -> list[str]:
    return [str(b) for b in result.befunde if b.art == art]


def bev_lang(path: Path, werte: dict[date, dict[str, tuple[int, int, int]]], total: dict | None = None) -> Path:
    """Population in GENESIS long form (three bands and the total) for the given values."""
    rows = []
    for day, areas in werte.items():
        for key, bands in areas.items():
            name = indent(key, GEBIETE[key][0])
            labels = ("unter 15 Jahre", "15 bis unter 65 Jahre", "65 Jahre und mehr")
            rows += [[f"{day:%d.%m.%Y}", key, name, label, cell(v)] for label, v in zip(labels, bands, strict=True)]
            rows.append([f"{day:%d.%m.%Y}", key, name, "Insgesamt", cell((total or {}).get((day, key), sum(bands)))])
    write_table(
        path,
        tabelle="12411-02-03-5",
        titel=["Bevölkerung nach Altersgruppen", "Stichtag 31.12."],
        kopf=[["", "", "", "", "Insgesamt"]],
        zeilen=rows,
        stand=date(2024, 9, 27),
    )
    return path


def test_a_clean_refresh_has_no_findings(
    kreis: tuple[Engine, dict[str, int]], katalog: Katalog, tmp_path: Path
) -> None:
    engine, _ = kreis
    assert load(engine, bev_datei(tmp_path / "bev.csv"), katalog).befunde == []
    assert load(engine, alo_datei(tmp_path / "alo.csv"), katalog).befunde == []


def test_a_total_that_is_not_the_sum_of_its_parts(
    kreis: tuple[Engine, dict[str, int]], katalog: Katalog, tmp_path: Path
) -> None:
    """The Kreis row of a second table carries a typo (714 for 174); it would replace the sum of
    the Gemeinden in every output. And a population total that is not the sum of its bands."""
    engine, _ = kreis
    load(engine, bev_datei(tmp_path / "bev.csv"), katalog)
    load(engine, alo_datei(tmp_path / "gemeinden.csv", days=(T23,)), katalog)
    kreiszeile = alo_datei(tmp_path / "kreise.csv", days=(T23,), werte={T23: {KREIS: 714}}, land=None)
    result = load(engine, kreiszeile, katalog)
    assert found(result, "summe") == [
        "kreise.csv, Zeile 5, Spalte „Arbeitslose“: Summe der Teile: Arbeitslose in Testkreis (03999000) am "
        "31.12.2023: geliefert 714 (aus dieser Datei), die Summe der 2 Teilgebiete (aus früheren Lieferungen) "
        "ist 174 (Abweichung 540). In den Kennzahlen gilt der gelieferte Wert, nicht die Summe."
    ]
    bands = {T23: {"03999001": BEV["03999001"]}}
    result = load(engine, bev_lang(tmp_path / "bev_tippfehler.csv", bands, {(T23, "03999001"): 1090}), katalog)
    texts = found(result, "summe")
    assert len(texts) == 1 and "Bevölkerung in Ahausen (03999001) am 31.12.2023: insgesamt 1.090" in texts[0]
    assert "ergeben 1.000 (Abweichung 90)" in texts[0]


def test_a_share_above_100_percent_is_reported_not_refused(
    kreis: tuple[Engine, dict[str, int]], katalog: Katalog, tmp_path: Path
) -> None:
    engine, _ = kreis
    load(engine, bev_datei(tmp_path / "bev.csv"), katalog)
    path = alo_datei(tmp_path / "zu_viele.csv", days=(T23,), werte={T23: {**ALO[T23], "03999004": 151}})
    result = load(engine, path, katalog)
    assert result.status == "geladen"
    assert found(result, "anteil") == [
        "zu_viele.csv, Zeile 9, Spalte „Arbeitslose“: Anteil über 100 %: „Arbeitslosenanteil“ in Deweiler "
        "(03999004) am 31.12.2023: 151 von 150 – ein Anteil über 100 % ist nicht möglich (Zähler größer als Nenner)."
    ]


def test_a_jump_beyond_the_band_and_the_areas_own_history(
    kreis: tuple[Engine, dict[str, int]], katalog: Katalog, tmp_path: Path
) -> None:
    """Ahausen's Altenquotient swings every year (its own history: not flagged); Bedorf's was
    steady and falls from 31,3 to 12,5; Cestadt's from 30,8 to 15,4 in the only year known."""
    engine, _ = kreis
    history = {
        T21: {"03999001": (150, 650, 200), "03999002": (80, 320, 100)},
        T22: {"03999001": (150, 650, 120), "03999002": (80, 320, 102), "03999003": (300, 1300, 400)},
    }
    load(engine, bev_lang(tmp_path / "bev_alt.csv", history), katalog)
    now = {T23: {"03999001": (150, 650, 200), "03999002": (80, 320, 40), "03999003": (300, 1300, 200)}}
    result = load(engine, bev_lang(tmp_path / "bev_2023.csv", now), katalog)
    texts = found(result, "sprung")
    assert len(texts) == 2, texts
    assert texts[0].startswith("bev_2023.csv, Zeile ")
    assert (
        "Sprung: „Altenquotient“ in Bedorf (03999002) am 31.12.2023: 12,5 nach 31,9 am 31.12.2022 (-60,8 %, "
        "erlaubt ±25 %); bisher zwischen 31,2 und 31,9, größte Änderung zwischen zwei Stichtagen 0,6." in texts[0]
    )
    assert "„Altenquotient“ in Cestadt (03999003) am 31.12.2023: 15,4 nach 30,8 am 31.12.2022 (-50,0 %" in texts[1]
    assert not any("Ahausen" in text for text in texts)


def test_an_area_whose_file_holds_only_dashes(
    kreis: tuple[Engine, dict[str, int]], katalog: Katalog, tmp_path: Path
) -> None:
    engine, _ = kreis
    load(engine, bev_datei(tmp_path / "bev.csv"), katalog)
    path = alo_datei(tmp_path / "neu_gebildet.csv", days=(T23,), werte={T23: {**ALO[T23], "03999007": "-"}})
    result = load(engine, path, katalog)
    assert found(result, "ohne_werte") == [
        "neu_gebildet.csv, Zeile 12: Gebiet ohne Werte: Gemark (03999007) am 31.12.2023: der einzige Wert der "
        "Datei ist „-“ (nichts vorhanden). In den Kennzahlen stünde dort 0 – bei einem neu gebildeten oder "
        "umbenannten Gebiet bitte prüfen."
    ]


def test_fractional_counts_and_a_population_beyond_belief(
    kreis: tuple[Engine, dict[str, int]], katalog: Katalog, tmp_path: Path
) -> None:
    engine, _ = kreis
    huge = {T23: {"03999001": (150, 650, 200)}}
    result = load(engine, bev_lang(tmp_path / "bev_riesig.csv", huge, {(T23, "03999001"): 10**20}), katalog)
    texts = found(result, "bevoelkerung")
    assert len(texts) == 1
    assert texts[0].endswith(
        "Bevölkerung in Ahausen (03999001) am 31.12.2023: 100.000.000.000.000.000.000 – mehr, als Deutschland "
        "Einwohner hat (85.000.000); im Gebietsverzeichnis stehen 1.000."
    )
    path = alo_datei(tmp_path / "bruch.csv", days=(T23,), werte={T23: {**ALO[T23], "03999003": 64.5}})
    result = load(engine, path, katalog)
    assert found(result, "bruch") == [
        "bruch.csv, Zeile 8, Spalte „Arbeitslose“: keine ganze Zahl: Arbeitslose in Cestadt (03999003) am "
        "31.12.2023: 64,5 ist eine Anzahl, aber keine ganze Zahl (Dezimal- und Tausendertrennzeichen prüfen)."
    ]
    path = alo_datei(tmp_path / "mehr.csv", days=(T22,), werte={T22: {**ALO[T22], "03999002": 600}})
    with session_scope(engine, actor="test") as session:  # population of 2022 first
        lade_datei(session, bev_datei(tmp_path / "bev.csv", days=(T22,)), katalog, now=NOW, akteur="test")
    texts = found(load(engine, path, katalog), "bevoelkerung")
    assert texts == [
        "mehr.csv, Zeile 7, Spalte „Arbeitslose“: mehr als die Bevölkerung: Arbeitslose in Bedorf (03999002) am "
        "31.12.2022: 600, mehr als die 490 Einwohner des Gebiets."
    ]


def test_findings_are_stored_with_the_delivery(
    kreis: tuple[Engine, dict[str, int]], katalog: Katalog, tmp_path: Path
) -> None:
    engine, _ = kreis
    load(engine, bev_datei(tmp_path / "bev.csv"), katalog)
    path = alo_datei(tmp_path / "zu_viele.csv", days=(T23,), werte={T23: {**ALO[T23], "03999004": 151}})
    result = load(engine, path, katalog)
    assert "Plausibilität: 1 Befund(e), bitte prüfen und akzeptieren:" in str(result)
    with session_scope(engine, actor="test") as session:
        stored = session.scalars(sa.select(Plausibilitaetsbefund)).all()
        assert [(b.datenlieferung_id, b.art, b.gebiet, b.merkmal, b.stichtag, b.zeile) for b in stored] == [
            (result.datenlieferung_id, "anteil", "03999004", "alo_quote", T23, 9)
        ]
        assert stored[0].akzeptiert_am is None


def test_the_refresh_summary_lists_the_findings() -> None:
    """The flow's markdown summary (run page, CLI) names what is to be checked after a load."""
    from sozialforum.daten.berichtstext import zusammenfassung_markdown

    row = {
        "datei": "zu_viele.csv",
        "status": "geladen",
        "quelle": "genesis-alo",
        "werte": 7,
        "gebiete": 7,
        "stichtage": "31.12.2023",
        "hinweise": [],
        "befunde": ["zu_viele.csv, Zeile 9, Spalte „Arbeitslose“: Anteil über 100 %: …"],
    }
    text = zusammenfassung_markdown([row], None, None, [], [])
    assert "**Plausibilität:** 1 Befund(e), im Arbeitsplatz zu prüfen und zu akzeptieren:" in text
    assert "- zu_viele.csv, Zeile 9, Spalte „Arbeitslose“: Anteil über 100 %: …" in text


def test_a_delivered_share_above_100_percent(
    kreis: tuple[Engine, dict[str, int]], katalog_pfad: Path, tmp_path: Path
) -> None:
    """A published share (a value, not a rate of counts) of 143 % in a city's own table."""
    from sozialforum.daten.katalog import load_katalog

    extra = """
[merkmale.quote_pub]
name = "veröffentlichte Quote"
art = "wert"

[indikatoren.quote_pub]
name = "Veröffentlichte Quote"
dimension = "arbeit"
zaehler = "quote_pub"

[[quellen]]
kennung = "pub"
format = "tabelle"
name = "Veröffentlichte Quoten"
schluessel_spalte = "gemeinde"
spalten = { "quote" = "quote_pub" }
"""
    katalog_pfad.write_text(katalog_pfad.read_text(encoding="utf-8") + extra, encoding="utf-8")
    katalog = load_katalog(katalog_pfad)
    path = tmp_path / "quoten.csv"
    path.write_text("gemeinde;stichtag;quote\n03999001;31.12.2023;43,5\n03999002;31.12.2023;143,0\n", encoding="utf-8")
    result = load(kreis[0], path, katalog)
    assert found(result, "anteil") == [
        "quoten.csv, Zeile 3, Spalte „quote“: Anteil über 100 %: „Veröffentlichte Quote“ in Bedorf (03999002) am "
        "31.12.2023: 143 % – ein Anteil über 100 % ist nicht möglich."
    ]
