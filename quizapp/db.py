"""Database engine, the request-scoped session and the declarative base."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import Flask, abort, current_app
from flask.globals import app_ctx
from sqlalchemy import DateTime, MetaData, create_engine, event, func, select
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import (
    DeclarativeBase,
    InstrumentedAttribute,
    Session,
    scoped_session,
    sessionmaker,
)
from sqlalchemy.sql import Executable
from sqlalchemy.types import TypeDecorator

from quizapp.sqlite_writers import WriterConnection

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every backend (SQLite keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use quizapp.clock.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base class of every model; a ``Mapped[datetime]`` column is a ``UTCDateTime``."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime}


def _app_context_id() -> int:
    return id(app_ctx._get_current_object())


class AppSession(Session):
    """A session bound to the engine of the current Flask application."""

    def get_bind(self, *args, **kwargs):
        return current_app.extensions["db_engine"]


T = TypeVar("T")

#: The session every route and service uses; one per application context (request).
session = scoped_session(
    sessionmaker(class_=AppSession, expire_on_commit=False), scopefunc=_app_context_id
)


def get_or_404(model: type[T], ident: int, allowed: Callable[[T], bool] | None = None) -> T:
    """Return the ``model`` row with id ``ident``, or 404 when there is none or ``allowed``
    refuses it (a row the actor may not see is answered as if it did not exist)."""
    return _found_or_404(session.get(model, ident), allowed)


def scalar_or_404(statement: Executable, allowed: Callable[[Any], bool] | None = None) -> Any:
    """Return the first object ``statement`` selects, or 404 when there is none or ``allowed``
    refuses it (as :func:`get_or_404`, for a lookup by more than the id or with its loads)."""
    return _found_or_404(session.scalar(statement), allowed)


def _found_or_404(row: T | None, allowed: Callable[[T], bool] | None) -> T:
    if row is None or (allowed is not None and not allowed(row)):
        abort(404)
    return row


def read_rows(statement: Executable) -> CursorResult:
    """Run a read of plain columns on the session's connection, as Core rows.

    For the bulk reads of reports (tens of thousands of grouped rows): the ORM's row
    processing, which a select of columns doesn't need, costs more than the query itself.
    """
    return session.connection().execute(statement)


def count_by(key: InstrumentedAttribute, values: Iterable[Any]) -> dict[Any, int]:
    """Count the rows per value of ``key`` among ``values``, in one query (no row: left out)."""
    wanted = list(values)
    if not wanted:
        return {}
    return dict(
        session.execute(select(key, func.count()).where(key.in_(wanted)).group_by(key)).all()
    )


def standalone_connection() -> Connection:
    """The request's connection for a hot path whose writes each stand alone as one statement.

    On PostgreSQL it is in autocommit: every statement is a transaction of its own, which
    saves the BEGIN and COMMIT round trips (bench/pg_round_trips.py: about 150 µs of the
    client's and 130 µs of the server's time a request). On SQLite it is the request's
    connection as always (BEGIN and COMMIT cost no round trip there; the driver begins the
    transaction at the first write and ``actions.run`` commits it), so a path that takes it
    must be right both ways: on PostgreSQL each write is one statement that checks in SQL
    what it relies on, since nothing read before it is held. Once the session has begun a
    transaction (a test calling the service inside one, a route that wrote before), that
    transaction's connection is returned: autocommit is never switched on mid-transaction.
    ``session.commit()`` (``actions.run``) ends the session's use of it; the pool sets the
    connection back to transactions when it is checked in.
    """
    current = session()
    if current.in_transaction() or current.get_bind().dialect.name != "postgresql":
        return session.connection()
    return session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def end_standalone(connection: Connection) -> None:
    """End a hot path's use of the connection :func:`standalone_connection` gave it, so the
    statements that follow run in a transaction as usual (a fallback to a checked path).

    In autocommit each statement committed itself, so the commit here sends nothing: it
    gives the connection back (the pool sets it back to transactions) and the next statement
    begins a transaction on a connection in the normal mode. When ``standalone_connection``
    gave the session's own transaction (SQLite, or one begun before), it goes on untouched.
    """
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        session.commit()


@contextmanager
def savepoint() -> Iterator[None]:
    """Run the block in a SAVEPOINT: an error inside undoes the block, not the caller's work.

    Python 3.11's sqlite3 driver (legacy transaction control) begins a transaction only
    before INSERT, UPDATE or DELETE, so a SAVEPOINT outside one would be a transaction of its
    own that its RELEASE commits. On SQLite the transaction is therefore begun first when
    none is open. SQLAlchemy's documented alternative, emitting BEGIN for every transaction,
    would cost every request a statement and turn the hot paths' lock-free reads into
    snapshots that can fail to upgrade to a write (SQLITE_BUSY_SNAPSHOT).
    """
    connection = session.connection()
    if (
        connection.dialect.name == "sqlite"
        and not connection.connection.dbapi_connection.in_transaction
    ):
        connection.exec_driver_sql("BEGIN")
    with session.begin_nested():
        yield


def insert_ignoring_duplicates(table, index_elements=None):
    """Return an INSERT into ``table`` that skips rows whose key exists (both dialects).

    ``index_elements`` names the unique key to check (its columns); without it any unique
    key or primary key conflict skips the row.
    """
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing(index_elements=index_elements)


def make_engine(url: str, sqlite_busy_timeout: float = 15.0) -> Engine:
    """Create the engine, with WAL mode, a busy timeout and the writers' lock on SQLite
    (quizapp/sqlite_writers.py)."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": sqlite_busy_timeout, "factory": WriterConnection}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(sqlite_busy_timeout * 1000)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    # No pre-ping on every checkout (a round trip per request): see _ping_when_idle and
    # actions.run, which retries an action whose connection turned out dead.
    engine = create_engine(url, pool_size=5, max_overflow=10)
    _ping_when_idle(engine)
    return engine


#: A pooled PostgreSQL connection unused for longer than this is pinged before use.
IDLE_PING_SECONDS = 20.0


def _ping_when_idle(engine: Engine) -> None:
    """Ping (SELECT 1) only connections that sat idle in the pool: after a quiet spell a
    restarted server or a firewall may have dropped them, and the ping replaces them at no
    cost to the request. A connection in steady use is not pinged; if the server terminated
    it meanwhile (pg_terminate_backend, a restart under load), the statement fails as a
    disconnect, SQLAlchemy invalidates the pool's older connections, and actions.run runs
    the action once more on a fresh one, so the client sees no error either."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            # The pool discards this connection and checks out (or opens) another.
            raise DisconnectionError() from exc


def init_app(app: Flask) -> None:
    """Bind the session to the app's database and remove it after each request."""
    engine = make_engine(app.config["DATABASE_URL"], app.config["SQLITE_BUSY_TIMEOUT"])
    app.extensions["db_engine"] = engine

    @app.teardown_appcontext
    def _remove_session(_exc: BaseException | None) -> None:
        session.remove()


def get_engine(app: Flask) -> Engine:
    """Return the engine the app was configured with."""
    return app.extensions["db_engine"]
