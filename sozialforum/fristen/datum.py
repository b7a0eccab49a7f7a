"""Calendar arithmetic for deadlines: whole days and months, never hours.

A deadline is a calendar day in Europe/Berlin. Counting in days between dates (not in 24-hour
steps between instants) keeps every reminder on its day across daylight-saving changes, and
month steps clamp to the month's end (31 January + 1 month = 28/29 February), as German
administrative practice reads "ein Monat" (§ 188 Abs. 3 BGB).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from sozialforum.timeutil import add_months, berlin


def today_in_berlin(now: datetime) -> date:
    """The calendar day it is in Europe/Berlin at the instant ``now`` (aware)."""
    return berlin(now).date()


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def days_until(due: date, today: date) -> int:
    """Calendar days from ``today`` to ``due`` (negative when overdue)."""
    return (due - today).days


def shift_days(day: date, days: int) -> date:
    return day + timedelta(days=days)


def week_key(day: date) -> str:
    """ISO week as ``2026-W09`` (the week a digest belongs to; ISO weeks cross year ends)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def next_due_after(start: date, months: int, today: date) -> date:
    """The first date ``start + k·months`` (k ≥ 1) that is not before ``today``.

    Used for recurring duties (a yearly report): the period after the last one that passed.
    """
    if months <= 0:
        raise ValueError("Turnus muss mindestens einen Monat betragen")
    k = 1
    due = add_months(start, months)
    while due < today:
        k += 1
        due = add_months(start, months * k)  # from the start, so month ends do not drift
    return due
