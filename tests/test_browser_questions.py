"""Question inputs in a real browser at 360 px: each type's script (static/js/types/) reads,
marks and restores its own inputs on the daily questions page, and the bank's question form
shows the inputs each type uses (its form_parts)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from quizapp import db
from tests.browser import BROWSER, fits_phone_width, log_in
from tests.factories import make_questions

pytestmark = BROWSER

#: A right and a wrong way to answer each question of tests.factories.make_questions.
RIGHT = {"single": "记过", "multiple": ("警告", "留党察看"), "truefalse": "对", "fill": "惩前毖后"}
WRONG = {"single": "警告", "multiple": ("警告",), "truefalse": "错", "fill": "治病救人"}


def _texts(answer) -> tuple[str, ...]:
    return answer if isinstance(answer, tuple) else (answer,)


def _option(form, text: str):
    return form.locator(f"label.option:has(span:text-is('{text}'))")


def _answer(form, qtype: str, answer) -> None:
    if qtype == "fill":
        form.locator("input.blank").fill(answer)
        return
    for text in _texts(answer):
        _option(form, text).click()


def test_each_type_answers_and_marks_itself_on_the_daily_page(live_server, phone, org):
    make_questions(org.admin, n_each=1)
    db.session.commit()
    log_in(phone, live_server, "m1")
    phone.goto(f"{live_server}/practice/daily")
    phone.get_by_role("button", name="开始今日答题").click()  # the draw is a POST
    forms = phone.locator("form.practice-item")
    expect(forms).to_have_count(4)
    assert fits_phone_width(phone)

    for index in range(4):
        form = forms.nth(index)
        qtype = form.locator(".question").get_attribute("data-type")
        submit = form.locator('button[type="submit"]')
        submit.click()  # nothing given yet: the type says what is missing
        expected = "请先填写答案再提交。" if qtype == "fill" else "请先选择答案再提交。"
        expect(form.locator(".practice-error")).to_have_text(expected)
        right = index % 2 == 0
        _answer(form, qtype, RIGHT[qtype] if right else WRONG[qtype])
        submit.click()
        expect(form.locator(".feedback-verdict")).to_have_text("回答正确" if right else "回答错误")
        if qtype == "fill":
            mark = "is-right" if right else "is-wrong"
            expect(form.locator("input.blank")).to_have_class(re.compile(rf"\b{mark}\b"))
        else:  # the right options are green, a wrong choice red
            for text in _texts(RIGHT[qtype]):
                expect(_option(form, text)).to_have_class(re.compile(r"\bis-right\b"))
            for text in set(_texts(WRONG[qtype])) - set(_texts(RIGHT[qtype])):
                if not right:
                    expect(_option(form, text)).to_have_class(re.compile(r"\bis-wrong\b"))
        for input_ in form.locator("input").all():
            expect(input_).to_be_disabled()

    # Opened again, the answered questions are shown as they were graded.
    phone.reload()
    expect(phone.locator("form.practice-item .is-right").first).to_be_visible()
    expect(phone.locator("#daily-summary")).to_contain_text("答对 2 题")
    assert phone.dialogs == []


def test_the_question_form_shows_the_inputs_of_the_chosen_type(live_server, phone, org):
    log_in(phone, live_server, "org1")
    phone.goto(f"{live_server}/manage/bank/new")
    assert fits_phone_width(phone)
    options, answer = phone.locator("fieldset.only-options"), phone.locator(".only-answer")
    truth, blanks = phone.locator("fieldset.only-truth"), phone.locator(".stem-help")
    shown = {
        "单选": (options, answer),
        "判断": (truth,),
        "填空": (answer, blanks),
        "多选": (options, answer),
    }
    for label, visible in shown.items():
        phone.locator("label.segment", has_text=label).click()
        for part in (options, answer, truth, blanks):
            if part in visible:
                expect(part).to_be_visible()
            else:
                expect(part).to_be_hidden()
    assert phone.dialogs == []
