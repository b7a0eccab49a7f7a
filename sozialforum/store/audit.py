"""The audit trail, written by one session hook so that no service can forget it.

Every table declares how it is audited (``__audit__``, see ``models.base.Audit``). Every insert,
update and delete of a ``VOLL`` table in a session becomes an AuditEntry in the same transaction,
with the session's actor (a user, ``import:<file>``, ``flow-run:<id>``); bulk statements record
theirs with ``record_bulk``, Core updates on a plain connection with ``record_core``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import inspect
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import SQLModel

from sozialforum.store.models.audit import AuditEntry
from sozialforum.store.models.base import Audit, UTCDateTime, table_of
from sozialforum.timeutil import utcnow
from sozialforum.vocab import AuditAktion

ACTOR_KEY = "sozialforum_actor"


def set_actor(session: OrmSession, actor: str) -> None:
    session.info[ACTOR_KEY] = actor


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} Bytes>"
    return value


def _changes(obj: SQLModel) -> dict[str, Any]:
    """``{field: [old, new]}`` of an updated row. A created row carries none: the row itself is
    its first state, and later entries hold every change since, so history stays complete."""
    state = inspect(obj)
    assert state is not None  # a mapped instance always has its state
    changes: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if _plain(old) != _plain(new):
                # Secrets (password hashes, TOTP keys) are named as changed, never written out.
                hidden = any(column.info.get("geheim") for column in attr.columns)
                changes[attr.key] = ["<geheim>", "<geheim>"] if hidden else [_plain(old), _plain(new)]
    return changes


def _audited(obj: object) -> bool:
    """Every table says how it is audited (``models.base.Audit``); the hook writes ``VOLL``."""
    return getattr(type(obj), "__audit__", None) is Audit.VOLL


def audited_tables() -> frozenset[str]:
    """The tables whose every change is in the audit trail."""
    return frozenset(
        str(m.persist_selectable.description)
        for m in SQLModel._sa_registry.mappers
        if getattr(m.class_, "__audit__", None) is Audit.VOLL
    )


def record_core(
    connection: sa.Connection, *, actor: str, table: str, row_id: int, changes: dict[str, Any], now: datetime
) -> None:
    """An update made with a Core statement on a plain connection (the delivery's hot path)."""
    connection.execute(
        sa.insert(AuditEntry),
        {
            "zeitpunkt": now,
            "akteur": actor,
            "tabelle": table,
            "datensatz_id": row_id,
            "aktion": AuditAktion.UPDATE.value,
            "aenderungen": {k: [_plain(old), _plain(new)] for k, (old, new) in changes.items()},
        },
    )


@sa.event.listens_for(OrmSession, "before_flush")
def _record_updates_and_deletes(session: OrmSession, _ctx: Any, _instances: Any) -> None:
    now = utcnow()
    actor = session.info.get(ACTOR_KEY, "unbekannt")
    for obj in list(session.dirty):
        if _audited(obj) and session.is_modified(obj):
            changes = _changes(obj)
            if changes:
                session.add(
                    AuditEntry(
                        zeitpunkt=now,
                        akteur=actor,
                        tabelle=obj.__tablename__,
                        datensatz_id=obj.id,
                        aktion=AuditAktion.UPDATE,
                        aenderungen=changes,
                    )
                )
    for obj in list(session.deleted):
        if _audited(obj):
            session.add(
                AuditEntry(
                    zeitpunkt=now,
                    akteur=actor,
                    tabelle=obj.__tablename__,
                    datensatz_id=obj.id,
                    aktion=AuditAktion.DELETE,
                    aenderungen={},
                )
            )
    # New rows get their id only at flush; remember them and write their entries after it.
    session.info.setdefault("_audit_new", []).extend(o for o in session.new if _audited(o))


@sa.event.listens_for(OrmSession, "after_flush")
def _record_inserts(session: OrmSession, _ctx: Any) -> None:
    pending = session.info.pop("_audit_new", [])
    if not pending:
        return
    now = utcnow()
    actor = session.info.get(ACTOR_KEY, "unbekannt")
    rows = [
        {
            "zeitpunkt": now,
            "akteur": actor,
            "tabelle": obj.__tablename__,
            "datensatz_id": obj.id,
            "aktion": AuditAktion.CREATE.value,
            "aenderungen": {},
        }
        for obj in pending
    ]
    # Core insert: adding objects inside after_flush would need another flush.
    session.execute(sa.insert(AuditEntry), rows)


def record_bulk(
    session: OrmSession,
    *,
    table: str,
    entries: list[tuple[int, AuditAktion, dict[str, Any]]],
    created: Sequence[int] = (),
) -> None:
    """Audit rows written by bulk statements (imports), which the session hook cannot see.
    ``created`` names more created rows by id alone (no tuple per row of a large batch)."""
    now = utcnow()
    actor = session.info.get(ACTOR_KEY, "unbekannt")
    created = [*created, *(row_id for row_id, action, _ in entries if action is AuditAktion.CREATE)]
    changed = [entry for entry in entries if entry[1] is not AuditAktion.CREATE]
    if changed:
        session.execute(
            sa.insert(AuditEntry),
            [
                {
                    "zeitpunkt": now,
                    "akteur": actor,
                    "tabelle": table,
                    "datensatz_id": row_id,
                    "aktion": action.value,
                    "aenderungen": {k: _plain(v) for k, v in changes.items()},
                }
                for row_id, action, changes in changed
            ],
        )
    # Creations carry no values: one INSERT … SELECT per chunk instead of a Python row each.
    source = SQLModel.metadata.tables[table]
    audit_table = table_of(AuditEntry)
    constants = sa.select(
        sa.literal(now, UTCDateTime()),
        sa.literal(actor),
        sa.literal(table),
        source.c.id,
        sa.literal(AuditAktion.CREATE.value),
        sa.literal({}, sa.JSON()),
    )
    columns = ["zeitpunkt", "akteur", "tabelle", "datensatz_id", "aktion", "aenderungen"]
    if created and max(created) - min(created) + 1 == len(set(created)):  # consecutive ids (one batch insert)
        between = source.c.id.between(min(created), max(created))  # no IN list of thousands to render
        session.execute(sa.insert(audit_table).from_select(columns, constants.where(between)))
        return
    for start in range(0, len(created), 5000):
        chunk = created[start : start + 5000]
        session.execute(sa.insert(audit_table).from_select(columns, constants.where(source.c.id.in_(chunk))))
