"""Ranks and the review of an attempt in a real browser (Playwright + Debian's Chromium): a
member at 360 px sees their place, the branches' table and their answers coloured right
(green) and wrong (red) with the right option marked; an organiser at 1280 px sees branches
of the same name told apart by their unit, and how the ranking is made."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from quizapp import db
from quizapp.attempts import autosave
from quizapp.attempts import services as attempts
from quizapp.auth.session_ref import SessionRef
from quizapp.bank.services import QuestionData, save_question
from quizapp.clock import utcnow
from quizapp.org.models import BranchKind
from quizapp.quizzes.models import QuizKind, RankingWhen
from tests.browser import BROWSER, fits_phone_width, launch, log_in
from tests.conftest import _branch
from tests.factories import add_attempt, make_quiz

pytestmark = BROWSER

GREEN = "rgb(20, 108, 46)"  # --ok
RED = "rgb(180, 35, 24)"  # --err


def _question(org, qtype, stem, options, answer):
    data = QuestionData(
        type=qtype, stem=stem, options=options, answer=answer, category_path="测试", key=qtype
    )
    return save_question(org.admin, data)


@pytest.fixture()
def contest(org, make_member):
    """A live-ranked competition (on the real clock: the live server's) that m1 has sat:
    a single choice answered wrong, a multiple choice and a fill-in answered right."""
    now = utcnow()
    single = _question(org, "single", "处分种类不包括（  ）。", ["警告", "罚款", "记过"], 1)
    multiple = _question(
        org, "multiple", "属于处分种类的有（  ）。", ["警告", "罚款", "留党察看"], [0, 2]
    )
    fill = _question(org, "fill", "预备党员的预备期为____。", [], [["一年", "1年", "12个月"]])
    quiz = make_quiz(
        org.org1,
        [org.u1],
        questions=[single, multiple, fill],
        kind=QuizKind.COMPETITION,
        ranking_when=RankingWhen.LIVE,
        now=now,
        shuffle_questions=False,
        shuffle_options=False,
    )
    attempt, _ = attempts.start_attempt(org.m1, quiz, now)
    db.session.commit()
    ref = SessionRef(org.m1.id, org.m1.session_version)
    for seq, (question, response) in enumerate(
        ((single, 0), (multiple, [0, 2]), (fill, ["1年"])), start=1
    ):
        autosave.save_answer(ref, attempt.id, question.id, response, seq, now)
    attempts.submit_attempt(attempt, now + timedelta(minutes=5))
    rival = make_member("p1", org.b12, name="对手")
    add_attempt(rival, quiz, score=7, passed=True, at=now)
    db.session.commit()
    quiz.attempt_id = attempt.id
    return quiz


def _colour(locator, prop="border-top-color") -> str:
    return locator.evaluate(f"e => getComputedStyle(e).getPropertyValue('{prop}')")


def test_member_sees_the_review_coloured_and_their_rank_at_phone_width(
    live_server, phone, org, contest
):
    log_in(phone, live_server, "m1")
    phone.goto(f"{live_server}/attempts/{contest.attempt_id}/result")
    items = phone.locator(".review-item")
    expect(items).to_have_count(3)

    # 单选: the wrong choice red with ✗, the right option (not chosen) green and marked.
    single = items.nth(0)
    expect(single.locator(".option.is-wrong")).to_have_count(1)
    wrong, right = single.locator(".option.is-wrong"), single.locator(".option.is-right")
    expect(wrong).to_contain_text("警告")
    expect(right).to_contain_text("罚款")
    assert _colour(wrong) == RED and _colour(right) == GREEN
    assert wrong.evaluate("e => getComputedStyle(e, '::after').content") == '"✗"'
    assert right.evaluate("e => getComputedStyle(e, '::after').content") == '"✓"'
    expect(single.locator(".feedback")).to_contain_text("正确答案：B")
    assert _colour(single.locator(".feedback"), "color") == RED

    # 多选 right: both chosen options green, nothing red, the verdict green.
    multiple = items.nth(1)
    expect(multiple.locator(".option.is-right")).to_have_count(2)
    expect(multiple.locator(".option.is-wrong")).to_have_count(0)
    for index in range(2):
        assert _colour(multiple.locator(".option.is-right").nth(index)) == GREEN
    assert _colour(multiple.locator(".feedback"), "color") == GREEN

    # 填空: the blank green, the alternatives as people read them.
    fill = items.nth(2)
    expect(fill.locator("input.blank.is-right")).to_have_count(1)
    assert _colour(fill.locator("input.blank"), "border-bottom-color") == GREEN
    expect(fill.locator(".feedback")).to_contain_text("一年 或 1年 或 12个月")
    assert "|" not in fill.locator(".feedback").text_content()

    # The rank (live): m1 scored 5 of 7 points, the rival 7: second of two.
    expect(phone.locator(".member-ranking .my-rank")).to_contain_text("第 2 名")
    expect(phone.locator(".ranking-table tr.is-current")).to_contain_text("一所党支部")
    assert fits_phone_width(phone)

    phone.goto(f"{live_server}/quizzes/{contest.id}")
    phone.click("text=查看排名")
    phone.wait_for_url(f"**/quizzes/{contest.id}/ranking")
    expect(phone.locator(".ranking-basis")).to_contain_text("未参加的人员按 0 分计")
    expect(phone.locator(".ranking-table tbody tr")).to_have_count(2)
    assert "对手" not in phone.text_content("body")
    assert fits_phone_width(phone)
    assert phone.dialogs == []


def test_organiser_sees_same_named_branches_with_their_units_at_1280(
    live_server, org, contest, make_member
):
    from playwright.sync_api import sync_playwright

    twins = [
        _branch(unit, BranchKind.BRANCH, code, "刑侦大队党支部", 5)
        for unit, code in ((org.u1, "XZ1"), (org.u2, "XZ2"))
    ]
    make_member("x1", twins[0], name="刑侦队员")
    db.session.commit()
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        log_in(page, live_server, "admin")
        page.goto(f"{live_server}/manage/results/quizzes/{contest.id}")
        table = page.locator(".results-table")
        expect(table).to_contain_text("第一分局 / 刑侦大队党支部")
        expect(table.locator("thead")).to_contain_text("人均得分")
        expect(page.locator(".ranking-basis")).to_contain_text("排名依据")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        page.goto(f"{live_server}/manage/members/")
        options = page.locator("select[name=branch] option").all_text_contents()
        assert any(o.strip() == "第二分局 / 刑侦大队党支部" for o in options)
        browser.close()
