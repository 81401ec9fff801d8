"""简答 at a phone viewport: writing an essay answer (counter, autosave, offline queue), the
result page's 待阅卷, and marking it on a phone (Playwright + Debian's Chromium)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from quizapp import db
from quizapp.bank.services import QuestionData, save_question
from quizapp.clock import utcnow
from tests import test_browser_quiz as tq
from tests.browser import BROWSER, fits_phone_width, log_in
from tests.factories import make_questions, make_quiz
from tests.test_browser_quiz import (
    _attempt,
    _fresh,
    _go_offline,
    _go_online,
    _pane,
    _start,
    _state_of,
)

pytestmark = BROWSER

new_phone = tq.new_phone


def _essay_quiz(org):
    bank = make_questions(org.admin, n_each=1)
    essay = save_question(
        org.admin,
        QuestionData(
            type="essay",
            stem="简述党的纪律处分种类。",
            options=[],
            answer={
                "reference": "警告、严重警告、撤销党内职务、留党察看、开除党籍。",
                "points": ["留党察看", "开除党籍"],
            },
        ),
    )
    quiz = make_quiz(
        org.org1,
        [org.u1],
        questions=[bank["single"][0], essay],
        now=utcnow(),
        title="简答测试",
        time_limit_minutes=30,
        shuffle_questions=False,
    )
    db.session.commit()
    return quiz


def test_write_an_essay_offline_submit_and_have_it_marked_on_a_phone(live_server, new_phone, org):
    quiz = _essay_quiz(org)
    page = new_phone()
    log_in(page, live_server, "m1")
    attempt_id = _start(page, live_server, quiz)
    page.locator("section.pane[data-index='0'] input[value='1']").check()
    page.click("#next")
    essay = _pane(page, 1)
    box = essay.locator("textarea.essay-input")
    box.fill("处分有警告、留党察看")
    expect(essay.locator(".essay-count")).to_have_text("已写 10 字，还可写 1990 字")
    expect(_state_of(essay)).to_have_text("已保存")
    assert _fresh(attempt_id)["essay"] == "处分有警告、留党察看"
    # Offline, the text is kept on the phone and sent when the connection returns.
    _go_offline(page)
    box.fill("处分有警告、留党察看和开除党籍")
    expect(_state_of(essay)).to_have_text("未保存")
    _go_online(page.context)
    expect(_state_of(essay)).to_have_text("已保存")
    assert _fresh(attempt_id)["essay"] == "处分有警告、留党察看和开除党籍"
    assert fits_phone_width(page), "attempt page with an essay"
    page.click("#submit-box summary")
    page.click("button:has-text('确认交卷')")
    page.wait_for_url(f"{live_server}/attempts/{attempt_id}/result")
    expect(page.locator("#marking-pending")).to_contain_text("待阅卷")
    assert _attempt(attempt_id).status == "marking"
    db.session.rollback()

    # The unit's organiser marks it on a phone.
    marker = new_phone()
    log_in(marker, live_server, "org1")
    expect(marker.locator(".task, li, a").filter(has_text="阅卷：简答测试").first).to_be_visible()
    marker.goto(f"{live_server}/marking/")
    marker.click("a:has-text('简答测试')")
    marker.click("#marking-queue a")
    expect(marker.locator(".essay-answer mark")).to_have_count(2)
    assert fits_phone_width(marker), "marking page"
    marker.click(".marking-steps label:has-text('7.5')")
    marker.fill("#comment", "要点基本齐全")
    marker.click("button:has-text('保存评分')")
    expect(marker.locator("body")).to_contain_text("已评分：7.5 分")
    expect(marker.locator("body")).to_contain_text("本题的简答已全部评完")
    done = _attempt(attempt_id)
    assert done.status == "submitted" and done.score == 9.5
    db.session.rollback()

    page.reload()
    expect(page.locator(".score-big")).to_have_text(re.compile(r"^9\.5\s*/ 12 分$"))
    expect(page.locator(".marking-comment")).to_contain_text("要点基本齐全")
    assert page.dialogs == [] and marker.dialogs == []
