"""What organisers find of the evidence: each attempt's 切屏 count and end on the results page
and in its exports, the answer sheet of an attempt, who studied a material and for how long,
and what each member still lacks in a campaign. Scopes as the authorisation matrix has them."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import openpyxl
import pytest

from quizapp import db
from quizapp.attempts import autosave
from quizapp.attempts import services as attempts
from quizapp.auth.session_ref import SessionRef
from quizapp.campaigns import services as campaign_services
from quizapp.quizzes.models import LeavePolicy
from tests.factories import NOW, add_study, make_material, make_quiz

LATER = NOW + timedelta(hours=4)  # the quizzes below have closed


@pytest.fixture()
def bank_size() -> int:
    return 2


@pytest.fixture()
def sat(org, bank, make_member):
    """U1's quiz (single 2 points + fill 2 points, 切屏 recorded, two attempts allowed).

    m1: first attempt right and submitted; second wrong, left the page twice, ended by time.
    甲 (B12): left 4 times, submitted. 丁: sat in B12, then moved to B21 (U2), outside org1's
    subtree.
    """
    single, fill = bank["single"][0], bank["fill"][0]
    quiz = make_quiz(
        org.org1,
        [org.u1],
        questions=[single, fill],
        time_limit_minutes=10,
        attempts_allowed=2,
        leave_policy=LeavePolicy.RECORD,
        title="切屏证据测试",
    )
    jia = make_member("a1", org.b12, name="甲")
    make_member("x1", org.b12, name="=cmd()")  # absent: a row of the export all the same
    ding = make_member("d1", org.b12, name="丁")

    def sit(member, responses, *, leaves=0, start=NOW, submit_after=timedelta(minutes=3)):
        attempt, _ = attempts.start_attempt(member, quiz, start)
        db.session.commit()
        ref = SessionRef(member.id, member.session_version)
        for seq, (question, response) in enumerate(responses, start=1):
            autosave.save_answer(ref, attempt.id, question.id, response, seq, start)
        for _ in range(leaves):
            attempts.record_leave(attempt, start)
        if submit_after is None:
            attempts.expire_overdue(start + timedelta(minutes=11))
        else:
            attempts.submit_attempt(attempt, start + submit_after)
        db.session.commit()
        return attempt

    first = sit(org.m1, [(single, 1), (fill, ["惩前毖后"])])
    second = sit(
        org.m1, [(single, 0)], leaves=2, start=NOW + timedelta(minutes=20), submit_after=None
    )
    sit(jia, [(single, 1)], leaves=4)
    other = sit(ding, [(single, 1)])
    ding.branch_id = org.b21.id
    db.session.commit()
    return quiz, first, second, other


def test_the_results_page_shows_every_attempts_leavings_and_end(
    client, auth, org, sat, time_machine
):
    quiz, first, second, _ = sat
    time_machine.move_to(LATER, tick=False)
    auth.login("org1")
    body = client.get(f"/manage/results/quizzes/{quiz.id}").get_data(as_text=True)
    assert f'href="/manage/results/attempts/{first.id}"' in body
    assert f'href="/manage/results/attempts/{second.id}"' in body
    lines = body.split('class="attempt-line"')[1:]
    texts = [" ".join(line.split("</a>")[0].split()) for line in lines]
    assert any("第 1 次（计分）" in t and "本人交卷" in t and "切屏 0 次" in t for t in texts)
    assert any("第 2 次" in t and "时间已到" in t and "切屏 2 次" in t for t in texts)
    assert any("本人交卷" in t and "切屏 4 次" in t for t in texts)  # 甲
    assert "丁" not in body
    assert "结束方式" in body and "切屏次数" in body  # the definitions say what they mean


def test_the_exports_carry_the_end_and_the_leavings(client, auth, org, sat, time_machine):
    quiz, *_ = sat
    time_machine.move_to(LATER, tick=False)
    auth.login("org1")
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/manage/results/quizzes/{quiz.id}/export.xlsx").data)
    )
    header, *rows = list(book["成绩明细"].iter_rows(values_only=True))
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    # m1's counted attempt is the first (4 points, highest): submitted, never left.
    assert (by_name["普通党员"]["结束方式"], by_name["普通党员"]["切屏次数"]) == ("本人交卷", 0)
    assert (by_name["甲"]["结束方式"], by_name["甲"]["切屏次数"]) == ("本人交卷", 4)
    header, *rows = list(book["答卷明细"].iter_rows(values_only=True))
    sittings = [dict(zip(header, row, strict=True)) for row in rows]
    assert [
        (s["姓名"], s["第几次"], s["是否计分"], s["结束方式"], s["切屏次数"]) for s in sittings
    ] == [
        ("普通党员", 1, "是", "本人交卷", 0),
        ("普通党员", 2, "否", "时间已到", 2),
        ("甲", 1, "是", "本人交卷", 4),
    ]
    assert sittings[1]["交卷时间"] == datetime(2026, 11, 21, 10, 30)  # China time, the deadline

    response = client.get(f"/manage/results/quizzes/{quiz.id}/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].endswith(".csv")
    assert response.data.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    header = table[0]
    members = table[1 : table.index([])]
    rows = {line[0]: dict(zip(header, line, strict=True)) for line in members}
    assert header[-3:] == ["结束方式", "切屏次数", "缓考/补考"]
    assert (rows["甲"]["结束方式"], rows["甲"]["切屏次数"], rows["甲"]["是否及格"]) == (
        "本人交卷",
        "4",
        "否",
    )
    assert rows["普通党员"]["交卷时间"] == "2026-11-21 10:03:00"  # China time, as text
    assert ["说明"] in table and any(line[:1] == ["结束方式"] for line in table)
    assert "'=cmd()" in rows and "''=cmd()" not in rows  # a formula-like name quoted once


def test_the_answer_sheet_shows_each_answer_the_right_one_and_points(
    client, auth, org, sat, time_machine
):
    _, _, second, _ = sat
    time_machine.move_to(LATER, tick=False)
    auth.login("org1")
    page = client.get(f"/manage/results/attempts/{second.id}")
    assert page.status_code == 200
    body = " ".join(page.get_data(as_text=True).split())
    assert "普通党员的答卷" in body and "第 2 次答题" in body
    assert "时间已到" in body and "2 次" in body
    # The single choice: answered A (option 0), right is B (记过); the fill unanswered.
    assert '<dd class="sheet-response">A</dd>' in body
    assert '<dd class="sheet-correct">B．记过</dd>' in body
    assert "得 0 / 2 分" in body and "未作答" in body and "惩前毖后" in body
    assert body.count('class="card sheet-item sheet-wrong"') == 2


def test_the_answer_sheet_is_scoped_to_the_quiz_and_the_member(
    client, auth, org, sat, time_machine
):
    _, first, _, other = sat
    time_machine.move_to(LATER, tick=False)
    auth.login("org2")  # U2: manages 丁 but not U1's quiz
    assert client.get(f"/manage/results/attempts/{other.id}").status_code == 404
    assert client.get(f"/manage/results/attempts/{first.id}").status_code == 404
    auth.logout()
    auth.login("org1")  # U1: manages the quiz, but 丁 sits in U2
    assert client.get(f"/manage/results/attempts/{other.id}").status_code == 404
    assert client.get(f"/manage/results/attempts/{first.id}").status_code == 200
    auth.switch_to("admin")
    assert client.get(f"/manage/results/attempts/{other.id}").status_code == 200
    auth.logout()
    auth.login("m1")  # a member, even their own
    assert client.get(f"/manage/results/attempts/{first.id}").status_code == 403


# Who studied a material


def test_who_studied_a_material_and_for_how_long(client, auth, org, make_member):
    material = make_material(org, "党章学习", owner=org.u1, branches=[org.u1], estimated_minutes=5)
    jia = make_member("a1", org.b12, name="甲")
    ding = make_member("d1", org.b21, name="丁")
    add_study(org.m1, material, date(2026, 11, 19), 200)
    add_study(org.m1, material, date(2026, 11, 20), 130, until=NOW - timedelta(days=1))
    add_study(jia, material, date(2026, 11, 20), 95)
    add_study(ding, material, date(2026, 11, 20), 900)  # outside U1
    db.session.commit()
    auth.login("org1")
    show = client.get(f"/manage/materials/{material.id}").get_data(as_text=True)
    assert f'href="/manage/materials/{material.id}/learners"' in show
    body = client.get(f"/manage/materials/{material.id}/learners").get_data(as_text=True)
    assert "丁" not in body
    rows = body.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert "普通党员" in rows[0] and "5.5" in rows[0] and "已学完" in rows[0]  # 330 s
    assert "2026-11-20 10:00" in rows[0]  # the last heartbeat, China time
    assert "甲" in rows[1] and "1.6" in rows[1] and "已学完" not in rows[1]  # 95 s
    assert '<span class="stat-value">2</span>' in body and "7.1" in body

    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/manage/materials/{material.id}/learners.xlsx").data)
    )
    header, *lines = list(book.active.iter_rows(values_only=True))
    assert header[:4] == ("姓名", "警号/手机号", "党支部", "学习时长（分钟）")
    assert [(line[0], line[3], line[4]) for line in lines] == [
        ("普通党员", 5.5, "是"),
        ("甲", 1.6, "否"),
    ]
    assert book.active.cell(2, 4).number_format == "0.0"
    auth.switch_to("admin")
    body = client.get(f"/manage/materials/{material.id}/learners").get_data(as_text=True)
    assert "丁" in body and "15.0" in body


# What members still lack in a campaign


def test_the_campaign_lists_what_each_member_lacks(client, auth, org, bank, make_member):
    material = make_material(
        org, "必学资料一", owner=org.u1, branches=[org.u1], estimated_minutes=10
    )
    jia = make_member("a1", org.b11, name="甲")
    start, end = date(2026, 11, 16), date(2026, 11, 30)
    add_study(org.m1, material, date(2026, 11, 18), 600)  # done with the material
    add_study(jia, material, date(2026, 11, 18), 120)
    campaign = campaign_services.save_campaign(
        org.org1,
        campaign_services.CampaignData(
            title="缺项测试",
            starts_on=start,
            ends_on=end,
            minute_target=5,
            materials=[material],
            branches=[org.b11],
        ),
    )
    campaign_services.set_published(org.org1, campaign, True)
    db.session.commit()
    auth.login("org1")
    url = f"/manage/campaigns/{campaign.id}"
    body = client.get(url, query_string={"show": "todo"}).get_data(as_text=True)
    assert "还差：学习时长（已学 2 / 5 分钟）；必学资料一（已学 2 / 10 分钟）" in body  # 甲
    assert "还差：学习时长（已学 0 / 5 分钟）" in body  # org1 studied nothing
    assert f'<option value="material:{material.id}" >必学资料：必学资料一</option>' in body
    lacking = client.get(url, query_string={"show": "todo", "lack": f"material:{material.id}"})
    names = lacking.get_data(as_text=True)
    assert "甲" in names and "一分局管理员" in names and "普通党员" not in names
    nobody = client.get(url, query_string={"show": "done", "lack": "minutes"})
    assert "没有符合条件的人员" in nobody.get_data(as_text=True)

    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{url}/progress.xlsx").data))
    header, *rows = list(book["完成情况"].iter_rows(values_only=True))
    assert header == (
        "姓名",
        "警号/手机号",
        "党支部",
        "是否完成",
        "完成项数",
        "学习时长",
        "必学资料：必学资料一",
        "未完成的项目",
    )
    by_name = {row[0]: row for row in rows}
    assert by_name["普通党员"][3:] == ("是", 2, "已完成", "已完成", None)
    assert by_name["甲"][3:7] == ("否", 0, "已学 2 / 5 分钟", "已学 2 / 10 分钟")
    assert by_name["甲"][7] == "学习时长（已学 2 / 5 分钟）；必学资料一（已学 2 / 10 分钟）"
