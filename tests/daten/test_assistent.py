"""The table assistant with the shapes cities and Landesämter publish (tests/data/tabellen): each
file is read through the assistant (proposal, German preview, corrections), confirmed under a
name, and the same publisher's file of the next year loads unattended by its header."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.daten.assistent_vorschau import Korrektur, bestaetige, vorschau
from sozialforum.daten.katalog import Katalog, load_katalog
from sozialforum.daten.laden import lade_datei
from sozialforum.daten.speicher import lade_bestand
from sozialforum.problems import ProblemReport
from sozialforum.store.db import session_scope
from sozialforum.store.models import AuditEntry, Datenlieferung, Gebiet, Tabellenzuordnung
from tests.daten.conftest import KATALOG, NOW, counts

DATEN = Path(__file__).parents[1] / "data" / "tabellen"
T23, T24 = date(2023, 12, 31), date(2024, 12, 31)
STADTTEILE = [
    "Altstadt",
    "Nordstadt",
    "Oststadt",
    "Südstadt",
    "Weststadt",
    "Am Hafen",
    "Bergheim",
    "Eichenau",
    "Feldmark",
    "Grünhof",
    "Heideweg",
    "Westliche Höhe",
    "Südliche Aue",
]


@pytest.fixture
def katalog(tmp_path: Path) -> Katalog:
    path = tmp_path / "indikatoren.toml"
    extra = '\n[merkmale.alo_anteil]\nname = "Arbeitslosenanteil (veröffentlicht)"\nart = "wert"\n'
    path.write_text(KATALOG.replace("[merkmale.hze]", extra + "\n[merkmale.hze]"), encoding="utf-8")
    return load_katalog(path)


@pytest.fixture
def stadt(sqlite_engine: Engine) -> Engine:
    with session_scope(sqlite_engine, actor="test") as session:
        city = Gebiet(schluessel="09999000", name="Musterstadt", ebene="kreis", ags="09999000")
        session.add(city)
        session.flush()
        bezirke = {}
        for key, name in (("BN", "Bezirk Nord"), ("BS", "Bezirk Süd")):
            bezirke[key] = Gebiet(schluessel=key, name=name, ebene="sozialregion", parent_id=city.id)
            session.add(bezirke[key])
        session.flush()
        for i, name in enumerate(STADTTEILE, start=1):
            parent = bezirke["BN" if i <= 6 else "BS"].id
            session.add(Gebiet(schluessel=f"ST{i:02d}", name=name, ebene="sozialraum", parent_id=parent))
    return sqlite_engine


def _vorschau(engine: Engine, path: Path, katalog: Katalog, korrektur: Korrektur | None = None, **options: object):
    with session_scope(engine, actor="test") as session:
        return vorschau(session, path, katalog, korrektur, **options)  # type: ignore[arg-type]


def _bestaetige(engine: Engine, path: Path, katalog: Katalog, name: str, korrektur: Korrektur, **options: object):
    with session_scope(engine, actor="test") as session:
        return bestaetige(session, path, katalog, name, korrektur, now=NOW, akteur="test", **options)  # type: ignore[arg-type]


def _naechstes_jahr(engine: Engine, path: Path, katalog: Katalog, **options: object):
    """The next delivery: a new file name, no mapping named, nothing confirmed."""
    with session_scope(engine, actor="flow") as session:
        return lade_datei(session, path, katalog, now=NOW, akteur="flow", **options)  # type: ignore[arg-type]


def _werte(engine: Engine, day: date, merkmal: str) -> dict[str, float]:
    with session_scope(engine, actor="test") as session:
        tafel = lade_bestand(session)[day]
        keys = dict(session.execute(sa.select(Gebiet.id, Gebiet.schluessel)).tuples().all())
    column = [str(k) for k in tafel.spalten].index(merkmal)
    return {keys[i]: v for i, v in zip(tafel.index, tafel.werte[:, column].tolist(), strict=True) if v == v}


def test_city_table_with_numbers_beside_names_and_a_stand_title(stadt: Engine, katalog: Katalog) -> None:
    path = DATEN / "stadt_bevoelkerung_2023.csv"
    proposal = _vorschau(stadt, path, katalog)
    text = "\n".join(proposal.beschreibung)
    assert "Titel: Bevölkerung in Musterstadt nach Stadtteilen / Stand 31.12.2023" in text
    assert "Kopfzeile: Zeile 4" in text
    assert "Schlüssel: Spalte „Nr.“, Namen aus „Stadtteil“" in text
    assert "„Einwohner unter 21“ → bev[0-21]" in text
    assert "Nicht übernommen: „Einwohner“, „Anteil unter 21“" in text
    assert "Stichtag: 31.12.2023 aus dem Titel („Stand 31.12.2023“)" in text
    assert "Gebiete: 13 von 13 Zeilen zugeordnet." in text
    assert proposal.zeilen[0] == ["5", "1 Altstadt", "ST01 Altstadt", "31.12.2023", "421"]

    korrektur = Korrektur(spalten={"Einwohner": "bev"})
    corrected = _vorschau(stadt, path, katalog, korrektur)
    assert corrected.kopf[-2:] == ["Einwohner → bev", "Einwohner unter 21 → bev[0-21]"]
    assert corrected.zeilen[1][-2:] == ["2.634", "462"]
    loaded = _bestaetige(stadt, path, katalog, "Stadt Bevölkerung", korrektur)
    assert loaded.status == "geladen" and loaded.gebiete == 13 and loaded.stichtage == [T23]

    nxt = _naechstes_jahr(stadt, DATEN / "stadt_bevoelkerung_2024.csv", katalog)
    assert nxt.stichtage == [T24] and nxt.gebiete == 13
    assert _werte(stadt, T24, "bev")["ST13"] == 2000 + 317 * 13 + 11
    with session_scope(stadt, actor="test") as session:
        lieferung = session.scalars(sa.select(Datenlieferung).order_by(Datenlieferung.id.desc())).first()  # type: ignore[union-attr]
        assert lieferung is not None and lieferung.zuordnung == "Stadt Bevölkerung"
        assert lieferung.quelle == "zuordnung:Stadt Bevölkerung" and lieferung.akteur == "flow"
        saved = session.scalars(sa.select(Tabellenzuordnung)).one()
        assert saved.lesart["spalten"] == {"einwohner unter 21": "bev[0-21]", "einwohner": "bev"}
        audit = session.scalars(sa.select(AuditEntry).where(AuditEntry.tabelle == "tabellenzuordnung")).one()
        assert audit.aktion == "create" and audit.akteur == "test"


def test_headerless_table_with_code_and_name_in_one_cell_and_percent_strings(stadt: Engine, katalog: Katalog) -> None:
    path = DATEN / "sozialatlas_arbeit_2023.csv"
    proposal = _vorschau(stadt, path, katalog)
    text = "\n".join(proposal.beschreibung)
    assert "Keine Kopfzeile" in text and "Schlüssel: Spalte „Spalte 1“" in text
    assert "Die Datei nennt keinen Stichtag" in " ".join(proposal.probleme)
    korrektur = Korrektur(spalten={"Spalte 2": "alo", "Spalte 3": "alo_anteil"})
    shown = _vorschau(stadt, path, katalog, korrektur, stichtag=T23)
    described = "\n".join(shown.beschreibung)
    assert "„Spalte 3“ → alo_anteil (Arbeitslosenanteil (veröffentlicht)) (Prozentangaben)" in described
    assert shown.zeilen[0] == ["1", "01 Altstadt", "ST01 Altstadt", "31.12.2023", "73", "43"]
    assert shown.zeilen[3][-1] == "3"  # "3%" beside "3,26%": a whole number, not refused
    assert shown.zeilen[1][-1] == "3,26"
    _bestaetige(stadt, path, katalog, "Sozialatlas Arbeit", korrektur, stichtag=T23)
    assert _werte(stadt, T23, "alo_anteil")["ST02"] == pytest.approx(3.26)

    nxt = DATEN / "sozialatlas_arbeit_2024.csv"
    with pytest.raises(ProblemReport, match="Die Datei nennt keinen Stichtag: bitte beim Laden angeben"):
        _naechstes_jahr(stadt, nxt, katalog)
    assert _naechstes_jahr(stadt, nxt, katalog, stichtag=T24).gebiete == 13


def test_long_table_with_names_written_with_underscores(stadt: Engine, katalog: Katalog) -> None:
    path = DATEN / "hze_stadtteile_2023.xlsx"
    proposal = _vorschau(stadt, path, katalog)
    text = "\n".join(proposal.beschreibung)
    assert "Aufbau: lang (eine Zeile je Gebiet und Merkmal)" in text
    assert "„hilfen“ → hze" in text and "„einwohner unter 21“ → bev[0-21]" in text
    assert "Stichtag: 31.12.2023 aus der Spalte „jahr“" in text
    assert "13 Schlüssel umgeschlüsselt: Name → Gebiet." in text
    assert proposal.zeilen[0] == ["2", "Altstadt", "ST01 Altstadt", "31.12.2023", "9", "421"]
    _bestaetige(stadt, path, katalog, "Jugendamt HzE", Korrektur())
    assert _werte(stadt, T23, "hze")["ST12"] == 8 + 12
    assert _naechstes_jahr(stadt, DATEN / "hze_stadtteile_2024.xlsx", katalog).stichtage == [T24]
    assert _werte(stadt, T24, "bev[0-21]")["ST12"] == 380 + 41 * 12 + 3


def test_landesamt_workbook_two_level_header_areas_of_three_levels(stadt: Engine, katalog: Katalog) -> None:
    path = DATEN / "landesamt_stadtteilprofile_2023.xlsx"
    proposal = _vorschau(stadt, path, katalog)
    text = "\n".join(proposal.beschreibung)
    assert "Kopfzeilen: Zeile 3–4 (zweistufig)" in text
    assert "„Bevölkerung | insgesamt“ → bev" in text and "„Arbeitslose | Anzahl“ → alo" in text
    assert "Nicht übernommen: „Bevölkerung | unter 21 Jahren“, „Arbeitslose | Anteil in %“" in text
    assert "Stichtag: 31.12.2023 aus dem Titel („Jahr: 2023“)" in text
    assert "Zeilen ohne Werte übersprungen: 22" in text
    assert "Gebiete: 16 von 16 Zeilen zugeordnet." in text
    korrektur = Korrektur(
        spalten={"Bevölkerung | unter 21 Jahren": "bev[0-21]", "Arbeitslose | Anteil in %": "alo_anteil"}
    )
    shown = _vorschau(stadt, path, katalog, korrektur)
    assert shown.zeilen[6][:3] == ["11", "Bezirk Nord", "BN Bezirk Nord"]
    _bestaetige(stadt, path, katalog, "Landesamt Stadtteilprofile", korrektur)
    alo = _werte(stadt, T23, "alo")
    assert "ST09" not in alo  # "." stays missing, never 0
    assert alo["09999000"] == sum(60 + 13 * i for i in range(1, 14))  # the city total row
    nxt = _naechstes_jahr(stadt, DATEN / "landesamt_stadtteilprofile_2024.xlsx", katalog)
    assert nxt.stichtage == [T24] and nxt.gebiete == 16


def test_a_bad_cell_names_file_row_and_column_and_changes_nothing(
    stadt: Engine, katalog: Katalog, tmp_path: Path
) -> None:
    _bestaetige(stadt, DATEN / "stadt_bevoelkerung_2023.csv", katalog, "Stadt", Korrektur(spalten={"Einwohner": "bev"}))
    bad = tmp_path / "stadt_bevoelkerung_2024_fehler.csv"
    bad.write_text(
        (DATEN / "stadt_bevoelkerung_2024.csv").read_text(encoding="utf-8").replace(";2328;", ";zwölf;"),
        encoding="utf-8",
    )
    before = counts(stadt)
    with pytest.raises(ProblemReport) as caught:
        _naechstes_jahr(stadt, bad, katalog)
    message = "stadt_bevoelkerung_2024_fehler.csv, Zeile 5, Spalte „Einwohner“: „zwölf“ ist keine Zahl"
    assert message in str(caught.value)
    assert counts(stadt) == before


def test_corrections_that_do_not_fit_are_refused(stadt: Engine, katalog: Katalog, tmp_path: Path) -> None:
    path = DATEN / "stadt_bevoelkerung_2023.csv"
    with pytest.raises(ProblemReport) as caught:
        _vorschau(stadt, path, katalog, Korrektur(spalten={"Einwohnerzahl": "bev", "Einwohner": "bevx"}))
    text = str(caught.value)
    assert "Spalte „Einwohnerzahl“: keine Spalte der Kopfzeile (Korrektur: Merkmal je Spalte)" in text
    assert "Spalte „Einwohner“: unbekanntes Merkmal „bevx“" in text
    renamed = tmp_path / "stadt.csv"
    shutil.copy(path, renamed)
    _bestaetige(stadt, path, katalog, "Stadt", Korrektur(spalten={"Einwohner": "bev"}))
    other = tmp_path / "andere.csv"
    other.write_text(path.read_text(encoding="utf-8").replace("Einwohner;", "Bewohner;"), encoding="utf-8")
    with pytest.raises(ProblemReport, match="passt nicht mehr zur Zuordnung „Stadt“"):
        _naechstes_jahr(stadt, other, katalog, zuordnung="Stadt")


def test_geojson_attributes_of_an_open_data_portal(stadt: Engine, katalog: Katalog) -> None:
    path = DATEN / "stadtteile_2023.geojson"
    proposal = _vorschau(stadt, path, katalog, Korrektur(spalten={"EW": "bev"}))
    text = "\n".join(proposal.beschreibung)
    assert "Schlüssel: Spalte „STT_NR“, Namen aus „STT_NAME“" in text
    assert "Stichtag: 31.12.2023 aus der Spalte „jahr“" in text
    assert proposal.zeilen[0] == ["2", "1 Altstadt", "ST01 Altstadt", "31.12.2023", "2.317"]
    _bestaetige(stadt, path, katalog, "Open Data Stadtteile", Korrektur(spalten={"EW": "bev"}))
    assert _naechstes_jahr(stadt, DATEN / "stadtteile_2024.geojson", katalog).stichtage == [T24]


def test_stichtag_in_the_header_gives_one_column_per_day(stadt: Engine, katalog: Katalog, tmp_path: Path) -> None:
    path = tmp_path / "einwohner_zeitreihe.csv"
    rows = ["Stadtteil;Einwohner 31.12.2022;Einwohner 31.12.2023"]
    rows += [f"{name};{1000 + i};{1100 + i}" for i, name in enumerate(STADTTEILE)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    korrektur = Korrektur(spalten={"Einwohner 31.12.2023": "bev"})
    text = "\n".join(_vorschau(stadt, path, katalog, korrektur).beschreibung)
    assert "Stichtag: 31.12.2022, 31.12.2023 aus der Kopfzeile" in text
    loaded = _bestaetige(stadt, path, katalog, "Zeitreihe", korrektur)
    assert loaded.stichtage == [date(2022, 12, 31), T23] and loaded.werte == 26
    assert _werte(stadt, date(2022, 12, 31), "bev")["ST13"] == 1012


def test_official_key_beside_a_name_header_dates_and_genesis_files(
    stadt: Engine, katalog: Katalog, tmp_path: Path
) -> None:
    ags = tmp_path / "gemeinden.csv"
    ags.write_text("Stand 31.12.2023\nAGS;Gemeinde;Einwohner\n09999000;Musterstadt;45000\n", encoding="utf-8")
    shown = _vorschau(stadt, ags, katalog, Korrektur(spalten={"Einwohner": "bev"}))
    assert shown.zeilen == [["3", "09999000", "09999000 Musterstadt", "31.12.2023", "45.000"]], shown.zeilen

    mixed = tmp_path / "zeitreihe.csv"
    mixed.write_text("Stadtteil;Einwohner 31.12.2023;Hilfen\nAltstadt;2317;9\n", encoding="utf-8")
    korrektur = Korrektur(spalten={"Einwohner 31.12.2023": "bev", "Hilfen": "hze"})
    problems = " ".join(_vorschau(stadt, mixed, katalog, korrektur).probleme)
    assert "zeitreihe.csv, Zeile 1, Spalte „Hilfen“: Die Spalte nennt keinen Stichtag." in problems

    genesis = tmp_path / "12411-02-03-5.csv"
    genesis.write_text("GENESIS-Tabelle: 12411-02-03-5\n", encoding="utf-8")
    with pytest.raises(ProblemReport, match="Das ist eine GENESIS-Tabelle"):
        _vorschau(stadt, genesis, katalog)
