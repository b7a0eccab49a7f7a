"""Reference-data import: idempotent re-import, updates by natural key, and every kind of broken
file rejected with a report that names file, row and column, leaving the store unchanged."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from sozialforum.demo import DATA, load_demo
from sozialforum.problems import ProblemReport
from sozialforum.stammdaten.importer import import_file, import_folder
from sozialforum.store.db import session_scope
from sozialforum.store.models import AuditEntry, Gebiet, GebietVorgaenger, Mitgliedschaft, Person


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table: the strictest way to see that nothing changed."""
    with engine.connect() as conn:
        return {
            name: sorted(conn.execute(sa.select(table)).all(), key=repr)
            for name, table in SQLModel.metadata.tables.items()
        }


def test_demo_import_twice_leaves_the_same_rows(engine: Engine) -> None:
    with session_scope(engine, actor="test") as session:
        first, _ = load_demo(session)
    assert {r.kind: r.neu for r in first} == {
        "gebiete": 62,
        "organisationen": 84,
        "personen": 212,
        "gremien": 21,
        "mitgliedschaften": 304,
    }
    before = snapshot(engine)
    with session_scope(engine, actor="test") as session:
        second, planung = load_demo(session)
    assert all(r.neu == 0 and r.geaendert == 0 for r in second)
    assert planung["neu"] == 0 and planung["geaendert"] == 0
    assert snapshot(engine) == before


def test_hierarchy_versions_and_predecessors(engine: Engine) -> None:
    with session_scope(engine, actor="test") as session:
        load_demo(session)
    with Session(engine) as session:
        kreis = session.scalars(sa.select(Gebiet).where(Gebiet.schluessel == "03199000")).one()
        assert kreis.ags == "03199000" and kreis.ars == "031990000000"  # strings, leading zero kept
        preds = session.scalars(
            sa.select(GebietVorgaenger.vorgaenger_id).where(GebietVorgaenger.gebiet_id == kreis.id)
        ).all()
        names = set(session.scalars(sa.select(Gebiet.name).where(Gebiet.id.in_(preds))))
        assert names == {"Landkreis Musterland (bis 2016)", "Landkreis Osterberg (bis 2016)"}
        sozialraeume = session.scalars(sa.select(Gebiet).where(Gebiet.ebene == "sozialraum")).all()
        assert len(sozialraeume) == 12
        gemeinden = session.scalars(
            sa.select(Gebiet).where(Gebiet.ebene == "gemeinde", Gebiet.gueltig_bis.is_(None))
        ).all()
        assert len(gemeinden) == 42
        by_id = {g.id: g for g in session.scalars(sa.select(Gebiet))}
        # Each Sozialraum's population is the sum of its current Gemeinden.
        for raum in sozialraeume:
            total = sum(g.einwohner or 0 for g in gemeinden if g.parent_id == raum.id)
            assert raum.einwohner == total
            assert by_id[raum.parent_id].ebene == "sozialregion"


def test_reimport_updates_by_natural_key_and_audits_the_change(engine: Engine, tmp_path: Path) -> None:
    with session_scope(engine, actor="test") as session:
        load_demo(session)
    changed = tmp_path / "personen.csv"
    text = (DATA / "personen.csv").read_text(encoding="utf-8")
    changed.write_text(
        text.replace("sven.brandt@landkreis-musterland.example", "s.brandt@landkreis-musterland.example"),
        encoding="utf-8",
    )
    with session_scope(engine, actor="import:personen.csv") as session:
        result = import_file(session, "personen", changed)
    assert (result.neu, result.geaendert, result.unveraendert) == (0, 1, 211)
    with Session(engine) as session:
        person = session.scalars(sa.select(Person).where(Person.kennung == "P0001")).one()
        assert person.email == "s.brandt@landkreis-musterland.example"
        entry = session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.tabelle == "person", AuditEntry.datensatz_id == person.id, AuditEntry.aktion == "update"
            )
        ).one()
        assert entry.akteur == "import:personen.csv"
        assert entry.aenderungen == {
            "email": ["sven.brandt@landkreis-musterland.example", "s.brandt@landkreis-musterland.example"]
        }


def test_xlsx_list_with_numeric_keys_keeps_leading_zeros(sqlite_engine: Engine, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["schluessel", "name", "ebene", "ags", "einwohner"])
    sheet.append(["03199000", "Landkreis", "Landkreis/Stadt", 3199000, 120000])  # Excel lost the 0
    path = tmp_path / "gebiete.xlsx"
    book.save(path)
    with session_scope(sqlite_engine, actor="test") as session:
        import_file(session, "gebiete", path)
    with Session(sqlite_engine) as session:
        gebiet = session.scalars(sa.select(Gebiet)).one()
    assert (gebiet.ags, gebiet.ebene, gebiet.einwohner) == ("03199000", "kreis", 120000)


def _broken_copy(tmp_path: Path, name: str, transform) -> Path:
    folder = tmp_path / "listen"
    shutil.copytree(DATA, folder)
    path = folder / name
    path.write_bytes(transform(path.read_bytes()))
    return folder


BROKEN = {
    "ungueltige_email": (
        "personen.csv",
        lambda b: b.replace(b"sven.brandt@landkreis-musterland.example", b"sven.brandt(at)landkreis"),
        ["personen.csv, Zeile 2, Spalte „email“", "keine gültige E-Mail-Adresse"],
    ),
    "email_mit_zeilenumbruch": (
        "personen.csv",
        lambda b: b.replace(b"sven.brandt@landkreis-musterland.example", b'"a@b.example\r\nBcc: x@evil.example"'),
        ["personen.csv, Zeile 2, Spalte „email“"],
    ),
    "fehlende_spalte": (
        "personen.csv",
        lambda b: b.replace(b";nachname;", b";nachnme;", 1),
        ["personen.csv, Zeile 1, Spalte „nachname“", "Pflichtspalte"],
    ),
    "doppelter_schluessel": (
        "organisationen.csv",
        lambda b: b + b.splitlines(keepends=True)[3],
        ["organisationen.csv, Zeile 86, Spalte „kennung“", "doppelter Schlüssel", "schon in Zeile 4"],
    ),
    "unbekanntes_gebiet": (
        "organisationen.csv",
        lambda b: b.replace(b";SR07;", b";SR99;", 1),
        ["organisationen.csv, Zeile", "Spalte „gebiet“", "unbekannte(s) Gebiet „SR99“"],
    ),
    "cp1252": ("gebiete.csv", lambda b: b.decode("utf-8").encode("cp1252"), ["gebiete.csv, Zeile", "nicht in UTF-8"]),
    "abgeschnitten": (
        "mitgliedschaften.csv",
        lambda b: b[: len(b) // 2].rsplit(b";", 1)[0],
        ["mitgliedschaften.csv, Zeile", "abgeschnitten"],
    ),
    "text_statt_zahl": (
        "gebiete.csv",
        lambda b: b.replace(b";kreis;03199000;031990000000;", b";kreis;03199000;031990000000;", 1).replace(
            b"2016-11-01", b"1. Nov 2016", 1
        ),
        ["gebiete.csv, Zeile 4, Spalte „gueltig_ab“", "kein gültiges Datum"],
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_file_is_rejected_with_report_and_store_unchanged(engine: Engine, tmp_path: Path, case: str) -> None:
    with session_scope(engine, actor="test") as session:
        load_demo(session)
    before = snapshot(engine)
    name, transform, expected = BROKEN[case]
    folder = _broken_copy(tmp_path, name, transform)
    with pytest.raises(ProblemReport) as caught, session_scope(engine, actor="test") as session:
        import_folder(session, folder)
    message = str(caught.value)
    assert re.match(r"\d+ Problem\(e\) gefunden, es wurde nichts geändert:\n", message)
    for fragment in expected:
        assert fragment in message, message
    assert snapshot(engine) == before


def test_broken_xlsx_is_rejected(sqlite_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "personen.xlsx"
    book = Workbook()
    book.active.append(["kennung", "nachname"])
    book.save(path)
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(ProblemReport, match="Die Excel-Datei ist beschädigt oder unvollständig"):
        with session_scope(sqlite_engine, actor="test") as session:
            import_file(session, "personen", path)


def test_every_problem_is_reported_at_once(sqlite_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "gebiete.csv"
    path.write_text("schluessel;name;ebene;ags\nA;;kreis;123456789\nB;Bee;galaxie;0319\n", encoding="utf-8")
    with pytest.raises(ProblemReport) as caught, session_scope(sqlite_engine, actor="test") as session:
        import_file(session, "gebiete", path)
    text = str(caught.value)
    assert "Zeile 2, Spalte „name“: Pflichtfeld ist leer" in text
    assert "Zeile 2, Spalte „ags“: „123456789“: erwartet 8 Ziffern" in text
    assert "Zeile 3, Spalte „ebene“: „galaxie“: unbekannter Wert" in text
    assert len(caught.value.problems) == 3


def test_membership_validity_and_consent_rules(sqlite_engine: Engine, tmp_path: Path) -> None:
    with session_scope(sqlite_engine, actor="test") as session:
        load_demo(session)
    path = tmp_path / "mitgliedschaften.csv"
    path.write_text("gremium;person;von;bis\nSRK-01;P0001;2025-01-01;2024-01-01\n", encoding="utf-8")
    with pytest.raises(ProblemReport, match="Spalte „bis“: liegt vor „von“"):
        with session_scope(sqlite_engine, actor="test") as session:
            import_file(session, "mitgliedschaften", path)
    people = tmp_path / "personen.csv"
    people.write_text("kennung;nachname;rechtsgrundlage\nX1;Muster;einwilligung\n", encoding="utf-8")
    with pytest.raises(ProblemReport, match="Einwilligung ohne Datum"):
        with session_scope(sqlite_engine, actor="test") as session:
            import_file(session, "personen", people)
    with Session(sqlite_engine) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Mitgliedschaft)) == 304
