"""The 台账 page in a real browser: reached from 组织架构, read at 360 and 1280 px, printed."""

from __future__ import annotations

from datetime import date

import pytest

from quizapp import db
from tests.browser import BROWSER, PHONE, log_in, phone_page
from tests.factories import add_offline, add_points

pytestmark = BROWSER


@pytest.mark.parametrize("width", [PHONE["width"], 1280])
def test_organiser_opens_and_prints_a_branch_ledger(live_server, browser, org, width):
    from playwright.sync_api import expect

    add_offline(org.b11, date(2026, 11, 6), [org.m1])
    add_points(org.m1, 12, date(2026, 11, 6))
    db.session.commit()
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN")
    page = phone_page(context)
    log_in(page, live_server, "org1")
    page.goto(f"{live_server}/manage/branches")
    page.click(f"a[href='/manage/ledger/branches/{org.b11.id}']")
    page.wait_for_url(f"**/manage/ledger/branches/{org.b11.id}")
    page.fill("#first", "2026-11-01")
    page.fill("#last", "2026-11-30")
    page.click(".period-form button[type=submit]")
    page.wait_for_url("**first=2026-11-01**")
    sheet = page.locator(".ledger-sheet")
    expect(sheet).to_contain_text("2026-11-01 至 2026-11-30")
    expect(sheet.locator("h4", has_text="四、线下学习")).to_be_visible()
    expect(sheet).to_contain_text("专题讲座")
    expect(page.locator("text=下载 Word 台账（.docx）")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # On paper: only the sheet, without the navigation and the buttons.
    page.emulate_media(media="print")
    assert not page.locator(".ledger-actions").is_visible()
    assert not page.locator(".subnav").first.is_visible()
    expect(sheet.locator(".ledger-title")).to_be_visible()
    assert page.dialogs == []
    context.close()
