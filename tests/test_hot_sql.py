"""The hot statements run on the driver's cursor give what SQLAlchemy's execution gives.

Each statement of the heartbeat and the autosave is run both ways on the same data (on
SQLite, and on PostgreSQL when the suite runs there): the same rows, the same Python types
(aware UTC datetimes, dates, integers), the same row counts; driver errors come out as
SQLAlchemy's exceptions.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Integer, column, exc, select, table, text

from quizapp import db
from quizapp.attempts import autosave, services
from quizapp.clock import china_today
from quizapp.hot_sql import HotStatement
from quizapp.study import minutes
from tests.factories import NOW as QUIZ_TIME
from tests.factories import make_material, make_questions, make_quiz

NOW = datetime(2026, 12, 4, 2, 0, 30, 123456, tzinfo=UTC)


def _both(statement: HotStatement, params: dict):
    connection = db.session.connection()
    ours = statement.execute(connection, params)
    theirs = connection.execute(statement.statement, params)
    return ours, theirs


def test_the_heartbeat_read_gives_sqlalchemys_rows(org):
    material = make_material(org, opens_at=NOW - timedelta(days=1))
    db.session.flush()
    minutes.record_heartbeat(minutes_ref(org.m1), material.id, NOW)
    minutes.record_heartbeat(minutes_ref(org.m1), material.id, NOW + timedelta(seconds=30))
    today = china_today(NOW)
    params = {
        "member_id": org.m1.id,
        "version": org.m1.session_version,
        "material_id": material.id,
        "today": today,
    }
    ours, theirs = _both(minutes._READ, params)
    expected = [tuple(row) for row in theirs.all()]
    assert [tuple(row) for row in ours.rows] == expected
    row = ours.first()
    assert row.last_beat_at == NOW + timedelta(seconds=30) and row.last_beat_at.tzinfo == UTC
    assert row.updated_at.tzinfo == UTC and row.opens_at == NOW - timedelta(days=1)
    assert row.today_seconds == 30 and isinstance(row.today_seconds, int)
    assert row.status == "published"
    wrong = {**params, "version": org.m1.session_version + 1}
    ours, theirs = _both(minutes._READ, wrong)
    assert ours.rows == [] and ours.first() is None and theirs.first() is None


def _writes():
    """The heartbeat's writes as this database runs them: (move the clock, add the seconds)
    as one statement on PostgreSQL, two on SQLite; each returns a row only when it wrote."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        return lambda seen, params: minutes._MOVE_CLOCK_AND_ADD[seen].execute(connection, params)

    def both(seen, params):
        moved = minutes._MOVE_CLOCK[seen].execute(connection, params)
        return minutes._ADD.execute(connection, params) if moved.rows else moved

    return both


@pytest.mark.parametrize("way", ["hot", "sqlalchemy"])
def test_the_heartbeats_writes_move_the_clock_once_and_add_seconds(org, way):
    material = make_material(org)
    db.session.flush()
    connection = db.session.connection()
    first = {"m": org.m1.id, "mat": material.id, "day": china_today(NOW), "credit": 0, "now": NOW}
    if way == "hot":
        write = _writes()
    else:  # the same statements through SQLAlchemy's own execution, as the reference

        def write(seen, params):
            if connection.dialect.name == "postgresql":
                return connection.execute(minutes._MOVE_CLOCK_AND_ADD[seen].statement, params)
            moved = connection.execute(minutes._MOVE_CLOCK[seen].statement, params).all()
            return connection.execute(minutes._ADD.statement, params) if moved else None

    def rows(result):
        return [] if result is None else [tuple(r) for r in getattr(result, "rows", result)]

    assert rows(write(False, first)) == [(0,)]
    assert rows(write(False, first)) == []  # a clock exists now: a first beat is not first
    later = NOW + timedelta(seconds=30)
    nxt = {**first, "credit": 30, "now": later, "seen": NOW}
    assert rows(write(True, nxt)) == [(30,)]
    assert rows(write(True, nxt)) == []  # the time it saw is not the clock's any more
    stored = db.session.execute(
        text(
            "SELECT seconds, study_minutes.last_beat_at AS beat, study_clocks.last_beat_at AS clock"
            " FROM study_minutes JOIN study_clocks USING (member_id) WHERE member_id = :m"
        ),
        {"m": org.m1.id},
    ).one()
    assert stored.seconds == 30 and stored.beat == stored.clock


def test_the_autosave_statements_give_sqlalchemys_rows_and_counts(org):
    single = make_questions(org.admin)["single"][0]
    quiz = make_quiz(org.admin, [org.u1], questions=[single])
    attempt, _ = services.start_attempt(org.m1, quiz, QUIZ_TIME)
    question_id = attempt.answers[0].question_id
    params = {
        "attempt_id": attempt.id,
        "question_id": question_id,
        "member_id": attempt.member_id,
        "version": org.m1.session_version,
    }
    ours, theirs = _both(autosave._SAVE_READ, params)
    assert [tuple(r) for r in ours.rows] == [tuple(r) for r in theirs.all()]
    row = ours.first()
    assert row.deadline_at.tzinfo == UTC and row.seq == 0
    write = {
        "b_attempt": attempt.id,
        "b_question": question_id,
        "b_seq": 5,
        "b_response": 1,
        "b_now": NOW,
    }
    assert autosave._SAVE_WRITE.execute(db.session.connection(), write).rowcount == 1
    assert autosave._SAVE_WRITE.execute(db.session.connection(), write).rowcount == 0
    again = autosave._SAVE_READ.execute(db.session.connection(), params).first()
    assert again.seq == 5


def test_the_one_statement_autosave_counts_what_sqlalchemys_would(org):
    single = make_questions(org.admin)["single"][0]
    quiz = make_quiz(org.admin, [org.u1], questions=[single])
    attempt, _ = services.start_attempt(org.m1, quiz, QUIZ_TIME)
    read = {
        "attempt_id": attempt.id,
        "question_id": single.id,
        "member_id": org.m1.id,
        "version": org.m1.session_version,
    }
    row = autosave._SAVE_READ.execute(db.session.connection(), read).first()
    assert row.options_text == db.session.scalar(
        text("SELECT CAST(options AS TEXT) FROM questions WHERE id = :id"), {"id": single.id}
    )
    save = {
        "f_attempt": attempt.id,
        "f_member": org.m1.id,
        "f_version": org.m1.session_version,
        "f_cutoff": QUIZ_TIME - services.GRACE,
        "f_question": single.id,
        "f_seq": 5,
        "f_type": row.type,
        "f_stem": row.stem,
        "f_options": row.options_text,
        "f_response": 1,
        "f_now": NOW,
    }
    connection = db.session.connection()
    assert autosave._SAVE_ONE.execute(connection, save).rowcount == 1
    assert connection.execute(autosave._SAVE_ONE.statement, save | {"f_seq": 6}).rowcount == 1
    for changed in ({"f_seq": 6}, {"f_options": "[]"}, {"f_version": 0}):
        params = save | {"f_seq": 7} | changed
        assert autosave._SAVE_ONE.execute(connection, params).rowcount == 0, changed
        assert connection.execute(autosave._SAVE_ONE.statement, params).rowcount == 0
    again = autosave._SAVE_READ.execute(connection, read).first()
    assert again.seq == 6


def test_driver_errors_are_sqlalchemys_exceptions(org):
    things = table("no_such_table", column("id", Integer))
    broken = HotStatement(select(things.c.id))
    with pytest.raises(exc.DBAPIError) as raised:
        broken.execute(db.session.connection(), {})
    assert isinstance(raised.value, exc.ProgrammingError | exc.OperationalError)
    assert not raised.value.connection_invalidated


def test_the_engines_statement_listeners_see_hot_statements(org, queries):
    day = NOW.date()
    with queries() as statements:
        minutes._READ.execute(
            db.session.connection(),
            {"member_id": 0, "version": 0, "material_id": 0, "today": day},
        )
    assert len(statements) == 1 and "study_minutes" in statements[0]


def minutes_ref(member):
    from quizapp.auth.session_ref import SessionRef

    return SessionRef(member.id, member.session_version)


def test_a_lost_connection_is_invalidated_as_sqlalchemy_would(org, database_url):
    """The request's retry (actions.run) runs again only on an invalidated connection."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: a SQLite connection can't be terminated by the server")
    import psycopg

    connection = db.session.connection()
    pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    plain = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))
    day = NOW.date()
    with pytest.raises(exc.OperationalError) as raised:
        minutes._READ.execute(
            connection,
            {"member_id": 0, "version": 0, "material_id": 0, "today": day},
        )
    assert raised.value.connection_invalidated
    db.session.rollback()
