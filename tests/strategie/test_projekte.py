"""The project list from Excel: all or nothing, unknown Träger and columns named, re-reading
changes nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from sqlalchemy.engine import Engine
from sqlmodel import select

from sozialforum.problems import ProblemReport
from sozialforum.store.db import session_scope
from sozialforum.store.models import (
    Gebiet,
    Massnahme,
    Organisation,
    ProjektGebiet,
    ProjektRessource,
    Strategie,
    Strategieelement,
)
from sozialforum.strategie.projekte import projekte_importieren
from sozialforum.vocab import GebietEbene, OrganisationArt, StrategieElementArt

HEADER = [
    "kennung",
    "titel",
    "traeger",
    "handlungsfeld",
    "sozialraeume",
    "leitsaetze",
    "jahr",
    "plan_eur",
    "ist_eur",
    "plan_vzae",
    "ist_vzae",
    "status",
]
ROWS = [
    [
        "P-001",
        "Familienpaten",
        "Lindenau e. V.",
        "Kinder und Jugend",
        "Altstadt: 60; Nordstadt: 40",
        "1, 2",
        2019,
        "60.000,00",
        "39.600,00",
        "0,5",
        "0,5",
        "laufendes Geschäft",
    ],
    ["P-002", "Elterntreffs", "T2", "Kinder und Jugend", "Altstadt", "1", 2019, 96000, 0, None, None, "beendet"],
    ["P-003", "Fallmanager U 25", "T2", "Grundsicherung", None, None, 2019, 50000, 50000, 1, 1, None],
]


def _xlsx(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _setup(engine: Engine) -> None:
    with session_scope(engine, actor="test") as s:
        s.add_all(
            [
                Organisation(kennung="T1", name="Lindenau e. V.", art=OrganisationArt.FREIER_TRAEGER),
                Organisation(kennung="T2", name="Caritasverband Musterland", art=OrganisationArt.FREIER_TRAEGER),
                Gebiet(schluessel="SR-1", name="Altstadt", ebene=GebietEbene.SOZIALRAUM),
                Gebiet(schluessel="SR-2", name="Nordstadt", ebene=GebietEbene.SOZIALRAUM),
            ]
        )
        strategie = Strategie(kennung="S-2019", titel="Sozialstrategie", fassung="Fortschreibung 2019")
        s.add(strategie)
        s.flush()
        s.add_all(
            Strategieelement(
                strategie_id=strategie.id, art=StrategieElementArt.LEITSATZ, nummer=i, titel=f"Leitsatz {i}"
            )
            for i in (1, 2)
        )


def _snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as conn:
        return {
            t: [tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {t} ORDER BY id"))]
            for t in ("massnahme", "projekt_ressource", "projekt_gebiet", "projekt_bezug", "audit_entry")
        }


def test_list_loads_and_reloads_unchanged(engine: Engine, tmp_path: Path) -> None:
    _setup(engine)
    path = _xlsx(tmp_path / "Projektliste 2019.xlsx", ROWS)
    with session_scope(engine, actor="datei") as s:
        result = projekte_importieren(s, path)
    assert (result.neu, result.geaendert, result.unveraendert) == (3, 0, 0)
    with session_scope(engine, actor="test") as s:
        paten = s.exec(select(Massnahme).where(Massnahme.kennung == "P-001")).one()
        res = s.exec(select(ProjektRessource).where(ProjektRessource.massnahme_id == paten.id)).one()
        assert (res.plan_eur, res.ist_eur, res.plan_vzae) == (Decimal("60000.00"), Decimal("39600.00"), Decimal("0.50"))
        shares = sorted(
            float(g.anteil_prozent) for g in s.exec(select(ProjektGebiet).where(ProjektGebiet.massnahme_id == paten.id))
        )
        assert shares == [40.0, 60.0]
        assert s.exec(select(Massnahme).where(Massnahme.kennung == "P-002")).one().status == "beendet"
    before = _snapshot(engine)
    with session_scope(engine, actor="datei") as s:
        again = projekte_importieren(s, path)
    assert (again.neu, again.geaendert, again.unveraendert) == (0, 0, 3)
    assert _snapshot(engine) == before
    changed = [list(r) for r in ROWS]
    changed[0][8] = "41.000,00"
    with session_scope(engine, actor="datei") as s:
        third = projekte_importieren(s, _xlsx(tmp_path / "neu.xlsx", changed))
    assert (third.neu, third.geaendert, third.unveraendert) == (0, 1, 2)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ((0, 2, "Lindenau eV"), ("traeger", "Unbekannter Träger „Lindenau eV“. Meinten Sie: „Lindenau e. V.“?")),
        ((1, 7, "-96000"), ("plan_eur", "darf nicht negativ sein.")),
        ((0, 5, "1, 7"), ("leitsaetze", "Die Strategie hat keinen Leitsatz 7.")),
        ((2, 4, "Altstad"), ("sozialraeume", "Unbekannter Sozialraum „Altstad“. Meinten Sie: „Altstadt“?")),
        ((2, 0, "P-001"), ("kennung", "Projekt und Jahr stehen schon in Zeile 2.")),
        ((1, 11, "vielleicht"), ("status", None)),
    ],
)
def test_bad_rows_are_named_and_nothing_changes(
    engine: Engine, tmp_path: Path, change: tuple[int, int, object], expected: tuple[str, str | None]
) -> None:
    _setup(engine)
    rows = [list(r) for r in ROWS]
    row, column, value = change
    rows[row][column] = value
    before = _snapshot(engine)
    with pytest.raises(ProblemReport) as caught, session_scope(engine, actor="datei") as s:
        projekte_importieren(s, _xlsx(tmp_path / "Projektliste.xlsx", rows))
    problems = caught.value.problems
    assert [(p.datei, p.zeile, p.spalte) for p in problems] == [("Projektliste.xlsx", row + 2, expected[0])]
    if expected[1]:
        assert problems[0].meldung == expected[1]
    assert _snapshot(engine) == before


def test_mistyped_column_is_named(engine: Engine, tmp_path: Path) -> None:
    _setup(engine)
    header = [*HEADER[:3], "handlungsfed", *HEADER[4:]]
    with pytest.raises(ProblemReport) as caught, session_scope(engine, actor="datei") as s:
        projekte_importieren(s, _xlsx(tmp_path / "p.xlsx", ROWS, header))
    assert (
        str(caught.value.problems[0])
        == "p.xlsx, Zeile 1, Spalte „handlungsfed“: Unbekannte Spalte. Gemeint ist vermutlich „handlungsfeld“."
    )
