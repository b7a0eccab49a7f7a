"""Core statements run straight on the database driver's cursor, for the portal's hot path.

``connection.execute(statement)`` costs 60-80 µs of Python per statement before and after the
driver's own work (execution context, parameter and result machinery, events), four times what
SQLite needs for the RSVP's indexed reads and writes; with three statements per answer that was
the largest part of the portal's CPU per request. A ``DirectStatement`` compiles its statement
once per dialect and then runs the SQL text on the DBAPI cursor of the caller's connection, in
that connection's transaction, converting values with the column types' own bind and result
processors (``TypeEngine.dialect_impl(...).bind_processor``/``result_processor``), so stored
values and values read back are exactly what ``connection.execute`` writes and returns.

What it leaves out, so use it only where that does not matter: engine events around the cursor
(``before_cursor_execute`` …; the store registers none), the statement logging of ``echo``,
RETURNING and generated primary keys (use ``connection.execute`` for an INSERT whose id you need),
expanding ``IN`` parameters, and rows as ``sa.Row`` (``first`` returns a named tuple: the same
attribute access, no ``_mapping``).
"""

from __future__ import annotations

import weakref
from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

Processor = Callable[[Any], Any]
_named_tuple: Callable[..., type[tuple[Any, ...]]] = namedtuple  # its fields are the statement's columns


@dataclass(frozen=True)
class _Compiled:
    sql: str
    defaults: dict[str, Any]  # values fixed in the statement (``.values(x=1)``)
    binds: tuple[tuple[str, Processor], ...]  # parameters whose type converts the value
    order: tuple[str, ...] | None  # parameter names in SQL order for a positional paramstyle
    results: tuple[Processor | None, ...] | None  # per selected column; None for DML
    row: Any  # the named tuple class of a SELECT's rows
    converted: tuple[tuple[int, Processor], ...]  # the columns whose values are converted, by position
    rows_at_once: tuple[str, int] | None = None  # an INSERT of many rows per statement, and how many


# Parameters of one multi-row INSERT: SQLite steps one statement for a few hundred rows instead of
# one per row (a fifth less of its time for the OParl import's 150,000 Beratungen).
ROWS_PARAMETERS = 2500


def _rows_at_once(sql: str, dialect: Dialect, width: int) -> tuple[str, int] | None:
    """``INSERT … VALUES (?, ?), (?, ?), …`` for as many rows as fit, on SQLite (qmark parameters,
    the VALUES tuple last); None where that shape is not certain."""
    one = "(" + ", ".join("?" * width) + ")"
    if dialect.name != "sqlite" or dialect.paramstyle != "qmark" or width == 0 or not sql.endswith(" VALUES " + one):
        return None
    # SQLite before 3.32 takes at most 999 parameters per statement
    version = getattr(dialect.dbapi, "sqlite_version_info", (0,))
    count = max(1, (ROWS_PARAMETERS if version >= (3, 32) else 999) // width)
    return sql + (", " + one) * (count - 1), count


class DirectStatement:
    """``statement`` compiled once per dialect, run on the driver's cursor (see the module).

    An INSERT or UPDATE without ``.values(...)`` sets the columns named by the parameters' keys,
    as with ``connection.execute``; it is compiled once per dialect and set of keys."""

    def __init__(self, statement: sa.Select[Any] | sa.Insert | sa.Update | sa.Delete) -> None:
        self.statement = statement
        self._is_select = isinstance(statement, sa.Select)
        self._compiled: weakref.WeakKeyDictionary[Dialect, dict[frozenset[str] | None, _Compiled]] = (
            weakref.WeakKeyDictionary()
        )

    def _compile(self, dialect: Dialect, keys: frozenset[str] | None) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect, column_keys=sorted(keys) if keys is not None else None)
        binds = dict(compiled.binds)
        if keys is not None and not keys <= binds.keys():  # SQLAlchemy would leave them out silently
            raise sa.exc.ArgumentError(f"neither a column nor a parameter: {', '.join(sorted(keys - binds.keys()))}")
        processors = ((name, bind.type.dialect_impl(dialect).bind_processor(dialect)) for name, bind in binds.items())
        results: tuple[Processor | None, ...] | None = None
        row: type[tuple[Any, ...]] | None = None
        if isinstance(self.statement, sa.Select):
            selected = self.statement.selected_columns
            results = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None) for column in selected)
            row = _named_tuple("Row", list(selected.keys()))
        entry = _Compiled(
            sql=compiled.string,
            defaults={name: bind.effective_value for name, bind in binds.items() if not bind.required},
            binds=tuple((name, processor) for name, processor in processors if processor is not None),
            order=tuple(compiled.positiontup) if compiled.positiontup is not None else None,
            results=results,
            row=row,
            converted=tuple((index, p) for index, p in enumerate(results or ()) if p is not None),
            rows_at_once=(
                _rows_at_once(compiled.string, dialect, len(compiled.positiontup or ()))
                if isinstance(self.statement, sa.Insert)
                else None
            ),
        )
        self._compiled.setdefault(dialect, {})[keys] = entry
        return entry

    def _run(self, connection: sa.Connection, params: dict[str, Any]) -> tuple[_Compiled, Any]:
        dialect = connection.dialect
        keys = None if self._is_select else frozenset(params)
        compiled = self._compiled.get(dialect, {}).get(keys) or self._compile(dialect, keys)
        values = {**compiled.defaults, **params}
        for name, processor in compiled.binds:
            if name in values:
                values[name] = processor(values[name])
        arguments = [values[name] for name in compiled.order] if compiled.order is not None else values
        if not connection.in_transaction():
            connection.begin()  # what ``connection.execute`` does ("autobegin"); commit() ends it
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]  # checked out: not None
        cursor.execute(compiled.sql, arguments)
        return compiled, cursor

    def first(self, connection: sa.Connection, params: dict[str, Any]) -> Any | None:
        """The first row of a SELECT as a named tuple of converted values, or None."""
        compiled, cursor = self._run(connection, params)
        try:
            raw = cursor.fetchone()
        finally:
            cursor.close()
        if raw is None:
            return None
        assert compiled.results is not None, "first() needs a SELECT"
        # Only the columns with a processor are touched (a link's row has 32 columns, 10 of them
        # converted): a pass over all of them cost a quarter of reading the row.
        values = list(raw)
        for index, processor in compiled.converted:
            value = values[index]
            if value is not None:
                values[index] = processor(value)
        return tuple.__new__(compiled.row, values)

    def run(self, connection: sa.Connection, params: dict[str, Any]) -> int:
        """Execute an INSERT, UPDATE or DELETE; the number of rows it touched."""
        _, cursor = self._run(connection, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def all(self, connection: sa.Connection, params: dict[str, Any], *, named: bool = True) -> list[Any]:
        """Every row of a SELECT as named tuples (plain ones unless ``named``) of converted
        values (bulk reads: no result machinery per row)."""
        compiled, cursor = self._run(connection, params)
        try:
            raw = cursor.fetchall()
        finally:
            cursor.close()
        assert compiled.results is not None, "all() needs a SELECT"
        make = compiled.row._make if named else tuple
        if not any(compiled.results):
            return [make(row) for row in raw] if named else raw
        processors = compiled.results
        return [
            make(v if p is None or v is None else p(v) for v, p in zip(row, processors, strict=True)) for row in raw
        ]

    def run_many(
        self, connection: sa.Connection, rows: list[dict[str, Any]], extra: dict[str, list[Any]] | None = None
    ) -> None:
        """Execute an INSERT or UPDATE once per row with the driver's ``executemany`` (every row
        with the same keys; bulk imports: no per-row statement machinery at all). Values are
        converted column by column, each distinct value once (a run's timestamp on every row).
        ``extra`` gives further columns as lists, a value per row (no dictionary copied per row
        to add a key)."""
        if not rows:
            return
        dialect = connection.dialect
        given = extra or {}
        keys = frozenset(rows[0]).union(given)
        compiled = self._compiled.get(dialect, {}).get(keys) or self._compile(dialect, keys)
        processors = dict(compiled.binds)
        names = compiled.order if compiled.order is not None else tuple(sorted(keys | compiled.defaults.keys()))
        columns: list[list[Any]] = []
        for name in names:
            if name in given:
                values = given[name]
            elif name in keys:
                values = [params[name] for params in rows]
            else:
                values = [compiled.defaults[name]] * len(rows)
            processor = processors.get(name)
            if processor is not None:
                values = _converted(values, processor)
            columns.append(values)
        arguments: list[Any] = list(zip(*columns, strict=True))
        if compiled.order is None:  # a named paramstyle: one mapping per row
            arguments = [dict(zip(names, row, strict=True)) for row in arguments]
        if not connection.in_transaction():
            connection.begin()
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]  # checked out: not None
        try:
            if compiled.rows_at_once is not None and len(arguments) >= compiled.rows_at_once[1]:
                sql, count = compiled.rows_at_once
                whole = len(arguments) - len(arguments) % count
                flat = [value for row in arguments[:whole] for value in row]  # rows in order: ids in order
                step = count * len(names)
                cursor.executemany(sql, [flat[start : start + step] for start in range(0, len(flat), step)])
                arguments = arguments[whole:]
            if arguments:
                cursor.executemany(compiled.sql, arguments)
        finally:
            cursor.close()


def _converted(values: list[Any], processor: Processor) -> list[Any]:
    """``processor`` applied to each value, once per distinct hashable value."""
    done: dict[tuple[type, Any], Any] = {}
    result: list[Any] = []
    for value in values:
        try:
            key = (type(value), value)  # by type too: 1 and True are equal keys otherwise
            try:
                result.append(done[key])
            except KeyError:
                result.append(done.setdefault(key, processor(value)))
        except TypeError:  # unhashable (a JSON value): converted each time
            result.append(processor(value))
    return result


_DIRECT: dict[int, tuple[sa.Select[Any], DirectStatement]] = {}


def direct(statement: sa.Select[Any]) -> DirectStatement:
    """The ``DirectStatement`` of a SELECT that is built once and passed around (a module
    constant such as ``links.LINK_BY_HASH`` or an extension of it), compiled on first use."""
    found = _DIRECT.get(id(statement))
    if found is not None and found[0] is statement:
        return found[1]
    if len(_DIRECT) >= 256:  # statements built per call would only churn this: keep it bounded
        _DIRECT.clear()
    prepared = DirectStatement(statement)
    _DIRECT[id(statement)] = (statement, prepared)
    return prepared
