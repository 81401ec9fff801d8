"""The member's home (今日任务) and 我的 in a real browser at a phone viewport (Playwright +
Debian's Chromium). The live server runs on the real clock: data is made around it."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from quizapp import db
from quizapp.campaigns.services import set_published
from quizapp.clock import china_today, utcnow
from tests.browser import BROWSER, fits_phone_width, log_in
from tests.factories import (
    add_attempt,
    add_study,
    make_campaign,
    make_material,
    make_questions,
    make_quiz,
)

pytestmark = BROWSER


def _world(org):
    now = utcnow()
    today = china_today(now)
    bank = make_questions(org.admin, n_each=1)
    material = make_material(
        org, "学习贯彻党纪处分条例专题辅导材料（第一讲）", branches=[org.u1], estimated_minutes=5
    )
    quiz = make_quiz(
        org.admin,
        [org.u1],
        questions=[bank["single"][0]],
        title="党纪知识测试",
        now=now,
        lasts=timedelta(days=2),
    )
    taken = make_quiz(
        org.admin, [org.u1], questions=[bank["truefalse"][0]], title="已答过的测试", now=now
    )
    add_attempt(org.m1, taken, score=8, passed=True, at=now - timedelta(minutes=5))
    add_study(org.m1, material, today, 150)
    campaign = make_campaign(
        org.admin,
        "党纪学习教育",
        today - timedelta(days=3),
        today + timedelta(days=4),
        minutes=30,
        materials=[material],
        quizzes=[(quiz, False)],
        offline_sessions_required=1,
        branches=[org.u1],
    )
    set_published(org.admin, campaign, True)
    db.session.commit()
    return material, quiz, campaign


def test_todays_tasks_are_large_and_each_leads_to_its_page(live_server, phone, org):
    material, quiz, campaign = _world(org)
    page = phone
    log_in(page, live_server, "m1")
    tasks = page.locator(".task-list a.task")
    expect(tasks).to_have_count(5)
    assert fits_phone_width(page)
    top = page.locator("#tasks-title").bounding_box()["y"]
    assert top < page.locator(".home-minutes").bounding_box()["y"]  # the page opens with it
    expected = []
    for i in range(5):
        box = tasks.nth(i).bounding_box()
        assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 360
        expected.append(tasks.nth(i).get_attribute("href"))
    assert expected == [
        "/practice/daily",
        f"/quizzes/{quiz.id}",
        f"/study/materials/{material.id}",
        "/study/",
        f"/campaigns/{campaign.id}",
    ]
    headings = ["每日答题", "党纪知识测试", material.title, "学习", "党纪学习教育"]
    for href, heading in zip(expected, headings, strict=True):
        page.goto(f"{live_server}/")
        page.locator(f".task-list a.task[href='{href}']").tap()
        page.wait_for_url(f"{live_server}{href}")
        expect(page.locator("h1").first).to_contain_text(heading)
    assert page.dialogs == []


def test_me_shows_weeks_results_and_points_at_phone_width(live_server, phone, org):
    _world(org)
    page = phone
    log_in(page, live_server, "m1")
    page.locator("nav.tabbar a:has-text('我的')").tap()
    page.wait_for_url(f"{live_server}/me")
    expect(page.locator(".week-list li")).to_have_count(12)
    expect(page.locator(".week-list li").first).to_contain_text("2.5 分钟")
    result = page.locator(".result-list a.result")
    expect(result).to_have_count(1)
    assert result.bounding_box()["height"] >= 44
    assert fits_phone_width(page)
    result.tap()
    page.wait_for_url(f"{live_server}/attempts/*/result")
    expect(page.locator("h1")).to_have_text("已答过的测试")
    assert page.dialogs == []
