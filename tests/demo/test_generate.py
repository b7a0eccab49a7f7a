"""The shipped demo files are what the generator writes: an edit by hand to a CSV (a Vorsitz
once) is lost at the next regeneration, so it belongs in the generator's data."""

from __future__ import annotations

from pathlib import Path

from sozialforum.demo import DATA
from sozialforum.demo.generate import main


def test_the_generator_writes_the_shipped_files(tmp_path: Path) -> None:
    main(tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == [
        "Schematische Demo-Grenzen (keine amtlichen Grenzen).geojson",
        "gebiete.csv",
        "gremien.csv",
        "mitgliedschaften.csv",
        "organisationen.csv",
        "personen.csv",
        "planung.json",
    ]
    for name in written:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
