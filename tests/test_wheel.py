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
        "sozialforum/prefect.yaml",
    ):
        assert inside in names, inside
    # A fresh venv with nothing but the wheel installed into it. Its dependencies are the test
    # venv's (the pinned versions of constraints.txt), reached by a plain path line: that adds
    # the folder without running its .pth files, so the checkout's editable install stays out.
    venv = tmp_path / "frisch"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    fresh_site = next((venv / "lib").glob("python3*/site-packages"))
    test_site = next(Path(p) for p in sys.path if p.endswith("site-packages") and Path(p, "typer").is_dir())
    (fresh_site / "abhaengigkeiten.pth").write_text(f"{test_site}\n", encoding="utf-8")
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    work = tmp_path / "anderswo"  # no checkout, no config/ here
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOZIALFORUM_", "PREFECT_", "VIRTUAL_ENV"))}
    env |= {"COLUMNS": "200", "HOME": str(tmp_path), "PREFECT_HOME": str(tmp_path / "prefect")}

    def run(*args: str) -> str:
        result = subprocess.run(
            [str(venv / "bin" / "sozialforum"), *args], cwd=work, env=env, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stdout + result.stderr
        return result.stdout

    where = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import sozialforum.ressourcen as r, sozialforum.flows as f; print(r.ordner('templates'), f.__file__)",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(fresh_site) in where and str(REPO) not in where
    out = run("demo", "--tage", "2")
    assert "Alle Ergebnisse liegen unter" in out and "Den Datenbestand der Demo finden alle Befehle" in out
    assert out.count("✔") == 8 and "FEHLER" not in out, out  # the cycle finds prefect.yaml in the wheel
    var = work / "var"
    assert list((var / "berichte").rglob("sozialraumprofil_*.pdf")), "profiles rendered from the packaged templates"
    assert list((var / "outbox").glob("*.eml")) and (var / "prefect.log").stat().st_size > 0
    # The demo's store is the one every later command finds.
    assert "Lindenau" in run("liste", "gebiete")
