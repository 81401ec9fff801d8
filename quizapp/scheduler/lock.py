"""One scheduler per database: the lock ``flask --app wsgi scheduler`` holds while it runs.

APScheduler 3 keeps its jobs in one process's memory, so two schedulers would both run every
job (safe, since every job is idempotent, but wasteful, and a sign of a mistaken deployment).
The scheduler therefore takes a lock that lives exactly as long as the process:

- PostgreSQL: a session-level advisory lock held by a connection of the scheduler's own
  (``pg_try_advisory_lock``), in the database's own lock space, so installations sharing a
  server do not collide. The server releases it when the connection ends, however the
  process ends. :meth:`SchedulerLock.check` (run every minute by the runner) notices a lost
  connection (a restarted server, ``pg_terminate_backend``) and takes the lock again, or
  stops the scheduler if another one took it meanwhile.
- SQLite: an ``fcntl`` lock on a file beside the database file
  (``quizapp.sqlite3.scheduler-lock``), released by the kernel when the process ends.

A second scheduler started against the same database exits with :class:`AlreadyRunning`.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

#: The advisory lock's key: any fixed 64-bit number, the same in every release.
ADVISORY_KEY = 0x71756977_73636864  # "quiwschd"

MESSAGE = (
    "另一个调度进程已在运行（{where}）：每套系统只能运行一个调度进程，本进程退出。"
    " (another scheduler already runs against this database; this one exits)"
)


class AlreadyRunning(Exception):
    """Another scheduler holds the lock of this database."""

    def __init__(self, where: str) -> None:
        super().__init__(MESSAGE.format(where=where))
        self.message = str(self)


def lock_file_for(database_url: str) -> Path | None:
    """Return the lock file beside a SQLite database file (None for an in-memory one)."""
    database = make_url(database_url).database
    if not database or database == ":memory:":
        return None
    return Path(database).with_name(Path(database).name + ".scheduler-lock")


class SchedulerLock:
    """The lock of one database; :meth:`acquire` raises :class:`AlreadyRunning`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self._connection: Connection | None = None
        self._file: int | None = None

    def acquire(self) -> SchedulerLock:
        if self.postgres:
            self._take_advisory_lock()
        else:
            self._lock_file()
        return self

    def _take_advisory_lock(self) -> None:
        connection = self.engine.connect()
        # Autocommit: the lock belongs to the session, not to a transaction left open.
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        taken = connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY})
        if not taken:
            connection.close()
            raise AlreadyRunning(f"PostgreSQL 数据库 {self.engine.url.database} 的咨询锁已被占用")
        self._connection = connection

    def _lock_file(self) -> None:
        path = lock_file_for(str(self.engine.url))
        if path is None:
            return
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 32, 0).decode(errors="replace").strip()
            os.close(descriptor)
            raise AlreadyRunning(f"锁文件 {path} 被进程 {holder or '?'} 持有") from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        self._file = descriptor

    def check(self) -> None:
        """Make sure the lock is still held; take it again after a lost connection.

        Raises :class:`AlreadyRunning` when another scheduler took it meanwhile.
        """
        if not self.postgres:
            return  # the kernel holds a file lock as long as the process lives
        if self._connection is not None:
            try:
                self._connection.scalar(text("SELECT 1"))
                return
            except Exception:  # the connection is gone, and the lock with it
                try:
                    self._connection.invalidate()
                    self._connection.close()
                except Exception:
                    pass
                self._connection = None
        self._take_advisory_lock()

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY}
                )
            finally:
                self._connection.close()
                self._connection = None
        if self._file is not None:
            os.close(self._file)  # closing the descriptor releases the flock
            self._file = None

    def __enter__(self) -> SchedulerLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
