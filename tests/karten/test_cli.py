"""`sozialforum karten laden` as users run it: a real process, German report, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.test_cli import run


def _feature(name: str, x: float, y: float) -> dict:
    ring = [[x, y], [x + 0.02, y], [x + 0.02, y + 0.02], [x, y + 0.02], [x, y]]
    return {"type": "Feature", "properties": {"name": name}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


@pytest.mark.slow
def test_karten_laden(tmp_path: Path) -> None:
    assert run("db", "migrieren", data_dir=tmp_path).returncode == 0
    assert run("import", "gebiete", str(REPO / "sozialforum/demo/data/gebiete.csv"), data_dir=tmp_path).returncode == 0
    path = tmp_path / "sozialraeume.geojson"
    features = [_feature("Sozialraum Lindenau", 9.9, 48.4), _feature("sozialraum eichhausen", 9.92, 48.4)]
    features.append(_feature("Donauwiese", 9.94, 48.4))
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    done = run("karten", "laden", str(path), "--stand", "01.01.2024", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "2 Flächen zugeordnet" in done.stdout
    assert "keinem Gebiet zuzuordnen: Donauwiese" in done.stdout
    assert "Gebiete ohne Fläche in der Datei:" in done.stdout and "Sozialraum Hohenstein" in done.stdout
    bad = run("karten", "laden", str(path), "--stand", "01.01.2024", "--schluessel-feld", "SR", data_dir=tmp_path)
    assert bad.returncode == 1 and "Spalte „SR“ fehlt" in bad.stderr
