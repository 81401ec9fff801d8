"""The organiser's front page: running campaigns with their participation as bars, minutes
per week from the day snapshots, the branches that lag; within the organiser's subtree, in a
fixed number of queries."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from quizapp import db, windows
from quizapp.campaigns import services as campaigns
from quizapp.dashboard.queries import lagging_branches
from quizapp.dashboard.trend import trend_chart, trend_points, weekly_minutes
from quizapp.members.models import Role
from quizapp.org.models import BranchKind
from quizapp.org.services import create_branch
from quizapp.participation.charts import LinePoint, line_chart, nice_top
from quizapp.participation.models import ParticipationSnapshot
from quizapp.participation.snapshots import DAY, snapshot_participation
from tests.browser import BROWSER, PHONE, fits_phone_width, log_in
from tests.factories import add_study, make_campaign, make_quiz

NOW = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)  # Saturday 21 November, 10:00 in China
TODAY = date(2026, 11, 21)
START, END = date(2026, 11, 16), date(2026, 11, 30)


@pytest.fixture()
def frozen(monkeypatch):
    """The dashboard's clock stands at NOW."""
    monkeypatch.setattr("quizapp.dashboard.manage.utcnow", lambda: NOW)


def _campaign(actor, title, branches, published=True):
    campaign = make_campaign(actor, title, START, END, minutes=10, branches=branches)
    if published:
        campaigns.set_published(actor, campaign, True)
    return campaign


@pytest.fixture()
def running(org, make_member, material):
    """A bureau-wide campaign, one of U1's and one of U2's, all running; m1 and B12's member
    have done the 10 minutes, org1 and org2 not."""
    b12_member = make_member("m12", org.b12, name="二所党员")
    bureau = _campaign(org.admin, "全局政治轮训", [org.bureau])
    mine = _campaign(org.org1, "一分局冬训", [org.u1])
    theirs = _campaign(org.org2, "乙单位专项学习", [org.u2])
    _campaign(org.org1, "未发布的任务", [org.u1], published=False)
    add_study(org.m1, material, date(2026, 11, 17), 600)
    add_study(b12_member, material, date(2026, 11, 18), 900)
    db.session.commit()
    return bureau, mine, theirs


def _page(client, auth, login_id: str) -> str:
    auth.switch_to(login_id)
    response = client.get("/manage/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _section(html: str, heading: str) -> str:
    """The HTML of the card whose <h2> is ``heading``."""
    start = html.index(f"<h2>{heading}</h2>")
    return html[start : html.index("</section>", start)]


# Running campaigns


def test_an_organiser_sees_the_campaigns_reaching_their_subtree_with_its_rates(
    client, auth, org, running, frozen
):
    bureau, mine, _ = running
    html = _section(_page(client, auth, "org1"), "进行中的学习任务")

    # U1: m1 and org1 in B11, the member of B12; m1 and B12's member are done: 2 of 3.
    assert html.count('class="bar-row dashboard-campaign"') == 2
    assert "全局政治轮训" in html and "一分局冬训" in html
    assert "乙单位专项学习" not in html and "未发布的任务" not in html
    # Both who took part are done: 参学率 and 完成率 are both 2 of 3.
    assert html.count("66.7%<span") == 2 and html.count("完成率 66.7%（2/3）") == 2
    assert html.count("（2/3）") == 4
    assert html.count('<rect width="66.7" height="8"') == 2
    # Per branch of U1: B11 1 of 2, B12 1 of 1; nothing of U2.
    assert "按支部查看" in html
    assert "一所党支部" in html and "50.0%" in html and "（1/2）" in html
    assert "二所党支部" in html and "100.0%" in html and "（1/1）" in html
    assert "三所党支部" not in html and "第二分局" not in html
    # Both link to their participation report: the bureau's shows U1's figures there.
    assert f'href="/manage/participation/campaigns/{mine.id}"' in html
    assert f'href="/manage/participation/campaigns/{bureau.id}"' in html


def test_the_bars_show_who_took_part_beside_who_completed(
    client, auth, org, running, material, frozen
):
    add_study(org.org1, material, date(2026, 11, 19), 300)  # 5 of 10 minutes: took part only
    db.session.commit()
    html = _section(_page(client, auth, "org1"), "进行中的学习任务")
    # U1: all three took part (参学率 3/3), two completed (完成率 2/3).
    assert html.count('100.0%<span class="muted small">（3/3）') == 2
    assert html.count("完成率 66.7%（2/3）") == 2
    # By branch: B11 both took part, one completed.
    assert "完成率 50.0%（1/2）" in html
    assert "参学率（参与人数/应参学人数），完成率（完成人数/应参学人数）" in html


def test_the_admin_sees_every_campaign_by_unit(client, auth, org, running, frozen):
    bureau, mine, theirs = running
    html = _section(_page(client, auth, "admin"), "进行中的学习任务")

    # Bureau: U1's three and org2; two done: 50 %. By unit: U1 2 of 3, U2 0 of 1.
    assert html.count('class="bar-row dashboard-campaign"') == 3
    assert "50.0%<span" in html and "（2/4）" in html
    assert "按单位查看" in html
    assert "第一分局" in html and "第二分局" in html and "（0/1）" in html
    for campaign in running:
        assert f'href="/manage/participation/campaigns/{campaign.id}"' in html


def test_a_branch_organiser_sees_no_breakdown(client, auth, org, running, make_member, frozen):
    make_member("sec12", org.b12, name="二所书记", role=Role.ORGANISER, scope=org.b12)
    db.session.commit()
    html = _section(_page(client, auth, "sec12"), "进行中的学习任务")
    # B12: its member and the secretary; the member is done.
    assert "（1/2）" in html and "按支部查看" not in html and "按单位查看" not in html
    assert "一所党支部" not in html


def test_campaigns_with_a_snapshot_show_last_nights_figures(
    client, auth, org, running, material, frozen
):
    bureau, mine, _ = running
    snapshot_participation(NOW - timedelta(hours=9, minutes=40))  # 00:20 on the 21st
    add_study(org.org1, material, TODAY, 900)  # org1 is done this morning: not in the snapshot
    starting = _campaign(org.org1, "今日开始的任务", [org.u1])
    starting.starts_on = TODAY  # no snapshot yet: computed now
    db.session.commit()

    html = _section(_page(client, auth, "org1"), "进行中的学习任务")
    assert html.count("截至昨日") == 2 and html.count("实时统计") == 1
    assert html.count("66.7%<span") == 2 and html.count("完成率 66.7%（2/3）") == 2  # last night
    assert "33.3%<span" in html and "（1/3）" in html  # the new one, live: org1's minutes
    # The breakdown by branch comes from the snapshot rows as well.
    assert "（1/2）" in html and "（1/1）" in html and "三所党支部" not in html

    html = _section(_page(client, auth, "admin"), "进行中的学习任务")
    assert "（2/4）" in html and "（0/1）" in html and "第二分局" in html


def test_no_running_campaign_says_so(client, auth, org, frozen):
    html = _section(_page(client, auth, "org1"), "进行中的学习任务")
    assert "目前没有面向本单位、正在进行的学习任务。" in html


def test_no_snapshot_yet_says_so_instead_of_an_empty_chart(client, auth, org, frozen):
    html = _section(_page(client, auth, "org1"), "每周人均学习时长")
    assert "暂无数据" in html and "<svg" not in html


# Minutes per week


def _snapshot(branch, day: date, eligible: int, seconds: int) -> None:
    db.session.add(
        ParticipationSnapshot(
            day=day,
            subject=DAY,
            branch_id=branch.id,
            eligible=eligible,
            participants=0,
            study_seconds=seconds,
            times=0,
        )
    )


@pytest.fixture()
def snapshots(org):
    """Three weeks of day snapshots (B11 and, to be left out for U1, B21).

    Week of 2 November: 5 of 7 days (2 members, 600 s a day).
    Week of 9 November: all 7 days (2 members, 1,200 s a day).
    Week of 16 November (this week, Monday to Friday over): 4 days (2 members, 1,800 s).
    """
    for day in range(2, 7):
        _snapshot(org.b11, date(2026, 11, day), 2, 600)
    for day in range(9, 16):
        _snapshot(org.b11, date(2026, 11, day), 2, 1200)
    for day in range(16, 20):
        _snapshot(org.b11, date(2026, 11, day), 2, 1800)
    for day in range(2, 20):
        if date(2026, 11, day) not in (date(2026, 11, 7), date(2026, 11, 8)):
            _snapshot(org.b21, date(2026, 11, day), 1, 36000)
    db.session.commit()


def test_weekly_minutes_average_per_member_from_the_day_snapshots(org, snapshots):
    weeks = weekly_minutes(org.org1, TODAY)

    assert len(weeks) == 12
    assert weeks[0].monday == date(2026, 8, 31) and weeks[-1].monday == date(2026, 11, 16)
    assert all(w.minutes_per_member is None for w in weeks[:9])
    full, gap, current = weeks[10], weeks[9], weeks[11]
    # 7 × 1,200 s over 7 days of 2 members: 8,400 s / 60 / 2 = 70 minutes a member.
    assert (full.days_snapshotted, full.member_days, full.study_seconds) == (7, 14, 8400)
    assert full.minutes_per_member == pytest.approx(70) and not full.partial
    assert full.note == ""
    # 5 days: 3,000 s over 10 member-days, scaled to a week: 35 minutes.
    assert gap.minutes_per_member == pytest.approx(35) and gap.partial
    assert gap.note == "缺 2 天快照，按已有天数折算"
    # This week: 4 of the 5 days over; 7,200 s over 8 member-days: 105 minutes a week.
    assert (current.days_over, current.days_snapshotted) == (5, 4)
    assert current.minutes_per_member == pytest.approx(105) and current.partial
    assert current.note == "本周截至昨日（4 天），按已有天数折算"
    assert [w.label for w in weeks[-3:]] == ["11月2日", "11月9日", "11月16日"]


def test_the_whole_bureau_sums_every_branch(org, snapshots):
    gap, week = weekly_minutes(org.admin, TODAY)[9:11]  # 2 to 8, 9 to 15 November
    # B11 8,400 s and 14 member-days; B21 36,000 s a day, 1 member.
    assert week.member_days == 14 + 7 and week.study_seconds == 8400 + 7 * 36000
    # Both branches' snapshots miss the 7th and 8th.
    assert (gap.days_snapshotted, gap.member_days) == (5, 10 + 5)


def test_on_a_monday_the_last_week_is_last_week(org, snapshots):
    weeks = weekly_minutes(org.org1, date(2026, 11, 16))
    assert weeks[-1].monday == date(2026, 11, 9) and weeks[-1].days_over == 7


def test_the_trend_chart_draws_a_point_per_week_with_data(org, snapshots):
    svg = str(trend_chart(weekly_minutes(org.org1, TODAY)))

    # No viewBox: the chart never scales its text with the page (see the browser test).
    assert svg.startswith('<div class="chart-frame"><svg class="chart" width="100%" height="180"')
    assert "viewBox" not in svg and 'overflow="visible"' in svg
    assert set(re.findall(r'font-size="([^"]+)"', svg)) == {"12"}
    assert 'aria-labelledby="weekly-minutes-title weekly-minutes-desc"' in svg
    assert '<title id="weekly-minutes-title">每周人均学习时长（分钟）</title>' in svg
    assert "11月9日起一周 70 分钟" in svg and "8月31日起一周无数据" in svg
    assert svg.count("<circle") == 3
    assert svg.count('fill="#fff"') == 2  # the two estimates are hollow
    # Three weeks in a row with data (the last three): two segments, x in percent of the plot.
    segments = re.findall(r'<line class="chart-line" x1="([^"]+)"[^>]* x2="([^"]+)"', svg)
    assert segments == [("81.82%", "90.91%"), ("90.91%", "100.00%")]
    assert "style=" not in svg
    # The axis: every third week's Monday, ending with the last.
    assert ">11月16日</text>" in svg and ">10月26日</text>" in svg and ">11月9日</text>" not in svg


def test_a_line_breaks_where_a_week_has_no_data():
    svg = str(
        line_chart(
            [
                LinePoint("a", 1),
                LinePoint("b", 2),
                LinePoint("c", None),
                LinePoint("d", 4),
                LinePoint("e", 3, partial=True),
            ],
            chart_id="t",
            title="t",
            description="d",
            unit="分钟",
        )
    )
    # a–b and d–e: nothing is drawn across the week without data.
    assert svg.count('class="chart-line"') == 2 and svg.count("<circle") == 4
    # y axis 0..4 (steps of 1): the point of 4 sits on the top line, 0 on the bottom.
    assert 'cy="28.0"' in svg and 'y1="150.0"' in svg


def test_nice_axis_tops():
    assert [nice_top(v) for v in (0, 3, 37, 70, 105, 120)] == [4, 4, 40, 80, 120, 120]


def test_trend_points_mark_estimates(org, snapshots):
    points = trend_points(weekly_minutes(org.org1, TODAY))
    assert [(p.label, round(p.value), p.partial) for p in points if p.value is not None] == [
        ("11月2日", 35, True),
        ("11月9日", 70, False),
        ("11月16日", 105, True),
    ]


def test_the_page_shows_the_trend_and_its_table(client, auth, org, snapshots, frozen):
    html = _section(_page(client, auth, "org1"), "每周人均学习时长")
    assert html.count("<circle") == 3
    assert "<summary>查看数据表</summary>" in html
    assert "11月9日–11月15日" in html and ">70.0<" in html and ">140<" in html
    assert "缺 2 天快照" in html and "没有快照" in html


def test_the_weekly_table_rounds_half_up_and_keeps_the_half_minute(client, auth, org, frozen):
    for day in range(9, 16):  # 2 members, 210 s a day: 1,470 s = 24.5 min, 12.25 per member
        _snapshot(org.b11, date(2026, 11, day), 2, 210)
    db.session.commit()
    html = _section(_page(client, auth, "org1"), "每周人均学习时长")
    assert ">24.5<" in html  # the week's total, no longer cut to 24
    assert ">12.3<" in html and ">12.2<" not in html  # 四舍五入, not half to even


# Lagging branches


@pytest.fixture()
def spread(org, make_member, material):
    """U1's branches over the last four weeks (m1 in B11 studied; org1 did not):

    B11 1 of 2 (50 %), B12 1 of 5 (20 %), B13 0 of 2, B14 1 of 1, B15 0 of 4.
    U1 as a whole: 3 of 14 (21.4 %).
    """
    b13 = create_branch(org.admin, org.u1, BranchKind.BRANCH, "B13", "四所党支部", 3)
    b14 = create_branch(org.admin, org.u1, BranchKind.BRANCH, "B14", "五所党支部", 4)
    b15 = create_branch(org.admin, org.u1, BranchKind.BRANCH, "B15", "六所党支部", 5)
    people = {
        branch: [make_member(f"{branch.code.lower()}x{i}", branch) for i in range(n)]
        for branch, n in ((org.b12, 5), (b13, 2), (b14, 1), (b15, 4))
    }
    add_study(org.m1, material, TODAY - timedelta(days=3), 60)
    add_study(people[org.b12][0], material, TODAY - timedelta(days=27), 60)
    add_study(people[b14][0], material, TODAY, 60)
    add_study(people[b13][0], material, TODAY - timedelta(days=28), 60)  # just before the 4 weeks
    db.session.commit()
    return b13, b14, b15


def test_lagging_branches_are_those_below_the_subtree_lowest_first(org, spread):
    b13, _, b15 = spread
    lagging = lagging_branches(org.org1, NOW)

    assert (lagging.first_day, lagging.last_day) == (date(2026, 10, 25), TODAY)
    assert lagging.scope.participation_rate == pytest.approx(3 / 14)
    # B15 and B13 at 0 % (B15 has more people to reach), then B12 at 20 %.
    assert [(row.branch.code, row.participants, row.eligible) for row in lagging.rows] == [
        ("B15", 0, 4),
        ("B13", 0, 2),
        ("B12", 1, 5),
    ]
    assert len(lagging_branches(org.org1, NOW, shown=2).rows) == 2


def test_a_subtree_of_one_branch_has_no_lagging_list(client, auth, org, spread, frozen):
    assert lagging_branches(org.org2, NOW).scope is None
    html = _page(client, auth, "org2")
    assert "参学率偏低的支部" not in html


def test_the_page_lists_lagging_branches_with_their_drill_down(client, auth, org, spread, frozen):
    b13, _, b15 = spread
    html = _section(_page(client, auth, "org1"), "参学率偏低的支部")
    assert "整体参学率 21.4%" in html
    assert html.index("六所党支部") < html.index("四所党支部") < html.index("二所党支部")
    assert "一所党支部" not in html and "五所党支部" not in html
    assert (
        f'href="/manage/participation/range/branches/{b15.id}?first=2026-10-25&amp;last=2026-11-21"'
    ) in html
    assert "0.0%<span" in html and "（1/5）" in html and '<rect width="20.0"' in html


# Recent tests and exams


def test_recent_quizzes_carry_the_phase_labels_the_other_pages_use(
    client, auth, org, bank, frozen, monkeypatch
):
    one = bank["truefalse"][:1]
    make_quiz(org.org1, [org.u1], questions=one, now=NOW, title="正在进行的测试")
    make_quiz(
        org.org1, [org.u1], questions=one, now=NOW, opens_in=timedelta(days=-2), title="上周的测试"
    )
    html = _section(_page(client, auth, "org1"), "近期测试考试")
    assert html.count(">进行中</span>") == 1 and html.count(">已结束</span>") == 1
    # One wording for every page: the dashboard reads windows.PHASE_LABELS too.
    monkeypatch.setitem(windows.PHASE_LABELS, "closed", "已截止")
    assert ">已截止</span>" in _section(_page(client, auth, "org1"), "近期测试考试")


# The whole page


def test_the_page_keeps_the_headcounts_and_shows_nothing_of_another_subtree(
    client, auth, org, running, spread, frozen
):
    html = _page(client, auth, "org2")
    for text in ("第一分局", "一所党支部", "二所党支部", "一分局冬训", "普通党员"):
        assert text not in html
    html = _page(client, auth, "org1")
    assert "按政治面貌" in html and "添加党员" in html and "尚未首次登录" in html
    assert "style=" not in html


def test_the_page_costs_the_same_queries_for_3_or_30_members(
    client, auth, org, make_member, running, material, queries, frozen
):
    auth.login("org1")
    client.get("/manage/")
    with queries() as few:
        client.get("/manage/")
    for i in range(27):
        member = make_member(f"more{i:02d}", org.b12 if i % 2 else org.b11)
        add_study(member, material, date(2026, 11, 17 + i % 3), 60 * (i + 1))
    db.session.commit()
    with queries() as many:
        html = client.get("/manage/").get_data(as_text=True)
    # 30 in U1 now; those who studied 10 minutes or more are done: 18 new, m1, B12's member.
    assert "（20/30）" in html
    assert len(many) == len(few)
    # Two campaigns shown here, the branch labels (one query) and the recent tests block.
    assert len(few) <= 32, len(few)


def _browser(test):
    """Mark a test as a browser test (as ``pytestmark = BROWSER`` does for a module)."""
    for mark in BROWSER:
        test = mark(test)
    return test


@_browser
def test_the_dashboard_fits_a_phone(org, running, spread, snapshots, live_server, frozen, phone):
    log_in(phone, live_server, "org1")
    phone.goto(f"{live_server}/manage/")
    phone.click("text=按支部查看")
    phone.click("text=查看数据表")
    chart = phone.locator(".chart-frame").bounding_box()  # the plot and its labels
    assert fits_phone_width(phone)
    assert 250 < chart["width"] <= PHONE["width"] and chart["height"] > 100
    assert phone.dialogs == []
