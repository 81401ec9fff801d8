"""One scheduler per database (quizapp/scheduler/lock.py): a PostgreSQL advisory lock, or a
lock file beside the SQLite file. Runs on whichever database the suite runs on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from quizapp import PROJECT_ROOT, create_app, db, migrate
from quizapp.scheduler.lock import ADVISORY_KEY, AlreadyRunning, SchedulerLock, lock_file_for
from tests.conftest import own_database
from tests.serving import wait_for_text

FLASK = str(Path(sys.executable).with_name("flask"))


def test_a_second_lock_on_the_same_database_is_refused_until_the_first_ends(app):
    engine = db.get_engine(app)
    with SchedulerLock(engine), pytest.raises(AlreadyRunning, match="另一个调度进程已在运行"):
        SchedulerLock(engine).acquire()
    # Released: the next scheduler takes it.
    with SchedulerLock(engine):
        pass


def test_the_sqlite_lock_file_lies_beside_the_database_file():
    assert lock_file_for("sqlite:////srv/quizapp/instance/quizapp.sqlite3") == Path(
        "/srv/quizapp/instance/quizapp.sqlite3.scheduler-lock"
    )
    assert lock_file_for("sqlite://") is None


@pytest.mark.skipif(
    not os.environ.get("QUIZAPP_TEST_DATABASE_URL"), reason="advisory locks need PostgreSQL"
)
def test_a_lost_postgres_connection_is_noticed_and_the_lock_taken_again(app):
    engine = db.get_engine(app)

    def terminate(lock: SchedulerLock) -> None:
        pid = lock._connection.scalar(text("SELECT pg_backend_pid()"))
        with engine.connect() as other:
            assert other.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        time.sleep(0.2)  # not a deadline: the server ends the backend asynchronously

    with SchedulerLock(engine) as lock:
        terminate(lock)
        lock.check()  # reconnects and takes the lock again
        with pytest.raises(AlreadyRunning):
            SchedulerLock(engine).acquire()
        terminate(lock)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as thief:
            assert thief.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY})
            with pytest.raises(AlreadyRunning):
                lock.check()  # another scheduler has it now: this one must stop


def test_a_second_scheduler_process_exits_with_a_clear_message(tmp_path):
    with own_database(tmp_path / "quizapp.sqlite3") as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "s"})
        migrate.upgrade(app)
        db.get_engine(app).dispose()
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
        env |= {"DATABASE_URL": url, "SECRET_KEY": "s", "QUIZAPP_INSTANCE": str(tmp_path)}
        log = tmp_path / "first.log"
        command = [FLASK, "--app", "wsgi", "scheduler"]
        with log.open("w") as output:
            first = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
            )
        try:
            wait_for_text(log, "scheduler started", first)
            second = subprocess.run(
                command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60
            )
            assert second.returncode == 1, second.stdout + second.stderr
            assert "另一个调度进程已在运行" in second.stderr
            assert "scheduler started" not in second.stderr
        finally:
            first.send_signal(signal.SIGTERM)
            assert first.wait(timeout=60) == 0, log.read_text()


def test_the_runner_stops_when_another_scheduler_took_the_lock_and_waits_out_outages():
    from quizapp.scheduler.runner import _keep_lock

    class Lock:
        def __init__(self, error: Exception) -> None:
            self.error = error

        def check(self) -> None:
            raise self.error

    class Scheduler:
        stopped = False

        def shutdown(self, wait: bool) -> None:
            self.stopped = True

    lost, scheduler = [], Scheduler()
    _keep_lock(Lock(OSError("database unreachable")), scheduler, lost)()
    assert not lost and not scheduler.stopped  # tried again next minute
    taken = AlreadyRunning("PostgreSQL")
    _keep_lock(Lock(taken), scheduler, lost)()
    assert lost == [taken] and scheduler.stopped  # run_forever then raises it: exit status 1
