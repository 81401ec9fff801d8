"""Asking for 缓考 on a phone (360 px): the quiz page's link, the reasons as large segments,
the pending request and its withdrawal (a confirmation in the page, never a dialog), then
the personal window once an organiser approved it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp import db
from quizapp.clock import format_datetime, utcnow
from quizapp.deferrals import services
from quizapp.deferrals.models import QuizException
from tests.browser import BROWSER, fits_phone_width, log_in, phone_context, phone_page
from tests.factories import make_questions, make_quiz

pytestmark = BROWSER


@pytest.fixture()
def member_phone(browser):
    context = phone_context(browser, timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    yield phone_page(context)
    context.close()


def test_a_member_asks_for_deferral_withdraws_and_is_approved(live_server, member_phone, org):
    bank = make_questions(org.admin, n_each=1)
    quiz = make_quiz(
        org.org1, [org.u1], questions=[bank["single"][0]], now=utcnow(), title="值班期间的考试"
    )
    db.session.commit()
    page = member_phone
    log_in(page, live_server, "m1")
    page.goto(f"{live_server}/quizzes/{quiz.id}")
    link = page.get_by_role("link", name="因值班、出警不能参加？申请缓考")
    assert link.bounding_box()["height"] >= 44
    link.click()
    expect(page.get_by_role("heading", name="申请缓考")).to_be_visible()
    assert fits_phone_width(page)

    # 其他 without words is refused with the reason, nothing saved.
    page.get_by_text("其他", exact=True).click()
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_text("请填写缓考原因说明。")).to_be_visible()
    db.session.rollback()
    assert db.session.scalar(select(QuizException)) is None

    segment = page.locator("label.segment", has_text="出警")
    assert segment.bounding_box()["height"] >= 40
    segment.click()
    page.get_by_label("说明").fill("辖区突发警情")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_text("缓考申请已提交")).to_be_visible()
    expect(page.get_by_text("出警：辖区突发警情")).to_be_visible()
    expect(page.get_by_role("heading", name="缓考 · 待审批")).to_be_visible()
    assert fits_phone_width(page)

    page.get_by_text("撤回申请").click()
    page.get_by_role("button", name="确认撤回").click()
    expect(page.get_by_text("缓考申请已撤回。")).to_be_visible()
    expect(page.get_by_role("heading", name="缓考 · 已撤回")).to_be_visible()

    # Asked again and approved by U1's organiser: the quiz page shows the personal window.
    page.locator("label.segment", has_text="值班").click()
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("heading", name="缓考 · 待审批")).to_be_visible()
    db.session.rollback()
    row = db.session.scalar(select(QuizException).where(QuizException.status == "pending"))
    start = utcnow().replace(second=0, microsecond=0) + timedelta(days=1)
    services.approve_deferral(org.org1, row, start, start + timedelta(days=1), "", utcnow())
    db.session.commit()
    page.goto(f"{live_server}/quizzes/{quiz.id}")
    expect(page.get_by_text(f"个人考试时间 {format_datetime(start)}")).to_be_visible()
    expect(page.get_by_role("button", name="开始答题")).to_have_count(0)
    assert fits_phone_width(page)
    # The 答题 list's card gives their own start, marked 缓考, not the quiz's dates.
    page.goto(f"{live_server}/quizzes")
    card = page.locator(".member-list li", has_text="值班期间的考试")
    expect(card).to_contain_text(f"{format_datetime(start)} 开始")
    expect(card.locator(".badge", has_text="缓考")).to_be_visible()
    assert card.bounding_box()["height"] >= 44 and fits_phone_width(page)
    assert page.dialogs == []


def test_an_organiser_approving_on_a_phone_is_offered_after_the_close_and_keeps_a_refused_form(
    live_server, member_phone, org, make_member
):
    quiz = make_quiz(
        org.org1,
        [org.u1],
        questions=make_questions(org.admin, n_each=1)["single"],
        now=utcnow().replace(second=0, microsecond=0),
        opens_in=timedelta(days=3),
        title="下周的考试",
    )
    other = services.request_deferral(make_member("m2", org.b12), quiz, "call_out", "", utcnow())
    row = services.request_deferral(org.m1, quiz, "duty", "", utcnow())
    db.session.commit()
    page = member_phone
    log_in(page, live_server, "org1")
    page.goto(f"{live_server}/manage/deferrals/")
    card = page.locator(".deferral-request", has=page.locator(f"#opens-{row.id}"))
    card.get_by_text("批准缓考").click()
    # The window offered starts at the quiz's close, never before the quiz opens.
    offered = format_datetime(quiz.closes_at).replace(" ", "T")
    expect(card.locator(f"#opens-{row.id}")).to_have_value(offered)

    # Too early: the page comes back with this request's form open, as typed, the reason in it.
    too_early = format_datetime(quiz.opens_at - timedelta(days=1)).replace(" ", "T")
    card.locator(f"#opens-{row.id}").fill(too_early)
    card.get_by_label("备注").fill("提前考")
    card.get_by_role("button", name="确认批准").click()
    card = page.locator(".deferral-request", has=page.locator(f"#opens-{row.id}"))
    expect(card.get_by_role("alert")).to_contain_text("开始时间不能早于本测试的开始时间")
    expect(card.locator(f"#opens-{row.id}")).to_be_visible()
    expect(card.locator(f"#opens-{row.id}")).to_have_value(too_early)
    expect(card.get_by_label("备注")).to_have_value("提前考")
    expect(page.locator(f"#opens-{other.id}")).to_be_hidden()  # the other request stays closed
    assert fits_phone_width(page)
    assert page.dialogs == []
