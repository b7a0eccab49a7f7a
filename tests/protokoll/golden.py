"""Golden files of the minutes; ``SOZIALFORUM_GOLDEN_UPDATE=1`` rewrites them on purpose."""

from __future__ import annotations

import os
import re
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"
TOKEN = re.compile(r"(/protokoll-(?:entwurf|kommentar))/[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+")


def normalize(text: str) -> str:
    """Personal link tokens are random; everything else must match byte for byte."""
    return TOKEN.sub(r"\1/<token>", text.replace("\r\n", "\n"))


def assert_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    actual = normalize(actual)
    if os.environ.get("SOZIALFORUM_GOLDEN_UPDATE") == "1" or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"{name} weicht ab (SOZIALFORUM_GOLDEN_UPDATE=1 schreibt neu)"
