"""The one golden-file check of every area.

A golden file is compared byte for byte (CRLFs of iCalendar and mail stay as they are). A missing
golden file fails: a test that writes its own expectation and passes proves nothing, least of all
on a fresh CI machine. ``SOZIALFORUM_GOLDEN_UPDATE=1`` writes (or rewrites) the files on purpose;
review the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

UPDATE = "SOZIALFORUM_GOLDEN_UPDATE"


def assert_golden(path: Path, actual: str) -> None:
    if os.environ.get(UPDATE) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
        return
    if not path.exists():
        pytest.fail(f"Golden-Datei {path.name} fehlt ({UPDATE}=1 schreibt sie; dann den Inhalt prüfen).")
    expected = path.read_bytes().decode("utf-8")
    assert actual == expected, f"{path.name} weicht ab ({UPDATE}=1 schreibt neu)"
