"""German numbers in every document: thousands with a dot, decimals with a comma, and a value
that rounds to zero without a sign (a change of -0,02 printed as "-0,0" reads as a loss)."""

from __future__ import annotations

import pytest

from sozialforum.timeutil import format_anzahl, format_datum_kurz, format_zahl


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1471, 0, "1.471"),
        (-1555, 0, "-1.555"),
        (8.944, 1, "8,9"),
        (-0.02, 1, "0,0"),
        (-0.4, 0, "0"),
        (-0.05, 1, "-0,1"),
        (0.0, 2, "0,00"),
        (None, 1, "–"),
    ],
)
def test_format_zahl(value: float | None, decimals: int, expected: str) -> None:
    assert format_zahl(value, decimals) == expected


def test_datum_kurz_reads_iso_dates_stored_as_text() -> None:
    assert format_datum_kurz("2023-12-31") == "31.12.2023"


def test_format_anzahl_names_one_in_the_singular_and_groups_thousands() -> None:
    assert format_anzahl(1, "Tag", "Tage") == "1 Tag"
    assert format_anzahl(0, "Tag", "Tage") == "0 Tage"
    assert format_anzahl(1234, "Erinnerung", "Erinnerungen") == "1.234 Erinnerungen"
