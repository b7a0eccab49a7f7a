"""The created/modified times of exported rows: from the audit trail, or for rows imported from
OParl the source's own (so an import of our export gives the same export back)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col

from sozialforum.oparl.speicher import TIMES_ON_ROW
from sozialforum.store.models import AuditEntry, OparlObjekt
from sozialforum.timeutil import berlin

Times = dict[int, tuple[str | None, str | None]]  # created/modified per row id


def stamp(moment: datetime) -> str:
    return berlin(moment).isoformat(timespec="seconds")


def zeiten(session: Session, table: str) -> Times:
    """created/modified of each row: from the audit trail, or for a row imported from OParl the
    source's own times (so an import of our export gives the same export back)."""
    rows = session.execute(
        sa.select(
            col(AuditEntry.datensatz_id), sa.func.min(col(AuditEntry.zeitpunkt)), sa.func.max(col(AuditEntry.zeitpunkt))
        )
        .where(col(AuditEntry.tabelle) == table)
        .group_by(col(AuditEntry.datensatz_id))
    )
    times: Times = {row_id: (stamp(first), stamp(last)) for row_id, first, last in rows if row_id is not None}
    source = session.execute(
        sa.select(col(OparlObjekt.datensatz_id), col(OparlObjekt.erstellt), col(OparlObjekt.modified)).where(
            col(OparlObjekt.tabelle) == table,
            col(OparlObjekt.datensatz_id).is_not(None),
            col(OparlObjekt.geloescht).is_(False),
            sa.or_(col(OparlObjekt.erstellt).is_not(None), col(OparlObjekt.modified).is_not(None)),
        )
    )
    found = list(source)
    if table in TIMES_ON_ROW:  # the times of a live imported row are on the row itself
        own = SQLModel.metadata.tables[table]
        found += session.execute(
            sa.select(own.c.id, own.c.oparl_erstellt, own.c.oparl_modified).where(
                sa.or_(own.c.oparl_erstellt.is_not(None), own.c.oparl_modified.is_not(None))
            )
        ).all()
    for row_id, created, modified in found:
        audit = times.get(row_id, (None, None))
        times[row_id] = (
            stamp(created) if created else audit[0],
            stamp(modified) if modified else audit[1],
        )
    return times


def mit_zeiten(obj: dict[str, Any], times: Times, row_id: int | None) -> dict[str, Any]:
    created, modified = times.get(row_id or 0, (None, None))
    if created:
        obj["created"] = created
    if modified:
        obj["modified"] = modified
    return obj
