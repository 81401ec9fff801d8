"""The member's 报告题目有误 flow in a real browser at 360 px: from a daily question's
feedback to the report page and back, without any dialog (in-app browsers block them)."""

from __future__ import annotations

from playwright.sync_api import expect

from quizapp import db
from tests.browser import BROWSER, fits_phone_width, log_in
from tests.factories import make_questions

pytestmark = BROWSER


def test_a_member_reports_a_question_from_the_daily_feedback(live_server, phone, org):
    make_questions(org.admin, n_each=1)
    db.session.commit()
    log_in(phone, live_server, "m1")
    phone.goto(f"{live_server}/practice/daily")
    phone.get_by_role("button", name="开始今日答题").click()
    form = phone.locator("form.practice-item").first
    if form.locator("input.blank").count():
        form.locator("input.blank").fill("不知道")
    else:
        form.locator("label.option").first.click()
    form.locator('button[type="submit"]').click()
    link = form.get_by_role("link", name="报告题目有误")
    expect(link).to_be_visible()
    assert link.bounding_box()["height"] >= 44  # a thumb's tap target

    link.click()
    expect(phone.get_by_role("heading", name="报告题目有误")).to_be_visible()
    assert fits_phone_width(phone)
    phone.locator("label.segment", has_text="答案有误").click()
    phone.get_by_label("说明").fill("依据条例第八条，答案应为记过。")
    phone.get_by_role("button", name="提交报告").click()

    phone.wait_for_url(f"{live_server}/practice/daily")
    expect(phone.get_by_text("已收到您的报告")).to_be_visible()
    phone.goto(f"{live_server}/practice/")
    phone.get_by_role("link", name="我的纠错").click()
    expect(phone.locator(".report-list")).to_contain_text("答案有误")
    expect(phone.locator(".report-list")).to_contain_text("待处理")
    assert fits_phone_width(phone)
    assert phone.dialogs == []
