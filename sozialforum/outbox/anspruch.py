"""The claims of delivery runs on outbox messages, and the records of each hand-over, in the store.

A run claims due messages with a lease (``LEASE``) and renews it while it works; a claim whose
lease ran out belongs to a run that died and is taken up again. Before the final ``.`` of DATA
a run records "hand-over begins" (``begin_handover``), on the server's 250 it books the message
sent (``book_sent``); a message of a dead run with the first record but not the second is in
doubt and set aside as "Zustellung unklar" (``set_aside_in_doubt``), never sent again by a run.
A run that stops early gives back what it holds (``give_back``). The delivery loop that uses all
this is ``outbox.zustellung``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.store.models import OutboxMessage
from sozialforum.store.models.base import table_of
from sozialforum.vocab import OutboxStatus

LEASE = timedelta(seconds=60)  # a live run renews its claim long before this runs out

log = logging.getLogger(__name__)


def outbox_table() -> sa.Table:
    return table_of(OutboxMessage)


def in_doubt(table: sa.Table) -> Any:
    """Claimed by a run that recorded the hand-over's begin (the final ``.`` may have left)."""
    return sa.and_(table.c.status == OutboxStatus.SENDING.value, table.c.uebergeben_lauf == table.c.lauf)


UNCERTAIN_REPLY = "Übergabe an den Mailserver begonnen, Antwort nicht erhalten (Versandlauf abgebrochen)"
UNCERTAIN_VALUES = {
    "status": OutboxStatus.UNCERTAIN.value,
    "lauf": None,
    "naechster_versuch": None,
    "antwort_server": UNCERTAIN_REPLY,
}


def set_aside_in_doubt(engine: Engine, *, now: datetime) -> int:
    """Messages of dead runs (lease ran out) whose hand-over had begun: set aside as "Zustellung
    unklar" for a person to decide; never sent again by a run."""
    table = outbox_table()
    with engine.begin() as connection:
        result = connection.execute(
            sa.update(table).where(in_doubt(table), table.c.naechster_versuch <= now).values(**UNCERTAIN_VALUES)
        )
    return int(result.rowcount or 0)


def set_aside(engine: Engine, message_id: int, reason: str, *, token: str) -> None:
    """This run lost the connection after the final ``.``: the server may have the message."""
    table = outbox_table()
    reply = f"Übergabe an den Mailserver begonnen, Antwort nicht erhalten ({reason})"[:2000]
    with engine.begin() as connection:
        connection.execute(
            sa.update(table)
            .where(table.c.id == message_id, table.c.lauf == token)
            .values({**UNCERTAIN_VALUES, "antwort_server": reply})
        )


def begin_handover(writer: sa.Connection, *, token: str, message_id: int, now: datetime) -> None:
    """Commit that this run begins to hand ``message_id`` over (before the final ``.``). Raises
    if the store cannot record it or the claim is no longer this run's: then the transport drops
    the connection and the server discards the message. ``writer``: see ``records``."""
    table = outbox_table()
    changed = writer.execute(
        sa.update(table)
        .where(table.c.id == message_id, table.c.lauf == token, table.c.status == OutboxStatus.SENDING.value)
        .values(uebergeben_lauf=token, uebergabe_am=now)
    ).rowcount
    writer.commit()
    if not changed:
        raise ClaimLost(f"Nachricht {message_id} gehört nicht mehr diesem Versandlauf (Frist abgelaufen).")


def records(engine: Engine) -> sa.Connection:
    """The connection for the two records of each message (hand-over begins, sent), held for the
    run and in autocommit: each record is one UPDATE and its own transaction, so one round trip
    to the store instead of four (pool checkout with its ping, BEGIN, UPDATE, COMMIT). On
    PostgreSQL every round trip waits for another process; with two records per message they
    were most of a delivery's time beside a busy Prefect server (benchmarks/verteilt.py).
    Nothing is held between statements, so no lock is kept across a wait."""
    return engine.connect().execution_options(isolation_level="AUTOCOMMIT")


class ClaimLost(RuntimeError):
    """The lease ran out while this run was alive (another run may hold the message now)."""


def claim(
    engine: Engine, *, now: datetime, token: str, limit: int, nur: Sequence[int] | None = None
) -> tuple[list[Any], int]:
    """Claim up to ``limit`` due messages for this run; returns them and how many were resumed.

    First the rows this run's producer queued already claimed, then those of dead runs whose
    lease ran out, then queued ones. Each query reaches the rows through the status index or
    the primary key: a scan of the table would read every stored message (kilobytes each)."""
    table = outbox_table()
    queued_due = sa.and_(
        table.c.status == OutboxStatus.QUEUED.value,
        sa.or_(table.c.naechster_versuch.is_(None), table.c.naechster_versuch <= now),
    )
    expired = sa.and_(
        table.c.status == OutboxStatus.SENDING.value,
        table.c.naechster_versuch <= now,
        # In doubt (its hand-over had begun): a person decides, a run never sends it again.
        sa.or_(table.c.uebergeben_lauf.is_(None), table.c.uebergeben_lauf != table.c.lauf),
    )
    mine = sa.and_(table.c.status == OutboxStatus.SENDING.value, table.c.lauf == token)
    if nur is not None:  # a delivery of these messages only (e.g. a mail a Träger just asked for)
        queued_due = sa.and_(queued_due, table.c.id.in_(list(nur)))
        expired = sa.and_(expired, table.c.id.in_(list(nur)))
    with engine.begin() as connection:
        own = list(connection.scalars(sa.select(table.c.id).where(mine).order_by(table.c.id).limit(limit)))
        stale: list[int] = []
        if len(own) < limit:
            room = limit - len(own)
            stale = list(connection.scalars(sa.select(table.c.id).where(expired).order_by(table.c.id).limit(room)))
            fresh = list(connection.scalars(sa.select(table.c.id).where(queued_due).order_by(table.c.id).limit(room)))
            ids = sorted(stale + fresh)[:room]
            if ids:
                # The WHERE repeats the conditions: on PostgreSQL a row claimed meanwhile by another run fails them.
                connection.execute(
                    sa.update(table)
                    .where(table.c.id.in_(ids), sa.or_(queued_due, expired))
                    .values(status=OutboxStatus.SENDING.value, lauf=token, naechster_versuch=now + LEASE)
                )
            own += ids
        if not own:
            return [], 0
        rows = list(
            connection.execute(
                sa.select(
                    table.c.id,
                    table.c.art,
                    table.c.empfaenger,
                    table.c.inhalt,
                    table.c.person_id,
                    table.c.versuche,
                    table.c.erstellt_am,
                )
                .where(table.c.id.in_(own), mine)
                .order_by(table.c.id)
            )
        )
    return rows, len(set(stale) & {row.id for row in rows})


def renew(engine: Engine, *, token: str, now: datetime) -> None:
    table = outbox_table()
    with engine.begin() as connection:
        connection.execute(
            sa.update(table)
            .where(table.c.lauf == token, table.c.status == OutboxStatus.SENDING.value)
            .values(naechster_versuch=now + LEASE)
        )


def give_back(engine: Engine, *, token: str) -> None:
    """A run that stops before its end (a worker told to stop, an error) hands its claims back at
    once instead of holding them until the lease runs out: a message whose hand-over had begun
    is set aside as "Zustellung unklar", the rest is queued again. When the store cannot be
    reached the claims stay until their lease ends; the next run sets them aside or sends them."""
    table = outbox_table()
    mine = sa.and_(table.c.lauf == token, table.c.status == OutboxStatus.SENDING.value)
    try:
        with engine.begin() as connection:
            connection.execute(sa.update(table).where(mine, in_doubt(table)).values(**UNCERTAIN_VALUES))
            given = connection.execute(
                sa.update(table).where(mine).values(status=OutboxStatus.QUEUED.value, lauf=None, naechster_versuch=None)
            ).rowcount
        if given:
            log.warning("Versand angehalten: %s beanspruchte Nachrichten zurück in die Warteschlange gegeben.", given)
    except sa.exc.SQLAlchemyError as exc:
        log.warning(
            "Versand angehalten, Ansprüche nicht zurückgegeben (Datenbestand nicht erreichbar): %s",
            str(exc).splitlines()[0],
        )


def book_sent(writer: sa.Connection, row: Any, reply: str, *, token: str, now: datetime) -> None:
    """The server's 250, recorded at once: the message is no longer in doubt."""
    table = outbox_table()
    writer.execute(
        sa.update(table)
        .where(table.c.id == row.id, table.c.lauf == token)
        .values(
            status=OutboxStatus.SENT.value,
            versuche=row.versuche + 1,
            lauf=None,
            antwort_server=reply[:2000],
            gesendet_am=now,
            naechster_versuch=None,
        )
    )
    writer.commit()


def release(engine: Engine, ids: list[int] | None = None, *, token: str) -> None:
    """Give claimed messages back to the queue: ``ids``, or all this run still holds."""
    if ids is not None and not ids:
        return
    table = outbox_table()
    query = sa.update(table).where(table.c.lauf == token, table.c.status == OutboxStatus.SENDING.value)
    if ids is not None:
        query = query.where(table.c.id.in_(ids))
    with engine.begin() as connection:
        connection.execute(query.values(status=OutboxStatus.QUEUED.value, lauf=None, naechster_versuch=None))
