"""Counting failed attempts (bad link tokens per address, bad passwords per login name).

Kept in the store rather than in memory, so a restart or a second worker process does not reset
a lockout. A key is locked once ``maximum`` failures fall into one window; the lock ends by itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from sozialforum.store.models.portal import Fehlversuch


def blocked_until(session: Session, schluessel: str, *, now: datetime) -> datetime | None:
    """When the lock of ``schluessel`` ends, or None if it is not locked."""
    row = session.get(Fehlversuch, schluessel)
    if row is not None and row.gesperrt_bis is not None and row.gesperrt_bis > now:
        return row.gesperrt_bis
    return None


def record_failure(
    session: Session,
    schluessel: str,
    *,
    now: datetime,
    maximum: int,
    fenster: timedelta,
    sperre: timedelta,
) -> bool:
    """Count one failure; return True if the key is now locked."""
    row = session.get(Fehlversuch, schluessel, with_for_update=True)
    if row is None:
        try:
            with session.begin_nested():
                row = Fehlversuch(schluessel=schluessel, anzahl=0, fenster_beginn=now)
                session.add(row)
        except sa.exc.IntegrityError:  # a concurrent request created it first
            row = session.get(Fehlversuch, schluessel, with_for_update=True, populate_existing=True)
            assert row is not None
    if row.fenster_beginn + fenster <= now:
        row.anzahl, row.fenster_beginn = 0, now
    row.anzahl += 1
    if row.anzahl >= maximum:
        row.gesperrt_bis = now + sperre
    session.add(row)
    return row.gesperrt_bis is not None and row.gesperrt_bis > now


def clear(session: Session, schluessel: str) -> None:
    """Forget the failures of a key (after a successful login)."""
    session.execute(sa.delete(Fehlversuch).where(col(Fehlversuch.schluessel) == schluessel))
