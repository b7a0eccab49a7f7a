"""The package works as a built wheel outside the repository: templates, default configuration,
demo data, migrations and flows are inside it, and nothing generic is installed beside it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


def test_wheel_installs_and_works_outside_the_repository(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            str(tmp_path / "dist"),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = (tmp_path / "dist").glob("sozialforum-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} <= {
        "sozialforum",
        wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info",
    }
    for inside in (
        "sozialforum/templates/reports/leitung/bericht.html",
        "sozialforum/config/indikatoren.toml",
        "sozialforum/flows/planungszyklus.py",
        "sozialforum/demo/data/statistik/jugendamt_hze_sozialraeume.xlsx",
        "sozialforum/store/migrations/versions/0013_strategie.py",
    ):
        assert inside in names, inside
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    work = tmp_path / "anderswo"  # no checkout, no config/ here
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "SOZIALFORUM_DATA_DIR": str(work / "var"), "COLUMNS": "200"}
    env.pop("SOZIALFORUM_CONFIG", None)

    def run(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "sozialforum", *args], cwd=work, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        return result.stdout

    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sozialforum.ressourcen as r, sozialforum.flows as f; print(r.ordner('templates'), f.__file__)",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(site) in where and str(REPO) not in where
    run("db", "migrieren")
    data = site / "sozialforum" / "demo" / "data"
    run("import", "ordner", str(data))
    run("daten", "laden", *(str(p) for p in sorted((data / "statistik").iterdir())))
    run("daten", "berechnen")
    out = run("daten", "atlas")
    assert "Sozialraumprofile" in out
    assert list((work / "var" / "berichte").rglob("*.pdf")), "profiles rendered from the packaged templates"
