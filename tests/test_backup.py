"""``flask --app wsgi backup PATH`` while members are answering, and ``restore PATH`` into a
fresh installation: every answer acknowledged before the backup began is in the restored
database, with the uploaded files. On PostgreSQL (QUIZAPP_TEST_DATABASE_URL) the test makes
and drops databases of its own and the backup is pg_dump's."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from quizapp import PROJECT_ROOT, create_app, db
from quizapp.config import normalise_database_url
from tests.conftest import own_database
from tests.serving import SECRET, Phone, answer_for, build_world

FLASK = str(Path(sys.executable).with_name("flask"))


def _flask(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    return subprocess.run(
        [FLASK, "--app", "wsgi", *args],
        cwd=PROJECT_ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _cli(url: str, instance: Path, *args: str):
    """Run a command in this process, on an app of the given database and instance."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
    app.instance_path = str(instance)
    try:
        with app.app_context():  # as the flask command gives every command
            return app.test_cli_runner().invoke(args=list(args))
    finally:
        db.get_engine(app).dispose()


class Member(threading.Thread):
    """Starts the exam and keeps changing its answers until told to stop; records what the
    server acknowledged, and when."""

    def __init__(self, port: int, member_id: int, world, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        from bench.common import session_cookie

        self.phone = Phone(port, tls=False)
        cookie, self.phone.csrf = session_cookie(SECRET, member_id, 1, f"csrf{member_id}")
        self.phone.cookies["session"] = cookie
        self.world, self.stop = world, stop
        self.acked: list[tuple[float, int, int, object]] = []  # (time, question, seq, response)
        self.attempt: int | None = None
        self.failures: list[str] = []

    def run(self) -> None:
        started = self.phone.request(
            "POST", f"/api/quizzes/{self.world.quiz_id}/attempts", json_body={}
        )
        self.attempt = started.json()["attempt_id"]
        questions = sorted(int(q) for q in started.json().get("answers", {})) or sorted(
            int(q)
            for q in self.phone.request("GET", f"/api/attempts/{self.attempt}").json()["answers"]
        )
        seq = 0
        while not self.stop.is_set():
            for qid in questions:
                seq += 1
                response = answer_for(self.world.kinds[qid], seq)
                saved = self.phone.request(
                    "PUT",
                    f"/api/attempts/{self.attempt}/answers/{qid}",
                    json_body={"seq": seq, "response": response},
                )
                if saved.status == 200 and saved.json()["saved"]:
                    self.acked.append((time.monotonic(), qid, seq, response))
                else:
                    self.failures.append(f"{saved.status} {saved.text}")
                time.sleep(0.01)  # a phone's pace, and CPU left for the backup itself


@pytest.mark.skipif(
    bool(os.environ.get("QUIZAPP_TEST_DATABASE_URL")) and not shutil.which("pg_dump"),
    reason="PostgreSQL backups need pg_dump and pg_restore (postgresql-client; .ci/run installs it)",
)
def test_a_backup_taken_during_an_exam_is_restored_with_every_acknowledged_answer(tmp_path):
    from bench.common import Server

    with (
        own_database(tmp_path / "quizapp.sqlite3") as url,
        own_database(tmp_path / "restored.sqlite3") as restored_url,
    ):
        world = build_world(url, tmp_path / "instance", members=4)
        upload = tmp_path / "instance" / "uploads" / "materials" / "1" / "lesson.pdf"
        upload.parent.mkdir(parents=True)
        upload.write_bytes(b"%PDF-1.4 a lesson")
        stop = threading.Event()
        with Server(world.env(), workers=2) as server:
            members = [Member(server.port, m, world, stop) for m in world.member_ids]
            for member in members:
                member.start()
            while sum(len(m.acked) for m in members) < 40:  # the exam is well under way
                assert all(m.is_alive() for m in members)
                time.sleep(0.05)
            backup_began = time.monotonic()
            made = _flask(world.env(), "backup", str(tmp_path / "backup"))
            backup_ended = time.monotonic()
            time.sleep(0.3)  # answers go on being saved after the backup
            stop.set()
            for member in members:
                member.join(timeout=30)
        assert made.returncode == 0, made.stderr
        assert "backup written" in made.stdout
        assert not any(m.failures for m in members), [m.failures for m in members]
        during = sum(1 for m in members for t, *_ in m.acked if backup_began < t < backup_ended)
        assert during > 0, "no answer was saved while the backup ran"
        database = "database.pgdump" if "postgresql" in url else "database.sqlite3"
        names = {p.name for p in (tmp_path / "backup").iterdir()}
        assert names == {"manifest.json", database, "uploads"}  # the key is in the environment

        # Not into the installation it came from: that one has data.
        refused = _cli(url, tmp_path / "instance", "restore", str(tmp_path / "backup"))
        assert refused.exit_code == 1 and "不是空的" in refused.output

        restored = _cli(restored_url, tmp_path / "new", "restore", str(tmp_path / "backup"))
        assert restored.exit_code == 0, restored.output
        assert (tmp_path / "new" / "uploads" / "materials" / "1" / "lesson.pdf").read_bytes() == (
            b"%PDF-1.4 a lesson"
        )

        engine = create_engine(normalise_database_url(restored_url))
        with engine.connect() as connection:
            stored = {
                (attempt, qid): seq
                for attempt, qid, seq in connection.execute(
                    text("SELECT attempt_id, question_id, seq FROM attempt_answers")
                )
            }
        engine.dispose()
        checked = 0
        for member in members:
            for at, qid, seq, _response in member.acked:
                if at < backup_began:  # acknowledged before the backup began: must be there
                    assert stored[(member.attempt, qid)] >= seq, (member.attempt, qid, seq)
                    checked += 1
        assert checked >= 40


def test_restore_refuses_what_is_not_a_backup_and_backup_a_folder_that_exists(tmp_path):
    (tmp_path / "empty").mkdir()
    url = f"sqlite:///{tmp_path}/db.sqlite3"
    refused = _cli(url, tmp_path, "restore", str(tmp_path / "empty"))
    assert refused.exit_code == 1 and "不是完整的备份目录" in refused.output
    again = _cli(url, tmp_path, "backup", str(tmp_path / "empty"))
    assert again.exit_code == 1 and "已存在" in again.output
