"""Retention of sent mail content: after ``mail.inhalt_aufbewahren_tage`` a message that will
never be sent again (sent, bounced, withdrawn) keeps only what the record needs.

An invitation is stored whole (about 246 KB with its agenda PDF) so that a rerun sends the very
same bytes. Once it is final and old, the text, the HTML and the attachments are dropped: what
stays is its header block (From, To, Subject, Date, Message-ID …) in ``inhalt`` and, in their own
columns, the size and the SHA-256 of what was sent, so that the record still proves which message
went to whom and when. The .eml copies written without an SMTP server (in the Ablage under
``outbox/``, and in this machine's outbox folder) are cut down the same way. A second run finds
nothing (``inhalt_gekuerzt_am`` is set). Called by ``stammdaten.aufbewahrung`` (the retention
run: ``sozialforum dsgvo aufbewahrung``, the daily deadline flow's last task).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sozialforum import ablage
from sozialforum.settings import Settings
from sozialforum.store.models import OutboxMessage
from sozialforum.store.models.base import table_of
from sozialforum.vocab import OutboxStatus

FINAL = (OutboxStatus.SENT.value, OutboxStatus.BOUNCED.value, OutboxStatus.SKIPPED.value)
CHUNK = 200  # rows read at once: each holds a whole message


def _due(table: sa.Table, cutoff: datetime) -> sa.Select[Any]:
    return sa.select(table.c.id).where(
        table.c.status.in_(FINAL),
        table.c.inhalt_gekuerzt_am.is_(None),
        table.c.inhalt.is_not(None),
        sa.func.coalesce(table.c.gesendet_am, table.c.erstellt_am) < cutoff,
    )


def faellig(session: Session, *, now: datetime, tage: int) -> int:
    """How many messages are due (nothing changes)."""
    table = table_of(OutboxMessage)
    query = _due(table, now - timedelta(days=tage)).subquery()
    return int(session.scalar(sa.select(sa.func.count()).select_from(query)) or 0)


def record_of(content: bytes) -> bytes:
    """The header block of an RFC 5322 message (up to and with the empty line); no body."""
    head, separator, _body = content.partition(b"\r\n\r\n")
    return head + b"\r\n\r\n" if separator else content


def kuerzen(session: Session, settings: Settings, *, now: datetime, tage: int) -> int:
    """Cut every due message down to its record; how many were cut."""
    table = table_of(OutboxMessage)
    ids = list(session.scalars(_due(table, now - timedelta(days=tage))))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = session.execute(sa.select(table.c.id, table.c.art, table.c.inhalt).where(table.c.id.in_(chunk)))
        for message_id, art, content in rows.all():
            record = record_of(content)
            session.execute(
                sa.update(table)
                .where(table.c.id == message_id)
                .values(
                    inhalt=record,
                    inhalt_gekuerzt_am=now,
                    inhalt_groesse=len(content),
                    inhalt_sha256=hashlib.sha256(content).hexdigest(),
                )
            )
            _cut_copies(settings, f"{message_id:07d}-{art}.eml", record)
    return len(ids)


def _cut_copies(settings: Settings, name: str, record: bytes) -> None:
    """The .eml copies of a message written without SMTP: in the Ablage and in this machine's folder."""
    key = f"outbox/{name}"
    if ablage.vorhanden(settings, key):
        ablage.schreiben(settings, key, record, content_type="message/rfc822")
    local = Path(settings.outbox_dir) / name
    if local.is_file() and local.read_bytes() != record:
        temporary = local.with_suffix(".tmp")
        temporary.write_bytes(record)
        temporary.replace(local)
