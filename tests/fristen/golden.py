"""Golden files of this area; ``SOZIALFORUM_GOLDEN_UPDATE=1`` rewrites them on purpose."""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"


def assert_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("SOZIALFORUM_GOLDEN_UPDATE") == "1" or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))  # bytes: the CRLFs of iCalendar stay as they are
    expected = path.read_bytes().decode("utf-8")
    assert actual == expected, f"{name} weicht ab (SOZIALFORUM_GOLDEN_UPDATE=1 schreibt neu)"
