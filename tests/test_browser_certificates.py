"""Certificates in a real browser: the member's certificate at phone width (and as printed),
the organiser issuing and revoking at phone and desktop widths (Playwright + Chromium)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from quizapp import db
from quizapp.campaigns import services as campaign_services
from quizapp.certificates import services
from quizapp.clock import china_today, utcnow
from tests.browser import BROWSER, PHONE, fits_phone_width, launch, log_in, phone_page
from tests.factories import add_study, make_campaign, make_material

pytestmark = BROWSER


def _finished_class(org, issue: bool):
    """U1's class that ended five days ago; m1 completed it (committed)."""
    today = china_today()
    campaign = make_campaign(
        org.org1,
        "2026年第一期入党积极分子培训班（延长名称以测试窄屏换行）",
        today - timedelta(days=20),
        today - timedelta(days=5),
        30,
        kind="training_class",
    )
    campaign_services.enrol_members(org.org1, campaign, [org.m1])
    campaign_services.set_published(org.org1, campaign, True)
    add_study(org.m1, make_material(org), today - timedelta(days=19), 40 * 60)
    if issue:
        services.save_plan(org.org1, campaign, services.default_plan(campaign), utcnow())
        services.issue_certificates(org.org1, campaign, utcnow())
    db.session.commit()
    return campaign


def test_member_opens_their_certificate_from_me_at_phone_width(live_server, phone, org):
    from playwright.sync_api import expect

    _finished_class(org, issue=True)
    log_in(phone, live_server, "m1")
    phone.click(".tabbar >> text=我的")
    phone.click("#certificates a")
    phone.wait_for_url("**/certificates/*")
    sheet = phone.locator(".cert-sheet")
    expect(sheet).to_contain_text("普通党员 同志：")
    expect(sheet).to_contain_text("QZ2026-000001")
    assert fits_phone_width(phone)
    qr = phone.locator(".cert-qr").bounding_box()
    assert qr["width"] >= 90 and qr["x"] + qr["width"] <= PHONE["width"]
    with phone.expect_download() as download:
        phone.click("text=下载 PDF")
    assert download.value.suggested_filename == "结业证书-QZ2026-000001.pdf"
    assert download.value.path().read_bytes()[:5] == b"%PDF-"

    # Printed, the certificate alone fills an A4 landscape sheet.
    phone.emulate_media(media="print")
    expect(phone.locator(".topbar")).to_be_hidden()
    expect(phone.locator(".cert-actions")).to_be_hidden()
    box = sheet.bounding_box()
    assert abs(box["width"] - 297 / 25.4 * 96) < 2 and abs(box["height"] - 210 / 25.4 * 96) < 2
    phone.emulate_media(media="screen")

    phone.click("text=查看核验页面")
    expect(phone.locator(".notice-success")).to_contain_text("该证书真实有效")
    assert fits_phone_width(phone)
    assert phone.dialogs == []


@pytest.mark.parametrize("width", [PHONE["width"], 1280])
def test_organiser_turns_certificates_on_issues_and_revokes(live_server, org, width):
    from playwright.sync_api import expect, sync_playwright

    campaign = _finished_class(org, issue=False)
    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN")
        page = phone_page(context)
        log_in(page, live_server, "org1")
        page.goto(f"{live_server}/manage/campaigns/{campaign.id}")
        page.click(".action-list >> text=结业证书")
        page.wait_for_url("**/certificates")
        expect(page.locator("#issue")).to_contain_text("请先在下方开启并保存证书设置")
        page.fill("#issuer_name", "第一分局机关党委")
        page.click("text=保存设置")
        expect(page.locator(".notice-success")).to_contain_text("证书设置已保存")
        page.click("text=为 1 名已完成的学员颁发证书")
        expect(page.locator(".notice-success")).to_contain_text("已为 1 人颁发证书")
        row = page.locator(".cert-list li").first
        expect(row).to_contain_text("QZ2026-000001")
        row.locator("summary").click()
        row.locator("textarea").fill("重复颁发")
        row.locator("text=确认撤销证书").click()
        expect(page.locator(".cert-list li").first).to_contain_text("撤销：重复颁发")
        if width == PHONE["width"]:
            assert fits_phone_width(page)
        assert page.dialogs == []
        context.close()
        browser.close()
