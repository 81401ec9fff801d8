"""Pages members use, in a real browser at a phone viewport (Playwright + Debian's Chromium)."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from quizapp import db
from quizapp.attempts import services as attempts
from quizapp.bank.services import QuestionData, save_question
from quizapp.campaigns import services as campaigns
from quizapp.clock import china_today, utcnow
from quizapp.marking import services as marking
from quizapp.notices.models import Notice
from tests.browser import (
    BROWSER,
    PHONE,
    fits_phone_width,
    log_in,
    phone_context,
    phone_page,
    short_tap_targets,
)
from tests.conftest import PASSWORD
from tests.factories import add_reflection, make_campaign, make_material, make_questions, make_quiz

pytestmark = BROWSER


_fits_phone_width = fits_phone_width


def test_first_login_change_password_and_reach_home(live_server, phone, make_member, org):
    make_member("p2026", org.b11, name="王小明", must_change=True)
    db.session.commit()

    phone.goto(f"{live_server}/")
    assert phone.url.endswith("/login?next=%2F")
    assert _fits_phone_width(phone)
    phone.fill("#login_id", "p2026")
    phone.fill("#password", "wrong-pass1")
    phone.click("button[type=submit]")
    assert "账号或密码错误" in phone.text_content(".notice-error")

    phone.fill("#login_id", "p2026")
    phone.fill("#password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url("**/password")
    assert "设置您的密码" in phone.text_content("h1")
    assert _fits_phone_width(phone)

    phone.fill("#current", PASSWORD)
    phone.fill("#new", "Mine2026abc")
    phone.fill("#confirm", "Mine2026xyz")
    phone.click("form[data-once] button[type=submit]")
    assert "两次输入的新密码不一致" in phone.text_content(".field-error")

    phone.fill("#current", PASSWORD)
    phone.fill("#new", "Mine2026abc")
    phone.fill("#confirm", "Mine2026abc")
    phone.click("form[data-once] button[type=submit]")
    phone.wait_for_url(f"{live_server}/")
    assert "王小明，您好" in phone.text_content("h1")

    tabs = phone.locator("nav.tabbar a")
    assert tabs.all_text_contents() == ["⌂首页", "▤学习", "✎答题", "☺我的"]
    for box in (tabs.nth(i).bounding_box() for i in range(4)):
        assert box["height"] >= 44 and box["width"] >= 44  # large tap targets
    assert _fits_phone_width(phone)

    tabs.nth(3).click()
    phone.wait_for_url("**/me")
    assert "一所党支部" in phone.text_content(".facts")
    assert phone.dialogs == []


def test_organiser_pages_fit_a_phone(live_server, phone, make_member, org):
    for i in range(40):
        make_member(f"x{i:03d}", org.b12, name=f"测试人员{i}")
    db.session.commit()
    log_in(phone, live_server, "org1")
    phone.click("text=进入管理后台")
    phone.wait_for_url("**/manage/")
    assert _fits_phone_width(phone)

    for path in (
        "/manage/branches",
        "/manage/members/",
        "/manage/members/import",
        "/manage/members/new",
    ):
        phone.goto(f"{live_server}{path}")
        assert _fits_phone_width(phone), path
        assert "第二分局" not in phone.content(), path  # another subtree stays invisible

    phone.goto(f"{live_server}/manage/members/")
    assert "第 1 / 2 页" in phone.text_content(".pager")
    phone.click("text=下一页")
    phone.wait_for_url("**page=2**")

    # Deactivating a member asks inside the page, not with confirm().
    phone.goto(f"{live_server}/manage/members/?q=测试人员7")
    phone.click(".member-list a >> nth=0")
    phone.click("summary:has-text('停用账号')")
    phone.click("button:has-text('确认停用')")
    assert "已停用" in phone.text_content(".notice-success")
    assert phone.dialogs == []


#: A title as organisers type them: Chinese, then a long run of letters and digits that a
#: browser does not break by itself.
LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _world(org, make_member, tail: str = LATIN):
    """A timed quiz, a material, a campaign and a notice whose titles end in ``tail``, and a
    member of that name whose essay org1 has marked; return them by name."""
    now = utcnow()
    today = china_today()
    bank = make_questions(org.admin, n_each=1)
    essay = save_question(
        org.admin,
        QuestionData(type="essay", stem="简述四个意识。", options=[], answer={"reference": "略"}),
    )
    quiz = make_quiz(
        org.org1,
        [org.u1],
        questions=[bank["single"][0], essay],
        now=now,
        title=f"第二轮补充测试{tail}",
        time_limit_minutes=30,
    )
    material = make_material(org, f"学习资料{tail}")
    campaign = make_campaign(
        org.org1,
        f"学习任务{tail}",
        today,
        today + timedelta(days=6),
        minutes=10,
        materials=[material],
        quizzes=[(quiz, False)],
        reflections_required=1,
        branches=[org.u1],
    )
    campaigns.set_published(org.org1, campaign, True)
    add_reflection(org.m1, "returned", campaign_id=campaign.id)
    writer = make_member("long1", org.b11, name=f"张{tail}")
    attempt, _ = attempts.start_attempt(writer, quiz, now)
    for answer in attempt.answers:
        answer.response = 1 if answer.question.type == "single" else "增强政治意识"
    db.session.flush()
    attempts.submit_attempt(attempt, now)
    written = next(a for a in attempt.answers if a.question_id == essay.id)
    marking.mark_answer(org.org1, written, "5", None, 0, now)
    db.session.add(
        Notice(
            member_id=org.m1.id,
            kind="reminder",
            title=f"请完成{tail}",
            body="请按时完成学习。",
            dedupe_key="test:long",
            created_at=now,
        )
    )
    db.session.commit()
    return {
        "quiz": quiz,
        "essay": essay,
        "material": material,
        "campaign": campaign,
        "practised": bank["single"][0],
    }


def _too_wide(page, live_server: str, paths) -> dict[str, int]:
    """Open each path; return those wider than the phone, with their width."""
    wide = {}
    for path in paths:
        page.goto(f"{live_server}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide[path] = width
    return wide


def test_long_latin_titles_and_names_fit_a_phone(live_server, browser, org, make_member):
    world = _world(org, make_member)
    quiz = world["quiz"]
    page = phone_page(phone_context(browser))
    log_in(page, live_server, "m1")
    member_pages = (
        "/quizzes",
        f"/quizzes/{quiz.id}",
        "/study/",
        f"/study/materials/{world['material'].id}",
        "/campaigns/",
        f"/campaigns/{world['campaign'].id}",
        f"/reflections/new?campaign={world['campaign'].id}",
        "/notices/",
        "/",
    )
    assert _too_wide(page, live_server, member_pages) == {}
    page.goto(f"{live_server}/quizzes/{quiz.id}")
    page.click("button:has-text('开始答题')")
    page.wait_for_url(re.compile(r"/attempts/\d+$"))
    expect(page.locator("#countdown")).to_have_text(re.compile(r"\d+:\d\d"))
    assert fits_phone_width(page), "attempt page"
    clock = page.locator("#countdown").bounding_box()
    assert clock["x"] >= 0 and clock["x"] + clock["width"] <= PHONE["width"], clock
    assert page.locator(".topbar").bounding_box()["height"] <= 48  # the title on one line

    organiser = phone_page(phone_context(browser))
    log_in(organiser, live_server, "org1")
    manage_pages = (
        "/manage/quizzes/",
        f"/manage/quizzes/{quiz.id}",
        f"/manage/results/quizzes/{quiz.id}",
        f"/marking/quizzes/{quiz.id}/questions/{world['essay'].id}",
        "/manage/materials/",
        f"/manage/materials/{world['material'].id}",
        "/manage/campaigns/",
        f"/manage/campaigns/{world['campaign'].id}",
        "/manage/members/?q=long1",
    )
    assert _too_wide(organiser, live_server, manage_pages) == {}


def _short_links(page, live_server: str, links: dict[str, str]) -> dict[str, list[str]]:
    """Open each path; return those whose links (a selector) are too short to tap."""
    short = {}
    for path, selector in links.items():
        page.goto(f"{live_server}{path}")
        if found := short_tap_targets(page, selector):
            short[path] = found
    return short


def test_links_in_text_are_tall_enough_to_tap_on_a_phone(live_server, browser, org, make_member):
    """Links in text, short links (‹ 练习, 全部 ›) and the header title: 40 px both ways."""
    world = _world(org, make_member, tail="")  # short titles: a link on one line
    quiz, campaign = world["quiz"], world["campaign"]
    page = phone_page(phone_context(browser))
    log_in(page, live_server, "m1")
    member_links = {
        "/practice/": "main a[href='/reports/mine']",  # the only way to 我的纠错
        f"/quizzes/{quiz.id}/deferral": f"main a[href='/quizzes/{quiz.id}']",
        f"/reflections/new?campaign={campaign.id}": "main .notice a",  # the earlier reflection
        "/": ".topbar-title, .home-campaigns-head a",  # on every member page; 全部 ›
        "/points": ".points-all-branches summary",
        "/practice/daily": "a.back-link",  # ‹ 练习
        "/practice/wrong": "a.back-link",
        "/reports/mine": "a.back-link",
        f"/questions/{world['practised'].id}/report": "a.back-link",  # ‹ 返回
    }
    assert _short_links(page, live_server, member_links) == {}

    organiser = phone_page(phone_context(browser))
    log_in(organiser, live_server, "org1")
    manage_links = {
        f"/marking/quizzes/{quiz.id}/questions/{world['essay'].id}": "main a[href*='attempt=']",
        "/manage/": "main a[href*='status=']",  # 按政治面貌
        f"/manage/results/quizzes/{quiz.id}": "#marking-link a, .results-population a",
    }
    assert _short_links(organiser, live_server, manage_links) == {}
