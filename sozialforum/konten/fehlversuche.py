"""Counting failed attempts (bad link tokens per address, bad passwords per login name).

Kept in the store rather than in memory, so a restart or a second worker process does not reset
a lockout. A key is locked once ``maximum`` failures fall into one window; the lock ends by itself.
With ``sperre_hoechstens`` the locks grow: a key that fails again before a quiet window has
passed since its last lock ended is locked at once, each time twice as long as before, up to
that bound (so a guesser gets one try per lock, and the locks soon last hours).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from sozialforum.store.models.portal import Fehlversuch

# 2**16 × the lock is more than any bound anyone configures; keeps the power small.
_MAX_VERDOPPLUNGEN = 16


def blocked_until(session: Session, schluessel: str, *, now: datetime) -> datetime | None:
    """When the lock of ``schluessel`` ends, or None if it is not locked."""
    row = session.get(Fehlversuch, schluessel)
    if row is not None and row.gesperrt_bis is not None and row.gesperrt_bis > now:
        return row.gesperrt_bis
    return None


def has_failed(session: Session, schluessel: str, *, now: datetime, fenster: timedelta) -> bool:
    """Whether ``schluessel`` failed within the last window (or is locked, or was lately)."""
    row = session.get(Fehlversuch, schluessel)
    if row is None or row.anzahl == 0:
        return False
    latest = max(row.fenster_beginn, row.gesperrt_bis or row.fenster_beginn)
    return latest + fenster > now


def record_failure(
    session: Session,
    schluessel: str,
    *,
    now: datetime,
    maximum: int,
    fenster: timedelta,
    sperre: timedelta,
    sperre_hoechstens: timedelta | None = None,
) -> bool:
    """Count one failure; return True if the key is now locked (see the module docstring for
    ``sperre_hoechstens``). A running lock is never shortened."""
    row = session.get(Fehlversuch, schluessel, with_for_update=True)
    if row is None:
        try:
            with session.begin_nested():
                row = Fehlversuch(schluessel=schluessel, anzahl=0, fenster_beginn=now)
                session.add(row)
        except sa.exc.IntegrityError:  # a concurrent request created it first
            row = session.get(Fehlversuch, schluessel, with_for_update=True, populate_existing=True)
            assert row is not None
    running = row.gesperrt_bis if row.gesperrt_bis is not None and row.gesperrt_bis > now else None
    if sperre_hoechstens is not None and row.gesperrt_bis is not None:
        fresh = row.gesperrt_bis + fenster <= now  # a quiet window after the last lock ended
    else:
        fresh = row.fenster_beginn + fenster <= now
    if fresh:
        row.anzahl, row.fenster_beginn, row.gesperrt_bis = 0, now, running
    row.anzahl += 1
    if row.anzahl >= maximum:
        dauer = sperre
        if sperre_hoechstens is not None:
            dauer = min(sperre * 2 ** min(row.anzahl - maximum, _MAX_VERDOPPLUNGEN), max(sperre, sperre_hoechstens))
        row.gesperrt_bis = max(now + dauer, running or now)
    session.add(row)
    return row.gesperrt_bis is not None and row.gesperrt_bis > now


def clear(session: Session, schluessel: str) -> None:
    """Forget the failures of a key (after a successful login)."""
    session.execute(sa.delete(Fehlversuch).where(col(Fehlversuch.schluessel) == schluessel))


def _ruhig(now: datetime, ruhig_seit: timedelta) -> sa.ColumnElement[bool]:
    quiet = now - ruhig_seit
    return sa.and_(
        col(Fehlversuch.fenster_beginn) < quiet,
        sa.or_(col(Fehlversuch.gesperrt_bis).is_(None), col(Fehlversuch.gesperrt_bis) < quiet),
    )


def ruhige(session: Session, *, now: datetime, ruhig_seit: timedelta) -> int:
    """How many keys have been quiet (no failure, no lock) for ``ruhig_seit``."""
    query = sa.select(sa.func.count()).select_from(Fehlversuch).where(_ruhig(now, ruhig_seit))
    return int(session.execute(query).scalar_one())


def aufraeumen(session: Session, *, now: datetime, ruhig_seit: timedelta) -> int:
    """Forget keys quiet for ``ruhig_seit``: their keys hold client addresses and login names
    (personal data), and a spraying botnet would otherwise grow the table without end."""
    result = session.execute(sa.delete(Fehlversuch).where(_ruhig(now, ruhig_seit)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # a DELETE's result is a CursorResult
