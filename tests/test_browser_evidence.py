"""Time and 切屏 evidence in a real browser: a member's header at 360 px (the closing time of an
untimed test, 时间已到 when the countdown submits), and an organiser at 1280 px reading each
attempt's end and leavings on the results page, then its answer sheet."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from quizapp import db
from quizapp.attempts import services
from quizapp.clock import format_month_day_time, utcnow
from quizapp.quizzes.attempt_models import Attempt
from quizapp.quizzes.models import LeavePolicy
from tests.browser import BROWSER, fits_phone_width, log_in, phone_context, phone_page
from tests.factories import add_attempt, make_questions, make_quiz

pytestmark = BROWSER
WAIT = 10_000
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture()
def member_phone(browser):
    context = phone_context(browser, timezone_id="Asia/Shanghai")
    context.set_default_timeout(WAIT)
    yield phone_page(context)
    context.close()


@pytest.fixture()
def office_pc(browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(WAIT)
    yield phone_page(context)
    context.close()


def _quiz(org, **options):
    bank = make_questions(org.admin, n_each=1)
    quiz = make_quiz(
        org.org1,
        [org.u1],
        questions=[bank["single"][0], bank["truefalse"][0]],
        now=utcnow(),
        shuffle_questions=False,
        shuffle_options=False,
        **options,
    )
    db.session.commit()
    return quiz


def test_an_untimed_test_shows_when_it_closes_in_the_header(live_server, member_phone, org):
    quiz = _quiz(org, title="不限时测试", lasts=timedelta(days=7))
    page = member_phone
    log_in(page, live_server, "m1")
    page.goto(f"{live_server}/quizzes/{quiz.id}")
    page.click("button:has-text('开始答题')")
    page.wait_for_url(re.compile(r"/attempts/\d+$"))
    header = page.locator("#countdown")
    expect(header).to_have_text(f"截止 {format_month_day_time(quiz.closes_at)}")
    page.wait_for_timeout(1500)  # a tick of the page's clock changes nothing
    expect(header).to_have_text(re.compile(r"^截止 \d+月\d+日 \d\d:\d\d$"))
    assert header.bounding_box()["x"] + header.bounding_box()["width"] <= 360
    assert fits_phone_width(page)
    assert page.dialogs == []


def test_the_countdown_at_zero_says_time_is_up(live_server, member_phone, org):
    quiz = _quiz(org, title="限时测试", time_limit_minutes=1)
    attempt, _ = services.start_attempt(org.m1, quiz, utcnow() - timedelta(seconds=54))
    db.session.commit()
    attempt_id = attempt.id
    page = member_phone
    log_in(page, live_server, "m1")
    page.goto(f"{live_server}/attempts/{attempt_id}")
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^0:0\d$"))
    # The page's own countdown reaches 0:00 and submits: the result says time is up.
    page.wait_for_url(f"{live_server}/attempts/{attempt_id}/result", timeout=15_000)
    expect(page.locator("#end-reason")).to_have_text(re.compile("^时间已到，系统已自动交卷"))
    assert fits_phone_width(page)
    done = db.session.get(Attempt, attempt_id)
    db.session.refresh(done)
    reason, submitted_at, deadline_at = done.end_reason, done.submitted_at, done.deadline_at
    db.session.rollback()
    assert reason == "time_up" and submitted_at <= deadline_at
    page.goto(f"{live_server}/quizzes/{quiz.id}")
    expect(page.locator("table")).to_contain_text("时间已到")
    expect(page.locator("text=继续答题")).to_have_count(0)
    assert page.dialogs == []


def _attempt_line(page, live_server, quiz, attempt):
    """The line of ``attempt`` on the results page of ``quiz``, opened by org1 on ``page``."""
    log_in(page, live_server, "org1")
    page.goto(f"{live_server}/manage/results/quizzes/{quiz.id}")
    return page.locator(f"a.attempt-line[href$='/attempts/{attempt.id}']")


def test_an_organiser_reads_the_ends_and_leavings_then_an_answer_sheet(live_server, office_pc, org):
    quiz = _quiz(org, title="切屏证据", leave_policy=LeavePolicy.SUBMIT, leave_limit=3)
    first = add_attempt(org.m1, quiz, 1, 0, False, end_reason="leave_limit", leave_count=3)
    for answer in services.start_attempt(org.org1, quiz, utcnow())[0].answers:
        answer.response = True if answer.question.type == "truefalse" else 1
    db.session.commit()
    page = office_pc
    line = _attempt_line(page, live_server, quiz, first)
    expect(line).to_contain_text("切屏达到上限")
    expect(line).to_contain_text("切屏 3 次")
    # At 1280 px the attempt's facts stand in columns on one line.
    cells = line.locator(".attempt-cell")
    tops = {round(cells.nth(i).bounding_box()["y"]) for i in range(cells.count())}
    assert len(tops) == 1, tops
    reason = line.locator(".end-reason").bounding_box()
    leaves = line.locator(".leave-count").bounding_box()
    assert leaves["x"] >= reason["x"] + reason["width"]
    running = page.locator("a.attempt-line", has_text="答题中")
    expect(running).to_contain_text("切屏 0 次")

    running.click()
    page.wait_for_url(re.compile(r"/manage/results/attempts/\d+$"))
    expect(page.locator("h1")).to_have_text("一分局管理员的答卷")
    items = page.locator(".sheet-item")
    expect(items).to_have_count(2)
    expect(items.first.locator(".sheet-response")).to_have_text("B")
    expect(items.first.locator(".sheet-correct")).to_have_text("B．记过")
    expect(items.first.locator(".sheet-mark")).to_have_text("未评分")  # still in progress
    expect(page.locator(".answer-sheet-facts")).to_contain_text("答题中")
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    assert page.dialogs == []


def test_the_results_and_answer_sheet_fit_a_phone(live_server, member_phone, org):
    quiz = _quiz(org, title="切屏证据", leave_policy=LeavePolicy.RECORD)
    first = add_attempt(org.m1, quiz, 1, 2, True, end_reason="closed", leave_count=12)
    db.session.commit()
    page = member_phone
    line = _attempt_line(page, live_server, quiz, first)
    expect(line).to_contain_text("测试结束自动交卷")
    expect(line).to_contain_text("切屏 12 次")
    assert line.bounding_box()["height"] >= 44  # a tap target
    assert fits_phone_width(page), "results"
    line.click()
    page.wait_for_url(f"**/manage/results/attempts/{first.id}")
    assert fits_phone_width(page), "answer sheet"
    assert page.dialogs == []
