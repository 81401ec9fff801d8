"""The autosave as one statement on PostgreSQL (quizapp/attempts/autosave.py): the copies of
questions it parses against, its fallback to the checked path, and its races with a submit
on two real connections. On SQLite the checked path runs alone, as these tests also check."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import text, update

from quizapp import actions, create_app, db
from quizapp.attempts import autosave, services
from quizapp.attempts.question_copies import QuestionCopies, QuestionCopy, app_copies
from quizapp.auth.session_ref import SessionRef
from quizapp.bank.models import Question
from quizapp.errors import DomainError, SessionInvalid
from quizapp.members.models import Member
from quizapp.quizzes.attempt_models import Attempt, AttemptAnswer
from tests.factories import NOW, fresh, make_quiz

#: How long a race test waits for the other thread before failing (never reached when right).
PATIENCE = 20


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


@pytest.fixture()
def postgresql(app):
    if not _on_postgresql():
        pytest.skip("PostgreSQL only: SQLite always takes the checked path")


@pytest.fixture()
def sitting(org, bank):
    """An attempt in progress of m1 at a quiz of one single choice and one fill question,
    committed: (attempt, single question, fill question)."""
    single, fill = bank["single"][0], bank["fill"][0]
    quiz = make_quiz(org.admin, [org.u1], questions=[single, fill], time_limit_minutes=10)
    attempt, _ = services.start_attempt(org.m1, quiz, NOW)
    db.session.commit()
    return attempt, single, fill


def _ref(member) -> SessionRef:
    return SessionRef(member.id, member.session_version)


def _stored(attempt, question) -> AttemptAnswer:
    return next(a for a in fresh(attempt).answers if a.question_id == question.id)


def _save(attempt, question, response, seq, now=NOW):
    return autosave.save_answer(_ref(attempt.member), attempt.id, question.id, response, seq, now)


def test_the_first_save_of_a_question_reads_it_and_the_next_are_one_statement(sitting, queries):
    attempt, single, _fill = sitting
    with queries() as first:
        assert _save(attempt, single, 1, 1).saved
    db.session.commit()
    with queries() as second:
        assert _save(attempt, single, 2, 2).saved
    db.session.commit()
    assert len(first) == 2, first
    if _on_postgresql():
        assert len(second) == 1 and second[0].startswith("UPDATE attempt_answers"), second
        assert app_copies().get(single.id).options == single.options
    else:
        assert len(second) == 2, second
        assert app_copies().get(single.id) is None  # SQLite keeps no copies
    stored = _stored(attempt, single)
    assert (stored.response, stored.seq) == (2, 2)


def test_an_older_seq_falls_back_and_is_refused_as_before(postgresql, sitting, queries):
    attempt, single, _fill = sitting
    assert _save(attempt, single, 1, 5).saved
    assert _save(attempt, single, 2, 6).saved
    db.session.commit()
    with queries() as statements:
        late = _save(attempt, single, 3, 4)
    assert (late.saved, late.seq) == (False, 6)
    # The one statement changes nothing; the checked path's read finds the newer answer.
    assert len(statements) == 2 and statements[0].startswith("UPDATE"), statements
    stored = _stored(attempt, single)
    assert (stored.response, stored.seq) == (2, 6)


def test_refusals_after_a_one_statement_save_are_those_of_the_checked_path(
    postgresql, sitting, org
):
    attempt, single, _fill = sitting
    assert _save(attempt, single, 1, 1).saved  # the copy is made
    db.session.commit()
    # Past the deadline and its grace: the save submits the attempt and says so.
    late = NOW + timedelta(minutes=11)
    with pytest.raises(services.DeadlinePassed):
        actions.run(lambda: _save(attempt, single, 2, 2, now=late))
    ended = fresh(attempt)
    assert ended.status == "submitted" and ended.end_reason == "time_up"
    assert _stored(attempt, single).response == 1
    # Submitted: closed.
    with pytest.raises(services.AttemptClosed):
        _save(attempt, single, 2, 3)
    # Logged out elsewhere (the session's version moved on): the session is invalid.
    db.session.execute(update(Member).where(Member.id == org.m1.id).values(session_version=9))
    db.session.commit()
    with pytest.raises(SessionInvalid):
        autosave.save_answer(SessionRef(org.m1.id, 1), attempt.id, single.id, 2, 4, NOW)


# The copies of questions


def _edit(question, **values) -> None:
    """Change a question as an organiser would, keeping its updated_at (a frozen clock, or two
    edits in one microsecond): only the content tells the copy is stale."""
    stamp = question.updated_at
    db.session.execute(update(Question).where(Question.id == question.id).values(**values))
    db.session.execute(update(Question).where(Question.id == question.id).values(updated_at=stamp))
    db.session.commit()
    assert fresh(question).updated_at == stamp


def test_a_copy_of_an_edited_question_never_validates_an_answer(postgresql, sitting, queries):
    attempt, single, _fill = sitting
    assert _save(attempt, single, 3, 1).saved
    assert _save(attempt, single, 3, 2).saved  # one statement, on the copy (four options)
    db.session.commit()
    _edit(single, options=["警告", "记过"])
    # Option 3 fits the copy, not the question: refused against the question as it is now.
    with pytest.raises(DomainError, match="选项"):
        actions.run(lambda: _save(attempt, single, 3, 3))
    assert _stored(attempt, single).seq == 2
    # The checked path's read refreshed the copy: the next save is one statement again.
    assert app_copies().get(single.id).options == ["警告", "记过"]
    ref = _ref(attempt.member)
    with queries() as again:
        assert autosave.save_answer(ref, attempt.id, single.id, 1, 4, NOW).saved
    db.session.commit()
    assert len(again) == 1, again
    assert _stored(attempt, single).response == 1


def test_an_answer_the_copy_refuses_is_checked_against_the_edited_question(postgresql, sitting):
    attempt, single, _fill = sitting
    assert _save(attempt, single, 0, 1).saved
    db.session.commit()
    _edit(single, options=["警告", "记过", "开除党籍", "严重警告", "留党察看"])
    assert _save(attempt, single, 4, 2).saved  # option 4 is new: the copy has 0-3
    db.session.commit()
    assert _stored(attempt, single).response == 4


def test_a_copy_of_another_question_never_validates_an_answer(postgresql, sitting):
    attempt, single, fill = sitting
    assert _save(attempt, fill, ["惩前毖后"], 1).saved
    db.session.commit()
    # The single choice question's id with the fill question's copy, as a stale copy from
    # another database would be: the response parses, but the statement's check refuses it.
    app_copies().put(single.id, app_copies().get(fill.id))
    with pytest.raises(DomainError, match="选项"):
        actions.run(lambda: _save(attempt, single, ["惩前毖后"], 1))
    assert _stored(attempt, single).seq == 0
    assert app_copies().get(single.id).type == "single"  # the checked path refreshed it


def test_the_copies_are_bounded_and_the_oldest_goes_first():
    copies = QuestionCopies(limit=3)
    copy = QuestionCopy("truefalse", [], "判断题", "[]")
    for question_id in range(1, 6):
        copies.put(question_id, copy)
    assert len(copies) == 3
    assert [copies.get(i) for i in range(1, 6)] == [None, None, copy, copy, copy]
    copies.put(4, copy)  # replacing one drops nothing
    assert len(copies) == 3 and copies.get(3) is copy


def test_the_copies_belong_to_their_app(app, tmp_path):
    ours = app_copies()
    assert ours is app.extensions["autosave_question_copies"]
    other = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    )
    with other.app_context():
        assert app_copies() is not ours and len(app_copies()) == 0
    db.get_engine(other).dispose()


# Through the API: the connection goes back to the pool ready for transactions


def test_an_autosave_through_the_api_leaves_the_pool_in_transactions(
    client, auth, sitting, queries, time_machine
):
    attempt, single, _fill = sitting
    time_machine.move_to(NOW, tick=False)
    auth.login("m1")
    url = f"/api/attempts/{attempt.id}/answers/{single.id}"
    assert client.put(url, json={"seq": 1, "response": 1}).get_json()["saved"]
    with queries() as statements:
        assert client.put(url, json={"seq": 2, "response": 2}).get_json() == {
            "saved": True,
            "seq": 2,
        }
    assert len(statements) == (1 if _on_postgresql() else 2), statements
    engine = db.get_engine(client.application)
    if engine.dialect.name == "postgresql":
        pooled = [record.dbapi_connection for record in engine.pool._pool.queue]
        assert pooled and not any(connection.autocommit for connection in pooled)


# Races with a submit, on two real connections


def _waiting_on_a_lock(app) -> bool:
    """Tell whether some connection to the test database waits for a lock (a fresh read of
    pg_stat_activity: it is fixed for the length of a transaction)."""
    with db.get_engine(app).connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        return bool(
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar()
        )


def test_a_save_waits_for_a_submit_in_flight_and_is_then_refused(postgresql, app, sitting):
    attempt, single, _fill = sitting
    ref, attempt_id = _ref(attempt.member), attempt.id
    assert _save(attempt, single, 1, 1).saved  # the copy: the next save is one statement
    db.session.commit()
    claimed, release = threading.Event(), threading.Event()
    outcome: dict = {}

    def submit() -> None:
        with app.app_context():

            def action():
                services.submit_attempt(db.session.get(Attempt, attempt_id), NOW)
                claimed.set()  # claimed and graded, not committed: the row stays locked
                release.wait(PATIENCE)

            actions.run(action)

    def save() -> None:
        with app.app_context():
            try:
                outcome["result"] = actions.run(
                    lambda: autosave.save_answer(ref, attempt_id, single.id, 2, 2, NOW)
                )
            except DomainError as error:
                outcome["error"] = error

    submitter = threading.Thread(target=submit)
    submitter.start()
    try:
        assert claimed.wait(PATIENCE)
        saver = threading.Thread(target=save)
        saver.start()
        blocked = False
        deadline = time.monotonic() + PATIENCE
        while saver.is_alive() and not blocked and time.monotonic() < deadline:
            blocked = _waiting_on_a_lock(app)
        assert blocked, f"the save did not wait for the submit: {outcome}"
    finally:
        release.set()
        submitter.join(PATIENCE)
    saver.join(PATIENCE)
    assert isinstance(outcome.get("error"), services.AttemptClosed), outcome
    graded = _stored(attempt, single)
    assert (graded.response, graded.seq) == (1, 1) and graded.mark == 2  # 1 is right
    assert fresh(attempt).status == "submitted"


def test_an_acknowledged_save_is_committed_at_once_and_graded(postgresql, app, sitting):
    attempt, single, _fill = sitting
    ref, attempt_id = _ref(attempt.member), attempt.id
    assert _save(attempt, single, 0, 1).saved
    db.session.commit()
    request = app.app_context()  # the save's request: its session is not committed
    request.push()
    try:
        assert autosave.save_answer(ref, attempt_id, single.id, 1, 2, NOW).saved
        with app.app_context():  # a submit on another connection meanwhile
            db.session.execute(text("SET LOCAL lock_timeout = '5s'"))
            submitted = services.submit_attempt(db.session.get(Attempt, attempt_id), NOW)
            db.session.commit()
            assert submitted.status == "submitted"
    finally:
        request.pop()
    graded = _stored(attempt, single)
    assert (graded.response, graded.seq, graded.mark) == (1, 2, 2)
