"""题目有误 in a real browser at 360 px, without any dialog (in-app browsers block them): the
member's report from a daily question's feedback, and the organiser closing the reports and
regrading on a phone."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from quizapp import db
from quizapp.attempts import autosave
from quizapp.attempts import services as attempts
from quizapp.auth.session_ref import SessionRef
from quizapp.bank.services import QuestionData, save_question
from quizapp.clock import utcnow
from quizapp.reports import services as reports
from tests.browser import BROWSER, fits_phone_width, log_in
from tests.factories import make_questions, make_quiz

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


def test_an_organiser_closes_reports_and_regrades_on_a_phone(live_server, phone, org):
    now = utcnow()
    data = QuestionData(
        type="single",
        stem="浏览器复核：处分种类不包括（  ）。",
        options=["罚款", "警告"],
        answer=1,
        category_path="复核",
    )
    question = save_question(org.org1, data)
    quiz = make_quiz(org.org1, [org.u1], questions=[question], title="浏览器复核测试", now=now)
    attempt, _ = attempts.start_attempt(org.m1, quiz, now)
    db.session.commit()
    autosave.save_answer(
        SessionRef(org.m1.id, org.m1.session_version), attempt.id, question.id, 0, 1, now
    )
    attempts.submit_attempt(attempt, now + timedelta(minutes=1))
    reports.file_report(
        org.m1, question.id, reports.ReportData("answer", "应为罚款", "review"), now, 3
    )
    save_question(
        org.org1, QuestionData(**{**data.__dict__, "answer": 0, "key": question.key}), question
    )
    db.session.commit()

    log_in(phone, live_server, "org1")
    phone.goto(f"{live_server}/manage/bank/")
    phone.get_by_role("link", name="题目错误报告").click()
    phone.get_by_role("link", name="浏览器复核").click()
    assert fits_phone_width(phone)
    phone.locator("label.segment", has_text="已更正").click()
    phone.get_by_label("处理说明").fill("答案已改为 A。")
    phone.get_by_role("button", name="提交处理结果并通知报告人").click()
    expect(phone.get_by_text("已处理 1 条报告")).to_be_visible()

    phone.get_by_role("link", name="重新评分").click()
    phone.get_by_label("浏览器复核测试").check()
    phone.get_by_role("button", name="预览影响").click()
    expect(phone.locator(".regrade-preview")).to_contain_text("共 1 份答卷的成绩将改变")
    assert fits_phone_width(phone)
    phone.get_by_role("button", name="确认重新评分").click()
    expect(phone.get_by_text("1 份答卷加分")).to_be_visible()
    expect(phone.locator("table")).to_contain_text("不及格 → 及格")
    assert fits_phone_width(phone)
    assert phone.dialogs == []
