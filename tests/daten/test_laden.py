"""Loading into the store: provenance, idempotence, key matching (leading zeros, re-formed
areas), BA workbooks and city tables; every bad input is reported with file, row and column
and leaves the store exactly as it was (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.daten.ba_schreiben import write_ba
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.laden import lade_datei
from sozialforum.daten.speicher import lade_bestand
from sozialforum.problems import ProblemReport
from sozialforum.store.db import session_scope
from sozialforum.store.models import Datenlieferung, Gebiet, GebietVorgaenger
from tests.daten.conftest import ALO, NOW, T22, T23, add_gebiete, alo_datei, bev_datei, counts


@pytest.fixture
def store(engine: Engine) -> Engine:
    add_gebiete(engine)
    return engine


def load(engine: Engine, path: Path, katalog: Katalog, **options: object) -> object:
    with session_scope(engine, actor="test") as session:
        return lade_datei(session, path, katalog, now=NOW, akteur="test", **options)  # type: ignore[arg-type]


def refused(engine: Engine, path: Path, katalog: Katalog, *fragments: str) -> ProblemReport:
    before = counts(engine)
    with pytest.raises(ProblemReport) as caught:
        load(engine, path, katalog)
    text = str(caught.value)
    assert "es wurde nichts geändert" in text
    for fragment in fragments:
        assert fragment in text, text
    assert counts(engine) == before, "a refused file changed the store"
    return caught.value


def test_load_records_provenance_and_is_idempotent(store: Engine, katalog: Katalog, tmp_path: Path) -> None:
    path = bev_datei(tmp_path / "12411-02-03-5.csv")
    first = load(store, path, katalog)
    assert first.status == "geladen" and first.stichtage == [T22, T23]  # type: ignore[attr-defined]
    assert first.gebiete == 7 and first.vergleichswerte == 8  # type: ignore[attr-defined]
    after_first = counts(store)
    again = load(store, path, katalog)
    assert again.status == "unverändert"  # type: ignore[attr-defined]
    assert counts(store) == after_first
    with session_scope(store, actor="test") as session:
        lieferung = session.scalars(sa.select(Datenlieferung)).one()
        assert lieferung.datei == "12411-02-03-5.csv" and len(lieferung.pruefsumme) == 64
        assert lieferung.datenstand == date(2024, 9, 27)
        assert lieferung.herausgeber == "Statistische Ämter des Bundes und der Länder"
        assert lieferung.lizenz == "Datenlizenz Deutschland - Namensnennung - Version 2.0"
        assert lieferung.quelle == "genesis-bev" and lieferung.tabelle == "12411-02-03-5"
        bestand = lade_bestand(session, [T23])[T23]
    assert {str(k) for k in bestand.spalten} == {"bev", "bev[0-15]", "bev[15-65]", "bev[65-]"}
    assert len(bestand.index) == 7


def test_a_corrected_delivery_supersedes_and_history_stays(store: Engine, katalog: Katalog, tmp_path: Path) -> None:
    load(store, alo_datei(tmp_path / "alo.csv"), katalog)
    fixed = {T23: {**ALO[T23], "03999001": 31}}
    load(store, alo_datei(tmp_path / "alo_korrigiert.csv", days=(T23,), werte=fixed), katalog)
    with session_scope(store, actor="test") as session:
        tafel = lade_bestand(session, [T23])[T23]
        row = tafel.index.index(session.scalar(sa.select(Gebiet.id).where(Gebiet.schluessel == "03999001")))
        assert tafel.werte[row, 0] == 31
        assert session.scalar(sa.select(sa.func.count()).select_from(Datenlieferung)) == 2


def test_unknown_key_and_lost_leading_zero(store: Engine, katalog: Katalog, tmp_path: Path) -> None:
    bad = {T23: {**ALO[T23]}}
    path = alo_datei(tmp_path / "alo.csv", days=(T23,), werte=bad)
    text = path.read_text(encoding="iso-8859-1").replace("2023;03999005;", "2023;3999005;")
    path.write_text(text.replace("2023;03999006;", "2023;03888006;"), encoding="iso-8859-1")
    report = refused(
        store,
        path,
        katalog,
        "alo.csv, Zeile 10, Spalte „Schlüssel“",
        "unbekannter Gebietsschlüssel „3999005“ – fehlt die führende Null? „03999005“",
        "Zeile 11",
        "„03888006“",
    )
    assert len(report.problems) == 2
    assert load(store, path, katalog, unbekannte_ignorieren=True).gebiete == 5  # type: ignore[attr-defined]


def test_duplicate_rows(store: Engine, katalog: Katalog, tmp_path: Path) -> None:
    path = alo_datei(tmp_path / "doppelt.csv", days=(T23,))
    lines = path.read_text(encoding="iso-8859-1").splitlines()
    lines.insert(6, lines[5].replace(";30", ";31"))
    path.write_text("\n".join(lines) + "\n", encoding="iso-8859-1")
    refused(store, path, katalog, "doppelt.csv, Zeile 7", "doppelte Angabe: alo", "schon in Zeile 6")


def test_negative_count(store: Engine, katalog: Katalog, tmp_path: Path) -> None:
    path = alo_datei(tmp_path / "negativ.csv", days=(T23,), werte={T23: {**ALO[T23], "03999003": -65}})
    refused(store, path, katalog, "negativ.csv, Zeile 8, Spalte „Arbeitslose“", "negative Anzahl (-65)")


def test_numerator_larger_than_denominator_against_the_store(store: Engine, katalog: Katalog, tmp_path: Path) -> None:
    """Reported by the plausibility report, not refused (#18; tests/daten/test_plausibel_bericht.py)."""
    load(store, bev_datei(tmp_path / "bev.csv"), katalog)
    path = alo_datei(tmp_path / "zu_viele.csv", days=(T23,), werte={T23: {**ALO[T23], "03999004": 151}})
    text = str(load(store, path, katalog))
    assert "zu_viele.csv, Zeile 9, Spalte „Arbeitslose“: Anteil über 100 %" in text
    assert "„Arbeitslosenanteil“ in Deweiler (03999004) am 31.12.2023: 151 von 150" in text


def test_wrong_separator_encoding_truncation_and_text(store: Engine, katalog: Katalog, tmp_path: Path) -> None:
    good = alo_datei(tmp_path / "gut.csv", days=(T23,))
    text = good.read_text(encoding="iso-8859-1")
    comma = tmp_path / "komma.csv"
    comma.write_text(text.replace(";", ","), encoding="iso-8859-1")
    refused(store, comma, katalog, "komma.csv", "Falsches Trennzeichen")
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(text.encode("utf-16"))
    refused(store, utf16, katalog, "utf16.csv", "UTF-16")
    cut = tmp_path / "halb.csv"
    cut.write_text(text[: text.index("Efeld")], encoding="iso-8859-1")
    refused(store, cut, katalog, "halb.csv", "unvollständig")
    words = tmp_path / "text.csv"
    words.write_text(text.replace(";65\n", ";fünfundsechzig\n"), encoding="iso-8859-1")
    refused(store, words, katalog, "text.csv, Zeile 8, Spalte „Arbeitslose“", "„fünfundsechzig“ ist keine Zahl")


def test_reformed_areas_match_by_validity(engine: Engine, katalog: Katalog, tmp_path: Path) -> None:
    ids = add_gebiete(engine)
    with session_scope(engine, actor="test") as session:  # G7 was formed in 2023 from an old Gemeinde
        session.execute(sa.update(Gebiet).where(Gebiet.id == ids["03999007"]).values(gueltig_ab=date(2023, 1, 1)))
        old = Gebiet(
            schluessel="03999907",
            name="Altgemark",
            ebene="gemeinde",
            ags="03999907",
            parent_id=ids["S3"],
            gueltig_bis=date(2022, 12, 31),
        )
        session.add(old)
        session.flush()
        session.add(GebietVorgaenger(gebiet_id=ids["03999007"], vorgaenger_id=old.id))
    wrong = alo_datei(tmp_path / "alt.csv", days=(T22,))
    refused(engine, wrong, katalog, "alt.csv, Zeile 12", "Gebiet „03999007“ gab es am 31.12.2022 nicht")
    right = tmp_path / "neu.csv"
    right.write_text(
        wrong.read_text(encoding="iso-8859-1").replace("2022;03999007;", "2022;03999907;"), encoding="iso-8859-1"
    )
    assert load(engine, right, katalog).gebiete == 7  # type: ignore[attr-defined]


def _ba(path: Path, alo: dict[str, int], **options: object) -> Path:
    rows = [(key, f"Gemeinde {key[-1]}", {"Arbeitslose insgesamt": value}) for key, value in alo.items()]
    write_ba(path, 2023, rows, unassigned={"Arbeitslose insgesamt": 4}, kreis=("03999", "Testkreis"), **options)  # type: ignore[arg-type]
    return path


def test_ba_workbook_with_masks_unassigned_row_and_sum_row(store: Engine, katalog: Katalog, tmp_path: Path) -> None:
    result = load(store, _ba(tmp_path / "ba.xlsx", ALO[T23]), katalog)
    assert result.stichtage == [T23] and result.gebiete == 8  # 7 Gemeinden and the Kreis row
    assert any("keinem Gebiet zugeordnet" in h for h in result.hinweise) is False  # kept on the delivery
    with session_scope(store, actor="test") as session:
        lieferung = session.scalars(sa.select(Datenlieferung)).one()
        assert lieferung.herausgeber == "Statistik der Bundesagentur für Arbeit"
        assert lieferung.datenstand == date(2024, 1, 16)
        assert any("keinem Gebiet zugeordnet" in h for h in lieferung.hinweise)
        tafel = lade_bestand(session, [T23])[T23]
        bedorf = tafel.index.index(session.scalar(sa.select(Gebiet.id).where(Gebiet.schluessel == "03999002")))
        kreis = tafel.index.index(session.scalar(sa.select(Gebiet.id).where(Gebiet.schluessel == "03999000")))
    assert tafel.codes[bedorf, 0] == 6  # "*": anonymised by the BA, not 0, not a number
    assert tafel.werte[kreis, 0] == sum(ALO[T23].values()) + 4  # the district row, with "keine Angabe"


def test_ba_sum_row_that_does_not_add_up(store: Engine, katalog: Katalog, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = _ba(tmp_path / "ba_kaputt.xlsx", {**ALO[T23], "03999002": 12})
    book = load_workbook(path)
    sheet = book.active
    for row in sheet.iter_rows():
        if row[0].value == "03999":
            row[2].value = 1
    book.save(path)
    refused(
        store, path, katalog, "ba_kaputt.xlsx, Zeile 17, Spalte „Arbeitslose insgesamt“", "Summenzeile (1) stimmt nicht"
    )


def test_city_table_per_sozialraum_and_its_errors(store: Engine, katalog: Katalog, tmp_path: Path) -> None:
    good = tmp_path / "hze.csv"
    good.write_text(
        "Sozialraum;Stichtag;Hilfen;Einwohner unter 21\nS1;31.12.2023;12;260\n"
        "S2;31.12.2023;3;410\nS3;31.12.2023;9;450\n",
        encoding="utf-8",
    )
    assert load(store, good, katalog).gebiete == 3  # type: ignore[attr-defined]
    bad = tmp_path / "hze_fehler.csv"
    bad.write_text(
        "Sozialraum;Stichtag;Hilfen;Einwohner unter 21;Bemerkung\nS1;31.12.2023;zwölf;260;\nS9;31.12.2023;3;410;\n",
        encoding="utf-8",
    )
    refused(
        store,
        bad,
        katalog,
        "hze_fehler.csv, Zeile 1, Spalte „Bemerkung“",
        "keinem Merkmal zugeordnet",
        "Zeile 2, Spalte „Hilfen“",
        "„zwölf“ ist keine Zahl",
        "Zeile 3, Spalte „Schlüssel“",
        "„S9“",
    )
    latin = tmp_path / "hze_latin.csv"
    latin.write_bytes(
        "Sozialraum;Stichtag;Hilfen;Einwohner unter 21\nS1;31.12.2023;12;260 Kinder \xe4\n".encode("latin-1")
    )
    refused(store, latin, katalog, "hze_latin.csv", "nicht in UTF-8")
