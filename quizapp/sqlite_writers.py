"""SQLite: writers of the app's processes wait for each other in turn, without SQLite's naps.

SQLite lets one connection write at a time. A connection that finds the database locked
calls its busy handler, which sleeps and tries again: 1, 2, 5, 10 ms and longer naps. Two
gunicorn workers writing small transactions (heartbeats, autosaves: tens of microseconds
each) meet often, and each meeting cost the loser a whole nap: on the bench, the heartbeat
served 0.40 of /healthz with two workers against 0.46 with one (docs/benchmarks.md).

So every connection the engine opens takes an exclusive ``flock`` on a file beside the
database (``<database>-writer.lock``) before a statement that writes, and gives it up when
its transaction commits or rolls back (or the connection closes). A writer that finds the
lock taken retries it after 20 µs, then after twice as long each time, up to 1 ms: it waits
as long as the other's transaction lasts, not a nap's length. Reads never take it (WAL lets
them run beside a writer). The wait is bounded by the busy timeout: past it the statement
fails with SQLite's own error, "database is locked", as it did when SQLite's busy handler
waited, so nothing waits forever (not even a thread that holds the lock through one
connection and writes through another) and no writer ever goes on without the lock.
The lock is also held through an automatic WAL checkpoint that a commit runs (every 1,000
pages or so), which other writers could otherwise overlap: a fraction of a millisecond.

This orders the app's own writers; anything else that writes the file (the sqlite3 shell, a
migration run from another engine) takes SQLite's lock without the file lock and is waited
for by SQLite's busy handler, as before. ``flock`` locks belong to an open file, so each
connection opens its own, and a process forked after opening one opens it again (and never
unlocks its parent's). The file is opened read-only (``flock`` needs no more), so a lock file
created by another user (a command run as root) still serves the app's user.
"""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import time

#: Statements that write: everything but reads begins with one of these words; a ``WITH``
#: writes when it holds one of them.
_WRITES = re.compile(
    r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|BEGIN\s+(IMMEDIATE|EXCLUSIVE))\b", re.I
)
_WITH_WRITING = re.compile(r"\s*WITH\b.*\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.I | re.S)
FIRST_PAUSE = 0.00002
LONGEST_PAUSE = 0.001


def writes(sql: str) -> bool:
    """Tell whether ``sql`` writes (so must hold the writers' lock)."""
    return _WRITES.match(sql) is not None or _WITH_WRITING.match(sql) is not None


def lock_path(database: str) -> str | None:
    """The lock file of a database file; None for an in-memory or URI database."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return f"{database}-writer.lock"


class WriterCursor(sqlite3.Cursor):
    """A cursor that takes its connection's writers' lock before a statement that writes."""

    def execute(self, sql, *args):
        self.connection.before(sql)
        return super().execute(sql, *args)

    def executemany(self, sql, *args):
        self.connection.before(sql)
        return super().executemany(sql, *args)


class WriterConnection(sqlite3.Connection):
    """A ``sqlite3`` connection that holds the writers' lock from its first write to the end
    of the transaction (pass as ``factory`` to ``sqlite3.connect``)."""

    def __init__(self, database, timeout: float = 5.0, *args, **kwargs) -> None:
        super().__init__(database, timeout, *args, **kwargs)
        self._path = lock_path(os.fspath(database))
        self._timeout = timeout
        self._fd: int | None = None
        self._pid = 0
        self.held = False

    def cursor(self, factory=WriterCursor):
        return super().cursor(factory)

    def execute(self, sql, *args):
        return self.cursor().execute(sql, *args)

    def executemany(self, sql, *args):
        return self.cursor().executemany(sql, *args)

    def before(self, sql: str) -> None:
        if not self.held and self._path is not None and writes(sql):
            self._take()

    def _take(self) -> None:
        if self._pid != os.getpid():  # first use, or a process forked since
            if self._fd is not None:
                os.close(self._fd)  # the parent's open file: closing it frees nothing of theirs
            self.held = False
            self._fd = os.open(self._path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
            self._pid = os.getpid()
        if self._try():
            return
        deadline = time.monotonic() + self._timeout
        pause = FIRST_PAUSE
        while time.monotonic() < deadline:
            time.sleep(pause)
            if self._try():
                return
            pause = min(pause * 2, LONGEST_PAUSE)
        raise sqlite3.OperationalError("database is locked")

    def _try(self) -> bool:
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        self.held = True
        return True

    def _free(self) -> None:
        if self.held:
            self.held = False
            if self._pid == os.getpid():
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def commit(self) -> None:
        super().commit()  # a commit that fails leaves the transaction open, and the lock held
        self._free()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._free()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._free()
            if self._fd is not None and self._pid == os.getpid():
                os.close(self._fd)
            self._fd = None
