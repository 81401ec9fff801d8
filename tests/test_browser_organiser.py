"""An organiser on a phone: the dashboard, a campaign's participation, a branch's drill-down,
and the Excel export downloaded and read back (Playwright + Debian's Chromium, 360 px)."""

from __future__ import annotations

from datetime import timedelta

import openpyxl

from quizapp import db
from quizapp.clock import china_today
from tests import test_participation as tp
from tests.browser import BROWSER, fits_phone_width, log_in
from tests.factories import add_study, make_campaign

pytestmark = BROWSER
people = tp.people


def test_organiser_drills_from_the_dashboard_into_a_branch_and_downloads_the_export(
    live_server, phone, org, people, tmp_path
):
    today = china_today()  # the live server runs on the real clock
    campaign = make_campaign(
        org.org1,
        "冬训学习",
        today - timedelta(days=5),
        today + timedelta(days=9),
        minutes=30,
        branches=[org.u1],
        statuses=["full"],
    )
    campaign.is_published = True
    add_study(org.m1, people.material, today - timedelta(days=1), 2400)  # done: 40 of 30 minutes
    add_study(people.mover, people.material, today - timedelta(days=2), 600)  # 10 of 30 minutes
    db.session.commit()

    log_in(phone, live_server, "org1")
    phone.goto(f"{live_server}/manage/")
    assert fits_phone_width(phone)
    bars = phone.locator(".dashboard-campaign", has_text="冬训学习")
    assert "实时统计" in phone.text_content("body")  # no nightly snapshot yet: counted now

    bars.locator("a").first.click()
    phone.wait_for_url(f"**/manage/participation/campaigns/{campaign.id}")
    assert fits_phone_width(phone)
    assert "统计口径" in phone.text_content("body")

    phone.click(".participation-table a:has-text('一所党支部')")
    phone.wait_for_url(f"**/campaigns/{campaign.id}/branches/{org.b11.id}")
    assert fits_phone_width(phone)
    todo = phone.text_content(".participation-members")
    assert "转入者" in todo and "已学 10 / 30 分钟" in todo
    assert "普通党员" not in todo  # m1 has finished

    phone.go_back()
    with phone.expect_download() as download:
        phone.click("text=导出 Excel（.xlsx）")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert "冬训学习" in download.value.suggested_filename
    saved = tmp_path / "export.xlsx"
    download.value.save_as(saved)
    workbook = openpyxl.load_workbook(saved)
    assert workbook.sheetnames[:3] == ["汇总", "人员明细", "统计口径"]
    names = [row[0] for row in workbook["汇总"].iter_rows(min_row=2, values_only=True)]
    assert "一所党支部" in names and "三所党支部" not in names  # U1 only
    people_rows = list(workbook["人员明细"].iter_rows(min_row=2, values_only=True))
    assert {"普通党员", "转入者"} <= {value for row in people_rows for value in row}
    assert phone.dialogs == []
