"""Taking a quiz in a real browser at a phone viewport (Playwright + Debian's Chromium).

Members take tests on phones, in a messaging app's browser, on poor mobile networks: these
tests start a quiz, answer, lose and regain the connection (``context.set_offline``), close
the page, resume on a second device, run out of time and submit, the way a member does.
The live server shares the test's database: commit after creating data, and end the test's
read transaction (``_fresh``) before looking at what the server wrote.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp import db
from quizapp.attempts import services
from quizapp.clock import utcnow
from quizapp.quizzes.attempt_models import Attempt, AttemptAnswer
from tests.browser import (
    BROWSER,
    fits_phone_width,
    log_in,
    phone_context,
    phone_page,
)
from tests.factories import make_questions, make_quiz, move_close

WAIT = 10_000  # ms: the longest any single step may take
TITLE = "纪律处分条例测试"

pytestmark = BROWSER

#: The right response to each question type made by tests.factories.make_questions.
RIGHT = {"single": 1, "multiple": [0, 2], "truefalse": True, "fill": ["惩前毖后"]}


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture()
def new_phone(browser):
    """Open a new phone (a browser context of its own, like a second device): its page.

    Every page records the dialogs it opens in ``page.dialogs``: the pages must never use
    alert() or confirm() (a messaging app's browser may block them).

    The attempt page's service worker (the offline shell) is blocked unless a test asks for
    it (``service_worker=True``, tests/test_browser_offline.py): these tests are about the
    page's own answer queue, and Chromium's emulated offline state reaches requests beside a
    worker a moment late, so an answer "sent offline" could still arrive.
    """
    contexts = []

    def open_phone(init_script: str | None = None, *, service_worker: bool = False):
        context = phone_context(
            browser,
            timezone_id="Asia/Shanghai",
            service_workers="allow" if service_worker else "block",
        )
        context.set_default_timeout(WAIT)
        if init_script:
            context.add_init_script(init_script)
        contexts.append(context)
        return phone_page(context)

    yield open_phone
    for context in contexts:
        context.close()


@pytest.fixture()
def paper(org):
    """A published test for unit U1: one question of each type, in a known order."""
    bank = make_questions(org.admin, n_each=1)
    questions = [bank["single"][0], bank["multiple"][0], bank["truefalse"][0], bank["fill"][0]]
    quiz = _u1_quiz(org, questions, TITLE, 30)
    db.session.commit()
    return quiz


def _u1_quiz(org, questions, title: str, minutes: int, shuffled: bool = False, **options):
    """org1's test for U1, open from now, ``minutes`` long, of ``questions``: in this order
    and with their options in theirs unless ``shuffled``."""
    shuffle = {"shuffle_questions": shuffled, "shuffle_options": shuffled}
    return make_quiz(
        org.org1,
        [org.u1],
        questions=questions,
        now=utcnow(),
        title=title,
        time_limit_minutes=minutes,
        **(shuffle | options),
    )


# --- helpers -------------------------------------------------------------------------------


def _go_offline(page) -> None:
    """Drop the phone's connection, and wait until the page's requests really fail.

    Chromium applies the emulated network state to its network service asynchronously: a
    request sent right after ``set_offline(True)`` can still get through. Both paths are
    probed: a GET (which the attempt page's service worker sees) and a POST (which, like the
    answers, goes straight to the network), as they can go offline at different moments.
    """
    page.context.set_offline(True)
    # An answer sent while the emulated state settles could still reach the server and
    # lose only its reply (seen under load); no answer leaves the phone while it is offline.
    page.context.route(ANSWERS, _no_network)
    page.wait_for_function(
        """() => Promise.allSettled([
            fetch('/healthz', {cache: 'no-store'}),
            fetch('/healthz', {method: 'POST', cache: 'no-store'}),
        ]).then((probes) => probes.every((probe) => probe.status === 'rejected'))"""
    )


ANSWERS = "**/api/attempts/*/answers/*"


def _no_network(route) -> None:
    route.abort("internetdisconnected")


def _go_online(context) -> None:
    """Give the phone its connection back."""
    context.unroute(ANSWERS, _no_network)
    context.set_offline(False)


_fits_phone_width = fits_phone_width


def _start(page, base, quiz):
    """Open the quiz list, the quiz, start it; return the attempt's id."""
    page.goto(f"{base}/quizzes")
    assert _fits_phone_width(page), "/quizzes"
    page.click(f".member-list a:has-text('{quiz.title}')")
    page.wait_for_url(f"{base}/quizzes/{quiz.id}")
    assert _fits_phone_width(page), "quiz page"
    page.click("button:has-text('开始答题')")
    page.wait_for_url(re.compile(r"/attempts/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def _m1_starts(page, base, quiz):
    """Log in as m1 and start ``quiz``; return the attempt's id."""
    log_in(page, base, "m1")
    return _start(page, base, quiz)


def _pane(page, index):
    return page.locator(f"section.pane[data-index='{index}']")


def _answer(pane, qtype, response):
    """Answer the visible pane the way a member taps (option numbers are the authored ones)."""
    expect(pane).to_be_visible()
    assert pane.locator(".question").get_attribute("data-type") == qtype
    if qtype == "single":
        pane.locator(f"input[value='{response}']").check()
    elif qtype == "multiple":
        for value in response:
            pane.locator(f"input[value='{value}']").check()
    elif qtype == "truefalse":
        pane.locator(f"input[value='{'true' if response else 'false'}']").check()
    else:
        for i, text in enumerate(response):
            pane.locator("input.blank").nth(i).fill(text)


def _state_of(pane):
    return pane.locator(".pane-state")


def _answer_at(page, index, qtype, response, state="已保存"):
    """Answer the pane at ``index``, then wait for it to say ``state``."""
    _answer(_pane(page, index), qtype, response)
    expect(_state_of(_pane(page, index))).to_have_text(state)


def _reread() -> None:
    """Forget what this session knows: end its read transaction (a WAL reader keeps its
    snapshot) and expire its objects (expire_on_commit is off, and a rollback without a
    transaction expires nothing)."""
    db.session.rollback()
    db.session.expire_all()


def _fresh(attempt_id) -> dict[str, object]:
    """What the server holds for an attempt, by question type."""
    _reread()
    rows = (
        db.session.execute(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id))
        .scalars()
        .all()
    )
    held = {row.question.type: row.response for row in rows}
    db.session.rollback()
    return held


def _attempt(attempt_id) -> Attempt:
    _reread()
    return db.session.get(Attempt, attempt_id)


# --- 1. the scenario ---------------------------------------------------------------


def test_answer_offline_come_back_online_submit_and_see_the_score(
    live_server, new_phone, org, paper
):
    page = new_phone()
    attempt_id = _m1_starts(page, live_server, paper)
    state = page.locator("#save-state")
    assert _fits_phone_width(page), "attempt page"
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^(29:[0-5]\d|30:00)$"))

    # Question 1 (单选), online: saved at once.
    first = _pane(page, 0)
    expect(first.locator(".pane-head")).to_contain_text("第 1 / 4 题")
    _answer(first, "single", RIGHT["single"])
    expect(_state_of(first)).to_have_text("已保存")
    expect(state).to_have_text("全部答案已保存")
    assert _fresh(attempt_id)["single"] == RIGHT["single"]

    # The connection drops: questions 2 (多选) and 3 (判断) are kept on this device.
    _go_offline(page)
    page.click("#next")
    second = _pane(page, 1)
    _answer(second, "multiple", RIGHT["multiple"])
    expect(_state_of(second)).to_have_text("未保存")
    expect(state).to_contain_text("网络已断开")
    expect(state).to_contain_text("1 题答案保存在本机，联网后自动上传")
    assert _fits_phone_width(page), "attempt page, offline"
    page.click("#next")
    third = _pane(page, 2)
    _answer(third, "truefalse", RIGHT["truefalse"])
    expect(_state_of(third)).to_have_text("未保存")
    expect(state).to_have_text("网络已断开：2 题答案保存在本机，联网后自动上传")
    expect(state).to_have_class(re.compile(r"\boffline\b"))

    # Moving around the page offline keeps everything; question 1 stays saved.
    page.click("#navigator summary")
    expect(page.locator("#answered-count")).to_have_text("3")
    page.click("#navigator [data-go='0']")
    expect(first).to_be_visible()
    expect(second).to_be_hidden()
    expect(first.locator(f"input[value='{RIGHT['single']}']")).to_be_checked()
    expect(_state_of(first)).to_have_text("已保存")
    page.click("#next")
    expect(second.locator("input[value='0']")).to_be_checked()
    expect(second.locator("input[value='2']")).to_be_checked()
    expect(_state_of(second)).to_have_text("未保存")
    held = _fresh(attempt_id)
    assert held["multiple"] is None and held["truefalse"] is None  # nothing got through

    # Back online: the kept answers go to the server by themselves.
    _go_online(page.context)
    expect(state).to_have_text("全部答案已保存")
    expect(_state_of(second)).to_have_text("已保存")
    expect(_state_of(third)).to_have_text("已保存")
    held = _fresh(attempt_id)
    assert held["single"] == RIGHT["single"]
    assert held["multiple"] == RIGHT["multiple"]
    assert held["truefalse"] is True

    # Question 4 (填空), then 交卷, confirmed inside the page.
    page.click("#navigator summary")
    page.click("#navigator [data-go='3']")
    fourth = _pane(page, 3)
    _answer(fourth, "fill", RIGHT["fill"])
    expect(_state_of(fourth)).to_have_text("已保存")
    expect(state).to_have_text("全部答案已保存")
    expect(page.locator("#answered-count")).to_have_text("4")
    expect(page.locator("#next")).to_be_disabled()
    assert _fresh(attempt_id)["fill"] == RIGHT["fill"]

    page.click("#submit-box summary")
    expect(page.locator("#submit-summary")).to_have_text("已全部作答。交卷后不能再修改答案。")
    assert _fits_phone_width(page), "attempt page, submit box open"
    page.click("button:has-text('确认交卷')")
    page.wait_for_url(f"{live_server}/attempts/{attempt_id}/result")
    expect(page.locator(".score-big")).to_have_text(re.compile(r"^8\s*/ 8 分$"))
    expect(page.locator(".hello")).to_contain_text("及格")
    items = page.locator(".review-item")
    expect(items).to_have_count(4)
    expect(page.locator(".review-item .feedback-right:has-text('得')")).to_have_count(4)
    expect(items.nth(3)).to_contain_text("正确答案")
    assert _fits_phone_width(page), "result page"

    done = _attempt(attempt_id)
    assert done.status == "submitted" and not done.auto_submitted and done.score == 8
    db.session.rollback()
    assert page.dialogs == []


def test_a_submitted_attempt_leaves_nothing_in_the_browser(live_server, new_phone, org, paper):
    page = new_phone()
    attempt_id = _m1_starts(page, live_server, paper)
    _answer_at(page, 0, "single", RIGHT["single"])
    page.click("#submit-box summary")
    page.click("button:has-text('确认交卷')")
    page.wait_for_url(f"{live_server}/attempts/{attempt_id}/result")
    expect(page.locator("#late-answers")).to_be_hidden()  # every answer kept was saved
    assert page.evaluate(f"localStorage.getItem('quizapp.attempt.{attempt_id}')") is None


# --- 2. a second device resumes the attempt ------------------------------------------------


def test_a_second_device_resumes_with_the_saved_answers(live_server, new_phone, org, paper):
    first = new_phone()
    attempt_id = _m1_starts(first, live_server, paper)
    _answer_at(first, 0, "single", RIGHT["single"])
    first.click("#next")
    _answer_at(first, 1, "multiple", RIGHT["multiple"])
    expect(first.locator("#save-state")).to_have_text("全部答案已保存")

    second = new_phone()
    log_in(second, live_server, "m1")
    second.goto(f"{live_server}/quizzes")
    expect(second.locator(f".member-list a:has-text('{TITLE}')")).to_contain_text("答题中")
    second.click(f".member-list a:has-text('{TITLE}')")
    second.click("a:has-text('继续答题')")
    second.wait_for_url(f"{live_server}/attempts/{attempt_id}")
    assert _fits_phone_width(second)

    expect(second.locator("#countdown")).to_have_text(re.compile(r"^\d+:\d\d$"))
    before = second.locator("#countdown").text_content()
    expect(second.locator("#countdown")).not_to_have_text(before, timeout=3000)  # running
    expect(second.locator("#answered-count")).to_have_text("2")
    expect(second.locator("#save-state")).to_have_text("全部答案已保存")
    pane = _pane(second, 0)
    expect(pane.locator("input[value='1']")).to_be_checked()
    expect(pane.locator("input:checked")).to_have_count(1)
    second.click("#next")
    pane = _pane(second, 1)
    expect(pane.locator("input[value='0']")).to_be_checked()
    expect(pane.locator("input[value='2']")).to_be_checked()
    expect(pane.locator("input:checked")).to_have_count(2)
    second.click("#next")
    expect(_pane(second, 2).locator("input:checked")).to_have_count(0)

    # The newest answer wins: what the second device changes shows on the first after a reload.
    second.click("#navigator summary")
    second.click("#navigator [data-go='3']")
    _answer(_pane(second, 3), "fill", RIGHT["fill"])
    second.click("#prev")  # leaving the blank sends it at once
    expect(_state_of(_pane(second, 3))).to_have_text("已保存")
    second.click("#navigator summary")
    second.click("#navigator [data-go='0']")
    _answer_at(second, 0, "single", 3)
    expect(second.locator("#save-state")).to_have_text("全部答案已保存")

    first.reload()
    expect(_pane(first, 0).locator("input[value='3']")).to_be_checked()
    expect(_pane(first, 0).locator("input:checked")).to_have_count(1)
    first.click("#navigator summary")
    first.click("#navigator [data-go='3']")
    expect(_pane(first, 3).locator("input.blank")).to_have_value("惩前毖后")
    expect(first.locator("#answered-count")).to_have_text("3")
    assert _fresh(attempt_id) == {
        "single": 3,
        "multiple": [0, 2],
        "truefalse": None,
        "fill": ["惩前毖后"],
    }
    assert first.dialogs == [] and second.dialogs == []


#: Shift the page's clock: this phone's clock is 10 minutes behind the server's.
CLOCK_BEHIND = """
(() => {
  const shift = -10 * 60 * 1000;
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  class ShiftedDate extends RealDate {
    constructor(...args) { if (args.length) super(...args); else super(realNow() + shift); }
    static now() { return realNow() + shift; }
  }
  window.Date = ShiftedDate;
})();
"""


def test_a_newer_answer_from_a_phone_with_a_slow_clock_wins(live_server, new_phone, org, paper):
    first = new_phone()
    attempt_id = _m1_starts(first, live_server, paper)
    _answer_at(first, 0, "single", 1)

    second = new_phone(CLOCK_BEHIND)
    log_in(second, live_server, "m1")
    second.goto(f"{live_server}/attempts/{attempt_id}")
    expect(_pane(second, 0).locator("input[value='1']")).to_be_checked()
    _answer_at(second, 0, "single", 3)  # the member changes their mind, later
    assert _fresh(attempt_id)["single"] == 3


# --- 3. a closed page loses nothing --------------------------------------------------------


def test_an_answer_kept_offline_is_sent_when_the_page_is_opened_again(
    live_server, new_phone, org, paper
):
    page = new_phone()
    context = page.context
    attempt_id = _m1_starts(page, live_server, paper)
    _answer_at(page, 0, "single", RIGHT["single"])

    _go_offline(page)
    page.click("#next")
    _answer_at(page, 1, "multiple", RIGHT["multiple"], "未保存")
    kept = page.evaluate(f"JSON.parse(localStorage.getItem('quizapp.attempt.{attempt_id}'))")
    assert [entry["response"] for entry in kept.values() if not entry["synced"]] == [[0, 2]]
    page.close()  # the member closes the messaging app's browser, still offline
    assert _fresh(attempt_id)["multiple"] is None

    _go_online(context)
    again = phone_page(context)
    again.goto(f"{live_server}/attempts/{attempt_id}")
    expect(again.locator("#save-state")).to_have_text("全部答案已保存")
    held = _fresh(attempt_id)
    assert held["single"] == RIGHT["single"] and held["multiple"] == RIGHT["multiple"]
    again.click("#next")
    expect(_pane(again, 1).locator("input[value='0']")).to_be_checked()
    expect(_pane(again, 1).locator("input[value='2']")).to_be_checked()
    expect(_state_of(_pane(again, 1))).to_have_text("已保存")
    assert again.dialogs == []


# --- 4. time up ----------------------------------------------------------------------------


def _timed_quiz(org):
    bank = make_questions(org.admin, n_each=1)
    return _u1_quiz(org, [bank["single"][0], bank["truefalse"][0]], "限时测试", 1)


def test_an_attempt_past_its_deadline_is_submitted_when_opened(live_server, new_phone, org):
    quiz = _timed_quiz(org)
    attempt, _ = services.start_attempt(org.m1, quiz, utcnow() - timedelta(minutes=2))
    attempt.answers[0].response, attempt.answers[0].seq = RIGHT["single"], 5
    db.session.commit()
    attempt_id = attempt.id

    page = new_phone()
    log_in(page, live_server, "m1")
    page.goto(f"{live_server}/attempts/{attempt_id}")
    page.wait_for_url(f"{live_server}/attempts/{attempt_id}/result")
    expect(page.locator(".notice-info")).to_contain_text("时间已到，系统已自动交卷")
    expect(page.locator(".score-big")).to_have_text(re.compile(r"^2\s*/ 3 分$"))
    assert _fits_phone_width(page), "result page"
    done = _attempt(attempt_id)
    assert done.status == "submitted" and done.end_reason == "time_up"
    assert done.submitted_at == done.deadline_at
    db.session.rollback()

    page.goto(f"{live_server}/quizzes/{quiz.id}")
    expect(page.locator("table")).to_contain_text("时间已到")
    assert page.dialogs == []


def _counted_down(live_server, page, org):
    """m1 opens an attempt whose deadline passed 15 s ago (within the grace, so the page still
    opens): its countdown at zero submits it. Return the page, on the result, and the id."""
    quiz = _timed_quiz(org)
    attempt, _ = services.start_attempt(org.m1, quiz, utcnow() - timedelta(seconds=75))
    db.session.commit()
    log_in(page, live_server, "m1")
    page.goto(f"{live_server}/attempts/{attempt.id}")
    page.wait_for_url(f"{live_server}/attempts/{attempt.id}/result")
    return page, attempt.id


def test_the_countdown_at_zero_submits_and_opens_the_result(live_server, new_phone, org):
    page, attempt_id = _counted_down(live_server, new_phone(), org)
    expect(page.locator(".score-big")).to_have_text(re.compile(r"^0\s*/ 3 分$"))
    assert _attempt(attempt_id).status == "submitted"
    db.session.rollback()
    assert page.dialogs == []


def test_the_countdown_at_zero_counts_as_submitted_at_the_deadline(live_server, new_phone, org):
    page, attempt_id = _counted_down(live_server, new_phone(), org)
    done = _attempt(attempt_id)
    submitted_at, deadline_at, reason = done.submitted_at, done.deadline_at, done.end_reason
    db.session.rollback()
    assert submitted_at <= deadline_at
    assert reason == "time_up"
    expect(page.locator(".notice-info")).to_contain_text("时间已到，系统已自动交卷")


def test_the_countdown_at_zero_runs_on_when_the_close_was_extended(live_server, new_phone, org):
    """The page loaded with the deadline the quiz's close cut; the organiser extends the
    close before its 0:00: the page asks the server and runs on to the time limit."""
    bank = make_questions(org.admin, n_each=1)
    now = utcnow()
    quiz = make_quiz(
        org.org1, [org.u1], questions=[bank["single"][0]], now=now, title="延长测试",
        opens_in=timedelta(hours=-1), lasts=timedelta(hours=1, seconds=-5),
        time_limit_minutes=10,
    )  # fmt: skip
    attempt, _ = services.start_attempt(org.m1, quiz, now - timedelta(minutes=1))
    db.session.commit()
    assert attempt.deadline_at == quiz.closes_at  # 5 s ago, within the grace
    page = new_phone()
    asked = []
    page.route(f"**/api/attempts/{attempt.id}", lambda route: asked.append(route))
    log_in(page, live_server, "m1")
    page.goto(f"{live_server}/attempts/{attempt.id}")
    for _ in range(200):  # each round trip lets Playwright hand the held request over
        if asked:
            break
        page.evaluate("0")
    assert asked, "the page at 0:00 did not ask for the deadline"
    move_close(org.org1, quiz, quiz.closes_at + timedelta(hours=1), [org.u1])
    asked[0].continue_()
    expect(page.locator("#attempt-error")).to_contain_text("测试结束时间已调整")
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^[89]:[0-5]\d$"))
    assert page.url == f"{live_server}/attempts/{attempt.id}"
    assert _attempt(attempt.id).status == "in_progress"
    db.session.rollback()


# --- 5. phone fit, no dialogs, submitting without a connection ----------------------------


def test_pages_fit_a_phone_with_a_long_paper(live_server, new_phone, org):
    bank = make_questions(org.admin, n_each=3)
    questions = [q for kind in ("single", "multiple", "truefalse", "fill") for q in bank[kind]]
    long_title = (
        "学习贯彻《中国共产党纪律处分条例》和《关于新形势下党内政治生活的若干准则》专题知识测试"
    )
    description = "请在规定时间内独立完成。" * 10
    quiz = _u1_quiz(org, questions, long_title, 90, shuffled=True, description=description)
    db.session.commit()
    page = new_phone()
    attempt_id = _m1_starts(page, live_server, quiz)
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^1:[0-5]\d:[0-5]\d$"))
    assert _fits_phone_width(page), "attempt page"
    page.click("#navigator summary")
    expect(page.locator("#navigator .nav-cell")).to_have_count(12)
    assert _fits_phone_width(page), "attempt page, navigator open"
    for box in (page.locator("#navigator .nav-cell").nth(i).bounding_box() for i in (0, 11)):
        assert box["height"] >= 44 and box["width"] >= 44  # large tap targets
    for index in range(12):
        if index % 4 == 0:
            page.click(f"#navigator [data-go='{index}']")
        else:
            page.click("#next")
        pane = _pane(page, index)
        expect(pane).to_be_visible()
        qtype = pane.locator(".question").get_attribute("data-type")
        _answer(pane, qtype, RIGHT[qtype])
        assert _fits_phone_width(page), f"attempt page, question {index + 1}"
        if index % 4 == 3 and index < 11:
            page.click("#navigator summary")
    expect(page.locator("#save-state")).to_have_text("全部答案已保存")
    page.click("#submit-box summary")
    assert _fits_phone_width(page), "attempt page, submit box open"
    page.click("button:has-text('确认交卷')")
    page.wait_for_url(f"{live_server}/attempts/{attempt_id}/result")
    expect(page.locator(".score-big")).to_have_text(re.compile(r"^24\s*/ 24 分$"))
    assert _fits_phone_width(page), "result page"
    page.goto(f"{live_server}/quizzes")
    assert _fits_phone_width(page), "/quizzes with a finished quiz"
    page.goto(f"{live_server}/quizzes/{quiz.id}")
    assert _fits_phone_width(page), "quiz page with the member's attempts"
    assert page.dialogs == []


def test_submitting_offline_explains_and_keeps_the_answers(live_server, new_phone, org, paper):
    page = new_phone()
    attempt_id = _m1_starts(page, live_server, paper)
    _go_offline(page)
    _answer_at(page, 0, "single", RIGHT["single"], "未保存")
    page.click("#submit-box summary")
    expect(page.locator("#submit-summary")).to_have_text("还有 3 题未作答。交卷后不能再修改答案。")
    page.click("button:has-text('确认交卷')")
    expect(page.locator("#attempt-error")).to_have_text(
        "还有答案没有保存成功，请检查网络后再交卷。"
    )
    assert page.url.endswith(f"/attempts/{attempt_id}")
    assert _attempt(attempt_id).status == "in_progress"
    db.session.rollback()

    _go_online(page.context)
    expect(page.locator("#save-state")).to_have_text("全部答案已保存")
    page.click("#submit-form button[type=submit]")  # a second try, now online
    page.wait_for_url(f"{live_server}/attempts/{attempt_id}/result")
    expect(page.locator(".score-big")).to_have_text(re.compile(r"^2\s*/ 8 分$"))
    assert page.dialogs == []


def test_a_refused_submit_gives_the_button_back(live_server, new_phone, org, paper):
    page = new_phone()
    _m1_starts(page, live_server, paper)
    _go_offline(page)
    _answer(_pane(page, 0), "single", RIGHT["single"])
    page.click("#submit-box summary")
    button = page.locator("#submit-form button[type=submit]")
    button.click()
    expect(page.locator("#attempt-error")).to_contain_text("还有答案没有保存成功")
    expect(button).to_have_text("确认交卷", timeout=2000)
    expect(button).not_to_have_attribute("aria-busy", "true", timeout=1000)


# --- 6. a slow network, an expired session -------------------------------------------------


def _hold_saves(page) -> list:
    """Hold every autosave request (a very slow network) until the test lets it go."""
    held = []
    page.route(ANSWERS, lambda route: held.append(route))
    return held


def test_submitting_while_the_last_answer_is_still_being_saved(live_server, new_phone, org, paper):
    page = new_phone()
    attempt_id = _m1_starts(page, live_server, paper)
    held = _hold_saves(page)
    _answer(_pane(page, 0), "single", RIGHT["single"])
    expect(page.locator("#save-state")).to_have_text("正在保存 1 题…")
    for _ in range(200):  # each round trip lets Playwright hand the held request over
        if held:
            break
        page.evaluate("0")
    assert len(held) == 1
    page.click("#submit-box summary")
    page.click("button:has-text('确认交卷')")
    expect(page.locator("#attempt-error")).to_be_hidden(timeout=1000)  # no 还有答案没有保存成功
    for route in held:
        route.continue_()  # the slow network delivers the save
    page.wait_for_url(f"{live_server}/attempts/{attempt_id}/result", timeout=5000)
    expect(page.locator(".score-big")).to_have_text(re.compile(r"^2\s*/ 8 分$"))


def test_answers_kept_while_logged_out_are_sent_after_logging_in_again(
    live_server, new_phone, org, paper
):
    page = new_phone()
    attempt_id = _m1_starts(page, live_server, paper)
    page.context.clear_cookies()  # the session is gone (expired, cleared by the app)
    _answer_at(page, 0, "single", RIGHT["single"], "未保存")
    expect(page.locator("#save-state")).not_to_have_text("全部答案已保存")
    assert _fresh(attempt_id)["single"] is None

    again = phone_page(page.context)
    log_in(again, live_server, "m1")
    again.goto(f"{live_server}/attempts/{attempt_id}")
    expect(again.locator("#save-state")).to_have_text("全部答案已保存")
    expect(_pane(again, 0).locator(f"input[value='{RIGHT['single']}']")).to_be_checked()
    assert _fresh(attempt_id)["single"] == RIGHT["single"]
    assert page.dialogs == [] and again.dialogs == []


def test_an_expired_session_is_explained_on_the_attempt_page(live_server, new_phone, org, paper):
    page = new_phone()
    _m1_starts(page, live_server, paper)
    page.context.clear_cookies()
    _answer(_pane(page, 0), "single", RIGHT["single"])
    expect(page.locator("#attempt-error")).to_contain_text("重新登录", timeout=2000)
