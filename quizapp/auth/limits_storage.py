"""A storage backend for the `limits` library (the login limit's counters) in the app's database.

In memory, the counters would be one set per process: with several gunicorn workers every
address would get several times its allowance. This backend keeps them in the app's own
database (SQLite or PostgreSQL), so the login limits hold across workers and hosts without
Redis. Select it with ``RATELIMIT_STORAGE_URI=quizapp-db://``
(the default); ``redis://…`` still works for bureaus that run Redis.

Each operation runs in its own short transaction, independent of the request's: a failed
login rolls the request back, but its counter must stay.
"""

from __future__ import annotations

import time

from flask import current_app
from limits.storage import Storage
from sqlalchemy import case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from quizapp.auth.models import RateLimitCounter

_table = RateLimitCounter.__table__


def _engine():
    return current_app.extensions["db_engine"]


class DatabaseStorage(Storage):
    """Fixed-window counters in the ``rate_limit_counters`` table."""

    STORAGE_SCHEME = ["quizapp-db"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the counter, starting a new window when the old one ended."""
        now = time.time()
        engine = _engine()
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        expired = _table.c.expires_at <= now
        statement = insert(_table).values(key=key, count=amount, expires_at=now + expiry)
        statement = statement.on_conflict_do_update(
            index_elements=[_table.c.key],
            set_={
                "count": case((expired, amount), else_=_table.c.count + amount),
                "expires_at": case((expired, now + expiry), else_=_table.c.expires_at),
            },
        ).returning(_table.c.count)
        with engine.begin() as connection:
            return int(connection.execute(statement).scalar_one())

    def get(self, key: str) -> int:
        with _engine().connect() as connection:
            count = connection.execute(
                select(_table.c.count).where(_table.c.key == key, _table.c.expires_at > time.time())
            ).scalar()
        return int(count or 0)

    def get_expiry(self, key: str) -> float:
        with _engine().connect() as connection:
            expiry = connection.execute(
                select(_table.c.expires_at).where(_table.c.key == key)
            ).scalar()
        return float(expiry) if expiry is not None else time.time()

    def check(self) -> bool:
        with _engine().connect() as connection:
            connection.execute(select(func.count()).select_from(_table).limit(1))
        return True

    def reset(self) -> int | None:
        with _engine().begin() as connection:
            return connection.execute(delete(_table)).rowcount

    def clear(self, key: str) -> None:
        with _engine().begin() as connection:
            connection.execute(delete(_table).where(_table.c.key == key))
