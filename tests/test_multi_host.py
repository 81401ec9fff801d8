"""Several app hosts on PostgreSQL: two gunicorn instances behind the shipped nginx site's
upstream, one scheduler (a second, started by mistake on the other host, exits), login
limits shared between the hosts, and a member's attempt that goes on, every answer and the
submit acknowledged, after the host that served it is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from quizapp import PROJECT_ROOT
from quizapp.config import normalise_database_url
from tests.conftest import own_database
from tests.serving import NGINX, Nginx, Phone, answer_for, build_world, kill_server, wait_for_text

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("QUIZAPP_TEST_DATABASE_URL"),
        reason="several app hosts share one PostgreSQL database (QUIZAPP_TEST_DATABASE_URL)",
    ),
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (.ci/run installs it)"),
]


def _requests(log: Path, method: str, prefix: str) -> int:
    """How many requests of ``method`` to paths starting with ``prefix`` a host served."""
    lines = log.read_text().splitlines() if log.exists() else []
    return sum(1 for line in lines if line.startswith(f"{method} {prefix}"))


def test_two_hosts_one_scheduler_shared_limits_and_an_attempt_surviving_its_host(tmp_path):
    from bench.common import Server

    with own_database(tmp_path / "unused.sqlite3") as url:
        world = build_world(url, tmp_path / "instance")
        env = world.env(LOGIN_LIMIT_PER_ADDRESS="3 per 15 minutes")
        logs = [tmp_path / "host-a.log", tmp_path / "host-b.log"]
        flask = [str(Path(sys.executable).with_name("flask")), "--app", "wsgi", "scheduler"]
        with (
            Server(env, workers=1, access_log=logs[0]) as host_a,
            Server(env, workers=1, access_log=logs[1]) as host_b,
            Nginx(tmp_path / "nginx", [host_a.port, host_b.port]) as nginx,
        ):
            with (tmp_path / "scheduler.log").open("w") as output:
                scheduler = subprocess.Popen(
                    flask, cwd=PROJECT_ROOT, env=os.environ | env, stdout=output, stderr=output
                )
            try:
                wait_for_text(tmp_path / "scheduler.log", "scheduler started", scheduler)
                # The other host's scheduler, started by mistake, refuses to run.
                second = subprocess.run(
                    flask,
                    cwd=PROJECT_ROOT,
                    env=os.environ | env,
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
                assert second.returncode == 1 and "另一个调度进程已在运行" in second.stderr
                assert scheduler.poll() is None

                # Failed logins from one address, spread over both hosts, count together.
                statuses = []
                for n in range(4):
                    phone = Phone(nginx.https_port, source="127.0.0.2")
                    if n % 2:  # nginx takes turns: so that the next POST goes to the other host
                        phone.request("GET", "/healthz")
                    statuses.append(phone.log_in("nobody", "wrong-pass1").status)
                assert statuses == [200, 200, 200, 429]
                assert all(_requests(log, "POST", "/login") for log in logs)

                phone = Phone(nginx.https_port)
                assert phone.log_in(world.members[0]).status == 302
                started = phone.request(
                    "POST", f"/api/quizzes/{world.quiz_id}/attempts", json_body={}
                )
                assert started.status == 201
                attempt = started.json()["attempt_id"]
                state = phone.request("GET", f"/api/attempts/{attempt}").json()
                questions = sorted(int(q) for q in state["answers"])
                served = [_requests(log, "POST", "/api/quizzes/") for log in logs]
                killed, survivor = (host_a, host_b) if served[0] else (host_b, host_a)

                acked = {}
                for n, qid in enumerate(questions, 1):
                    if n == len(questions) // 2:
                        kill_server(killed)  # the host that started the attempt is gone
                    saved = phone.request(
                        "PUT",
                        f"/api/attempts/{attempt}/answers/{qid}",
                        json_body={"seq": n, "response": answer_for(world.kinds[qid], n)},
                    )
                    assert saved.status == 200, saved.text
                    acked[qid] = n
                submitted = phone.request("POST", f"/api/attempts/{attempt}/submit", json_body={})
                assert submitted.status == 200 and submitted.json()["status"] == "submitted"
                assert survivor.process.poll() is None and killed.process.poll() is not None
            finally:
                scheduler.send_signal(signal.SIGTERM)
                scheduler.wait(timeout=120)

        engine = create_engine(normalise_database_url(url))
        with engine.connect() as connection:
            stored = dict(
                connection.execute(
                    text("SELECT question_id, seq FROM attempt_answers WHERE attempt_id = :a"),
                    {"a": attempt},
                ).all()
            )
            status = connection.scalar(
                text("SELECT status FROM attempts WHERE id = :a"), {"a": attempt}
            )
        engine.dispose()
        assert stored == acked and status == "submitted"
