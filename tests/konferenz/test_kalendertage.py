"""Remarks on a meeting day from the shipped school holidays of Niedersachsen: a day in the
holidays names them and their period (a single day once), a day beyond the file says so."""

from __future__ import annotations

from datetime import date

from sozialforum.konferenz.kalendertage import hinweise
from sozialforum.settings import KonferenzSettings


def test_shipped_holidays_of_2027_are_named() -> None:
    settings = KonferenzSettings()
    assert hinweise(date(2027, 7, 13), settings) == [
        "Der Termin am 13.07.2027 liegt in den Sommerferien (Niedersachsen, 08.07.2027–18.08.2027)."
    ]
    assert hinweise(date(2027, 5, 18), settings) == [
        "Der Termin am 18.05.2027 liegt in den Pfingstferien (Niedersachsen, 18.05.2027)."
    ]
    assert hinweise(date(2027, 1, 12), settings) == []


def test_a_day_beyond_the_file_asks_for_the_dates() -> None:
    assert hinweise(date(2028, 1, 11), KonferenzSettings()) == [
        "Für den 11.01.2028 sind keine Schulferien für Niedersachsen hinterlegt (schulferien.toml); "
        "bitte die Ferientermine ergänzen."
    ]
