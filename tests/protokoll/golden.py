"""Golden files of the minutes (checked by ``tests.support.golden``)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support import golden

GOLDEN = Path(__file__).parent / "golden"
TOKEN = re.compile(r"(/protokoll-(?:entwurf|kommentar))/[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+")


def normalize(text: str) -> str:
    """Personal link tokens are random; everything else must match byte for byte."""
    return TOKEN.sub(r"\1/<token>", text.replace("\r\n", "\n"))


def assert_golden(name: str, actual: str) -> None:
    golden.assert_golden(GOLDEN / name, normalize(actual))
