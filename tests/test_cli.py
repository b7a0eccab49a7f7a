"""The `sozialforum` command as users run it: a real process, German texts, usable exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sozialforum.cli import BEFEHLE, alle_befehle
from tests.conftest import REPO


def run(*args: str, data_dir: Path, columns: int = 200) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOZIALFORUM_DATA_DIR": str(data_dir), "COLUMNS": str(columns)}
    return subprocess.run(
        [sys.executable, "-m", "sozialforum", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


ENGLISH_VERBS = {"Show", "Run", "Create", "List", "Import", "Export", "Delete", "Start", "Send", "Print"}


def _commands(group: Any, prefix: str = "") -> dict[str, Any]:
    found = {}
    for name, command in group.commands.items():
        found[f"{prefix}{name}"] = command
        if hasattr(command, "commands"):
            found.update(_commands(command, f"{prefix}{name} "))
    return found


def test_every_command_has_german_help() -> None:
    commands = _commands(alle_befehle())
    assert {"import", "liste", "zeige", "db migrieren", "dsgvo auskunft", "dsgvo loeschen", "demo"} <= set(commands)
    for name, command in commands.items():
        text = (command.help or "").strip()
        assert text, f"`sozialforum {name}` has no help text"
        first_word = text.split()[0]
        assert first_word not in ENGLISH_VERBS, f"English help for {name}: {text}"
        # typer names a flag's negation "--no-…" unless told otherwise
        english = [o for p in command.params for o in getattr(p, "secondary_opts", []) if o.startswith("--no-")]
        assert not english, f"`sozialforum {name}`: {english}"


def test_help_chrome_is_german(tmp_path: Path) -> None:
    result = run("liste", "--help", data_dir=tmp_path)
    assert result.returncode == 0
    assert "Optionen" in result.stdout and "Diese Hilfe anzeigen und beenden." in result.stdout
    assert "Show this message" not in result.stdout
    # A command's line in its group's list is one paragraph, not the docstring's source lines.
    group = run("strategie", "--help", data_dir=tmp_path)
    assert "erneut gelesen ändert sie nur, was sich geändert hat." in group.stdout


def test_placeholders_are_german(tmp_path: Path) -> None:
    """Usage lines and help panels name values as README does (``PERSON``, ``DATEIEN …``), not as
    typer writes Python (``{person}``, ``<str>``, ``<bool>``, ``x>=1``)."""
    from typer import _click

    root = alle_befehle()
    for name, command in _commands(root).items():
        ctx = _click.Context(command, info_name=name)
        for param in command.params:
            shown = f"{param.metavar} {param.display_type_rich(ctx)} {param._get_number_range_help_str()}"
            assert not any(raw in shown for raw in ("<", "{", "str", "path", "bool", "x>=")), (name, shown)
    auskunft = " ".join(run("dsgvo", "auskunft", "--help", data_dir=tmp_path).stdout.split())
    assert "dsgvo auskunft [OPTIONEN] PERSON Stellt" in auskunft and "PERSON TEXT" in auskunft
    laden = " ".join(run("daten", "laden", "--help", data_dir=tmp_path).stdout.split())
    assert "[OPTIONEN] DATEIEN …" in laden and "PFAD …" in laden and "<bool>" not in laden
    assert "Argument fehlt 'SCHLÜSSEL'" in run("fristen", "meilenstein", "FP1", data_dir=tmp_path).stderr
    assert "ZAHL [mindestens 1]" in run("daten", "budget", "--help", data_dir=tmp_path).stdout


def test_bad_import_exits_1_with_german_report_and_changes_nothing(tmp_path: Path) -> None:
    assert run("db", "migrieren", data_dir=tmp_path).returncode == 0
    bad = tmp_path / "personen.csv"
    bad.write_text("kennung;nachname;email\nP1;Muster;muster(at)example\n", encoding="utf-8")
    result = run("import", "personen", str(bad), data_dir=tmp_path)
    assert result.returncode == 1
    assert "personen.csv, Zeile 2, Spalte „email“" in result.stderr
    assert "es wurde nichts geändert" in result.stderr
    listing = run("liste", "personen", data_dir=tmp_path)
    assert "(0 von 0)" in listing.stdout


def test_import_then_list_and_show(tmp_path: Path) -> None:
    good = tmp_path / "organisationen.csv"
    good.write_text("kennung;name;art\nT1;Familienzentrum Am Bach;Familienzentrum\n", encoding="utf-8")
    # A store that is not there is not created by the first command that happens to touch it.
    before = run("import", "organisationen", str(good), data_dir=tmp_path)
    assert before.returncode == 2 and "Kein Datenbestand unter" in before.stderr and "db migrieren" in before.stderr
    assert "Traceback" not in before.stderr and not (tmp_path / "sozialforum.db").exists()
    assert run("db", "migrieren", data_dir=tmp_path).returncode == 0
    assert run("import", "organisationen", str(good), data_dir=tmp_path).returncode == 0
    shown = run("zeige", "organisationen", "T1", data_dir=tmp_path)
    assert shown.returncode == 0 and "Familienzentrum Am Bach" in shown.stdout
    missing = run("zeige", "organisationen", "T2", data_dir=tmp_path)
    assert missing.returncode == 4 and "nicht gefunden" in missing.stderr


def test_show_names_fields_and_references_in_german(tmp_path: Path) -> None:
    """A planner reads field names, the record a reference points to and German numbers, not
    column names, row ids and slugs."""
    assert run("db", "migrieren", data_dir=tmp_path).returncode == 0
    gebiete = tmp_path / "gebiete.csv"
    gebiete.write_text(
        "schluessel;name;ebene;uebergeordnet;einwohner\n"
        "03199000;Landkreis Musterland;kreis;;601580\nSR01;Sozialraum Lindenau;sozialraum;03199000;54430\n",
        encoding="utf-8",
    )
    personen = tmp_path / "personen.csv"
    personen.write_text(
        "kennung;nachname;rechtsgrundlage;email\n"
        "P1;Engel;oeffentliche_aufgabe;quirin.engel@sozialplanung.landkreis-musterland.example\n",
        encoding="utf-8",
    )
    assert run("import", "gebiete", str(gebiete), data_dir=tmp_path).returncode == 0
    assert run("import", "personen", str(personen), data_dir=tmp_path).returncode == 0
    shown = " ".join(run("zeige", "gebiete", "SR01", data_dir=tmp_path).stdout.split())
    assert "gehört zu │ Landkreis Musterland (03199000)" in shown and "parent_id" not in shown
    assert "Einwohner │ 54.430" in shown and "gültig ab │ –" in shown and "1900" not in shown
    person = " ".join(run("zeige", "personen", "P1", data_dir=tmp_path).stdout.split())
    assert "Rechtsgrundlage │ öffentliche Aufgabe (Art. 6 Abs. 1 lit. e DSGVO)" in person
    assert "oeffentliche_aufgabe" not in person and "rechtsgrundlage" not in person
    listing = run("liste", "gebiete", data_dir=tmp_path).stdout.splitlines()
    # Number columns right-aligned (the digits of one place under each other), keys left.
    [kreis] = [line.split("│")[4] for line in listing if "Landkreis Musterland" in line]
    [raum] = [line.split("│")[4] for line in listing if "Sozialraum Lindenau" in line]
    assert kreis.endswith("601.580 ") and raum.endswith(" 54.430 ") and len(kreis) == len(raum), listing
    assert [line.split("│")[1] for line in listing if "Landkreis Musterland" in line] == [" 03199000  "]
    narrow = run("zeige", "personen", "P1", data_dir=tmp_path, columns=60).stdout
    flat = "".join(narrow.split()).replace("│", "")
    assert "…" not in narrow and "quirin.engel@sozialplanung.landkreis-musterland.example" in flat, narrow


def test_every_field_zeige_shows_has_a_german_name() -> None:
    """A column added later is named in German on screen, not as its identifier."""
    from sozialforum.arbeitsplatz.anzeige import FELDER
    from sozialforum.cli.stammdaten import LISTS

    unnamed = {f"{model.__name__}.{name}" for model, _ in LISTS.values() for name in model.model_fields}
    assert not {field for field in unnamed if field.split(".")[1] not in FELDER}


def test_erasure_needs_confirmation(tmp_path: Path) -> None:
    result = run("dsgvo", "loeschen", "P0001", data_dir=tmp_path)
    assert result.returncode == 1 and "--ja" in result.stderr


def test_bad_configuration_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "s.toml"
    config.write_text("[mail]\nsmtp_port = 0\n", encoding="utf-8")
    result = run("-k", str(config), "db", "status", data_dir=tmp_path)
    assert result.returncode == 2 and "Feld mail.smtp_port: ist zu klein" in result.stderr


def test_the_overview_names_every_area_command_and_loads_none() -> None:
    """``BEFEHLE`` (the lazy overview) lists exactly the top-level commands, each with the module
    that registers it, and ``sozialforum --help`` imports no area (it stays fast)."""
    import importlib

    import typer

    for modul in {m for m, _ in BEFEHLE.values()}:
        bereich = typer.Typer()
        importlib.import_module(f"sozialforum.cli.{modul}").register(bereich)
        registriert = set(typer.main.get_group(bereich).commands)
        assert registriert == {name for name, (m, _) in BEFEHLE.items() if m == modul}, modul
    assert all(hilfe.split()[0] not in ENGLISH_VERBS for _, hilfe in BEFEHLE.values())
    probe = (
        "import sys, runpy; sys.argv = ['sozialforum', '--help']\n"
        "try:\n    runpy.run_module('sozialforum', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('sozialforum.cli.', 'pandas', 'sqlalchemy'))))"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Befehle" in result.stdout and "strategie" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "['sozialforum.cli.deutsch']"


def test_on_a_terminal_a_spinner_runs_and_an_error_gets_a_line_of_its_own(tmp_path: Path) -> None:
    import pty

    main, side = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "SOZIALFORUM_DATA_DIR": str(tmp_path / "var"), "TERM": "xterm"}
    result = subprocess.run(
        [sys.executable, "-m", "sozialforum", "zeige", "gebiete", "XYZ"],
        stdin=side,
        stdout=side,
        stderr=side,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    os.close(side)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal's other side is closed: everything read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    output = b"".join(chunks).decode()
    assert result.returncode != 0 and "sozialforum zeige arbeitet" in output
    [error] = [line for line in output.splitlines() if "Fehler:" in line]
    assert "arbeitet" not in error and "sozialforum db migrieren" in output, output
