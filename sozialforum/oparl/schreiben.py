"""Writing many rows of one table at once (the import's hot path): the rows the run already has
are read in chunks with Core, new ones inserted with one executemany, changed ones updated with
one executemany, and their audit entries written in bulk (``store.audit.record_bulk``) — no ORM
object and no flush per row. Values are compared as the audit trail writes them, so an unchanged
row is neither updated nor audited, exactly as with ``speicher.apply`` on an ORM row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sozialforum.store.audit import _plain, record_bulk
from sozialforum.store.direct import DirectStatement
from sozialforum.vocab import AuditAktion

CHUNK = 500


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def lies(session: Session, table: sa.Table, key: str, keys: Sequence[Any], columns: Sequence[str]) -> dict[Any, Any]:
    """``key`` → row (``row_id``, ``row_key``, then ``columns``) of the rows whose ``key`` is among ``keys``."""
    found: dict[Any, Any] = {}
    ints = [k for k in set(keys) if isinstance(k, int)]
    if key == "id" and ints and len(ints) == len(set(keys)) and max(ints) - min(ints) < 4 * len(ints):
        # ids of one batch lie close together: one range query instead of IN lists to render
        wanted_ids = set(ints)
        for row in _direct(table, tuple(columns)).all(_connection(session), {"lo": min(ints), "hi": max(ints)}):
            if row[0] in wanted_ids:
                found[row[0]] = row
        return found
    if len(set(keys)) > CHUNK and _whole_table(session, table, key, set(keys), columns, found):
        return found
    wanted = sorted(set(keys), key=repr)
    for part in chunks(wanted):
        query = sa.select(
            table.c.id.label("row_id"), table.c[key].label("row_key"), *(table.c[c] for c in columns)
        ).where(table.c[key].in_(part))
        for row in session.execute(query):
            found[row[1]] = row
    return found


def _whole_table(
    session: Session, table: sa.Table, key: str, keys: set[Any], columns: Sequence[str], found: dict[Any, Any]
) -> bool:
    """Many keys against a table not much larger (a first import, the store still empty): one read
    of the whole table instead of IN lists to render and run. False if the table is too large."""
    connection = _connection(session)
    total = DirectStatement(sa.select(sa.func.count()).select_from(table)).first(connection, {})
    if total is None or total[0] > 4 * len(keys):
        return False
    selected = (table.c.id.label("row_id"), table.c[key].label("row_key"), *(table.c[c] for c in columns))
    for row in DirectStatement(sa.select(*selected)).all(connection, {}):
        if row[1] in keys:
            found[row[1]] = row
    return True


_RANGES: dict[tuple[sa.Table, tuple[str, ...]], DirectStatement] = {}


def _direct(table: sa.Table, columns: tuple[str, ...]) -> DirectStatement:
    """The range read of ``lies`` for ``table`` and ``columns``, compiled once."""
    found = _RANGES.get((table, columns))
    if found is None:
        selected = (table.c.id.label("row_id"), table.c.id.label("row_key"), *(table.c[c] for c in columns))
        between = table.c.id.between(sa.bindparam("lo"), sa.bindparam("hi"))
        found = _RANGES[(table, columns)] = DirectStatement(sa.select(*selected).where(between))
    return found


def _connection(session: Session) -> sa.Connection:
    """The session's connection, after what the ORM still holds (as ``session.execute`` would)."""
    session.flush()
    return session.connection()


def einfuegen(
    session: Session, table: sa.Table, rows: list[dict[str, Any]], extra: dict[str, list[Any]] | None = None
) -> None:
    """Insert ``rows`` (all with the same keys) with the driver's executemany; columns left out
    get their scalar defaults, as with an ORM insert. ``extra``: more columns, a list each."""
    if not rows:
        return
    given = set(rows[0]) | set(extra or ())
    defaults = {
        c.name: c.default.arg  # type: ignore[attr-defined]  # a scalar default has its value as arg
        for c in table.c
        if c.name not in given and c.default is not None and c.default.is_scalar
    }
    statement = sa.insert(table).values(defaults) if defaults else sa.insert(table)
    DirectStatement(statement).run_many(session.connection(), rows, extra)


def aendern(session: Session, table: sa.Table, key: str, rows: list[dict[str, Any]]) -> None:
    """Update by ``key``: each row gives ``_<key>`` and ``_<column>`` for the columns to set."""
    if not rows:
        return
    columns = [name[1:] for name in rows[0] if name != f"_{key}"]
    statement = (
        sa.update(table)
        .where(table.c[key] == sa.bindparam(f"_{key}"))
        .values({c: sa.bindparam(f"_{c}") for c in columns})
    )
    DirectStatement(statement).run_many(session.connection(), rows)


_SPANS: dict[sa.Table, DirectStatement] = {}


def _new_ids(session: Session, table: sa.Table, key: str, before: int, inserts: list[Any]) -> list[int]:
    """The ids of the rows just inserted, in the order of their keys ``inserts`` (all ids were at
    most ``before``). The database
    numbers rows of one executemany in its order; when the rows above ``before`` are exactly
    these, without a gap (no other writer took a number in between), the ids follow from the
    order and need not be read back (a fifth of a million pairs in a full import). Otherwise
    they are read by key."""
    statement = _SPANS.get(table)
    if statement is None:
        above = table.c.id > sa.bindparam("before")
        selected = (sa.func.min(table.c.id), sa.func.max(table.c.id), sa.func.count())
        statement = _SPANS[table] = DirectStatement(sa.select(*selected).where(above))
    span = statement.first(session.connection(), {"before": before})
    if span is not None and span[2] == len(inserts) and span[0] is not None and span[1] - span[0] + 1 == len(inserts):
        return list(range(span[0], span[0] + len(inserts)))
    found = lies(session, table, key, inserts, [])
    return [found[k][0] for k in inserts]


_SIMPLE = (str, int, bool, type(None))


def _same(old: Any, new: Any) -> bool:
    """Equal as the audit trail writes them, decided without converting (texts, numbers)."""
    return type(old) is type(new) and type(old) in _SIMPLE and old == new


def schreibe(
    session: Session,
    table: sa.Table,
    rows: Sequence[tuple[Any, dict[str, Any]]],
    *,
    key: str = "oparl_id",
    known: dict[Any, int | None] | None = None,
) -> dict[Any, tuple[int, str]]:
    """Insert or update ``rows`` (key value, column values), all with the same columns; returns
    key value → (row id, "neu" | "geaendert" | "unveraendert"). ``known`` (key value → row id or
    None, e.g. from the run's index) spares reading the rows that cannot exist."""
    if not rows:
        return {}
    session.flush()  # what the ORM still holds goes first: the statements below bypass it
    columns = list(rows[0][1])
    if known is None:
        existing = lies(session, table, key, [k for k, _ in rows], columns)
    else:
        by_id = lies(session, table, "id", [i for k, _ in rows if (i := known.get(k)) is not None], [key, *columns])
        existing = {row[2]: row[1:] for row in by_id.values()}  # (id, key, columns...) as from ``lies``
    result: dict[Any, tuple[int, str]] = {}
    new_keys: list[Any] = []
    inserts: list[dict[str, Any]] = []  # the values of the new rows, their keys in ``new_keys``
    updates: list[dict[str, Any]] = []
    changes: list[tuple[int, AuditAktion, dict[str, Any]]] = []
    for value, values in rows:
        row = existing.get(value)
        if row is None:
            if value not in result:
                new_keys.append(value)
                inserts.append(values)
                result[value] = (0, "neu")
            continue
        changed = {
            c: [_plain(row[2 + i]), _plain(values[c])]
            for i, c in enumerate(columns)
            if not _same(row[2 + i], values[c]) and _plain(row[2 + i]) != _plain(values[c])
        }
        if changed:
            updates.append({"_id": row[0], **{f"_{c}": values[c] for c in columns}})
            changes.append((row[0], AuditAktion.UPDATE, changed))
        result[value] = (row[0], "geaendert" if changed else "unveraendert")
    created: list[int] = []
    if inserts:
        before = session.scalar(sa.select(sa.func.max(table.c.id))) or 0
        einfuegen(session, table, inserts, {key: new_keys})
        created = _new_ids(session, table, key, before, new_keys)
        result.update({k: (row_id, "neu") for k, row_id in zip(new_keys, created, strict=True)})
    if updates:
        aendern(session, table, "id", updates)
        for obj in list(session.identity_map.values()):  # ORM copies of updated rows are stale now
            if getattr(type(obj), "__table__", None) is table:
                session.expire(obj)
    record_bulk(session, table=table.name, entries=changes, created=created)
    return result
