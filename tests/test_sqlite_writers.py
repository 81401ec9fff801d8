"""SQLite's writers take turns on a file lock instead of napping in SQLite's busy handler."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading

import pytest
from sqlalchemy import text

from quizapp import db, sqlite_writers
from quizapp.sqlite_writers import WriterConnection


@pytest.fixture()
def path(tmp_path):
    database = str(tmp_path / "w.sqlite3")
    setup = sqlite3.connect(database)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE t (x INTEGER)")
    setup.commit()
    setup.close()
    return database


def _connect(path: str, timeout: float = 5.0) -> WriterConnection:
    return sqlite3.connect(path, timeout=timeout, factory=WriterConnection, check_same_thread=False)


def _free_to_take(path: str) -> bool:
    """Whether another open file could take the writers' lock now."""
    fd = os.open(f"{path}-writer.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ("INSERT INTO t VALUES (1)", True),
        ("  update t SET x = 2", True),
        ("DELETE FROM t", True),
        ("REPLACE INTO t VALUES (1)", True),
        ("CREATE TABLE u (y)", True),
        ("BEGIN IMMEDIATE", True),
        ("WITH s AS (SELECT 1) INSERT INTO t SELECT * FROM s", True),
        ("SELECT * FROM t", False),
        ("PRAGMA busy_timeout=100", False),
        ("WITH s AS (SELECT 1) SELECT * FROM s", False),
        ("BEGIN", False),
        ("SAVEPOINT sa_savepoint_1", False),
    ],
)
def test_only_statements_that_write_take_the_lock(sql, writes):
    assert sqlite_writers.writes(sql) is writes


def test_held_from_the_first_write_until_commit_or_rollback_or_close(path):
    connection = _connect(path)
    connection.execute("SELECT * FROM t").fetchall()
    assert not connection.held and _free_to_take(path)
    connection.execute("INSERT INTO t VALUES (1)")
    assert connection.held and not _free_to_take(path)
    connection.commit()
    assert not connection.held and _free_to_take(path)
    connection.execute("INSERT INTO t VALUES (2)")
    connection.rollback()
    assert not connection.held and _free_to_take(path)
    connection.execute("INSERT INTO t VALUES (3)")
    connection.close()
    assert _free_to_take(path)
    assert sqlite3.connect(path).execute("SELECT x FROM t").fetchall() == [(1,)]


def test_a_second_writer_waits_for_the_first_to_commit_and_reads_never_wait(path, monkeypatch):
    first, second = _connect(path), _connect(path, timeout=60)
    first.execute("INSERT INTO t VALUES (1)")
    waiting = threading.Event()
    real_sleep = sqlite_writers.time.sleep

    def noted_sleep(seconds):
        waiting.set()
        real_sleep(seconds)

    monkeypatch.setattr(sqlite_writers.time, "sleep", noted_sleep)
    # A read beside the writer: WAL, no lock taken, no wait.
    assert second.execute("SELECT count(*) FROM t").fetchone() == (0,)
    assert not waiting.is_set()
    done = []
    writer = threading.Thread(
        target=lambda: done.append(second.execute("INSERT INTO t VALUES (2)").rowcount)
    )
    writer.start()
    assert waiting.wait(30)  # the second writer is in its turn's loop, not in SQLite's nap
    assert not done
    first.commit()
    writer.join(30)
    assert done == [1] and second.held
    second.commit()
    assert sqlite3.connect(path).execute("SELECT x FROM t ORDER BY x").fetchall() == [(1,), (2,)]


def test_the_wait_is_bounded_by_the_busy_timeout(path):
    """The same thread holding the lock through one connection and writing through another
    gets SQLite's "database is locked" after the busy timeout, instead of waiting forever."""
    holder, other = _connect(path), _connect(path, timeout=0)
    holder.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("INSERT INTO t VALUES (2)")
    assert not other.held and not other.in_transaction  # it never went on without the lock
    holder.rollback()
    other.execute("INSERT INTO t VALUES (2)")
    other.commit()


def test_an_in_memory_database_has_no_lock_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    connection = sqlite3.connect(":memory:", factory=WriterConnection)
    connection.execute("CREATE TABLE t (x)")
    connection.execute("INSERT INTO t VALUES (1)")
    connection.commit()
    assert os.listdir(tmp_path) == []


def test_the_apps_engine_uses_it(app):
    if db.get_engine(app).dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL orders its writers itself")
    connection = db.session.connection()
    assert isinstance(connection.connection.dbapi_connection, WriterConnection)
    assert connection.execute(text("SELECT 1")).scalar() == 1


def test_a_killed_process_leaves_the_lock_free(path):
    """A worker killed inside a write transaction (gunicorn's timeout, the OOM killer) holds
    the lock through its open file: the kernel frees it with the process."""
    import subprocess
    import sys

    with subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            "from quizapp.sqlite_writers import WriterConnection\n"
            "c = sqlite3.connect(sys.argv[1], factory=WriterConnection)\n"
            "c.execute('INSERT INTO t VALUES (1)')\n"
            "print('held', c.held, flush=True)\n"
            "sys.stdin.read()\n",
            path,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    ) as holder:
        try:
            assert holder.stdout.readline().strip() == "held True"
            assert not _free_to_take(path)
        finally:
            holder.kill()
            holder.wait(30)
    assert _free_to_take(path)
    writer = _connect(path, timeout=0)
    writer.execute("INSERT INTO t VALUES (2)")  # SQLite rolled the dead one's write back
    writer.commit()
    assert sqlite3.connect(path).execute("SELECT x FROM t").fetchall() == [(2,)]
