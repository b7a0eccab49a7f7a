"""The demo agrees with the calendar and with itself: no Sitzung on a holiday or over Christmas,
no approved minutes in a first meeting, each text under the TOP it is about."""

from __future__ import annotations

from datetime import date, timedelta

from sozialforum.demo.kalender import ostersonntag, sitzungstag
from sozialforum.demo.protokoll import _text_for


def test_easter_and_meeting_days() -> None:
    assert [ostersonntag(y) for y in (2024, 2025, 2026, 2027)] == [
        date(2024, 3, 31),
        date(2025, 4, 20),
        date(2026, 4, 5),
        date(2027, 3, 28),
    ]
    assert sitzungstag(date(2029, 12, 25)) == date(2030, 1, 8)  # Christmas Tuesday → after Epiphany
    assert sitzungstag(date(2029, 12, 25), rueckwaerts=True) == date(2029, 12, 20)
    assert sitzungstag(date(2026, 5, 14)) == date(2026, 5, 19)  # Himmelfahrt (Thu) → next Tuesday
    day = date(2025, 1, 1)
    while day.year < 2031:
        chosen = sitzungstag(day)
        assert chosen.weekday() in (1, 2, 3) and (chosen.month, chosen.day) not in {(12, 25), (12, 26), (1, 1)}
        day += timedelta(days=5)


def test_texts_follow_the_topic_not_the_position() -> None:
    kwargs = {
        "gebiet": "Lindenau",
        "zahlen": "SGB-II-Quote Lindenau 8,2\u00a0% (Stichtag 31.12.2024).",
        "revision": True,
    }
    first = _text_for("Genehmigung des Protokolls der letzten Sitzung", first=True, **kwargs)
    assert first is not None and "genehmigt" not in first[1]
    later = _text_for("Genehmigung des Protokolls der letzten Sitzung", first=False, **kwargs)
    assert later == (
        "Zum Protokoll der letzten Sitzung gibt es keine Anmerkungen.",
        "Protokoll der letzten Sitzung genehmigt.",
    )
    profil = _text_for("Sozialraumprofil Lindenau 2025", first=True, **kwargs)
    assert profil is not None and "8,2\u00a0%" in profil[0]
    assert _text_for("Anträge aus dem Portal", first=True, **kwargs) is None
    no_figures = _text_for("Sozialraumprofil Lindenau 2025", first=True, gebiet="Lindenau", zahlen=None, revision=True)
    assert no_figures is not None and "%" not in no_figures[0]
