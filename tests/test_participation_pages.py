"""Participation pages: the report per node, the drill-down, reminders; scope and errors.

The organisation and its facts are those of tests/test_participation.py (``people``: mover,
leaver, gone, transfer, activist, the empty branch B13), worked out there by hand; here the
same figures must come out on the page, formatted, for the right actor only.
"""

from __future__ import annotations

import io
import os
import re
from datetime import date, timedelta
from urllib.parse import quote

import openpyxl
import pytest
from sqlalchemy import func, select

from quizapp import db
from quizapp.campaigns import services as campaigns
from quizapp.errors import DomainError
from quizapp.notices.models import Notice
from quizapp.participation import services
from quizapp.participation.definitions import FIELDS
from quizapp.participation.queries import participation
from quizapp.spreadsheets import XLSX
from tests import test_participation as tp
from tests.browser import CHROMIUM, fits_phone_width, log_in
from tests.factories import (
    NOW,
    add_attempt,
    add_offline,
    add_study,
    make_campaign,
    make_material,
    make_questions,
    make_quiz,
)
from tests.oracle.compare import page_table

#: The hand-made organisation of tests/test_participation.py (a fixture).
people = tp.people
#: A Chromium page at a phone's size (a fixture).

FIRST, LAST = tp.FIRST, tp.LAST
NOVEMBER = "first=2026-11-01&last=2026-11-30"
BASE = "/manage/participation"


@pytest.fixture()
def frozen(time_machine):
    """The pages run at NOW (2026-11-21 10:00 China time)."""
    time_machine.move_to(NOW, tick=False)


def _in_report_order(cells: list[tuple[str, str]]) -> list[str]:
    """The figures of a row, from (data-key, text) pairs, in the report's order (FIELDS): the
    page shows the rate right after the name, so that a phone keeps both in view."""
    return [text for key, text in sorted(cells, key=lambda cell: FIELDS.index(cell[0]))]


def table(html: str) -> dict[str, list[str]]:
    """{organisation name: [figure cells...]} of the report table, "合计 · " removed."""
    return {name: _in_report_order(list(cells.items())) for name, cells in page_table(html).items()}


def headings(html: str) -> list[str]:
    head = html.split('class="table participation-table', 1)[1].split("</thead>", 1)[0]
    return _in_report_order(re.findall(r'<th[^>]*data-key="([a-z_]+)"[^>]*>(.*?)</th>', head))


# The report


def test_a_quiz_report_shows_each_node_of_the_organisers_scope(client, auth, org, people, frozen):
    quiz = tp.quiz_scenario(org, people, actor=org.org1, branches=[org.u1])
    auth.login("org1")
    html = client.get(f"{BASE}/quizzes/{quiz.id}?{NOVEMBER}").get_data(as_text=True)
    assert headings(html) == tp.QUIZ_HEADINGS
    # transfer ends November in B21 (U2): outside U1 and outside the quiz's audience.
    assert table(html) == {
        "第一分局": ["4", "3", "75.0%", "2", "66.7%", "5.67", "17.5", "4"],
        "一所党支部": ["3", "2", "66.7%", "2", "100.0%", "7", "13.3", "3"],
        "二所党支部": ["1", "1", "100.0%", "0", "0.0%", "3", "30", "1"],
        "四所党支部": ["0", "0", "—", "0", "—", "—", "—", "0"],
    }
    assert '<tr class="is-total">' in html and "合计 · 第一分局" in html
    assert "2026-11-01 至 2026-11-30" in html
    assert "第一分局及其下属党支部" in html
    # The definitions, in full.
    assert "不是各支部比率的平均" in html and "同一人交卷 N 次计 N 人次" in html
    # Each row links to its drill-down, keeping the period.
    assert (
        f'href="{BASE}/quizzes/{quiz.id}/branches/{org.b11.id}?first=2026-11-01&amp;last=2026-11-30"'
        in html
    )
    assert f"{BASE}/quizzes/{quiz.id}/export.xlsx?first=2026-11-01" in html
    assert f"{BASE}/quizzes/{quiz.id}/export.csv?first=2026-11-01" in html


def test_a_quiz_report_counts_its_own_days_unless_told_otherwise(client, auth, org, people, frozen):
    quiz = tp.quiz_scenario(org, people, actor=org.org1, branches=[org.u1])
    auth.login("org1")
    html = client.get(f"{BASE}/quizzes/{quiz.id}").get_data(as_text=True)
    # Open on 11-21 only: the leaver (left 11-15) was not eligible that day.
    assert "2026-11-21 至 2026-11-21" in html
    assert table(html)["二所党支部"][:2] == ["0", "0"]
    assert f'href="{BASE}/quizzes/{quiz.id}/branches/{org.b11.id}"' in html


def test_a_campaign_report_follows_its_period_and_requirements(client, auth, org, people, frozen):
    campaign = tp.campaign_scenario(org, people, published=True)
    auth.login("org1")
    html = client.get(f"{BASE}/campaigns/{campaign.id}").get_data(as_text=True)
    assert headings(html) == [
        "应参学人数",
        "参与人数",
        "参学率",
        "完成人数",
        "完成率",
        "及格人数",
        "及格率",
        "人均学习时长（分钟）",
        "参学人次",
    ]
    assert table(html) == {
        "第一分局": ["4", "4", "100.0%", "2", "50.0%", "1", "50.0%", "28.8", "11"],
        "一所党支部": ["3", "3", "100.0%", "2", "66.7%", "1", "50.0%", "26.7", "9"],
        "二所党支部": ["1", "1", "100.0%", "0", "0.0%", "0", "—", "35", "2"],
        "四所党支部": ["0", "0", "—", "0", "—", "0", "—", "—", "0"],
    }
    # The headline: 参学率 and 完成率 side by side.
    assert "参学率<br>4/4 人" in html and "完成率<br>2/4 人" in html
    assert "任务期间在线学习满 30 分钟" in html and "2026-11-01 至 2026-11-30" in html


def test_a_free_range_report_for_the_admin_and_for_another_unit(client, auth, org, people, frozen):
    p = people
    add_study(org.m1, p.material, date(2026, 11, 3), 300)
    add_study(p.mover, p.material, date(2026, 11, 4), 600)
    add_offline(org.b11, date(2026, 11, 12), [p.leaver])
    add_study(org.org2, p.material, date(2026, 11, 20), 600)
    db.session.commit()
    auth.login("admin")
    html = client.get(f"{BASE}/range?{NOVEMBER}").get_data(as_text=True)
    assert headings(html) == [
        "应参学人数",
        "参学人数",
        "参学率",
        "人均学习时长（分钟）",
        "参学人次",
    ]
    rows = table(html)
    assert list(rows) == [
        "测试市公安局",
        "第一分局",
        "一所党支部",
        "二所党支部",
        "四所党支部",
        "第二分局",
        "三所党支部",
    ]
    # B11 org1, m1, mover, activist; B12 leaver; B21 org2, transfer.
    assert rows["测试市公安局"] == ["7", "4", "57.1%", "3.6", "4"]
    assert rows["第一分局"] == ["5", "3", "60.0%", "3", "3"]
    assert rows["第二分局"] == ["2", "1", "50.0%", "5", "1"]
    assert "每参加一次计 1 人次" in html

    auth.switch_to("org2")
    html = client.get(f"{BASE}/range?{NOVEMBER}").get_data(as_text=True)
    assert table(html) == {
        "第二分局": ["2", "1", "50.0%", "5", "1"],
        "三所党支部": ["2", "1", "50.0%", "5", "1"],
    }
    for text in ("第一分局", "一所党支部", "二所党支部", "普通党员"):
        assert text not in html


def test_a_free_range_defaults_to_this_month_so_far(client, auth, org, frozen):
    auth.login("org1")
    html = client.get(f"{BASE}/range").get_data(as_text=True)
    assert "2026-11-01 至 2026-11-21" in html
    assert f"{BASE}/range/export.csv?first=2026-11-01&amp;last=2026-11-21" in html


def test_the_chooser_lists_running_subjects_first_and_only_the_organisers(
    client, auth, org, people, frozen
):
    make_campaign(
        org.org1,
        "元旦学习",
        date(2026, 12, 25),
        date(2027, 1, 5),
        minutes=30,
        branches=[org.u1],
    )
    tp.campaign_scenario(org, people, published=True)
    bureau_wide = make_campaign(
        org.admin, "全局读书月", FIRST, LAST, minutes=10, branches=[org.bureau]
    )
    db.session.commit()
    auth.login("org1")
    html = client.get(f"{BASE}/").get_data(as_text=True)
    # Latest first, but the running one before the one starting later.
    assert html.index("冬训学习") < html.index("元旦学习")
    assert "全局读书月" not in html  # the bureau's draft: nothing to count yet
    campaigns.set_published(org.admin, bureau_wide, True)
    db.session.commit()
    html = client.get(f"{BASE}/").get_data(as_text=True)
    assert "全局读书月" in html  # published and reaching U1: org1 counts U1's part
    assert f'href="{BASE}/range?first=2026-10-01&amp;last=2026-10-31"' in html  # 上月
    assert 'type="date"' in html and 'value="2026-11-01"' in html
    assert "参学统计" in html


# Scope and errors


def test_subjects_and_nodes_outside_the_view_answer_404(client, auth, org, people, frozen):
    bureau_quiz = tp._quiz(org, people)  # owned by the bureau, published, for everyone
    bureau_draft = tp._quiz(org, people, publish=False)
    u2_quiz = tp._quiz(org, people, actor=org.org2, branches=[org.u2])
    campaign = tp.campaign_scenario(org, people, published=True)
    auth.login("org1")
    # The bureau's published quiz reaches U1: org1 counts U1's part of it, nothing else.
    page = client.get(f"{BASE}/quizzes/{bureau_quiz.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "一所党支部" in html and "第二分局" not in html and "三所党支部" not in html
    assert client.get(f"{BASE}/quizzes/{bureau_quiz.id}/branches/{org.b11.id}").status_code == 200
    assert client.get(f"{BASE}/quizzes/{bureau_quiz.id}/branches/{org.b21.id}").status_code == 404
    assert client.get(f"{BASE}/quizzes/{bureau_draft.id}").status_code == 404
    assert client.get(f"{BASE}/quizzes/{u2_quiz.id}").status_code == 404  # doesn't reach U1
    assert client.get(f"{BASE}/range/branches/{org.b21.id}").status_code == 404
    assert client.get(f"{BASE}/range/branches/{org.bureau.id}").status_code == 404
    assert client.get(f"{BASE}/quizzes/999999").status_code == 404
    auth.switch_to("org2")
    assert client.get(f"{BASE}/campaigns/{campaign.id}").status_code == 404
    assert client.post(f"{BASE}/range/branches/{org.b11.id}/remind").status_code == 404
    assert db.session.scalar(select(Notice.id)) is None
    auth.switch_to("admin")
    assert client.get(f"{BASE}/quizzes/{bureau_quiz.id}").status_code == 200


@pytest.mark.parametrize(
    "query,message",
    [
        ("first=2026-13-01", "开始日期无效"),
        ("first=2026-11-01&last=yesterday", "结束日期无效"),
        ("first=2026-11-10&last=2026-11-01", "结束日期不能早于开始日期"),
        ("first=2025-01-01&last=2026-11-30", "起止日期最长 1 年"),
        ("first=1900-01-01&last=1900-01-02", "日期超出可统计的范围"),
        ("first=9999-12-30&last=9999-12-31", "日期超出可统计的范围"),
    ],
)
def test_unusable_dates_are_explained_in_chinese(client, auth, org, frozen, query, message):
    auth.login("org1")
    for path in (f"{BASE}/range", f"{BASE}/range/branches/{org.b11.id}"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    response = client.post(f"{BASE}/range/branches/{org.b11.id}/remind?{query}")
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_a_long_campaign_keeps_its_own_period_but_not_a_typed_one(client, auth, org, frozen):
    campaign = make_campaign(
        org.org1,
        "两年规划",
        date(2026, 1, 1),
        date(2027, 12, 31),
        minutes=30,
        branches=[org.u1],
    )
    db.session.commit()
    auth.login("org1")
    assert client.get(f"{BASE}/campaigns/{campaign.id}").status_code == 200
    assert client.get(f"{BASE}/campaigns/{campaign.id}/branches/{org.b11.id}").status_code == 200
    response = client.get(f"{BASE}/campaigns/{campaign.id}?first=2026-01-01&last=2027-06-30")
    assert response.status_code == 400


@pytest.mark.parametrize("login_id,status", [(None, 302), ("m1", 403)])
def test_members_and_anonymous_are_kept_out(client, auth, org, login_id, status):
    if login_id:
        auth.login(login_id)
    for path in (f"{BASE}/", f"{BASE}/range", f"{BASE}/range/branches/{org.b11.id}"):
        assert client.get(path).status_code == status
    assert client.post(f"{BASE}/range/branches/{org.b11.id}/remind").status_code == status
    assert db.session.scalar(select(Notice.id)) is None


# The drill-down


def test_the_drilldown_lists_who_has_not_finished_and_what_they_miss(
    client, auth, org, people, frozen
):
    campaign = tp.campaign_scenario(org, people, published=True)
    auth.login("org1")
    url = f"{BASE}/campaigns/{campaign.id}/branches/{org.b11.id}"
    html = client.get(url).get_data(as_text=True)
    # B11: m1 and mover completed; org1 studied 10 minutes and has not sat the quiz.
    todo = html.split('id="members"', 1)[1]
    assert "一分局管理员" in todo and "org1" in todo
    assert "学习时长：已学 10 / 30 分钟" in todo and "纪律处分条例测试：未参加" in todo
    assert "普通党员" not in todo and "转入者" not in todo
    assert '未完成 <span class="count">1</span>' in html
    assert '已完成 <span class="count">2</span>' in html
    assert "发送提醒（1 人）" in html

    done = client.get(f"{url}?show=done").get_data(as_text=True).split('id="members"', 1)[1]
    assert "普通党员" in done and "转入者" in done and "一分局管理员" not in done


def test_a_units_drilldown_groups_its_branches_and_names_the_deactivated(
    client, auth, org, people, frozen
):
    campaign = tp.campaign_scenario(org, people, published=True)
    auth.login("org1")
    html = client.get(f"{BASE}/campaigns/{campaign.id}/branches/{org.u1.id}").get_data(as_text=True)
    members = html.split('id="members"', 1)[1]
    assert members.index('<li class="group-head">一所党支部</li>') < members.index("一分局管理员")
    assert members.index('<li class="group-head">二所党支部</li>') < members.index("停用者")
    assert "已停用" in members
    # The leaver's account is deactivated: only org1 is reminded.
    assert "发送提醒（1 人）" in html and "另有 1 人账号已停用" in html


def test_the_drilldown_pages_a_long_list(client, auth, org, make_member, frozen):
    for i in range(53):
        make_member(f"p{i:03d}", org.b12, name=f"待学{i:03d}")
    db.session.commit()
    auth.login("org1")
    url = f"{BASE}/range/branches/{org.b12.id}?first=2026-11-01&last=2026-11-21"
    first = client.get(url).get_data(as_text=True)
    second = client.get(f"{url}&page=2").get_data(as_text=True)
    assert "待学000" in first and "待学049" in first and "待学050" not in first
    assert "待学050" in second and "待学052" in second and "待学000" not in second
    assert "第 1 / 2 页，共 53 人" in first
    assert (
        f"{BASE}/range/branches/{org.b12.id}?first=2026-11-01&amp;last=2026-11-21&amp;page=2"
        in first
    )


# Reminders


def test_a_reminder_reaches_each_member_once_a_day_and_shows_on_their_home(
    client, auth, org, people, frozen
):
    quiz = tp._quiz(org, people, actor=org.org1, branches=[org.u1])
    auth.login("org1")
    url = f"{BASE}/quizzes/{quiz.id}/branches/{org.b11.id}"
    # On 11-21, B11 has org1, m1 and mover; nobody has sat the quiz.
    response = client.post(f"{url}/remind", follow_redirects=True)
    assert "已向 3 人发送提醒。" in response.get_data(as_text=True)
    again = client.post(f"{url}/remind", follow_redirects=True).get_data(as_text=True)
    assert "已向 0 人发送提醒。3 人今天已经提醒过，没有重复发送。" in again
    assert db.session.scalar(select(func.count(Notice.id))) == 3

    auth.switch_to("m1")
    home = client.get("/").get_data(as_text=True)
    assert f"测试「{quiz.title}」您还没有交卷" in home
    assert "一分局管理员提醒" in home


def test_send_reminders_writes_one_notice_per_member_and_day(org, people):
    campaign = tp.campaign_scenario(org, people, published=True)
    report = participation(org.org1, campaign, FIRST, LAST, NOW, within=org.u1, detail=True)

    assert services.send_reminders(org.org1, report, NOW) == services.Reminded(1, 0, 1)
    notice = db.session.scalar(select(Notice))
    assert notice.member_id == org.org1.id and notice.kind == "reminder"
    assert notice.title == "学习任务「冬训学习」还没有完成"
    assert "· 学习时长：已学 10 / 30 分钟" in notice.body
    assert "请在 2026-11-30 前完成" in notice.body and "（一分局管理员提醒）" in notice.body
    assert notice.link == f"/campaigns/{campaign.id}"
    assert notice.dedupe_key == f"reminder:campaign:{campaign.id}:{org.org1.id}:2026-11-21"

    assert services.send_reminders(
        org.admin, report, NOW + timedelta(hours=13)
    ) == services.Reminded(0, 1, 1)  # 23:00 China time: still the same day
    assert services.send_reminders(
        org.org1, report, NOW + timedelta(hours=14)
    ) == services.Reminded(1, 0, 1)  # midnight in China: a new day
    db.session.commit()
    assert db.session.scalar(select(func.count(Notice.id))) == 2


def test_a_range_reminder_links_to_study(org, people):
    report = participation(org.org1, None, FIRST, LAST, NOW, within=org.b12, detail=True)
    # B12 in November: the leaver only (deactivated): nobody to remind.
    assert services.send_reminders(org.org1, report, NOW) == services.Reminded(0, 0, 1)
    report = participation(org.org1, None, FIRST, LAST, NOW, within=org.b11, detail=True)
    assert services.send_reminders(org.org1, report, NOW).sent == 4
    notice = db.session.scalar(select(Notice).where(Notice.member_id == org.m1.id))
    assert notice.link == "/study/"
    assert "2026-11-01 至 2026-11-30，您还没有学习记录" in notice.body
    assert notice.dedupe_key == f"reminder:range:2026-11-01~2026-11-30:{org.m1.id}:2026-11-21"


def test_reminders_are_refused_for_drafts_finished_subjects_and_plain_members(org, people):
    draft = tp.campaign_scenario(org, people)
    report = participation(org.org1, draft, FIRST, LAST, NOW, within=org.u1, detail=True)
    with pytest.raises(DomainError, match="尚未发布"):
        services.send_reminders(org.org1, report, NOW)
    draft.is_published = True
    with pytest.raises(DomainError, match="已于 2026-11-30 结束"):
        services.send_reminders(org.org1, report, NOW + timedelta(days=10))
    with pytest.raises(DomainError, match="只有管理员"):
        services.send_reminders(org.m1, report, NOW)
    quiz = tp._quiz(org, people, actor=org.org1, branches=[org.u1])
    report = participation(org.org1, quiz, FIRST, LAST, NOW, within=org.u1, detail=True)
    with pytest.raises(DomainError, match="已于 2026-11-21 12:00 截止"):
        services.send_reminders(org.org1, report, NOW + timedelta(hours=3))
    assert db.session.scalar(select(Notice.id)) is None


def test_a_refused_reminder_is_explained_on_the_page(client, auth, org, people, frozen):
    draft = tp.campaign_scenario(org, people)
    auth.login("org1")
    url = f"{BASE}/campaigns/{draft.id}/branches/{org.u1.id}"
    html = client.get(url).get_data(as_text=True)
    assert "本学习任务尚未发布" in html and "发送提醒（" not in html
    response = client.post(f"{url}/remind", follow_redirects=True)
    assert "本学习任务尚未发布" in response.get_data(as_text=True)
    assert db.session.scalar(select(Notice.id)) is None


# Exports


def test_exports_carry_the_subject_date_and_scope(client, auth, org, people, frozen):
    campaign = tp.campaign_scenario(org, people, published=True)
    auth.login("org1")
    response = client.get(f"{BASE}/campaigns/{campaign.id}/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert quote("冬训学习") in disposition and "20261121" in disposition
    text = response.get_data().decode("utf-8-sig")
    assert "第一分局" in text and "一所党支部" in text and "第二分局" not in text
    assert "不是各支部比率的平均" in text

    response = client.get(f"{BASE}/campaigns/{campaign.id}/export.xlsx")
    assert (
        response.mimetype == XLSX
        and disposition.replace("csv", "xlsx") == response.headers["Content-Disposition"]
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    names = [row[0] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert names == ["第一分局", "一所党支部", "二所党支部", "四所党支部"]

    auth.switch_to("org2")
    assert client.get(f"{BASE}/campaigns/{campaign.id}/export.csv").status_code == 404
    text = client.get(f"{BASE}/range/export.csv?{NOVEMBER}").get_data().decode("utf-8-sig")
    assert "三所党支部" in text and "一所党支部" not in text and "普通党员" not in text
    response = client.get(f"{BASE}/range/export.xlsx?first=2026-11-30&last=2026-11-01")
    assert response.status_code == 400
    assert "结束日期不能早于开始日期" in response.get_data(as_text=True)


# Cost


def test_the_pages_take_the_same_queries_for_3_members_or_30(
    client, auth, org, make_member, queries, frozen
):
    quiz = make_quiz(
        org.org1, [org.u1], questions=[make_questions(org.admin, n_each=1)["single"][0]]
    )
    campaign = tp.winter_campaign(org, 10, quizzes=[(quiz, True)], offline_sessions_required=1)
    campaign.is_published = True
    db.session.commit()
    auth.login("org1")
    paths = [
        f"{BASE}/range?{NOVEMBER}",
        f"{BASE}/campaigns/{campaign.id}",
        f"{BASE}/quizzes/{quiz.id}",
        f"{BASE}/range/branches/{org.u1.id}?{NOVEMBER}",
        f"{BASE}/campaigns/{campaign.id}/branches/{org.u1.id}",
    ]

    def count():
        used = []
        for path in paths:
            with queries() as statements:
                assert client.get(path).status_code == 200
            used.append(len(statements))
        return used

    made = 0

    def add(n):
        nonlocal made
        for _ in range(n):
            member = make_member(f"q{made:03d}", (org.b11, org.b12)[made % 2])
            add_attempt(member, quiz, 1, 8, True)
            made += 1
        db.session.commit()

    add(1)  # with org1 and m1: 3 members
    few = count()
    add(27)
    assert count() == few
    assert max(few) <= 20, few


# In a phone's browser


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Chromium not found at {CHROMIUM}")
def test_the_report_works_on_a_phone(live_server, phone, org, people):
    campaign = tp.campaign_scenario(org, people, published=True)
    campaign.ends_on = date(2099, 12, 31)  # still running whatever the clock says
    db.session.commit()
    log_in(phone, live_server, "org1")
    phone.goto(f"{live_server}{BASE}/")
    assert fits_phone_width(phone)
    phone.click("text=冬训学习")
    phone.wait_for_url(f"**{BASE}/campaigns/{campaign.id}")
    assert fits_phone_width(phone)  # the table scrolls inside its card
    names = phone.locator(".participation-table tbody th").first
    before = names.bounding_box()["x"]
    phone.locator(".table-scroll").evaluate("box => { box.scrollLeft = 400; }")
    assert phone.locator(".table-scroll").evaluate("box => box.scrollLeft") > 0
    assert names.bounding_box()["x"] == pytest.approx(before, abs=1)  # the names stay put

    phone.click(".participation-table a:has-text('二所党支部')")
    phone.wait_for_url(f"**/branches/{org.b12.id}")
    assert fits_phone_width(phone)
    assert "停用者" in phone.text_content(".participation-members")
    phone.goto(f"{live_server}{BASE}/campaigns/{campaign.id}/branches/{org.u1.id}")
    phone.click("button:has-text('发送提醒')")
    assert "已向 1 人发送提醒" in phone.text_content(".notice-success")
    assert phone.dialogs == []


def test_the_drill_down_shows_a_members_minutes_with_one_decimal(client, auth, org, frozen):
    add_study(org.m1, make_material(org), date(2026, 11, 3), 90)
    db.session.commit()
    auth.login("org1")
    page = client.get(f"{BASE}/range/branches/{org.b11.id}?{NOVEMBER}&show=done")
    assert "学习 1.5 分钟" in page.get_data(as_text=True)  # 90 s: cut to 1 before
