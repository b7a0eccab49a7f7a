"""Messages of unclear delivery ("Zustellung unklar"): a run began to hand them over (the final
``.`` of DATA may have reached the server) and died or lost the connection before the reply.
No run sends them again; a person checks the mail server and decides, and the decision is
recorded in the audit trail with its actor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.store import audit
from sozialforum.store.models import OutboxMessage
from sozialforum.store.models.base import table_of
from sozialforum.vocab import OutboxStatus

CONFIRMED_REPLY = "als zugestellt bestätigt (Zustellung war unklar)"


def uncertain_messages(session: Session, *, limit: int | None = None) -> list[OutboxMessage]:
    """The messages waiting for a decision, oldest hand-over first."""
    query = (
        sa.select(OutboxMessage)
        .where(col(OutboxMessage.status) == OutboxStatus.UNCERTAIN.value)
        .order_by(col(OutboxMessage.uebergabe_am), col(OutboxMessage.id))
    )
    return list(session.scalars(query.limit(limit) if limit else query))


def _decide(session: Session, ids: Iterable[int], values: Mapping[str, object], *, actor: str, now: datetime) -> int:
    wanted = sorted(set(ids))
    table = table_of(OutboxMessage)
    found = dict(session.execute(sa.select(table.c.id, table.c.status).where(table.c.id.in_(wanted))).tuples().all())
    for message_id in wanted:
        if message_id not in found:
            raise ValueError(f"Nachricht {message_id}: gibt es nicht.")
        if found[message_id] != OutboxStatus.UNCERTAIN.value:
            label = OutboxStatus(found[message_id]).label
            raise ValueError(f"Nachricht {message_id}: Zustellung ist nicht unklar (Stand: {label}).")
    connection = session.connection()
    for message_id in wanted:
        connection.execute(
            sa.update(table)
            .where(table.c.id == message_id, table.c.status == OutboxStatus.UNCERTAIN.value)
            .values(**values)
        )
        changes = {
            key: (OutboxStatus.UNCERTAIN.value if key == "status" else None, value) for key, value in values.items()
        }
        audit.record_core(connection, actor=actor, table="outbox_message", row_id=message_id, changes=changes, now=now)
    return len(wanted)


def confirm_delivered(session: Session, ids: Iterable[int], *, actor: str, now: datetime) -> int:
    """The mail server has these messages: book them sent (nothing is sent). Raises ValueError
    (German) naming the first id that is not of unclear delivery; then nothing changes."""
    values = {"status": OutboxStatus.SENT.value, "gesendet_am": now, "antwort_server": CONFIRMED_REPLY}
    return _decide(session, ids, values, actor=actor, now=now)


def send_again(session: Session, ids: Iterable[int], *, actor: str, now: datetime) -> int:
    """The mail server does not have these messages: queue them again (the next delivery sends
    them, the same bytes with the same Message-ID). Raises ValueError like ``confirm_delivered``."""
    values = {
        "status": OutboxStatus.QUEUED.value,
        "naechster_versuch": None,
        "uebergeben_lauf": None,
        "antwort_server": "erneut senden (Zustellung war unklar)",
    }
    return _decide(session, ids, values, actor=actor, now=now)
