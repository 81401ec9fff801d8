"""One rule for transactions and errors: routes commit once through ``actions``, services use
savepoints, GETs only read, and the JSON API answers every error with a code (docs/api.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from quizapp import actions, db
from quizapp.auth.session_ref import SESSION_KEY
from quizapp.errors import Conflict, DomainError
from quizapp.notices.models import Notice, NoticeKind
from quizapp.notices.services import NoticeDraft, send_notice
from quizapp.practice import queries as practice_queries
from quizapp.practice import services as practice
from quizapp.practice.models import DailyQuestion
from quizapp.quizzes.attempt_models import Attempt
from tests.conftest import PASSWORD
from tests.factories import NOW, make_questions, make_quiz


def _notice(member, key: str = "k1") -> NoticeDraft:
    return NoticeDraft(
        member_id=member.id, kind=NoticeKind.REMINDER, title="通知", body="", dedupe_key=key
    )


def _notices() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Notice))


# --- actions.run: commit once, or roll back ------------------------------------------------


def test_run_commits_what_the_action_did(org):
    assert actions.run(lambda: send_notice(_notice(org.m1), NOW)) is True
    db.session.rollback()  # nothing left to roll back: it was committed
    assert _notices() == 1


def test_run_rolls_back_a_refusal_and_lets_it_through(org):
    def refused():
        send_notice(_notice(org.m1), NOW)
        raise DomainError("不行。")

    with pytest.raises(DomainError, match="不行"):
        actions.run(refused)
    assert _notices() == 0


def test_a_refusal_that_keeps_its_changes_is_committed(org):
    def refused():
        send_notice(_notice(org.m1), NOW)
        raise DomainError("记下了，但不行。", keeps_changes=True)

    with pytest.raises(DomainError):
        actions.run(refused)
    db.session.rollback()
    assert _notices() == 1


def _kill_own_connection() -> None:
    """End the session's database connection as a server restart or pg_terminate_backend
    would; the next statement fails as a disconnect."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
    else:
        connection.connection.dbapi_connection.close()
        connection.execute(text("SELECT 1"))


def test_an_action_whose_connection_died_runs_once_more_on_a_fresh_one(org):
    calls = []

    def action():
        calls.append(1)
        if len(calls) == 1:
            _kill_own_connection()
        return send_notice(_notice(org.m1), NOW)

    assert actions.run(action) is True
    assert len(calls) == 2 and _notices() == 1


def test_a_connection_that_dies_again_is_not_retried_forever(org):
    calls = []

    def action():
        calls.append(1)
        send_notice(_notice(org.m1), NOW)
        _kill_own_connection()

    with pytest.raises(DBAPIError):
        actions.run(action)
    db.session.rollback()  # what the request's teardown does
    assert len(calls) == 2 and _notices() == 0


def test_a_dry_run_writes_nothing(org):
    assert actions.run(lambda: send_notice(_notice(org.m1), NOW), dry_run=True) is True
    assert _notices() == 0


def test_a_raced_unique_key_is_a_conflict_or_runs_again(org):
    def duplicate():
        db.session.add(
            DailyQuestion(
                member_id=org.m1.id, day=NOW.date(), position=1, question_id=question.id, cycle=1
            )
        )
        db.session.flush()

    question = make_questions(org.admin, 1)["single"][0]
    db.session.commit()
    actions.run(duplicate)
    with pytest.raises(Conflict, match="同时修改"):
        actions.run(duplicate)
    calls = []

    def first_fails_then_reads():
        calls.append(1)
        if len(calls) == 1:
            duplicate()
        return "theirs"

    assert actions.run(first_fails_then_reads, retry_race=True) == "theirs" and len(calls) == 2


# --- savepoints: a service's failed try undoes only itself ----------------------------------


def test_a_failed_savepoint_keeps_the_work_before_it(org):
    send_notice(_notice(org.m1, "before"), NOW)
    with pytest.raises(DomainError), db.savepoint():
        send_notice(_notice(org.m1, "inside"), NOW)
        raise DomainError("撤销这一段。")
    db.session.commit()
    db.session.expire_all()
    keys = set(db.session.scalars(select(Notice.dedupe_key)))
    assert keys == {"before"}


def test_a_savepoint_first_in_the_transaction_is_still_part_of_it(org):
    # On SQLite a SAVEPOINT outside a transaction would be a transaction of its own, which
    # its RELEASE commits: rolling back afterwards must still undo it.
    db.session.commit()
    with db.savepoint():
        send_notice(_notice(org.m1), NOW)
    db.session.rollback()
    assert _notices() == 0


def test_a_raced_daily_draw_keeps_the_winners_draw_and_the_earlier_work(org, monkeypatch):
    make_questions(org.admin, 3)
    db.session.commit()
    winner = practice.draw_daily_questions(org.m1, NOW)
    db.session.commit()
    winner_ids = [r.question_id for r in winner]
    for row in winner:  # drawn by another request: not in this one's session
        db.session.expunge(row)
    # The loser read "nothing drawn yet" just before the winner's draw was committed.
    real = practice.list_daily_questions
    reads = []

    def stale_first(member_id, day):
        reads.append(day)
        return [] if len(reads) == 1 else real(member_id, day)

    monkeypatch.setattr(practice, "list_daily_questions", stale_first)
    send_notice(_notice(org.m1), NOW)  # earlier work in the same transaction
    rows = practice.draw_daily_questions(org.m1, NOW)
    db.session.commit()
    assert [r.question_id for r in rows] == winner_ids
    assert _notices() == 1
    assert len(practice_queries.list_daily_questions(org.m1.id, rows[0].day)) == len(winner_ids)


# --- GETs only read -------------------------------------------------------------------------


def test_daily_questions_are_drawn_by_a_post_not_by_viewing(client, auth, org):
    make_questions(org.admin, 2)
    db.session.commit()
    auth.login("m1")
    page = client.get("/practice/daily").get_data(as_text=True)
    assert "开始今日答题" in page
    assert db.session.scalar(select(func.count()).select_from(DailyQuestion)) == 0
    assert client.post("/practice/daily").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(DailyQuestion)) == 5


def test_an_attempt_past_its_deadline_is_shown_without_writing(client, auth, org, time_machine):
    bank = make_questions(org.admin, 1)
    quiz = make_quiz(org.admin, [org.u1], questions=[bank["single"][0]], time_limit_minutes=10)
    time_machine.move_to(NOW, tick=False)
    auth.login("m1")
    attempt_id = client.post(f"/api/quizzes/{quiz.id}/attempts").get_json()["attempt_id"]
    time_machine.move_to(NOW + timedelta(minutes=20), tick=False)
    take = client.get(f"/attempts/{attempt_id}")
    assert take.headers["Location"] == f"/attempts/{attempt_id}/result"
    page = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "正在自动交卷" in page and "data-auto-submit" in page
    state = client.get(f"/api/attempts/{attempt_id}").get_json()
    assert state["status"] == "in_progress" and state["seconds_left"] == 0
    assert db.session.get(Attempt, attempt_id).status == "in_progress"
    # The page's button submits it, as of its deadline.
    assert client.post(f"/attempts/{attempt_id}/submit").status_code == 302
    db.session.expire_all()
    done = db.session.get(Attempt, attempt_id)
    assert done.status == "submitted" and done.end_reason == "time_up"
    assert done.submitted_at == NOW + timedelta(minutes=10)


def test_an_autosave_after_the_deadline_keeps_the_automatic_submission(
    client, auth, org, time_machine
):
    bank = make_questions(org.admin, 1)
    question = bank["single"][0]
    quiz = make_quiz(org.admin, [org.u1], questions=[question], time_limit_minutes=10)
    time_machine.move_to(NOW, tick=False)
    auth.login("m1")
    attempt_id = client.post(f"/api/quizzes/{quiz.id}/attempts").get_json()["attempt_id"]
    time_machine.move_to(NOW + timedelta(minutes=20), tick=False)
    url = f"/api/attempts/{attempt_id}/answers/{question.id}"
    late = client.put(url, json={"seq": 1, "response": 1})
    assert late.status_code == 409 and late.get_json()["error"] == "closed"
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).status == "submitted"


# --- one JSON error handler for the API ------------------------------------------------------


@pytest.mark.parametrize(
    "method,path,status,code",
    [
        ("GET", "/api/nothing-here", 404, "not_found"),
        ("GET", "/practice/api/nothing-here", 404, "not_found"),
        ("GET", "/api/study/heartbeat", 405, "method_not_allowed"),
        ("GET", "/practice/api/questions/1/answer", 405, "method_not_allowed"),
        ("POST", "/practice/api/questions/1/answer", 401, "login_required"),
        ("POST", "/practice/api/daily/1/answer", 401, "login_required"),
        ("PUT", "/api/attempts/1/answers/1", 401, "login_required"),
        ("POST", "/api/study/heartbeat", 401, "login_required"),
        ("POST", "/api/quizzes/1/attempts", 401, "login_required"),
        ("GET", "/api/attempts/1", 401, "login_required"),
    ],
)
def test_api_errors_are_json_with_a_code_without_an_accept_header(
    client, org, method, path, status, code
):
    response = client.open(path, method=method, json={})
    assert response.status_code == status and response.is_json
    body = response.get_json()
    assert body["error"] == code and body["status"] == status
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])


def test_api_asks_for_the_password_change_in_json_without_an_accept_header(
    client, auth, make_member, org
):
    make_member("new3", org.b11, must_change=True)
    db.session.commit()
    auth.login("new3")
    for path in ("/practice/api/questions/1/answer", "/api/quizzes/1/attempts"):
        response = client.post(path, json={"response": 1})
        assert response.status_code == 403, path
        assert response.get_json()["error"] == "password_change_required", path


def test_api_answers_a_stale_csrf_token_with_the_csrf_code(app, client, auth, org):
    auth.login("m1")
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/practice/api/questions/1/answer", json={"response": 1})
    assert response.status_code == 400 and response.get_json()["error"] == "csrf"
    assert "页面已过期" in response.get_json()["message"]


def test_api_answers_too_large_bodies_in_json(app, client, auth, org):
    auth.login("m1")
    app.config["MAX_CONTENT_LENGTH"] = 100
    response = client.post("/api/study/heartbeat", data="x" * 1000, content_type="text/plain")
    assert response.status_code == 413 and response.get_json()["error"] == "too_large"


def test_a_refusal_escaping_a_page_view_is_its_status_in_chinese(client, auth, org):
    auth.login("m1")
    response = client.get("/attempts/999")
    assert response.status_code == 404 and "没有找到这份答卷" in response.get_data(as_text=True)


# --- the hot endpoints' session reference -----------------------------------------------------


def test_hot_endpoints_use_the_apps_own_session_key(app, client, auth, org, material):
    from quizapp.study import minutes

    auth.login("m1")
    with client.session_transaction() as session:
        assert session[SESSION_KEY] == org.m1.get_id()
    token = minutes.issue_token(org.m1.id, material)
    assert client.post("/api/study/heartbeat", json={"token": token}).status_code == 200
    # A session from before the key existed gets it on the next page it opens.
    with client.session_transaction() as session:
        del session[SESSION_KEY]
    assert client.post("/api/study/heartbeat", json={"token": token}).status_code == 401
    assert client.get("/me").status_code == 200
    assert client.post("/api/study/heartbeat", json={"token": token}).status_code == 200
    # Logging out removes it.
    client.post("/logout")
    with client.session_transaction() as session:
        assert SESSION_KEY not in session
    relogged = app.test_client()
    relogged.post("/login", data={"login_id": "m1", "password": PASSWORD})
    db.session.refresh(org.m1)
    with relogged.session_transaction() as session:
        assert session[SESSION_KEY] == org.m1.get_id() == f"{org.m1.id}.2"  # the new version


def test_a_pooled_connection_idle_long_enough_is_pinged_and_replaced_if_dead(database_url):
    """PostgreSQL: no ping per checkout, but one after IDLE_PING_SECONDS in the pool, so a
    connection the server ended while idle is replaced before the request uses it."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite connections are files: nothing to ping")
    import psycopg

    from quizapp.config import normalise_database_url
    from quizapp.db import make_engine

    engine = make_engine(normalise_database_url(database_url))
    try:
        with engine.connect() as connection:
            first = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        [record] = list(engine.pool._pool.queue)
        record.info["idle_since"] -= db.IDLE_PING_SECONDS + 1
        plain = database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", (first,))
        with engine.connect() as connection:
            second = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        assert second != first
    finally:
        engine.dispose()
