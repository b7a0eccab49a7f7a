"""The commands of this area on a real store: German output, exit codes, dry runs."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from sozialforum.cli import app
from sozialforum.store.db import session_scope
from sozialforum.store.models import OparlKlaerung
from sozialforum.timeutil import utcnow
from tests.conftest import REPO
from tests.fristen.conftest import build_welt
from tests.oparl.conftest import OPARL

runner = CliRunner()


def _config(tmp_path: Path, engine: Engine) -> str:
    url = engine.url.render_as_string(hide_password=False)
    path = tmp_path / "sozialforum.toml"
    path.write_text(
        f'data_dir = "{tmp_path / "var"}"\ndatabase_url = "{url}"\n\n[fristen]\n'
        f'meilensteine = "{REPO / "config" / "fristen.toml"}"\n',
        encoding="utf-8",
    )
    return str(path)


def _run(config: str, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["-k", config, *args], env={"COLUMNS": "200"})


def test_wortlaut_and_bad_input(tmp_path: Path, sqlite_engine: Engine) -> None:
    config = _config(tmp_path, sqlite_engine)
    result = _run(config, "fristen", "wortlaut", "bis Mitte 2020", "--bezug", "19.09.2018")
    assert result.exit_code == 0 and "Dienstag, 30. Juni 2020" in result.output
    result = _run(config, "fristen", "wortlaut", "mit dem Haushalt 2026", "--bezug", "19.09.2018")
    assert result.exit_code == 1 and "von Hand" in result.output


def test_deadlines_table_roundtrip_and_report(tmp_path: Path, sqlite_engine: Engine) -> None:
    build_welt(sqlite_engine)
    config = _config(tmp_path, sqlite_engine)
    # A long word ("Projektbewertung", "Haushaltsentwurf") breaks inside its column, never "…".
    narrow = runner.invoke(app, ["-k", config, "fristen", "liste", "--datum", "02.03.2026"], env={"COLUMNS": "70"})
    assert narrow.exit_code == 0 and "Fällig" in narrow.output and "…" not in narrow.output, narrow.output
    result = _run(config, "fristen", "pruefen", "--datum", "02.03.2026", "--probelauf")
    assert result.exit_code == 0 and "nichts gespeichert, nichts gesendet" in result.output
    # The planner reads each deadline's kind and title, not the reference the log keys on.
    assert "meilenstein:" not in result.output and "auftrag:" not in result.output
    assert "Datenanalyse abgeschlossen (Altenhilfeplan 2021)" in result.output
    assert "Meilenstein der" in result.output and "Berichtspflicht" in result.output
    assert "Eskalation an die" in result.output and "(260 Tage" in result.output
    assert "Probelauf: 4 Erinnerungen und 3 Eskalationen fällig" in result.output
    listed = _run(config, "fristen", "liste", "--datum", "02.03.2026")
    assert "seit 260 Tagen überfällig" in listed.output and "in 29 Tagen" in listed.output, listed.output
    assert "-260" not in listed.output
    result = _run(config, "fristen", "pruefen", "--datum", "02.03.2026")
    assert result.exit_code == 0 and "4 Erinnerungen und 3 Eskalationen in 5 E-Mails" in result.output
    assert "5 gesendet" in result.output
    assert "0 Erinnerungen" in _run(config, "fristen", "pruefen", "--datum", "02.03.2026").output
    table = tmp_path / "sachstand.csv"
    assert _run(config, "beschluesse", "export", str(table)).exit_code == 0
    text = table.read_text(encoding="utf-8-sig").replace(";offen;", ";fertig-ish;", 1)
    table.write_text(text, encoding="utf-8-sig")
    result = _run(config, "beschluesse", "import", str(table))
    assert result.exit_code == 1 and "unbekannter Status" in result.output
    with sqlite_engine.begin() as conn:  # as council systems title a paper: its kind first
        conn.execute(sa.text("UPDATE vorlage SET titel = 'Antrag: Strategische Sozialplanung'"))
    result = _run(config, "beschluesse", "verlauf", "B-1/2024")
    assert result.exit_code == 0 and "bis Mitte 2026" in result.output
    assert "Antrag A-1/2024: Strategische Sozialplanung" in result.output, result.output
    # Each line names its kind once: "Antrag A-1/2024 …", not "Vorlage: Antrag A-1/2024 …: Antrag: …".
    starts = [line[11:].split()[0] for line in result.output.splitlines() if line[:2].isdigit()]
    assert {"Antrag", "Beschluss", "Auftrag", "Frist"} <= set(starts) and not [s for s in starts if s.endswith(":")]
    assert "Auftrag B-1/2024-1: Konzept Strategische" in result.output and "Auftrag: Auftrag" not in result.output
    assert "Frist für Auftrag B-1/2024-1 überschritten" in result.output
    assert "Auftrag B-1/2024-3 umgesetzt" in result.output
    narrow = runner.invoke(app, ["-k", config, "beschluesse", "verlauf", "B-1/2024"], env={"COLUMNS": "50"})
    lines = narrow.output.splitlines()  # every line under its date: dated, or indented past the date
    assert all(line[:10].strip() == "" or line[2] == "." for line in lines if line.strip()), narrow.output
    assert _run(config, "beschluesse", "verlauf", "B-9/2099").exit_code == 4
    result = _run(config, "beschluesse", "bericht", "--datum", "02.03.2026")
    assert result.exit_code == 0 and "leitungsbericht-2026-03-02-alle.pdf" in result.output
    wrong = _run(config, "fristen", "meilenstein", "FP-ALT", "xyz", "--erledigt", "20.01.2026")
    assert wrong.exit_code == 1 and "gibt es für Altenhilfeplan nicht" in wrong.output, wrong.output
    result = _run(config, "fristen", "meilenstein", "FP-ALT", "entwurf", "--erledigt", "20.01.2026")
    assert result.exit_code == 0
    with sqlite_engine.connect() as conn:  # the change is in the audit trail, with its actor
        entries = conn.execute(
            sa.text("SELECT akteur, aktion FROM audit_entry WHERE tabelle = 'fachplan_meilenstein'")
        ).all()
    assert entries and all(akteur.startswith("cli") for akteur, _ in entries), entries
    assert _run(config, "fristen", "kalender", "--ziel", str(tmp_path / "f.ics")).exit_code == 0
    assert "BEGIN:VEVENT" in (tmp_path / "f.ics").read_text(encoding="utf-8")


def test_oparl_commands(tmp_path: Path, sqlite_engine: Engine) -> None:
    config = _config(tmp_path, sqlite_engine)
    result = _run(config, "oparl", "import", str(OPARL / "real" / "karlsruhe-1.1"), "--probelauf")
    assert result.exit_code == 0 and "Probelauf" in result.output and "Warnung:" in result.output
    result = _run(config, "oparl", "import", str(OPARL / "real" / "karlsruhe-1.1"))
    assert "Sitzungen: 1 neu" in result.output and "Meeting" not in result.output
    target = tmp_path / "export"
    result = _run(config, "oparl", "export", str(target), "--basis-url", "https://kreis.example/oparl")
    assert result.exit_code == 0 and "gültiges OParl 1.1" in result.output
    meetings = json.loads((target / "body/1/meetings.json").read_text(encoding="utf-8"))
    assert len(meetings["data"][0]["agendaItem"]) == 30
    assert _run(config, "oparl", "pruefen", str(target / "body/1/meetings.json")).exit_code == 0
    bad = _run(config, "oparl", "pruefen", str(OPARL / "spec-1.1.1" / "examples" / "Meeting-01.json"))
    assert bad.exit_code == 1 and "agendaItem/0: Pflichtangabe „order“ fehlt" in " ".join(bad.output.split())


def test_oparl_cases_are_named_in_german(tmp_path: Path, sqlite_engine: Engine) -> None:
    config = _config(tmp_path, sqlite_engine)
    with session_scope(sqlite_engine, actor="test") as session:
        session.add(
            OparlKlaerung(
                art="loeschung",
                oparl_id="https://ris.example/oparl/paper/7",
                beschreibung="Vorlage VO/7 wurde im Ratsinformationssystem gelöscht.",
                erstellt=utcnow(),
            )
        )
    result = _run(config, "oparl", "klaerung")
    assert "in der Quelle gelöscht, hier verwendet: Vorlage VO/7" in result.output, result.output
    assert "loeschung" not in result.output and "1 Fall zur Klärung." in result.output
