"""The hot endpoints' statements, run on the driver's cursor.

The study heartbeat and the answer autosave send one to three statements each, and SQLAlchemy's
execution around them (execution context, result metadata, row objects) costs about four
times what the driver itself does (70–100 µs against 15–20 µs a statement, in-process; see
docs/benchmarks.md). A ``HotStatement`` has SQLAlchemy compile its Core statement once per
dialect and keeps the parameters' bind processors and the columns' result processors (the
column types' own), then binds, runs and converts rows as SQLAlchemy would, on the request's
own connection and inside its transaction: commits, rollbacks and locks are unchanged.

Kept of SQLAlchemy's execution: the engine's ``before_cursor_execute`` listeners (the tests
count statements with them) and its exceptions (a driver error is raised as SQLAlchemy's
class, ``OperationalError`` for a locked or lost database, and a lost connection is
invalidated, as the request's retry in ``actions.run`` expects). Left out: the compiled
cache (it keeps its own), ``after_cursor_execute`` listeners and execution options. Only for
fixed statements on the hot paths; tests/test_hot_sql.py runs each one both ways.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Dialect


class HotResult:
    """The rows a statement returned (converted as SQLAlchemy would) and its row count."""

    __slots__ = ("rowcount", "rows")

    def __init__(self, rows: list, rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount

    def first(self):
        return self.rows[0] if self.rows else None


class _Prepared:
    """One statement compiled for one dialect, with its processors."""

    def __init__(self, statement, dialect: Dialect) -> None:
        self.compiled = statement.compile(dialect=dialect)
        self.sql = self.compiled.string
        self.order = self.compiled.positiontup  # None for a named paramstyle
        self.binds: list[tuple[str, Callable]] = []
        for name, bind in self.compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self.binds.append((name, process))
        columns = list(getattr(statement, "selected_columns", None) or ())
        self.row = namedtuple("HotRow", [column.key for column in columns]) if columns else None
        self.convert = [
            c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns
        ]

    def execute(self, connection: Connection, params: Mapping[str, Any]) -> HotResult:
        values = self.compiled.construct_params(params)
        for name, process in self.binds:
            values[name] = process(values[name])
        args = values if self.order is None else tuple(values[name] for name in self.order)
        cursor = connection.connection.cursor()
        try:
            if connection.dispatch.before_cursor_execute:
                connection.dispatch.before_cursor_execute(
                    connection, cursor, self.sql, args, None, False
                )
            cursor.execute(self.sql, args)
            found = cursor.fetchall() if self.row is not None else []
            return HotResult([self._row(raw) for raw in found], cursor.rowcount)
        except connection.dialect.loaded_dbapi.Error as error:
            raise self._wrapped(connection, cursor, args, error) from error
        finally:
            cursor.close()

    def _row(self, raw):
        return self.row(*(v if f is None else f(v) for f, v in zip(self.convert, raw, strict=True)))

    def _wrapped(self, connection: Connection, cursor, args, error: Exception) -> exc.DBAPIError:
        dialect = connection.dialect
        lost = dialect.is_disconnect(error, connection.connection.dbapi_connection, cursor)
        if lost:
            connection.invalidate(error)
        return exc.DBAPIError.instance(
            self.sql,
            args,
            error,
            dialect.loaded_dbapi.Error,
            connection_invalidated=lost,
            dialect=dialect,
        )


class HotStatement:
    """A fixed Core statement of a hot path, compiled once per dialect (see the module)."""

    def __init__(self, statement) -> None:
        self.statement = statement
        self._prepared: dict[tuple, _Prepared] = {}
        self._last: tuple[Dialect, _Prepared] | None = None  # a process has one engine

    def execute(self, connection: Connection, params: Mapping[str, Any]) -> HotResult:
        dialect = connection.dialect
        last = self._last
        if last is not None and last[0] is dialect:
            return last[1].execute(connection, params)
        key = (dialect.name, dialect.driver, dialect.paramstyle, dialect.server_version_info)
        prepared = self._prepared.get(key)
        if prepared is None:
            prepared = self._prepared[key] = _Prepared(self.statement, dialect)
        self._last = (dialect, prepared)
        return prepared.execute(connection, params)
