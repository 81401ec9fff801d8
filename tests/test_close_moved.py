"""Moving a published quiz's close reaches the attempts running in its window: closing it
early stops them at the new close, extending it gives back the time the old close cut;
attempts in a personal window (缓考) keep their deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from quizapp import db
from quizapp.attempts import services
from quizapp.deferrals import services as exc
from quizapp.deferrals.services import grant_extra
from quizapp.quizzes.models import Quiz
from quizapp.quizzes.services import set_published
from tests.factories import NOW, fresh, make_quiz, move_close, quiz_form

MINUTE = timedelta(minutes=1)


@pytest.fixture()
def bank_size() -> int:
    return 2


def _quiz(org, bank, **options) -> Quiz:
    """A test of U1, open from NOW - 1 h to NOW + 2 h, 60 minutes."""
    questions = [bank["single"][0], bank["truefalse"][0]]
    return make_quiz(org.org1, [org.u1], questions=questions, time_limit_minutes=60, **options)


def _move_close(org, quiz: Quiz, closes_at, **changes) -> None:
    move_close(org.org1, quiz, closes_at, [org.u1], **changes)


def _start(member, quiz, at):
    attempt, _ = services.start_attempt(member, quiz, at)
    db.session.commit()
    return attempt


def test_closing_early_stops_a_running_paper_at_the_new_close(
    client, auth, org, bank, time_machine
):
    key = bank["single"][0].key
    form = quiz_form("提前结束", str(org.b11.id), key, time_limit_minutes="60")
    time_machine.move_to(NOW, tick=False)
    auth.login("org1")
    assert client.post("/manage/quizzes/new", data=form).status_code == 302
    quiz = db.session.query(Quiz).one()
    set_published(org.org1, quiz, True)
    db.session.commit()
    auth.login("m1")
    attempt_id = client.post(f"/api/quizzes/{quiz.id}/attempts").get_json()["attempt_id"]
    save_url = f"/api/attempts/{attempt_id}/answers/{bank['single'][0].id}"
    # Ten minutes in, the organiser stops the quiz at 10:20 (China): 50 minutes were left.
    time_machine.move_to(NOW + 10 * MINUTE, tick=False)
    auth.login("org1")
    stopped = client.post(
        f"/manage/quizzes/{quiz.id}/edit", data=form | {"closes_at": "2026-11-21T10:20"}
    )
    assert stopped.status_code == 302
    new_close = NOW + 20 * MINUTE
    auth.login("m1")
    time_machine.move_to(NOW + 15 * MINUTE, tick=False)
    assert client.put(save_url, json={"seq": 1, "response": 1}).status_code == 200
    assert client.get(f"/api/attempts/{attempt_id}").get_json()["seconds_left"] == 300
    # Past the new close (and its grace): the page's next save learns the paper is closed.
    time_machine.move_to(new_close + 31 * timedelta(seconds=1), tick=False)
    refused = client.put(save_url, json={"seq": 2, "response": 2})
    assert (refused.status_code, refused.get_json()["error"]) == (409, "closed")
    done = client.get(f"/api/attempts/{attempt_id}").get_json()
    assert (done["status"], done["end_reason"], done["submitted_at"]) == (
        "submitted",
        "closed",
        new_close.isoformat(),
    )


def test_the_scheduler_submits_papers_a_close_moved_to_the_past_stopped(org, bank):
    quiz = _quiz(org, bank)
    attempt = _start(org.m1, quiz, NOW)
    _move_close(org, quiz, NOW - 10 * MINUTE)  # before the paper began: it ends at its start
    assert fresh(attempt).deadline_at == NOW
    assert services.expire_overdue(NOW + MINUTE) == 1
    db.session.commit()
    done = fresh(attempt)
    assert (done.status, done.end_reason, done.submitted_at) == ("submitted", "closed", NOW)


def test_extending_the_close_gives_back_the_time_the_old_close_cut(org, bank, make_member):
    quiz = _quiz(org, bank)  # closes NOW + 2 h
    early = _start(org.org1, quiz, NOW)  # its hour runs out before the close
    cut = _start(org.m1, quiz, NOW + 90 * MINUTE)  # 30 of its 60 minutes left at the close
    longer = make_member("x1", org.b11)
    grant_extra(
        org.org1, quiz, longer, attempts=None, minutes=15, opens_at=None, closes_at=None,
        reason="视力", now=NOW,
    )  # fmt: skip
    cut_longer = _start(longer, quiz, NOW + 100 * MINUTE)
    assert fresh(cut).deadline_at == fresh(cut_longer).deadline_at == quiz.closes_at
    # Changing the time limit too does not change the papers already running.
    _move_close(org, quiz, NOW + 5 * timedelta(hours=1), time_limit_minutes=20)
    assert fresh(early).deadline_at == NOW + 60 * MINUTE
    assert fresh(cut).deadline_at == NOW + 150 * MINUTE
    assert fresh(cut_longer).deadline_at == NOW + 175 * MINUTE
    # Still running after the old close; the time limit then ends them.
    assert services.expire_overdue(NOW + 125 * MINUTE) == 1  # only the early one
    assert fresh(cut).status == "in_progress"
    assert services.expire_overdue(NOW + 200 * MINUTE) == 2
    db.session.commit()
    for attempt, ended in ((cut, 150), (cut_longer, 175)):
        done = fresh(attempt)
        assert (done.end_reason, done.submitted_at) == ("time_up", NOW + ended * MINUTE)


def test_a_deferred_members_paper_in_the_personal_window_keeps_its_deadline(org, bank):
    quiz = _quiz(org, bank)  # NOW - 1 h to NOW + 2 h
    row = exc.request_deferral(org.m1, quiz, "duty", "", NOW - 30 * MINUTE)
    exc.approve_deferral(org.org1, row, NOW, NOW + 27 * timedelta(hours=1), "", NOW - 20 * MINUTE)
    db.session.commit()
    deferred = _start(org.m1, quiz, NOW + 30 * MINUTE)  # in the personal window
    regular = _start(org.org1, quiz, NOW + 30 * MINUTE)  # in the quiz's
    assert fresh(deferred).deadline_at == fresh(regular).deadline_at == NOW + 90 * MINUTE
    _move_close(org, quiz, NOW + 40 * MINUTE)
    assert fresh(deferred).deadline_at == NOW + 90 * MINUTE
    assert fresh(regular).deadline_at == NOW + 40 * MINUTE


def test_moving_the_close_costs_the_same_statements_however_many_run(
    org, bank, make_member, queries
):
    quiz = _quiz(org, bank)
    for i in range(5):
        _start(make_member(f"r{i}", org.b11), quiz, NOW + 90 * MINUTE)
    with queries() as few:
        _move_close(org, quiz, NOW + 100 * MINUTE)
    one = len(few)
    for i in range(5, 25):
        _start(make_member(f"r{i}", org.b11), quiz, NOW + 95 * MINUTE)
    with queries() as many:
        _move_close(org, quiz, NOW + 110 * MINUTE)
    assert len(many) == one
