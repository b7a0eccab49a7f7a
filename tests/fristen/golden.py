"""Golden files of this area (checked by ``tests.support.golden``; iCalendar CRLFs kept)."""

from __future__ import annotations

from pathlib import Path

from tests.support import golden

GOLDEN = Path(__file__).parent / "golden"


def assert_golden(name: str, actual: str) -> None:
    golden.assert_golden(GOLDEN / name, actual)
