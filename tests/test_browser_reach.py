"""A unit organiser finds a quiz's results, on a phone (360 px) and an office screen (1280 px):
from the dashboard's recent tests, the quiz list's 成绩 link and the quiz's page; the bureau's
quiz opens read-only with their own members only (Playwright + Debian's Chromium)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from quizapp import db
from quizapp.quizzes.models import QuizKind
from tests.browser import BROWSER, fits_phone_width, log_in
from tests.factories import add_attempt, make_questions, make_quiz

pytestmark = BROWSER


def _box_fits(page, selector: str) -> dict:
    """The element's box, asserting a thumb can hit it (44 px) and it is on screen."""
    box = page.locator(selector).first.bounding_box()
    width = page.viewport_size["width"]
    assert box["height"] >= 44 and box["width"] >= 44, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    return box


def test_a_unit_organiser_finds_results_on_a_phone_and_a_desktop(
    live_server, phone, org, make_member
):
    now = datetime.now(UTC)
    bank = make_questions(org.admin, n_each=1)
    exam = make_quiz(
        org.admin,
        [org.bureau],
        questions=[bank["single"][0]],
        title="局级考试",
        kind=QuizKind.EXAM,
        now=now - timedelta(days=2),
        lasts=timedelta(hours=3),
    )
    own = make_quiz(org.org1, [org.u1], questions=[bank["truefalse"][0]], title="一分局测试")
    outsider = make_member("u2x", org.b21, name="丙同志")
    add_attempt(org.m1, exam, score=2, passed=True, at=now - timedelta(days=2, hours=-1))
    add_attempt(outsider, exam, score=0, passed=False, at=now - timedelta(days=2, hours=-1))
    db.session.commit()

    log_in(phone, live_server, "org1")
    phone.goto(f"{live_server}/manage/")
    card = phone.locator(".dashboard-quizzes")
    assert "局级考试" in card.text_content() and "一分局测试" in card.text_content()
    card.locator("a", has_text="局级考试").click()
    phone.wait_for_url(f"**/manage/results/quizzes/{exam.id}")
    assert fits_phone_width(phone)
    body = phone.text_content("main")
    assert "局级 · 只读" in body and "普通党员" in body and "丙同志" not in body
    phone.click(".result-tabs >> text=题目分析")
    phone.wait_for_url(f"**/manage/results/quizzes/{exam.id}/items")
    assert "指标说明" in phone.text_content("main") and fits_phone_width(phone)

    phone.goto(f"{live_server}/manage/quizzes/")
    assert fits_phone_width(phone)
    row = '.row-with-action:has-text("一分局测试") .row-action'
    _box_fits(phone, row)
    phone.click(row)
    phone.wait_for_url(f"**/manage/results/quizzes/{own.id}")

    phone.goto(f"{live_server}/manage/quizzes/{exam.id}")
    assert "修改设置" not in phone.text_content("main")
    phone.click("text=成绩与排名")
    phone.wait_for_url(f"**/manage/results/quizzes/{exam.id}")

    # The office screen: the same list, the results link at the row's right edge.
    phone.set_viewport_size({"width": 1280, "height": 800})
    phone.goto(f"{live_server}/manage/quizzes/")
    link = _box_fits(phone, row)
    main = phone.locator(".row-with-action", has_text="一分局测试").bounding_box()
    assert abs((link["x"] + link["width"]) - (main["x"] + main["width"])) < 2
    assert phone.evaluate("document.documentElement.scrollWidth") <= 1280
    assert phone.dialogs == []
