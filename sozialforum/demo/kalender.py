"""Days the demo may hold a Sitzung on: Tuesday to Thursday, no public holiday (nationwide ones
and Fronleichnam), not between Christmas Eve and Epiphany (the demo once met on 25 December)."""

from __future__ import annotations

from datetime import date, timedelta


def ostersonntag(year: int) -> date:
    """Easter Sunday (Gregorian, the anonymous algorithm of 1876)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def feiertage(year: int) -> set[date]:
    easter = ostersonntag(year)
    moving = {easter + timedelta(days=n) for n in (-2, 1, 39, 50, 60)}
    fixed = {date(year, m, d) for m, d in ((1, 1), (5, 1), (10, 3), (12, 25), (12, 26))}
    return moving | fixed


def sitzungstag(day: date, *, rueckwaerts: bool = False) -> date:
    """``day`` or the nearest later (``rueckwaerts``: earlier) day a Sitzung can take place."""
    step = timedelta(days=-1 if rueckwaerts else 1)
    while (
        day.weekday() not in (1, 2, 3)
        or day in feiertage(day.year)
        or (day.month, day.day) >= (12, 24)
        or (day.month, day.day) <= (1, 6)
    ):
        day += step
    return day
