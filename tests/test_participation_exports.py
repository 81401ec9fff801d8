"""Participation exports (.xlsx and .csv) read back, and the benchmark bureau generator.

The setup (November 2026, China days 11-01 to 11-30), besides the ``org`` fixture's org1 and
m1 (B11) and org2 (B21), with names a spreadsheet would run as formulas:

    B11  org1 (0 min), m1 (40 min: complete), =HYPERLINK(...) (0 min)
    B12  +1 (10 min: took part), -x (0 min)
    B13  nobody (rates "—")
    B21  org2 (0 min), @x (35 min: complete)

The campaign (冬训/学习: 2026*?) asks for 30 minutes in November, for everyone.
"""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter

import openpyxl
import pytest
from sqlalchemy import func, select

from quizapp import db
from quizapp.campaigns.models import Campaign
from quizapp.clock import china_today, utcnow
from quizapp.members.models import Member, Membership, PoliticalStatus
from quizapp.org.models import Branch, BranchKind
from quizapp.org.services import create_branch
from quizapp.participation.exports import chart_bars, csv_report, file_name, xlsx_report
from quizapp.participation.queries import participation
from quizapp.quizzes.attempt_models import Attempt, AttemptAnswer
from quizapp.spreadsheets import DATETIME, Book, Column
from quizapp.study.models import Material, StudyMinute
from tests.factories import (
    NOW,
    add_attempt,
    add_study,
    make_campaign,
    make_material,
    make_questions,
    make_quiz,
)
from tests.test_participation import QUIZ_HEADINGS

FIRST, LAST = date(2026, 11, 1), date(2026, 11, 30)
HACK = '=HYPERLINK("http://evil.example","点我")'
FORBIDDEN = set('/\\:*?"<>|')
#: The summary columns of the campaign's export (a campaign without quizzes).
SUMMARY_HEADINGS = [
    "组织",
    "层级",
    "应参学人数",
    "参与人数",
    "参学率",
    "完成人数",
    "完成率",
    "人均学习时长（分钟）",
    "参学人次",
]


@dataclass
class Setup:
    b13: Branch
    campaign: Campaign
    material: Material
    hack: Member
    plus: Member
    minus: Member
    at: Member


@pytest.fixture()
def setup(org, make_member) -> Setup:
    b13 = create_branch(org.admin, org.u1, BranchKind.BRANCH, "B13", "四所党支部", 3)
    hack = make_member("hack", org.b11, name=HACK)
    plus = make_member("plus", org.b12, name="+1", status=PoliticalStatus.PROBATIONARY)
    minus = make_member("minus", org.b12, name="-x")
    at = make_member("at", org.b21, name="@x", phone="13900000001")
    material = make_material(org)
    campaign = make_campaign(
        org.admin, "冬训/学习: 2026*?", FIRST, LAST, minutes=30, branches=[org.bureau]
    )
    add_study(org.m1, material, date(2026, 11, 3), 2400)
    add_study(plus, material, date(2026, 11, 4), 600)
    add_study(at, material, date(2026, 11, 5), 2100)
    db.session.commit()
    return Setup(b13, campaign, material, hack, plus, minus, at)


def _report(actor, subject, first=FIRST, last=LAST):
    return participation(actor, subject, first, last, NOW, detail=True)


def _book(report):
    return openpyxl.load_workbook(io.BytesIO(xlsx_report(report)))


def _csv(report):
    data = csv_report(report)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


# The workbook


def test_the_summary_sheet_holds_the_report_rows_as_numbers(org, setup):
    report = _report(org.admin, setup.campaign)
    book = _book(report)
    assert book.sheetnames == ["汇总", "人员明细", "统计口径", "图表数据"]
    summary = book["汇总"]
    header = [cell.value for cell in summary[1]]
    assert header == SUMMARY_HEADINGS
    assert summary.freeze_panes == "A2" and summary.auto_filter.ref == "A1:I8"
    assert all(cell.font.bold for cell in summary[1])

    lines = list(summary.iter_rows(min_row=2))
    values = [[cell.value for cell in line] for line in lines]
    # Tree order; eligible: B11 org1, m1, =HYPERLINK; B12 +1, -x; B21 org2, @x.
    # Took part: m1, +1, @x (each studied); completed: m1, @x.
    assert [v[:7] for v in values] == [
        ["测试市公安局", "合计", 7, 3, pytest.approx(3 / 7), 2, pytest.approx(2 / 7)],
        ["第一分局", "单位", 5, 2, 0.4, 1, 0.2],
        ["一所党支部", "党支部", 3, 1, pytest.approx(1 / 3), 1, pytest.approx(1 / 3)],
        ["二所党支部", "党支部", 2, 1, 0.5, 0, 0.0],
        ["四所党支部", "党支部", 0, 0, "—", 0, "—"],
        ["第二分局", "单位", 2, 1, 0.5, 1, 0.5],
        ["三所党支部", "党支部", 2, 1, 0.5, 1, 0.5],
    ]
    assert [row.eligible for row in report.rows] == [v[2] for v in values]
    # Minutes per eligible member: JU (40 + 10 + 35) / 7.
    assert values[0][7] == pytest.approx(85 / 7) and values[4][7] == "—"
    rate, completion, minutes = lines[0][4], lines[0][6], lines[0][7]
    assert rate.data_type == "n" and rate.number_format == "0.0%"
    assert completion.number_format == "0.0%"
    assert minutes.number_format == "0.0"
    assert [line[0].font.bold for line in lines] == [True, True, False, False, False, True, False]
    assert [line[0].alignment.indent for line in lines] == [0, 1, 2, 2, 2, 1, 2]


def test_the_book_keeps_texts_as_texts_and_writes_dates_in_china_time():
    book = Book()
    book.add_sheet(
        "表",
        [
            Column("文字", itemgetter(0), width=10),
            Column("时间", itemgetter(1), width=20, number_format=DATETIME),
            Column("日期", itemgetter(2), width=12),
        ],
        [
            ["0123", datetime(2026, 11, 21, 2, 0, tzinfo=UTC), date(2026, 11, 1)],
            ["\uffff=1+1", float("nan"), None],
            ["http://x.example/a", None, None],
            ["a\x07b", "", True],
        ],
    )
    sheet = openpyxl.load_workbook(io.BytesIO(book.to_bytes()))["表"]
    header = sheet["A1"]
    assert header.font.bold and header.fill.fgColor.rgb == "FFFDE9E7"
    assert header.alignment.horizontal == "center" and header.alignment.wrap_text
    assert sheet["A2"].value == "0123" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == datetime(2026, 11, 21, 10, 0)  # China time
    assert sheet["B2"].number_format == DATETIME and sheet["C2"].number_format == "yyyy-mm-dd"
    # U+FFFF is no XML character: removed; "=1+1" is a string cell, shown as typed, no formula.
    assert [sheet["A3"].value, sheet["B3"].value] == ["=1+1", None]
    assert sheet["A3"].data_type == "s"
    assert sheet["A4"].value == "http://x.example/a" and not sheet._hyperlinks
    assert [cell.value for cell in sheet[5]] == ["ab", None, "是"]


def test_the_chart_plots_each_branch_rate_from_the_chart_sheet(org, setup):
    book = _book(_report(org.admin, setup.campaign))
    (chart,) = book["汇总"]._charts
    assert chart.type == "bar"
    series = chart.series[0]
    assert series.val.numRef.f == "'图表数据'!$B$2:$B$5"
    assert series.cat.strRef.f == "'图表数据'!$A$2:$A$5"
    data = list(book["图表数据"].iter_rows(values_only=True))
    assert data == [
        ("组织", "参学率"),
        ("一所党支部", pytest.approx(1 / 3)),
        ("二所党支部", 0.5),
        ("四所党支部", None),
        ("三所党支部", 0.5),
    ]
    assert book["图表数据"]["B2"].number_format == "0.0%"


def test_more_than_60_branches_are_charted_by_unit(org, setup):
    for number in range(58):
        create_branch(
            org.admin,
            org.u2 if number % 2 else org.u1,
            BranchKind.BRANCH,
            f"X{number:02d}",
            f"新建{number:02d}党支部",
            10 + number,
        )
    db.session.commit()
    report = _report(org.admin, setup.campaign)
    bars, title = chart_bars(report)
    assert [row.branch.code for row in bars] == ["U1", "U2"] and title.startswith("各单位参学率")
    book = _book(report)
    assert book["汇总"]._charts[0].series[0].val.numRef.f == "'图表数据'!$B$2:$B$3"
    assert [row[0] for row in book["图表数据"].iter_rows(min_row=2, values_only=True)] == [
        "第一分局",
        "第二分局",
    ]
    assert book["汇总"].max_row == 1 + 3 + 4 + 58


def test_the_member_sheet_lists_every_eligible_member_with_what_is_missing(org, setup):
    set_inactive = setup.minus
    set_inactive.is_active = False
    db.session.commit()
    book = _book(_report(org.admin, setup.campaign))
    sheet = book["人员明细"]
    assert sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet[1]] == [
        "党支部",
        "单位",
        "姓名",
        "警号/手机号",
        "政治面貌",
        "账号状态",
        "是否参与",
        "是否完成",
        "学习时长（分钟）",
        "参学人次",
        "未完成的项目",
    ]
    rows = {row[2]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert list(rows) == [
        HACK,
        "一分局管理员",
        "普通党员",
        "+1",
        "-x",
        "@x",
        "二分局管理员",
    ]
    assert rows["普通党员"] == (
        "一所党支部",
        "第一分局",
        "普通党员",
        "m1",
        "正式党员",
        "正常",
        "是",
        "是",
        40,
        1,
        None,
    )
    assert rows["+1"][4:11] == (
        "预备党员",
        "正常",
        "是",
        "否",
        10,
        1,
        "学习时长：已学 10 / 30 分钟",
    )
    assert rows["-x"][5] == "已停用"
    assert rows["@x"][:4] == ("三所党支部", "第二分局", "@x", "at")
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_definitions_sheet_states_subject_period_scope_and_every_term(org, setup):
    report = _report(org.org1, setup.campaign)
    notes = {
        row[0]: row[1] for row in _book(report)["统计口径"].iter_rows(min_row=2, values_only=True)
    }
    assert notes["统计对象"] == "冬训/学习: 2026*?" and notes["对象类型"] == "学习任务"
    assert notes["统计日期"].startswith("2026-11-01 至 2026-11-30")
    assert notes["统计组织"] == "第一分局及其下属组织"
    assert notes["导出时间（北京时间）"] == "2026-11-21 10:00:00"
    for term, text in report.definitions:
        assert notes[term] == text
    assert _book(report)["统计口径"]["B2"].alignment.wrap_text


def test_an_organisers_export_covers_their_subtree_only(org, setup):
    report = _report(org.org1, setup.campaign)
    book = _book(report)
    names = [row[0] for row in book["汇总"].iter_rows(min_row=2, values_only=True)]
    assert names == ["第一分局", "一所党支部", "二所党支部", "四所党支部"]
    members = [row[2] for row in book["人员明细"].iter_rows(min_row=2, values_only=True)]
    assert "@x" not in members and "二分局管理员" not in members and len(members) == 5
    table = _csv(report)
    assert [row[0] for row in table[1:5]] == names and table[5] == []
    assert all("三所党支部" not in row for row in table)


def test_a_quiz_export_has_score_and_pass_columns(org, setup):
    question = make_questions(org.admin, n_each=1)["single"][0]
    quiz = make_quiz(org.admin, [org.bureau], questions=[question], title="条例测试")
    for member, score, passed in ((org.m1, 8.0, True), (setup.at, 4.0, False)):
        db.session.add(
            Attempt(
                quiz_id=quiz.id,
                member_id=member.id,
                number=1,
                status="submitted",
                started_at=NOW - timedelta(minutes=20),
                deadline_at=NOW + timedelta(hours=1),
                submitted_at=NOW,
                score=score,
                max_score=10,
                passed=passed,
            )
        )
    db.session.commit()
    book = _book(_report(org.admin, quiz))
    assert [cell.value for cell in book["汇总"][1]][2:] == QUIZ_HEADINGS
    top = list(book["汇总"][2])
    assert [c.value for c in top[2:8]] == [7, 2, pytest.approx(2 / 7), 1, 0.5, 6.0]
    assert top[6].number_format == "0.0%"
    # 平均分 with two decimals, as on the page (and the quiz's own results export)
    assert top[7].number_format == "0.00"
    sheet = book["人员明细"]
    assert [cell.value for cell in sheet[1]][6:] == [
        "是否参考",
        "学习时长（分钟）",
        "计分成绩",
        "是否及格",
        "参考人次",
        "未参加原因",
    ]
    rows = {row[2]: row[6:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["普通党员"] == ("是", 40, 8, "是", 1, None)
    assert rows["@x"] == ("是", 35, 4, "否", 1, None)
    assert rows["-x"] == ("否", 0, None, "否", 0, "未交卷")


def test_a_campaign_export_says_passed_only_of_the_complete(org, setup):
    question = make_questions(org.admin, n_each=1)["single"][0]
    quiz = make_quiz(org.admin, [org.bureau], questions=[question], title="条例测试")
    campaign = make_campaign(
        org.admin, "带测试的任务", FIRST, LAST, minutes=30, branches=[org.bureau],
        quizzes=[(quiz, False)],
    )  # fmt: skip
    add_attempt(org.m1, quiz, 1, 8, True)  # 40 min: complete, passed
    add_attempt(setup.plus, quiz, 1, 9, True)  # 10 min: passed the quiz, not complete
    add_attempt(setup.at, quiz, 1, 4, False)  # 35 min: complete (sat is enough), failed
    db.session.commit()
    report = _report(org.admin, campaign)
    assert report.top.passed == 1 and report.top.completed == 2
    sheet = _book(report)["人员明细"]
    heads = [cell.value for cell in sheet[1]]
    column = heads.index("是否及格")
    passed = {row[2]: row[column] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert (passed["普通党员"], passed["+1"], passed["@x"], passed["-x"]) == ("是", "—", "否", "—")
    table = _csv(report)
    start = table.index(["人员明细"]) + 1
    assert [row[column] for row in table[start + 1 :] if row[3] == "plus"] == ["—"]
    # The definitions sheet says what the column shows.
    terms = dict(_book(report)["统计口径"].iter_rows(min_row=2, values_only=True))
    assert "未完成的人员为“—”" in terms["是否及格"]


def test_a_range_export_names_its_columns_for_any_study(org, setup):
    sheet = _book(_report(org.org2, None))["人员明细"]
    assert [cell.value for cell in sheet[1]][6:] == [
        "是否参学",
        "学习时长（分钟）",
        "参学人次",
        "未参加原因",
    ]
    rows = {row[2]: row[6:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows == {
        "@x": ("是", 35, 1, None),
        "二分局管理员": ("否", 0, 0, "统计期内没有学习活动"),
    }


def test_the_export_takes_the_same_queries_for_few_or_many_members(
    org, setup, make_member, queries
):
    def export_statements():
        db.session.expire_all()
        campaign = db.session.get(Campaign, setup.campaign.id)
        with queries() as statements:
            xlsx_report(_report(org.org1, campaign))
            csv_report(_report(org.org1, campaign))
        return len(statements)

    few = export_statements()
    for number in range(40):
        member = make_member(f"n{number:02d}", (org.b11, org.b12, setup.b13)[number % 3])
        add_study(member, setup.material, date(2026, 11, 1 + number % 28), 60 * number)
    db.session.commit()
    assert export_statements() == few


# The CSV


def test_the_csv_is_the_summary_table_then_the_definitions(org, setup):
    report = _report(org.admin, setup.campaign)
    table = _csv(report)
    assert table[0] == SUMMARY_HEADINGS
    assert table[1] == ["测试市公安局", "合计", "7", "3", "42.9%", "2", "28.6%", "12.1", "3"]
    assert table[5] == ["四所党支部", "党支部", "0", "0", "—", "0", "—", "—", "0"]
    facts = 10 + 7 + len(report.definitions)  # the line after the 统计口径 block
    assert len(table) == facts + 1 + 1 + 1 + 7
    assert table[8] == [] and table[9] == ["统计口径"]
    block = {row[0]: row[1] for row in table[10:facts]}
    assert block["统计组织"] == "测试市公安局及其下属组织"
    assert block["人员明细"] == "7 人"
    assert all(term in block for term, _ in report.definitions)
    # 人员明细, 7 人: each member's line follows, as on the workbook's 人员明细 sheet.
    assert table[facts : facts + 2] == [[], ["人员明细"]]
    sheet = _book(report)["人员明细"]
    assert table[facts + 2] == [cell.value for cell in sheet[1]]
    members = {line[2]: line for line in table[facts + 3 :]}
    assert len(members) == 7
    assert members["普通党员"] == [
        *("一所党支部", "第一分局", "普通党员", "m1", "正式党员", "正常", "是", "是"),
        *("40.0", "1", ""),
    ]
    assert members["'+1"][2] == "'+1"  # texts formula-guarded, as in the summary


def test_csv_member_lines_show_minutes_with_a_decimal_and_guard_formulas(org, setup):
    add_study(setup.plus, setup.material, date(2026, 11, 2), 90)  # 10 min + 90 s = 11.5
    db.session.commit()
    report = _report(org.admin, setup.campaign)
    table = _csv(report)
    members = {line[2]: line for line in table if len(line) == 11 and line[0] != "党支部"}
    assert set(members) == {
        *("'" + HACK, "一分局管理员", "普通党员", "'+1", "'-x", "'@x", "二分局管理员"),
    }
    # 参与 是 (two days of study), 完成 否 (no quiz passed), 11.5 minutes, 人次 2 (two days).
    assert members["'+1"][6:10] == ["是", "否", "11.5", "2"]
    sheet = {r[2]: r for r in _book(report)["人员明细"].iter_rows(min_row=2, values_only=True)}
    assert sheet["+1"][8] == 11.5
    # The rows add up to the branch: 二所 has +1 (11.5 min) and -x (0), 2 members → 5.75.
    assert ["二所党支部", "党支部", "2", "1", "50.0%", "0", "0.0%", "5.8", "2"] in table


def test_formula_like_names_are_neutralised_in_both_formats(org, setup, make_member):
    make_member("eq2", org.b11, name="=1+1")
    db.session.commit()
    report = _report(org.admin, setup.campaign)
    sheet = _book(report)["人员明细"]
    names = {row[2].value: row[2] for row in sheet.iter_rows(min_row=2)}
    # The .xlsx shows names as typed: string cells, which never run as formulas.
    assert {HACK, "+1", "-x", "@x", "=1+1"} <= set(names)
    assert all(names[name].data_type == "s" for name in (HACK, "+1", "-x", "@x", "=1+1"))
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
    # The CSV, which Excel parses as if typed, guards them in the member lines.
    csv_names = {line[2] for line in _csv(report)[-8:]}
    assert {"'" + HACK, "'+1", "'-x", "'@x", "'=1+1"} <= csv_names
    # The CSV carries branch names; a branch named like a formula is neutralised too.
    org.b12.name = "-二所"
    db.session.commit()
    table = _csv(_report(org.admin, setup.campaign))
    assert ["'-二所", "党支部", "2", "1", "50.0%", "0", "0.0%", "5.0", "1"] in table
    assert not any(cell[:1] in ("=", "+", "-", "@") for row in table for cell in row)


# The file name


def test_the_file_name_carries_title_scope_and_date_and_nothing_forbidden(org, setup):
    name = file_name(_report(org.org1, setup.campaign), "xlsx")
    assert name == "参学统计_冬训学习2026_第一分局_20261121.xlsx"
    assert not FORBIDDEN & set(name)
    assert file_name(_report(org.admin, None), ".csv") == (
        "参学统计_2026-11-01至2026-11-30_测试市公安局_20261121.csv"
    )
    setup.campaign.title = "关于" + "很长的标题" * 19 + "\x07"
    report = _report(org.admin, setup.campaign)
    long_name = file_name(report, "xlsx")
    assert (
        len(long_name) <= 80
        and "\x07" not in long_name
        and long_name.endswith("_测试市公安局_20261121.xlsx")
    )


# The benchmark bureau


def test_bench_data_generates_a_consistent_bureau(app, runner):
    result = runner.invoke(
        args=["bench-data", "--members", "60", "--branches", "6", "--days", "30", "--seed", "5"]
    )
    assert result.exit_code == 0, result.output
    assert "6 branches, 60 members over 30 days" in result.output
    today = china_today(utcnow())
    kinds = dict(
        db.session.execute(select(Branch.kind, func.count()).group_by(Branch.kind)).tuples().all()
    )
    assert kinds == {"bureau": 1, "unit": 4, "branch": 6}
    people = list(db.session.scalars(select(Member).where(Member.role != "admin")))
    assert len(people) == 60 and sum(m.role == "organiser" for m in people) == 4

    # Every member has a history; it ends where they are (or left); moves and leavers exist.
    stays = {m.id: sorted(m.memberships, key=lambda s: s.started_on) for m in people}
    assert all(stays.values())
    for member in people:
        mine = stays[member.id]
        assert mine[-1].branch_id == member.branch_id
        assert (mine[-1].ended_on is None) == member.is_active
        assert all(a.ended_on == b.started_on for a, b in itertools.pairwise(mine))
    assert any(len(s) > 1 for s in stays.values())
    assert any(not m.is_active for m in people)

    # Study only on days in a branch, up to today, within the daily cap.
    minutes = list(db.session.scalars(select(StudyMinute)))
    assert minutes
    for row in minutes:
        assert row.day <= today and 0 < row.seconds <= 240 * 60
        assert any(s.covers(row.day) for s in stays[row.member_id]), row

    # Attempts are graded from their answers; campaigns are published with a quiz each.
    for attempt in db.session.scalars(select(Attempt)):
        marks = db.session.scalars(
            select(AttemptAnswer.mark).where(AttemptAnswer.attempt_id == attempt.id)
        ).all()
        assert attempt.status == "submitted" and attempt.score == sum(marks)
        assert attempt.submitted_at <= utcnow()
    found = list(db.session.scalars(select(Campaign)))
    assert len(found) == 4 and all(c.is_published and c.quizzes for c in found)
    running = next(
        c for c in found if c.starts_on <= today <= c.ends_on and not c.is_training_class
    )
    admin = db.session.scalar(select(Member).where(Member.role == "admin"))
    report = participation(
        admin, running, running.starts_on, running.ends_on, utcnow(), detail=True
    )
    assert report.top.eligible == len(report.members) > 0
    assert db.session.scalar(select(func.count()).select_from(Membership)) >= 60

    assert runner.invoke(args=["bench-data"]).exit_code != 0
    again = runner.invoke(args=["bench-data", "--if-empty"])
    assert again.exit_code == 0 and "already has data" in again.output
