"""The member's points page in a real browser at a phone viewport (Playwright + Chromium)."""

from __future__ import annotations

from datetime import date

from quizapp import db
from tests.browser import BROWSER, PHONE, fits_phone_width, log_in
from tests.factories import add_points

pytestmark = BROWSER


def test_member_reaches_their_points_from_home_at_phone_width(live_server, phone, org):
    from playwright.sync_api import expect

    long_reason = (
        "参加线下学习「深入学习贯彻党的二十届三中全会精神暨党纪学习教育专题党课」（专题讲座）"
    )
    for i in range(25):
        day = date(2026, 11, 1 + i % 20)
        add_points(org.m1, 3, day, rule="offline", reason=f"{long_reason}{i}")
    correction = "correction:" + "b" * 20
    add_points(
        org.m1,
        -2,
        date(2026, 11, 2),
        rule="correction",
        reason="重复登记",
        key=correction,
        by=org.org1,
    )
    db.session.commit()
    log_in(phone, live_server, "m1")
    phone.click(".points-home")
    phone.wait_for_url("**/points")
    expect(phone.locator(".points-entry").first).to_be_visible()
    assert fits_phone_width(phone)
    # The value column stays beside a reason that wraps over several lines.
    entry = phone.locator(".points-entry").first
    value = entry.locator(".points-value").bounding_box()
    assert value["x"] + value["width"] <= PHONE["width"] and value["height"] < 40
    phone.click(".points-rules summary")
    expect(phone.locator(".points-rules li").first).to_contain_text("每在线学习 10 分钟得 1 分")
    phone.click("text=下一页")
    phone.wait_for_url("**page=2**")
    expect(phone.locator(".points-ledger")).to_contain_text("由 一分局管理员 扣减")
    assert fits_phone_width(phone)
