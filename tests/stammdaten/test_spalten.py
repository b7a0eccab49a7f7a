"""Lists as offices really keep them load without renaming a column by hand: a Träger directory
in Excel ("Kürzel", "Träger", "Spitzenverband", the Sozialraum by its name, a "Bemerkung"), an
Outlook contact export (comma-separated and quoted, "E-Mail-Adresse", "Firma", columns that mean
nothing here). A misspelt column and a name that several rows carry are still refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from sqlalchemy.engine import Engine

from sozialforum.demo import load_demo
from sozialforum.problems import ProblemReport
from sozialforum.stammdaten.importer import import_file
from sozialforum.store.db import session_scope
from sozialforum.store.models import Gebiet, Organisation, Person
from tests.stammdaten.test_import import snapshot


@pytest.fixture
def demo_store(sqlite_engine: Engine) -> Engine:
    with session_scope(sqlite_engine, actor="test") as session:
        load_demo(session)
    return sqlite_engine


def _id(engine: Engine, column: sa.ColumnElement[str], value: str) -> int:
    with engine.connect() as connection:
        found = connection.execute(sa.select(column.table.c.id).where(column == value)).scalar()  # type: ignore[attr-defined]
    assert found is not None, value
    return int(found)


def test_a_traeger_directory_from_excel(demo_store: Engine, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Kürzel", "Träger", "Art", "Spitzenverband", "Sozialraum", "E-Mail", "Anschrift", "Bemerkung"])
    sheet.append(
        ["FZ-LIN", "Familienzentrum Lindenau", "Familienzentrum", "Diakonie", "Sozialraum Lindenau",
         "fz-lindenau@traeger.example", "Am Markt 3, 37000 Lindenau", "neu seit 2026"]
    )  # fmt: skip
    path = tmp_path / "Trägerverzeichnis 2026.xlsx"
    workbook.save(path)
    with session_scope(demo_store, actor="test") as session:
        result = import_file(session, "organisationen", path)
    assert result.neu == 1
    assert result.umbenannt == {
        "kürzel": "kennung",
        "träger": "name",
        "spitzenverband": "dachverband",
        "sozialraum": "gebiet",
        "e-mail": "email",
        "anschrift": "adresse",
    }
    assert result.ausgelassen == ["bemerkung"]
    assert "„bemerkung“" in str(result) and "„träger“ → name" in str(result)
    with demo_store.connect() as connection:
        row = connection.execute(sa.select(Organisation).where(Organisation.kennung == "FZ-LIN")).one()
    assert row.art == "familienzentrum" and row.dachverband == "Diakonie"
    assert row.gebiet_id == _id(demo_store, Gebiet.schluessel, "SR01")  # the Sozialraum by its name


def test_an_outlook_contact_export(demo_store: Engine, tmp_path: Path) -> None:
    header = (
        '"Kennung","Anrede","Vorname","Weitere Vornamen","Nachname","Firma","Position",'
        '"Telefon geschäftlich","E-Mail-Adresse","E-Mail: Typ","E-Mail: Angezeigter Name","Rechtsgrundlage","Priorität"'
    )
    row = (
        '"P-OUT-1","Frau","Lea","","Sommer","Sozialamt Landkreis Musterland","Sachbearbeitung",'
        '"05551 324-10","lea.sommer@landkreis-musterland.example","SMTP","Lea Sommer (lea.sommer@…)",'
        '"öffentliche Aufgabe (Art. 6 Abs. 1 lit. e DSGVO)","Normal"'
    )
    path = tmp_path / "Kontakte.CSV"
    path.write_bytes(("\ufeff" + header + "\r\n" + row + "\r\n").encode("utf-8"))
    with session_scope(demo_store, actor="test") as session:
        result = import_file(session, "personen", path)
    assert result.neu == 1
    assert result.umbenannt["firma"] == "organisation" and result.umbenannt["e-mail-adresse"] == "email"
    assert set(result.ausgelassen) == {"weitere vornamen", "e-mail: typ", "e-mail: angezeigter name", "priorität"}
    with demo_store.connect() as connection:
        person = connection.execute(sa.select(Person).where(Person.kennung == "P-OUT-1")).one()
    assert person.email == "lea.sommer@landkreis-musterland.example" and person.funktion == "Sachbearbeitung"
    assert person.organisation_id == _id(demo_store, Organisation.kennung, "AMT-SOZ")


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        # A misspelt column with values: its addresses must not be dropped without a word.
        ("kennung;nachname;emial\nP-X;Berg;kim@x.example\n", "emial", "Gemeint ist vermutlich „email“"),
        # "Name" beside "Nachname": which one is meant cannot be told.
        ("kennung;name;nachname\nP-X;Kim Berg;Berg\n", "name", "Gemeint ist vermutlich „nachname“"),
        # Two Träger of the same name: the name names neither.
        ("kennung;nachname;organisation\nP-X;Berg;Verein Doppelt\n", "organisation", "heißen mehrere"),
    ],
)
def test_what_cannot_be_told_is_refused(
    demo_store: Engine, tmp_path: Path, text: str, column: str, message: str
) -> None:
    with session_scope(demo_store, actor="test") as session:
        for kennung in ("VD-1", "VD-2"):
            session.add(Organisation(kennung=kennung, name="Verein Doppelt", art="verein"))
    before = snapshot(demo_store)
    path = tmp_path / "personen.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProblemReport) as caught, session_scope(demo_store, actor="test") as session:
        import_file(session, "personen", path)
    assert any(p.spalte == column and message in p.meldung for p in caught.value.problems), str(caught.value)
    assert snapshot(demo_store) == before
