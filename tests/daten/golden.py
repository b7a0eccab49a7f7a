"""Golden files of the data outputs; ``SOZIALFORUM_GOLDEN_UPDATE=1`` rewrites them on purpose."""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"


def assert_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    actual = actual.replace("\r\n", "\n")
    if os.environ.get("SOZIALFORUM_GOLDEN_UPDATE") == "1" or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"{name} weicht ab (SOZIALFORUM_GOLDEN_UPDATE=1 schreibt neu)"
