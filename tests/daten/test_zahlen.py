"""Numbers in statistics files: separators decided per column, never a silent wrong number."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sozialforum.daten.fehlwerte import Fehlwert
from sozialforum.daten.quelldatei import parse_cell, parse_column


def _column(*texts: str) -> tuple[list[float], list[str]]:
    problems: list = []
    values, _codes = parse_column(
        pd.Series(list(texts), dtype=object), np.arange(2, 2 + len(texts)), "t.csv", "Quote", problems
    )
    return [round(float(v), 4) for v in values], [str(p) for p in problems]


def test_a_leading_zero_is_never_a_thousands_group() -> None:
    assert parse_cell("0.125") == (0.125, Fehlwert.VORHANDEN)  # was stored as 125
    assert parse_cell("1.234") == (1234.0, Fehlwert.VORHANDEN)  # German thousands by default
    assert parse_cell("1.234", dezimalpunkt=True) == (1.234, Fehlwert.VORHANDEN)


@pytest.mark.parametrize(
    ("texts", "values"),
    [
        (("12.5", "1.234", "0.125"), [12.5, 1.234, 0.125]),  # a point-decimal column
        (("1.234", "7,8", "12"), [1234.0, 7.8, 12.0]),  # a German column
        (("1.234.567", "12"), [1234567.0, 12.0]),
    ],
)
def test_separators_are_decided_from_the_whole_column(texts: tuple[str, ...], values: list[float]) -> None:
    assert _column(*texts) == (values, [])


def test_a_column_mixing_point_and_comma_is_refused() -> None:
    _, problems = _column("2.25", "1,5")
    assert problems == [
        "t.csv, Spalte „Quote“: Die Spalte schreibt Dezimalzahlen mal mit Punkt, mal mit Komma; bitte einheitlich."
    ]
