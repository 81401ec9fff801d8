"""The exam-day load scenario (bench/exam_day.py) in miniature, so it never rots.

Not in the default run (it drives gunicorn and the scheduler for about 15 s): `make soak`
runs it, on SQLite and, with QUIZAPP_TEST_DATABASE_URL set, on PostgreSQL.

A few dozen simulated members for a few seconds, with every fault of the full run: a gunicorn
worker killed with SIGKILL, (on PostgreSQL) the app's connections terminated from the server,
and the scheduler process stopped and started again. The run must lose no acknowledged
answer, submit no attempt twice and leave no overdue attempt in progress.
"""

from __future__ import annotations

import os
import subprocess
import sys

from quizapp import PROJECT_ROOT


def test_exam_day_smoke_run_loses_nothing_through_faults():
    command = [sys.executable, "bench/exam_day.py", "--smoke", "--faults"]
    postgres = os.environ.get("QUIZAPP_TEST_DATABASE_URL")
    if postgres:
        command += ["--postgres", postgres]  # the run makes and drops a database of its own
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    done = subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    assert "lost answers: 0" in report and "changed answers: 0" in report
    assert "SIGKILL gunicorn worker" in report and "scheduler started again" in report
    assert "PASS" in report
