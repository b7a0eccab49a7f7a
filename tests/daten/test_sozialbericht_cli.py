"""`sozialforum bericht sozialbericht` as users run it: German messages and exit codes for what
cannot be printed (the full report is tested in-process in test_sozialbericht.py)."""

from __future__ import annotations

from pathlib import Path

from tests.test_cli import run


def test_sozialbericht_refuses_with_german_messages(tmp_path: Path) -> None:
    assert run("db", "migrieren", data_dir=tmp_path).returncode == 0
    empty = run("bericht", "sozialbericht", "--ziel", str(tmp_path / "out"), data_dir=tmp_path)
    assert empty.returncode == 4, empty.stdout + empty.stderr  # nothing to report on
    assert "Es gibt noch keine Berechnung: erst Daten laden und berechnen." in empty.stdout + empty.stderr
    bad = tmp_path / "raten.toml"
    bad.write_text("[[band]]\nvon = 0\nsterbe = 'viel'\n", encoding="utf-8")
    rates = run("bericht", "sozialbericht", "--ziel", str(tmp_path / "out"), "--raten", str(bad), data_dir=tmp_path)
    assert rates.returncode != 0
    assert "--raten: raten.toml, Eintrag band Nr. 1, sterbe: „viel“ ist keine Zahl" in rates.stdout + rates.stderr
    day = run(
        "bericht", "sozialbericht", "--ziel", str(tmp_path / "out"), "--stichtag", "31.02.2023", data_dir=tmp_path
    )
    assert day.returncode != 0 and "--stichtag" in day.stdout + day.stderr
    assert not (tmp_path / "out").exists()
