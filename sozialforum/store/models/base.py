"""Column types shared by all tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import Field


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """An instant, always UTC-aware in Python.

    SQLite has no time zones; without this type a timestamp read back would be naive and compare
    wrongly with aware ones. Naive input is refused rather than guessed.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use an aware datetime (UTC)")
        moment = value.astimezone(UTC)
        # SQLite keeps the text as given; store it without offset so that ordering is textual.
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    # On SQLite the two steps above (SQLAlchemy's text conversion, then the zone) cost about four
    # times what one conversion between text and an aware instant does; every read of a row with
    # timestamps pays it (the portal's answer reads seven). The processors below do it in one
    # step and fall back to the two steps for any other text; they are checked against them
    # when made, so what is stored and read stays exactly the same.

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        composed = super().bind_processor(dialect)
        if dialect.name != "sqlite" or composed is None:
            return composed

        def process(value: datetime | None) -> str | None:
            if value is None or value.tzinfo is None:
                return composed(value)  # None, or the error for a naive value
            return value.astimezone(UTC).isoformat(" ", "microseconds")[:26]

        return process if all(process(v) == composed(v) for v in _SAMPLES) else composed

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any] | None:
        composed = super().result_processor(dialect, coltype)
        if dialect.name != "sqlite" or composed is None:
            return composed
        parse = datetime.fromisoformat

        def process(value: str | None) -> datetime | None:
            if value is not None and len(value) == 26:  # 2026-12-06 17:00:00.000000
                try:
                    return parse(value + "+00:00")
                except ValueError:
                    pass
            return composed(value)

        return process if all(process(v) == composed(v) for v in _TEXTS) else composed


_SAMPLES = (datetime(2026, 12, 6, 17, 0, tzinfo=UTC), datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC))
_TEXTS = (
    "2026-12-06 17:00:00.000000",
    "0999-01-02 03:04:05.000006",
    "2026-12-06 17:00:00",
    "2026-12-06T17:00:00+01:00",
)


# Marks a column as personal data (DSGVO): Art. 15 export names it, Art. 17 erasure clears it.
PERSONAL: dict[str, Any] = {"info": {"personal": True}}
# Marks a secret (password hash, TOTP key): the audit trail records that it changed, not its value.
GEHEIM: dict[str, Any] = {"info": {"geheim": True}}


def instant(*, nullable: bool = True, index: bool = False, **kwargs: Any) -> Any:
    """A UTC timestamp field."""
    return Field(
        default=kwargs.pop("default", None),
        sa_type=UTCDateTime(),
        nullable=nullable,
        index=index,
        **kwargs,
    )


def slug(*, default: Any = None, index: bool = False, length: int = 40) -> Any:
    """A vocabulary value stored as a short ASCII string (no database enum types to migrate)."""
    return Field(default=default, sa_type=sa.String(length), index=index)


def money(*, default: Any = None) -> Any:
    """An amount in euros with cents, exact."""
    return Field(default=default, sa_type=sa.Numeric(14, 2))


def json_field(*, default_factory: Any = None) -> Any:
    return Field(default_factory=default_factory, sa_type=sa.JSON)


class Audit(StrEnum):
    """How a table is audited; every table declares it (``__audit__``), a test checks them all.

    - ``VOLL``: every create, update and delete becomes an ``AuditEntry`` with the actor: the session
      hook writes it for ORM changes, ``audit.record_bulk`` for bulk statements.
    - ``PROTOKOLL``: the table is itself the record of what happened (a log, a history of
      versions, a journal); rows are appended, not edited.
    - ``MASSENDATEN``: bulk data whose load or computation carries its provenance (file, checksum,
      time, Berechnung); auditing it row by row would double the data.
    - ``TECHNISCH``: short-lived technical state (login sessions, failed-attempt counters).
    - ``TEIL``: a link table without an id of its own (an area's predecessors); it is written with
      its owning row, whose audit entry records the change.
    """

    VOLL = "voll"
    PROTOKOLL = "protokoll"
    MASSENDATEN = "massendaten"
    TECHNISCH = "technisch"
    TEIL = "teil"


def table_of(model: type[Any]) -> sa.Table:
    """The Core table of a model, for bulk statements: SQLModel's classes carry ``__table__`` at
    run time, but do not declare it for type checkers."""
    table = model.__table__
    assert isinstance(table, sa.Table)
    return table


def pk(row: Any) -> int:
    """The id of a row that is in the store (read, or added and flushed). The models declare
    ``id: int | None`` because a new row has none yet; past the flush it always has one."""
    key = row.id
    if not isinstance(key, int):
        raise ValueError(f"{type(row).__name__} ist noch nicht gespeichert (keine Id)")
    return key
