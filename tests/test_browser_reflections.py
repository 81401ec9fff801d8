"""Writing a reflection in a real browser at a phone viewport (Playwright + Debian's Chromium).

The live server shares the test's database: commit after creating data.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from quizapp import db
from quizapp.study.models import Reflection
from tests.browser import BROWSER, log_in
from tests.factories import make_material

pytestmark = BROWSER

TITLE = "学习党纪的体会"
BODY = "学习党纪，知敬畏、存戒惧、守底线。\n" * 20


def test_a_draft_outlives_the_session_and_is_dropped_once_saved(
    live_server, phone, org, make_member
):
    make_member("m2", org.b11, name="王小明")
    material = make_material(org, "党纪学习教育读本", branches=[org.u1])
    db.session.commit()
    form = f"{live_server}/reflections/new?material={material.id}"
    log_in(phone, live_server, "m1")
    phone.goto(form)
    phone.fill("input[name=title]", TITLE)
    phone.fill("textarea[name=body]", BODY)
    expect(phone.locator("[data-draft-state]")).to_contain_text("草稿已保存在本机")

    # The session ends while writing (expiry, a logout elsewhere): the submit meets the login.
    phone.context.clear_cookies()
    phone.locator("form[data-once] button[type=submit]").tap()
    phone.wait_for_url("**/login**")
    assert db.session.scalars(select(Reflection)).all() == []

    # Another member on the same phone never sees it.
    log_in(phone, live_server, "m2")
    phone.goto(form)
    expect(phone.locator("textarea[name=body]")).to_have_value("")
    expect(phone.locator("[data-draft-state]")).to_be_hidden()
    phone.context.clear_cookies()

    log_in(phone, live_server, "m1")
    phone.goto(form)
    expect(phone.locator("input[name=title]")).to_have_value(TITLE)
    expect(phone.locator("textarea[name=body]")).to_have_value(BODY)
    expect(phone.locator("[data-draft-state]")).to_contain_text("已恢复本机保存的草稿")

    phone.locator("form[data-once] button[type=submit]").tap()
    phone.wait_for_url(re.compile(r"/reflections/\d+$"))
    expect(phone.locator(".notice-success")).to_contain_text("已提交")
    drafts = "Object.keys(localStorage).filter(k => k.startsWith('quizapp.reflection-draft.'))"
    expect(phone.locator("h1")).to_have_text(TITLE)
    assert phone.evaluate(drafts) == []
    phone.goto(form)
    expect(phone.locator("textarea[name=body]")).to_have_value("")
    assert phone.dialogs == []
