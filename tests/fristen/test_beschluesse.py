"""Beschluss tracking: roll-up, traffic light, timeline, and the Sachstand table round trip."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from sozialforum.beschluesse.stand import beschluss_staende, rollup
from sozialforum.beschluesse.tabelle import export_csv, export_xlsx, import_sachstand
from sozialforum.beschluesse.verlauf import verlauf
from sozialforum.problems import ProblemReport
from sozialforum.store.db import session_scope
from sozialforum.store.models import AuditEntry, Auftrag, Benutzer, Beratung, Umsetzungsbericht, Vorlage
from sozialforum.vocab import Ampel, AuftragStatus, BeratungErgebnis, BeratungRolle, VorlageArt
from tests.fristen.conftest import Welt

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

S = AuftragStatus


@pytest.mark.parametrize(
    ("states", "overdue", "expected"),
    [
        ([], False, S.OFFEN),
        ([S.OFFEN, S.OFFEN], False, S.OFFEN),
        ([S.OFFEN, S.IN_ARBEIT], False, S.IN_ARBEIT),
        ([S.OFFEN, S.UMGESETZT], False, S.IN_ARBEIT),
        ([S.IN_ARBEIT, S.VERZOEGERT], False, S.VERZOEGERT),
        ([S.IN_ARBEIT], True, S.VERZOEGERT),
        ([S.UMGESETZT, S.AUFGEHOBEN], False, S.UMGESETZT),
        ([S.UMGESETZT, S.GESCHEITERT], False, S.GESCHEITERT),
        ([S.AUFGEHOBEN, S.AUFGEHOBEN], False, S.AUFGEHOBEN),
    ],
)
def test_rollup(states: list[AuftragStatus], overdue: bool, expected: AuftragStatus) -> None:
    assert rollup(states, overdue) is expected


def test_stand_of_a_beschluss(engine: Engine, welt: Welt) -> None:
    with session_scope(engine, actor="test") as session:
        (stand,) = beschluss_staende(session, today=date(2026, 3, 2), bald=30)
        lights = {t.auftrag.kennung: t.ampel for t in stand.auftraege}
        assert lights == {
            "B-1/2024-1": Ampel.IM_PLAN,
            "B-1/2024-2": Ampel.IM_PLAN,
            "B-1/2024-3": Ampel.ERLEDIGT,
            "B-1/2024-4": Ampel.BALD_FAELLIG,
        }
        assert stand.ampel is Ampel.BALD_FAELLIG and stand.status is S.IN_ARBEIT
        assert stand.fortschritt == 25  # (0 + 0 + 100 + 0) / 4
        assert stand.naechste_frist == date(2026, 3, 31) and stand.geplant_bis == date(2026, 6, 30)
        assert stand.gremium == "Kreistag"
        (later,) = beschluss_staende(session, today=date(2026, 5, 1), bald=30)
        assert later.ampel is Ampel.UEBERFAELLIG and later.status is S.VERZOEGERT


def test_timeline_tells_the_story(engine: Engine, welt: Welt) -> None:
    with session_scope(engine, actor="test") as session:
        antrag = session.scalars(sa.select(Vorlage)).one()
        session.add(
            Vorlage(
                kennung="VSP-1/2024",
                art=VorlageArt.VERWALTUNGSSTANDPUNKT,
                titel="Verwaltungsstandpunkt mit Alternativvorschlag",
                datum=date(2024, 3, 13),
                bezug_vorlage_id=antrag.id,
            )
        )
        session.add(
            Beratung(
                vorlage_id=antrag.id,
                gremium_id=1,
                reihenfolge=1,
                rolle=BeratungRolle.ENTSCHEIDUNG,
                datum=date(2024, 9, 19),
                ergebnis=BeratungErgebnis.GEAENDERT_BESCHLOSSEN,
            )
        )
    with session_scope(engine, actor="benutzer:sozialamt") as session:
        amt = Benutzer(name="sozialamt", anzeigename="Amt für Soziales", passwort_hash="-", erstellt_am=NOW)
        session.add(amt)
        session.get(Auftrag, welt.auftraege["forum"]).status = S.IN_ARBEIT
    with session_scope(engine, actor="test") as session:
        events = verlauf(session, welt.beschluss_id, today=date(2026, 3, 2))
    kinds = [e.art for e in events]
    assert kinds[:4] == ["Vorlage", "Vorlage", "Beratung", "Beschluss"]
    assert events[0].titel.startswith("Antrag A-1/2024")
    assert events[1].titel.startswith("Verwaltungsstandpunkt VSP-1/2024")
    assert events[3].text == "1. Konzept vorlegen"  # the Beschlusspunkte
    konzept = next(e for e in events if e.art == "Auftrag" and "B-1/2024-1" in e.titel)
    assert konzept.text == "„bis Mitte 2026“ (30. Juni 2026)"
    status = next(e for e in events if e.art == "Status")
    assert "offen → in Arbeit" in status.titel and status.text == "von Amt für Soziales", status
    assert any(e.art == "Bericht" and "Grundlagen" in (e.text or "") for e in events)
    frist = next(e for e in events if e.art == "Frist" and "B-1/2024-1" in e.titel)
    assert frist.geplant and frist.datum == date(2026, 6, 30)
    assert [e.datum for e in events] == sorted(e.datum for e in events)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_sachstand_roundtrip_is_idempotent(engine: Engine, welt: Welt, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"sachstand{suffix}"
    with session_scope(engine, actor="test") as session:
        exporter = export_xlsx if suffix == ".xlsx" else export_csv
        assert exporter(session, path, today=date(2026, 3, 2)) == 4
    # Unchanged file back: nothing changes.
    with session_scope(engine, actor="import:sachstand") as session:
        result = import_sachstand(session, path, today=date(2026, 3, 2))
    assert (result.geaendert, result.berichte_neu) == (0, 0)
    _fill_in(path, welt)
    for _ in range(2):
        with session_scope(engine, actor="import:sachstand") as session:
            result = import_sachstand(session, path, today=date(2026, 3, 3))
        if _ == 0:
            assert (result.geaendert, result.berichte_neu) == (2, 2)
        else:
            assert (result.geaendert, result.berichte_neu) == (0, 0), "re-import changed something"
    with session_scope(engine, actor="test") as session:
        forum = session.get(Auftrag, welt.auftraege["forum"])
        assert (forum.status, forum.fortschritt_prozent, forum.begonnen_am) == (S.IN_ARBEIT, 40, date(2026, 3, 3))
        bericht = session.get(Auftrag, welt.auftraege["bericht"])
        # A yearly report duty reported done: its next period starts.
        assert (bericht.status, bericht.frist, bericht.erledigt_am) == (S.OFFEN, date(2027, 3, 31), None)
        reports = session.scalars(sa.select(Umsetzungsbericht).order_by(Umsetzungsbericht.id)).all()
        assert [r.text for r in reports][-2:] == [
            "Forum am 5. November geplant, 70 Anmeldungen.",
            "Bericht 2025 im Kreistag vorgestellt.",
        ]
        audit = session.scalars(sa.select(AuditEntry).where(AuditEntry.akteur == "import:sachstand")).all()
        assert audit, "changes from the table are in the audit trail"


def _fill_in(path: Path, welt: Welt) -> None:
    updates = {
        welt.auftraege["forum"]: {
            "status": "in Arbeit",
            "fortschritt_prozent": "40",
            "sachstand": "Forum am 5. November geplant, 70 Anmeldungen.",
        },
        welt.auftraege["bericht"]: {"status": "umgesetzt", "sachstand": "Bericht 2025 im Kreistag vorgestellt."},
    }
    if path.suffix == ".xlsx":
        book = load_workbook(path)
        sheet = book.active
        header = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            for column, value in updates.get(row[0].value, {}).items():
                row[header.index(column)].value = int(value) if value.isdigit() else value
        book.save(path)
        return
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(";")
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(";")
        for column, value in updates.get(int(cells[0]), {}).items():
            cells[header.index(column)] = value
        out.append(";".join(cells))
    path.write_text("\r\n".join(out) + "\r\n", encoding="utf-8-sig")


def test_bad_sachstand_file_changes_nothing(engine: Engine, welt: Welt, tmp_path: Path) -> None:
    path = tmp_path / "sachstand.csv"
    with session_scope(engine, actor="test") as session:
        export_csv(session, path, today=date(2026, 3, 2))
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(";")
    rows = [line.split(";") for line in lines[1:]]
    rows[0][header.index("status")] = "fast fertig"
    rows[1][header.index("fortschritt_prozent")] = "140"
    rows[2][header.index("kennung")] = "B-9/2099-1"
    rows[3][header.index("frist")] = "31.02.2026"
    rows[3][header.index("sachstand")] = "Dieser Bericht darf nicht gespeichert werden."
    path.write_text("\r\n".join([lines[0], *(";".join(r) for r in rows)]) + "\r\n", encoding="utf-8-sig")
    before = shutil.copyfile(path, tmp_path / "kopie.csv")
    with session_scope(engine, actor="import") as session:
        with pytest.raises(ProblemReport) as caught:
            import_sachstand(session, path, today=date(2026, 3, 2))
    text = str(caught.value)
    assert "sachstand.csv, Zeile 2, Spalte „status“: „fast fertig“: unbekannter Status" in text
    assert "Zeile 3, Spalte „fortschritt_prozent“: „140“: muss zwischen 0 und 100 liegen" in text
    assert "Zeile 4, Spalte „kennung“" in text and "wurden Zeilen verschoben?" in text
    assert "Zeile 5, Spalte „frist“: „31.02.2026“: kein gültiges Datum" in text
    with session_scope(engine, actor="test") as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Umsetzungsbericht)) == 1
        assert session.get(Auftrag, welt.auftraege["forum"]).status == S.OFFEN
    assert before.exists()
