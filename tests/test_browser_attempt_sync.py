"""What the attempt page keeps on the phone and sends when it can, told honestly: a leaving
of the page (切屏) while offline counts when the connection returns, answers that reach the
server after the submission are named on the result page, and a saving error goes away once
saving works again."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from quizapp import db
from quizapp.attempts import services
from quizapp.clock import utcnow
from quizapp.quizzes.attempt_models import Attempt
from quizapp.quizzes.models import LeavePolicy
from tests import test_browser_quiz as tq
from tests.browser import BROWSER, log_in, phone_page
from tests.factories import make_questions
from tests.test_browser_quiz import (
    RIGHT,
    _answer,
    _answer_at,
    _attempt,
    _fresh,
    _go_offline,
    _go_online,
    _m1_starts,
    _pane,
    _u1_quiz,
)
from tests.test_browser_study import HIDE, SHIFTABLE_CLOCK, SHOW

pytestmark = BROWSER
new_phone, paper = tq.new_phone, tq.paper

LEAVE = "**/api/attempts/*/leave"


def _leave_quiz(org, policy: LeavePolicy, limit: int | None = None):
    """A 30-minute test for U1 of a single and a true/false question that counts 切屏."""
    bank = make_questions(org.admin, n_each=1)
    questions = [bank["single"][0], bank["truefalse"][0]]
    quiz = _u1_quiz(org, questions, "切屏测试", 30, leave_policy=policy, leave_limit=limit)
    db.session.commit()
    return quiz


def _kept_leaves(page, attempt_id) -> list:
    return page.evaluate(
        f"JSON.parse(localStorage.getItem('quizapp.attempt.{attempt_id}.leaves')) || []"
    )


def _online_to_the_result(page, live_server, attempt_id, end_reason: str) -> None:
    """Give the phone its connection back: it lands on the result, which says how the
    attempt ended and that one answer kept on the phone came too late."""
    _go_online(page.context)
    page.wait_for_url(f"{live_server}/attempts/{attempt_id}/result")
    expect(page.locator("#end-reason")).to_contain_text(end_reason)
    expect(page.locator("#late-answers")).to_have_text(
        "有 1 题答案保存在本机，未能在交卷前上传，未计分。"
    )


# --- 切屏 while offline ------------------------------------------------------------------


def test_a_leaving_while_offline_reaches_the_limit_when_the_connection_returns(
    live_server, new_phone, org
):
    quiz = _leave_quiz(org, LeavePolicy.SUBMIT, limit=1)
    page = new_phone()
    attempt_id = _m1_starts(page, live_server, quiz)
    _answer_at(page, 0, "single", RIGHT["single"])

    _go_offline(page)
    page.evaluate(HIDE)  # the member switches to another app, with no connection
    page.evaluate(SHOW)
    assert len(_kept_leaves(page, attempt_id)) == 1
    page.click("#next")
    _answer_at(page, 1, "truefalse", RIGHT["truefalse"], "未保存")  # given after leaving
    done = _attempt(attempt_id)
    assert (done.status, done.leave_count) == ("in_progress", 0)
    db.session.rollback()

    # The leaving counted first: the answer given after it, at the limit, came too late.
    _online_to_the_result(page, live_server, attempt_id, "离开答题页面达到 1 次，系统已自动交卷")
    done = _attempt(attempt_id)
    assert (done.status, done.end_reason, done.leave_count) == ("submitted", "leave_limit", 1)
    db.session.rollback()
    assert _fresh(attempt_id) == {"single": RIGHT["single"], "truefalse": None}
    assert page.evaluate(f"localStorage.getItem('quizapp.attempt.{attempt_id}')") is None
    assert _kept_leaves(page, attempt_id) == []
    assert page.dialogs == []


def test_a_leaving_whose_reply_is_lost_is_sent_again_and_counted_once(live_server, new_phone, org):
    quiz = _leave_quiz(org, LeavePolicy.RECORD)
    page = new_phone()
    attempt_id = _m1_starts(page, live_server, quiz)
    replies = []

    def lose_the_first_reply(route):
        if replies:
            route.continue_()
            return
        replies.append(route.fetch())  # the server counts it; the reply never arrives
        route.abort("connectionreset")

    page.route(LEAVE, lose_the_first_reply)
    page.evaluate(HIDE)
    page.evaluate(SHOW)
    # Kept, sent again on the page's retry: the server sees the same leaving.
    expect(page.locator("#attempt-error")).to_have_text("您已离开答题页面 1 次，已记录。")
    assert replies and replies[0].json()["leave_count"] == 1
    assert _kept_leaves(page, attempt_id) == []
    page.evaluate(HIDE)
    page.evaluate(SHOW)
    expect(page.locator("#attempt-error")).to_have_text("您已离开答题页面 2 次，已记录。")
    done = _attempt(attempt_id)
    assert (done.status, done.leave_count) == ("in_progress", 2)
    db.session.rollback()


# --- answers that reach the server after the submission ---------------------------------


def test_answers_kept_offline_past_the_deadline_are_named_on_the_result(
    live_server, new_phone, org
):
    bank = make_questions(org.admin, n_each=1)
    quiz = _u1_quiz(org, [bank["single"][0], bank["truefalse"][0]], "限时测试", 1)
    attempt, _ = services.start_attempt(org.m1, quiz, utcnow() - timedelta(seconds=30))
    db.session.commit()
    page = new_phone(SHIFTABLE_CLOCK)
    log_in(page, live_server, "m1")
    page.goto(f"{live_server}/attempts/{attempt.id}")
    _answer_at(page, 0, "single", RIGHT["single"])

    _go_offline(page)
    page.click("#next")
    _answer_at(page, 1, "truefalse", RIGHT["truefalse"], "未保存")
    page.evaluate("window.__clockShift = 60 * 1000")  # the page's countdown reaches 0:00
    expect(page.locator("#countdown")).to_have_text("0:00")
    expect(page.locator("#attempt-error")).to_have_text(
        "时间已到：请立即联网，本机保存的答案需在交卷前上传。"
    )
    # The server's deadline and grace pass before the phone finds a network again.
    db.session.rollback()
    moved = db.session.get(Attempt, attempt.id)
    moved.started_at -= timedelta(minutes=2)
    moved.deadline_at -= timedelta(minutes=2)
    db.session.commit()

    _online_to_the_result(page, live_server, attempt.id, "时间已到，系统已自动交卷")
    expect(page.locator(".score-big")).to_have_text(re.compile(r"^2\s*/ 3 分$"))
    assert _fresh(attempt.id) == {"single": RIGHT["single"], "truefalse": None}
    page.reload()  # told once: the phone forgets them
    expect(page.locator("#late-answers")).to_be_hidden()
    assert page.dialogs == []


# --- a saving error once saving works again ----------------------------------------------


def test_the_logged_out_error_goes_once_answers_save_again(live_server, new_phone, org, paper):
    page = new_phone()
    attempt_id = _m1_starts(page, live_server, paper)
    page.context.clear_cookies()  # the session expired
    _answer(_pane(page, 0), "single", RIGHT["single"])
    error = page.locator("#attempt-error")
    expect(error).to_contain_text("重新登录后回到本页即可上传")

    other = phone_page(page.context)  # the member logs in again in another tab
    log_in(other, live_server, "m1")
    other.close()
    # Tab A's next retry saves the answer: the problem is gone, and so is its message.
    expect(page.locator("#save-state")).to_have_text("全部答案已保存")
    expect(error).to_be_hidden()
    assert _fresh(attempt_id)["single"] == RIGHT["single"]
