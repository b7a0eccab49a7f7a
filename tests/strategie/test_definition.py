"""The strategy file and the Fachamt's figures through the CLI: the demo's strategy loads and
reloads unchanged; broken files are refused with the entry named and nothing stored."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from sozialforum.cli import app as cli
from sozialforum.demo import DATA
from sozialforum.store.db import session_scope
from sozialforum.store.models import Gebiet
from sozialforum.vocab import GebietEbene

TABLES = ("strategie", "strategieelement", "ziel", "kennzahlwert", "audit_entry")


def _config(tmp_path: Path, engine: Engine) -> str:
    path = tmp_path / "sf.toml"
    path.write_text(
        f'data_dir = "{tmp_path}"\ndatabase_url = "{engine.url.render_as_string(hide_password=False)}"\n',
        encoding="utf-8",
    )
    return str(path)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


def _run(config: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--konfiguration", config, "strategie", *args])
    return result.exit_code, " ".join(result.output.split())  # rich wraps at the terminal width


def test_demo_strategy_loads_and_reloads(sqlite_engine: Engine, tmp_path: Path) -> None:
    config = _config(tmp_path, sqlite_engine)
    code, out = _run(config, "laden", str(DATA / "strategie.toml"), "--probelauf")
    assert code == 0 and "Probelauf" in out and "29 Einträge neu" in out
    assert _counts(sqlite_engine)["strategie"] == 0
    code, out = _run(config, "laden", str(DATA / "strategie.toml"))
    assert code == 0 and "29 Einträge neu" in out
    before = _counts(sqlite_engine)
    assert (before["strategie"], before["strategieelement"], before["ziel"]) == (1, 22, 6)
    code, out = _run(config, "laden", str(DATA / "strategie.toml"))
    assert code == 0 and "0 Einträge neu, 0 geändert, 29 unverändert" in out
    assert _counts(sqlite_engine) == before


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ('zielart = "dauer"', ("zielart", "ziele[1].zielart", "„quote“ ist nicht erlaubt")),
        ("toleranz = 1", ("toleranz", "ziele[1].toleranz", "darf nicht negativ sein")),
        (
            'kennzahl = "Durchschnittliche Dauer beendeter Hilfen zur Erziehung"',
            ("kennzahl", "ziele[1].kennzahlen", "Unbekannter Eintrag"),
        ),
        (
            'handlungsfeld = "Kinder- und Jugendhilfe (SGB VIII)"',
            ("handlungsfeld", "ziele[1].handlungsfeld", "steht nicht unter handlungsfelder"),
        ),
    ],
)
def test_broken_strategy_files_are_refused(
    sqlite_engine: Engine, tmp_path: Path, change: str, expected: tuple[str, str, str]
) -> None:
    text = (DATA / "strategie.toml").read_text(encoding="utf-8")
    key, feld, meldung = expected
    broken = {
        "zielart": 'zielart = "quote"',
        "toleranz": "toleranz = -1",
        "kennzahl": 'kennzahlen = "Durchschnittliche Dauer beendeter Hilfen zur Erziehung"',
        "handlungsfeld": 'handlungsfeld = "Jugendhilfe"',
    }[key]
    path = tmp_path / "strategie.toml"
    path.write_text(text.replace(change, broken, 1), encoding="utf-8")
    config = _config(tmp_path, sqlite_engine)
    before = _counts(sqlite_engine)
    code, out = _run(config, "laden", str(path))
    assert code == 1, out
    assert f"strategie.toml, Spalte „{feld}“" in out and meldung in out
    assert _counts(sqlite_engine) == before


def test_not_a_toml_file_is_refused(sqlite_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "strategie.toml"
    path.write_text('kennung = "S"\nleitsaetze = ["a"\n', encoding="utf-8")
    code, out = _run(_config(tmp_path, sqlite_engine), "laden", str(path))
    assert code == 1 and "Keine gültige TOML-Datei" in out
    code, out = _run(_config(tmp_path, sqlite_engine), "laden", str(tmp_path))
    assert code == 1 and "Ordner" in out


def test_fachamt_figures_all_or_nothing(sqlite_engine: Engine, tmp_path: Path) -> None:
    config = _config(tmp_path, sqlite_engine)
    assert _run(config, "laden", str(DATA / "strategie.toml"))[0] == 0
    with session_scope(sqlite_engine, actor="test") as s:
        s.add(Gebiet(schluessel="SR01", name="Sozialraum Lindenau", ebene=GebietEbene.SOZIALRAUM))
    table = tmp_path / "kennzahlen.csv"
    table.write_text(
        "ziel;stichtag;sozialraum;wert;quelle\n"
        "SOZSTRAT-2025-Z3;31.12.2024;;78,5;Jugendamt\n"
        "SOZSTRAT-2025-Z3;31.12.2024;Sozialraum Lindenau;81,0;Jugendamt\n"
        "SOZSTRAT-2025-Z6;31.12.2024;;25.100.000;Kämmerei\n",
        encoding="utf-8",
    )
    code, out = _run(config, "kennzahlen", str(table))
    assert code == 0 and "3 Werte gespeichert, 0 unverändert" in out, out
    assert _run(config, "kennzahlen", str(table))[1].startswith("kennzahlen.csv: 0 Werte gespeichert, 3 unverändert")
    before = _counts(sqlite_engine)
    table.write_text(
        "ziel;stichtag;sozialraum;wert\nSOZSTRAT-2025-Z33;31.12.2024;;1\nSOZSTRAT-2025-Z3;31.13.2024;;1\nSOZSTRAT-2025-Z3;31.12.2024;Lindenau-Süd;x\n",
        encoding="utf-8",
    )
    code, out = _run(config, "kennzahlen", str(table))
    assert code == 1
    for where in (
        "Zeile 2, Spalte „ziel“",
        "Zeile 3, Spalte „stichtag“",
        "Zeile 4, Spalte „sozialraum“",
        "Zeile 4, Spalte „wert“",
    ):
        assert where in out, out
    assert _counts(sqlite_engine) == before
