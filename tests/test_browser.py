"""Pages members use, in a real browser at a phone viewport (Playwright + Debian's Chromium)."""

from __future__ import annotations

from quizapp import db
from tests.browser import BROWSER, fits_phone_width, log_in
from tests.conftest import PASSWORD

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
