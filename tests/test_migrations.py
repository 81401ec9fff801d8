"""The stock `alembic` command migrates a fresh database up, down to base and up again."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from quizapp import create_app, migrate
from tests.conftest import own_database

ROOT = Path(__file__).resolve().parent.parent
ALEMBIC = Path(sys.executable).with_name("alembic")


@pytest.fixture()
def fresh_database_url(tmp_path):
    """A database of this test's own, on the server the suite runs on."""
    with own_database(tmp_path / "migrations.sqlite3") as url:
        yield url


def _alembic(url: str, tmp_path: Path, *args: str) -> str:
    env = os.environ | {"DATABASE_URL": url, "QUIZAPP_INSTANCE": str(tmp_path), "SECRET_KEY": "t"}
    done = subprocess.run(
        [str(ALEMBIC), *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def _engine(url: str):
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


def _tables(url: str) -> set[str]:
    engine = _engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_up_down_to_base_and_up_again(fresh_database_url, tmp_path):
    url = fresh_database_url
    heads = _alembic(url, tmp_path, "heads")
    head = heads.split()[0]

    upgraded = _alembic(url, tmp_path, "upgrade", "head")
    assert "Running upgrade" in upgraded
    assert head in _alembic(url, tmp_path, "current")
    tables = _tables(url)
    assert {"members", "branches", "questions", "quizzes", "attempts"} <= tables

    downgraded = _alembic(url, tmp_path, "downgrade", "base")
    assert "Running downgrade" in downgraded
    assert _tables(url) <= {"alembic_version"}

    _alembic(url, tmp_path, "upgrade", "head")
    assert _tables(url) == tables
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "t", "TESTING": True})
    app.instance_path = str(tmp_path)
    assert migrate.pending_changes(app) == []  # the models and the migrated schema agree
    from quizapp.db import get_engine

    get_engine(app).dispose()


def _rows_of_0009_migrated_to(url: str, tmp_path: Path, revision: str) -> None:
    """A database at 0009 given ``_rows_of_0009``, then migrated up to ``revision``."""
    _alembic(url, tmp_path, "upgrade", "0009")
    _rows_of_0009(url)
    _alembic(url, tmp_path, "upgrade", revision)


def _rows_of_0009(url: str) -> None:
    """One quiz and four submitted attempts as the code of 0009 wrote them, one in progress."""
    engine = _engine(url)
    t = datetime(2026, 11, 21, 2, 0)  # naive: UTC, as SQLite stores it; PG takes it as such
    closes = t + timedelta(hours=3)
    statements = [
        (
            "INSERT INTO branches (id, kind, code, name, sort_order, is_active, path, created_at)"
            " VALUES (1, 'bureau', 'JU', '市局', 0, true, '/1/', :t)",
            {},
        ),
        ("INSERT INTO audiences (id, statuses) VALUES (1, '[]')", {}),
        (
            "INSERT INTO members (id, police_no, name, branch_id, political_status, is_active,"
            " role, must_change_password, session_version, created_at, updated_at)"
            " VALUES (1, 'a1', '甲', 1, 'full', true, 'member', false, 1, :t, :t)",
            {},
        ),
        (
            "INSERT INTO quizzes (id, title, description, kind, owner_branch_id, audience_id,"
            " opens_at, closes_at, time_limit_minutes, attempts_allowed, counting, pass_percent,"
            " points, partial_credit, shuffle_questions, shuffle_options, review_when,"
            " review_show_answers, review_show_explanations, leave_limit, status, created_at,"
            " updated_at) VALUES (1, '测', '', 'test', 1, 1, :t, :closes, 30, 9, 'highest', 60,"
            " '{}', false, true, true, 'immediately', true, true, 3, 'published', :t, :t)",
            {"closes": closes},
        ),
    ]
    # (number, deadline, submitted at, auto_submitted): pressed 交卷; time ran out; the 切屏
    # limit (before the deadline); the quiz's close; still in progress.
    attempts = [
        (1, t + timedelta(minutes=30), t + timedelta(minutes=10), False),
        (2, t + timedelta(minutes=30), t + timedelta(minutes=30), True),
        (3, t + timedelta(minutes=30), t + timedelta(minutes=5), True),
        (4, closes, closes, True),
        (5, closes, None, False),
    ]
    with engine.begin() as connection:
        for sql, params in statements:
            connection.execute(text(sql), {"t": t} | params)
        for number, deadline, submitted, auto in attempts:
            connection.execute(
                text(
                    "INSERT INTO attempts (quiz_id, member_id, number, status, started_at,"
                    " deadline_at, submitted_at, auto_submitted, max_score, leave_count,"
                    " wrong_answers_booked) VALUES (1, 1, :n, :status, :t, :deadline,"
                    " :submitted, :auto, 10, 0, false)"
                ),
                {
                    "n": number,
                    "status": "submitted" if submitted else "in_progress",
                    "t": t,
                    "deadline": deadline,
                    "submitted": submitted,
                    "auto": auto,
                },
            )
    engine.dispose()


def _read(url: str, sql: str) -> list:
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def test_0013_tells_how_existing_attempts_ended(fresh_database_url, tmp_path):
    url = fresh_database_url
    _rows_of_0009_migrated_to(url, tmp_path, "0013")
    assert _read(url, "SELECT number, end_reason FROM attempts ORDER BY number") == [
        (1, "member"),
        (2, "time_up"),
        (3, "leave_limit"),
        (4, "closed"),
        (5, None),
    ]
    assert _read(url, "SELECT leave_policy, leave_limit FROM quizzes") == [("submit", 3)]
    _alembic(url, tmp_path, "downgrade", "0009")
    autos = _read(url, "SELECT number, auto_submitted FROM attempts ORDER BY number")
    assert [(n, bool(a)) for n, a in autos] == [
        (1, False),
        (2, True),
        (3, True),
        (4, True),
        (5, False),
    ]


def test_0017_keeps_every_attempt_and_answer_and_admits_marking(fresh_database_url, tmp_path):
    url = fresh_database_url
    _rows_of_0009_migrated_to(url, tmp_path, "0016")
    engine = _engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO questions (id, key, type, stem, options, answer, explanation, source,"
                " difficulty, tags, owner_branch_id, is_active, exam_only, fingerprint,"
                " created_at, updated_at) VALUES (1, 'q1', 'single', '题', '[\"甲\", \"乙\"]', '0',"
                " '', '', 2, '', 1, true, false, 'f', :t, :t)"
            ),
            {"t": datetime(2026, 11, 21, 2, 0)},
        )
        connection.execute(
            text(
                "INSERT INTO attempt_answers (attempt_id, question_id, position, option_order,"
                " points, seq) SELECT id, 1, 0, '[]', 2, 0 FROM attempts"
            )
        )
    engine.dispose()
    # SQLite: the CHECK is widened in place; copying attempts would have cascade-deleted these.
    _alembic(url, tmp_path, "upgrade", "0017")
    assert _read(url, "SELECT count(*) FROM attempts") == [(5,)]
    assert _read(url, "SELECT count(*), sum(mark_version) FROM attempt_answers") == [(5, 0)]
    engine = _engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE attempts SET status = 'marking' WHERE number = 1"))
    with pytest.raises(IntegrityError, match=r"(?i)check"), engine.begin() as connection:
        connection.execute(text("UPDATE attempts SET status = 'lost' WHERE number = 2"))
    with engine.begin() as connection:
        connection.execute(text("UPDATE attempts SET status = 'submitted' WHERE number = 1"))
    engine.dispose()
    _alembic(url, tmp_path, "downgrade", "0016")
    assert _read(url, "SELECT count(*) FROM attempt_answers") == [(5,)]


def _a_material_at(url: str, tmp_path: Path, revision: str) -> datetime:
    """A database of ``_rows_of_0009`` at ``revision`` (0018 or later) with material 1,
    published; return the time the rows were written."""
    _rows_of_0009_migrated_to(url, tmp_path, revision)
    t = datetime(2026, 11, 21, 2, 0)
    engine = _engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO materials (id, title, topic, body_markdown, body_html,"
                " estimated_minutes, audience_id, is_required, sort_order, status,"
                " owner_branch_id, created_at, updated_at) VALUES (1, '学', '专题', '', '', 10,"
                " 1, false, 0, 'published', 1, :t, :t)"
            ),
            {"t": t},
        )
    engine.dispose()
    return t


def test_0019_starts_each_members_study_clock_at_their_latest_heartbeat(
    fresh_database_url, tmp_path
):
    url = fresh_database_url
    t = _a_material_at(url, tmp_path, "0018")
    engine = _engine(url)
    with engine.begin() as connection:
        for day, last in ((t.date(), t), (t.date() + timedelta(days=1), t + timedelta(days=1))):
            connection.execute(
                text(
                    "INSERT INTO study_minutes (member_id, material_id, day, seconds,"
                    " first_beat_at, last_beat_at) VALUES (1, 1, :day, 30, :first, :last)"
                ),
                {"day": day, "first": last - timedelta(seconds=30), "last": last},
            )
    engine.dispose()
    _alembic(url, tmp_path, "upgrade", "0019")
    (clock,) = _read(url, "SELECT member_id, last_beat_at FROM study_clocks")
    assert clock[0] == 1 and str(clock[1]).startswith("2026-11-22 02:00:00")
    _alembic(url, tmp_path, "downgrade", "0018")
    assert "study_clocks" not in _tables(url)


def _execute(url: str, sql: str, *params: dict) -> None:
    """Run ``sql`` once per set of ``params`` (once without), in one transaction."""
    engine = _engine(url)
    try:
        with engine.begin() as connection:
            for values in params or ({},):
                connection.execute(text(sql), values)
    finally:
        engine.dispose()


def test_0021_keeps_one_waiting_reflection_per_subject_and_loses_no_text(
    fresh_database_url, tmp_path
):
    url = fresh_database_url
    t = _a_material_at(url, tmp_path, "0020")
    # 1-3: a waiting text saved three times (the double submission); 4: another waiting text
    # on the same material; 5: an accepted copy.
    rows = [(1, "体会", "submitted"), (2, "体会", "submitted"), (3, "体会", "submitted")]
    rows += [(4, "另一篇", "submitted"), (5, "体会", "accepted")]
    _execute(
        url,
        "INSERT INTO reflections (id, member_id, material_id, title, body, status,"
        " review_comment, submitted_at) VALUES (:id, 1, 1, :title, '正文', :status, '', :t)",
        *({"id": id_, "title": title, "status": status, "t": t} for id_, title, status in rows),
    )
    _alembic(url, tmp_path, "upgrade", "0021")
    rows = _read(url, "SELECT id, status, review_comment <> '' FROM reflections ORDER BY id")
    assert [(i, s, bool(c)) for i, s, c in rows] == [
        (1, "submitted", False),
        (4, "returned", True),
        (5, "accepted", False),
    ]
    waiting_again = "UPDATE reflections SET status = 'submitted' WHERE id = 4"
    with pytest.raises(IntegrityError):
        _execute(url, waiting_again)
    _alembic(url, tmp_path, "downgrade", "0020")
    _execute(url, waiting_again)
