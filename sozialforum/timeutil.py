"""Time zones and German formats: the one place that knows how users read dates and numbers.

Domain code takes ``now``/``today`` as parameters; only the edges (CLI, flows) read the clock.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")

WOCHENTAGE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
MONATE = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)


def utcnow() -> datetime:
    """The current instant, UTC-aware. Call it at the edges only."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Convert an aware datetime to UTC; a naive one is refused, since its zone is a guess."""
    if moment.tzinfo is None:
        raise ValueError("Zeitangabe ohne Zeitzone: bitte mit Zeitzone angeben.")
    return moment.astimezone(UTC)


def berlin(moment: datetime) -> datetime:
    return as_utc(moment).astimezone(BERLIN)


def add_months(day: date, months: int) -> date:
    """``day`` shifted by whole months (negative: back), clamped to the target month's end
    (31 January + 1 month = 28/29 February, as § 188 Abs. 3 BGB reads "ein Monat")."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def local_to_utc(day: date, hour: int, minute: int = 0) -> datetime:
    """Wall-clock time in Europe/Berlin on ``day`` as a UTC instant (DST-correct)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def format_datum(day: date | datetime, *, weekday: bool = True) -> str:
    """``Montag, 7. März 2026`` (a datetime is first converted to Europe/Berlin)."""
    if isinstance(day, datetime):
        day = berlin(day).date()
    text = f"{day.day}. {MONATE[day.month - 1]} {day.year}"
    return f"{WOCHENTAGE[day.weekday()]}, {text}" if weekday else text


def format_datum_kurz(day: date | datetime | str) -> str:
    """``07.03.2026``; also from an ISO date as stored in JSON columns (``2026-03-07``)."""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    if isinstance(day, datetime):
        day = berlin(day).date()
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


def format_uhrzeit(moment: datetime) -> str:
    """``18:00 Uhr`` in Europe/Berlin."""
    local = berlin(moment)
    return f"{local.hour:02d}:{local.minute:02d} Uhr"


def format_termin(moment: datetime) -> str:
    """``Montag, 7. März 2026, 18:00 Uhr``."""
    return f"{format_datum(moment)}, {format_uhrzeit(moment)}"


def format_termin_kurz(moment: datetime) -> str:
    """``Mo., 07.03.2026, 18:00 Uhr``: for tables, where the long form takes three lines."""
    return f"{WOCHENTAGE[berlin(moment).weekday()][:2]}., {format_datum_kurz(moment)}, {format_uhrzeit(moment)}"


def format_zahl(value: float | int | Decimal | None, decimals: int = 0) -> str:
    """``1.234,5``; a missing value is shown as an en dash, never as 0. A value that rounds to
    zero has no sign: "-0,0" (a change of -0,02) reads as a loss that is not there."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_anzahl(n: int, eins: str, mehrere: str) -> str:
    """``1 Tag``, ``2 Tage``, ``1.234 Tage``: the count in German format with the noun's number."""
    return f"{format_zahl(n)} {eins if abs(n) == 1 else mehrere}"


def format_euro(value: float | int | Decimal | None, decimals: int = 0) -> str:
    return "–" if value is None else f"{format_zahl(value, decimals)} €"
