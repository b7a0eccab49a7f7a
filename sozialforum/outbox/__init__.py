"""The outbox: every message is recorded (rendered, with its Message-ID) before it is sent.

Life of a message: ``queued`` → claimed as ``sending`` (with a lease) → ``sent`` | ``failed``
(permanent) | back to ``queued`` with a later ``naechster_versuch`` (temporary, backoff) |
``uncertain`` ("Zustellung unklar": the hand-over had begun when its run died; a person decides,
``outbox.unklar``) → ``bounced`` when a delivery status notification comes back later. ``skipped`` is set by the
services when a queued message became stale (a moved or cancelled Sitzung).

Exactly once, enqueueing side: the idempotency key (``schluessel``) makes enqueueing a no-op
the second time. The delivery side (claims, leases, the hand-over record) is
``sozialforum.outbox.zustellung``; ``deliver_pending`` is re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.channels.mail import OutgoingMail, message_id_for, render_message
from sozialforum.channels.rendering import render, render_text
from sozialforum.outbox.bericht import DeliveryError, DeliveryProblem, DeliveryReport, DeliveryUnfinished
from sozialforum.outbox.zustellung import Lease, Producer, deliver_pending, mark_contact_disturbed
from sozialforum.settings import Settings
from sozialforum.store.models import OutboxMessage
from sozialforum.store.models.base import table_of
from sozialforum.timeutil import as_utc
from sozialforum.vocab import NachrichtArt, OutboxStatus

__all__ = [
    "DeliveryError",
    "DeliveryProblem",
    "DeliveryReport",
    "DeliveryUnfinished",
    "Lease",
    "MailRequest",
    "Producer",
    "deliver_pending",
    "enqueue",
    "enqueue_many",
    "enqueue_rendered",
    "enqueue_template",
    "record_bounce",
    "render_request",
    "requeue_failed",
    "skip_queued",
]


# --- enqueueing -------------------------------------------------------------------------------


def _record(
    *,
    schluessel: str,
    art: NachrichtArt,
    mail: OutgoingMail,
    person_id: int | None,
    bezug: dict[str, Any],
    now: datetime,
    settings: Settings,
) -> dict[str, Any]:
    kind = NachrichtArt(art)  # a kind without a German label is a bug: it would show as a raw key
    message_id = message_id_for(schluessel, settings)
    content = render_message(mail, settings, message_id=message_id, date=now)
    return {
        "schluessel": schluessel,
        "art": kind.value,
        "person_id": person_id,
        "empfaenger": mail.to,
        "betreff": mail.subject[:500],
        "status": OutboxStatus.QUEUED.value,
        "inhalt": content,
        "message_id": message_id,
        "bezug": bezug,
        "versuche": 0,
        "erstellt_am": as_utc(now),
    }


def enqueue(
    session: Session,
    *,
    schluessel: str,
    art: NachrichtArt,
    mail: OutgoingMail,
    person_id: int | None,
    bezug: dict[str, Any],
    now: datetime,
    settings: Settings,
) -> OutboxMessage:
    """Record one message for delivery. Idempotent on ``schluessel``: a second call returns the
    existing record and adds nothing. Raises ValueError (German) if the mail cannot be rendered."""
    existing = session.scalars(sa.select(OutboxMessage).where(col(OutboxMessage.schluessel) == schluessel)).first()
    if existing is not None:
        return existing
    values = _record(
        schluessel=schluessel, art=art, mail=mail, person_id=person_id, bezug=bezug, now=now, settings=settings
    )
    message = OutboxMessage(**values)
    session.add(message)
    session.flush()
    return message


def enqueue_template(
    session: Session,
    template: str,
    *,
    to: str,
    to_name: str | None,
    subject: str,
    schluessel: str,
    art: NachrichtArt,
    person_id: int | None,
    bezug: dict[str, Any],
    now: datetime,
    settings: Settings,
    **context: Any,
) -> int:
    """Render ``<template>.txt`` and ``.html`` (with the Geschäftsstelle, the Kommune and the
    subject as ``betreff`` in the context) and queue the mail as ``enqueue`` does; its id."""
    values = {"geschaeftsstelle": settings.geschaeftsstelle, "kommune": settings.kommune, "betreff": subject, **context}
    mail = OutgoingMail(
        to=to,
        to_name=to_name,
        subject=subject[:200],
        text=render_text(f"{template}.txt", **values),
        html=render(f"{template}.html", **values),
    )
    message = enqueue(
        session, schluessel=schluessel, art=art, mail=mail, person_id=person_id, bezug=bezug, now=now, settings=settings
    )
    assert message.id is not None  # flushed
    return message.id


@dataclass(frozen=True)
class MailRequest:
    """One message of a batch for :func:`enqueue_many`."""

    schluessel: str
    art: NachrichtArt
    mail: OutgoingMail
    person_id: int | None
    bezug: dict[str, Any]


def existing_keys(session: Session, keys: Iterable[str]) -> set[str]:
    found: set[str] = set()
    key_list = list(keys)
    for start in range(0, len(key_list), 500):
        chunk = key_list[start : start + 500]
        table = _table()
        found.update(session.scalars(sa.select(table.c.schluessel).where(table.c.schluessel.in_(chunk))))
    return found


def render_request(request: MailRequest, *, now: datetime, settings: Settings) -> dict[str, Any]:
    """The outbox row of one request, rendered (raises ValueError, German, if it cannot be)."""
    return _record(
        schluessel=request.schluessel,
        art=request.art,
        mail=request.mail,
        person_id=request.person_id,
        bezug=request.bezug,
        now=now,
        settings=settings,
    )


def enqueue_many(session: Session, requests: Sequence[MailRequest], *, now: datetime, settings: Settings) -> int:
    """Record a batch in bulk (one lookup, one insert per chunk); keys already present are left
    alone. Returns how many were new. Render errors raise before anything is written."""
    known = existing_keys(session, (request.schluessel for request in requests))
    rows = [render_request(r, now=now, settings=settings) for r in requests if r.schluessel not in known]
    return enqueue_rendered(session, rows, known=known)


def enqueue_rendered(
    session: Session, rows: Sequence[dict[str, Any]], *, lease: Lease | None = None, known: set[str] | None = None
) -> int:
    """Insert rendered rows (from :func:`render_request`) whose keys are not stored yet (``known``:
    the stored keys, if just looked up); returns how many were new. With a ``lease`` they go in
    already claimed by that delivery run: it sends them next without claiming them again, and if
    it dies, they fall back to any run once the lease runs out, like every other claim."""
    table = _table()
    if known is None:
        known = existing_keys(session, (row["schluessel"] for row in rows))
    fresh: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["schluessel"] not in known:
            fresh.setdefault(row["schluessel"], row if lease is None else {**row, **lease.claim_values()})
    values = list(fresh.values())
    for start in range(0, len(values), 1000):
        session.execute(sa.insert(table), values[start : start + 1000])
    return len(values)


def _table() -> sa.Table:
    return table_of(OutboxMessage)


def skip_queued(session: Session, message_ids: Iterable[int], *, reason: str) -> int:
    """Withdraw messages that are still waiting (e.g. a reminder of a moved Sitzung)."""
    ids = list(message_ids)
    if not ids:
        return 0
    table = table_of(OutboxMessage)
    result = session.execute(
        sa.update(table)
        .where(table.c.id.in_(ids), table.c.status == OutboxStatus.QUEUED.value)
        .values(status=OutboxStatus.SKIPPED.value, antwort_server=reason)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult, which has rowcount


def requeue_failed(session: Session, *, art: str | None = None, ids: Iterable[int] | None = None) -> int:
    """Give permanently failed messages another try (after the address or the server settings
    were fixed), all of them, those of one ``art`` or the given ``ids``. Bounced messages stay:
    the recipient's server has refused them for good. The key stays, so a message is never
    queued twice."""
    table = _table()
    query = sa.update(table).where(table.c.status == OutboxStatus.FAILED.value)
    if art is not None:
        query = query.where(table.c.art == art)
    if ids is not None:
        query = query.where(table.c.id.in_(list(ids)))
    result = session.execute(query.values(status=OutboxStatus.QUEUED.value, versuche=0, naechster_versuch=None))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult, which has rowcount


def record_bounce(session: Session, *, message_id: str, diagnose: str, now: datetime) -> bool:
    """A delivery status notification came back for ``message_id``: mark it bounced and the
    contact disturbed. Returns False if no sent message has that id."""
    message = session.scalars(sa.select(OutboxMessage).where(col(OutboxMessage.message_id) == message_id)).first()
    if message is None:
        return False
    message.status = OutboxStatus.BOUNCED
    message.antwort_server = diagnose[:2000]
    session.add(message)
    session.flush()
    if message.person_id is not None:
        mark_contact_disturbed(session.connection(), person_id=message.person_id, now=now)
    return True
