"""The 台账 pack: the .docx opened with python-docx, checked against the reports it quotes.

The organisation and its facts are those of tests/test_participation.py (``people``); each
table of the document must carry the figures the participation report, the points ranking
and the offline and reflection lists give for the same branch and period, and the printable
page must show the same tables.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
from docx import Document
from docx.oxml.ns import qn

from quizapp import db
from quizapp.clock import china_today
from quizapp.ledger.queries import OWN_DEFINITIONS
from quizapp.participation.queries import participation
from quizapp.points.queries import ranking
from quizapp.points.rules import effective_thresholds, one_decimal
from tests import test_participation as tp
from tests.factories import (
    NOW,
    add_offline,
    add_points,
    add_reflection,
    add_study,
    make_material,
)

people = tp.people
NOVEMBER = "first=2026-11-01&last=2026-11-30"
BASE = "/manage/ledger/branches"


@pytest.fixture()
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture()
def scenario(org, people, frozen):
    """A campaign with its quiz, 90 s more study, a lecture, a reflection and points in B11."""
    campaign = tp.campaign_scenario(org, people, published=True)
    quiz = campaign.quizzes[0].quiz
    add_study(org.m1, people.material, date(2026, 11, 5), 90)
    add_offline(org.b11, date(2026, 11, 6), [org.m1, people.mover])
    add_reflection(org.m1, "accepted", material_id=people.material.id)
    add_points(org.m1, 12, date(2026, 11, 6))
    db.session.commit()
    return quiz, campaign


def _document(client, branch_id: int):
    response = client.get(f"{BASE}/{branch_id}.docx?{NOVEMBER}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    return Document(io.BytesIO(response.data))


def _tables(document) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def _by_heading(document) -> dict[str, list[list[str]]]:
    """{heading above a table: its rows} (the first section's, for a branch)."""
    found, heading = {}, None
    body = document.element.body
    tables = iter(document.tables)
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            text = "".join(t.text or "" for t in child.iter(qn("w:t")))
            style = child.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            if style is not None and style.get(qn("w:val")).startswith("Heading2"):
                heading = text
        elif child.tag == qn("w:tbl"):
            table = next(tables)
            found.setdefault(heading, [[c.text for c in r.cells] for r in table.rows])
    return found


def test_the_docx_quotes_the_reports_of_the_branch(client, auth, org, people, scenario):
    quiz, campaign = scenario
    auth.login("org1")
    document = _document(client, org.b11.id)
    tables = _by_heading(document)

    # 页眉 with the branch and the period; the title.
    header = document.sections[0].header.paragraphs[0].text
    assert "一所党支部" in header and "2026-11-01 至 2026-11-30" in header
    assert any(p.text == "一所党支部党员学习台账" for p in document.paragraphs)

    # Members and their stays: the mover came on 11-10, the transfer left on 11-05.
    stays = {row[0]: row[2:] for row in tables["一、成员在册情况"][1:]}
    assert stays["转入者"] == ["2026-11-10", "至今"]
    assert stays["转出者"][1] == "2026-11-05"

    # Study minutes per member, one decimal, equal to the range report's seconds.
    report = participation(org.org1, None, tp.FIRST, tp.LAST, NOW, within=org.b11, detail=True)
    expected = {line.name: str(one_decimal(line.study_seconds / 60)) for line in report.members}
    study = {row[0]: row[2] for row in tables["二、在线学习时长"][1:]}
    assert study == expected
    assert study[org.m1.name] == "41.5"  # 2400 s + 90 s: not cut to 41

    # Each test: the scores of the quiz's report, and who did not take it.
    quiz_report = participation(
        org.org1,
        quiz,
        china_today(quiz.opens_at),
        china_today(quiz.closes_at),
        NOW,
        within=org.b11,
        detail=True,
    )
    rows = [row for row in tables["三、测试考试"][1:] if row[0] == quiz.title]
    assert {row[1] for row in rows} == {line.name for line in quiz_report.members}
    for line in quiz_report.members:
        row = next(r for r in rows if r[1] == line.name)
        assert row[2] == (f"{line.score:g}" if line.participated else "未参加")
    assert next(r for r in rows if r[1] == org.m1.name)[2:] == ["8", "合格"]

    # The lecture with its attendance, the reflection with its status.
    lecture = tables["四、线下学习"][1]
    assert lecture[:4] == ["2026-11-06", "专题讲座", "60", "2"]
    assert set(lecture[4].split("、")) == {org.m1.name, "转入者"}
    assert tables["五、心得体会"][1][1:] == [org.m1.name, "心得", "已通过"]

    # Campaign completion: the campaign report's own figures for the branch.
    top = participation(
        org.org1, campaign, campaign.starts_on, campaign.ends_on, NOW, within=org.b11
    ).top
    row = next(r for r in tables["六、学习任务完成情况"][1:] if r[0] == campaign.title)
    assert [row[1], row[2], row[4]] == [
        str(top.eligible),
        str(top.participants),
        str(top.completed),
    ]
    heads = tables["六、学习任务完成情况"][0]
    assert heads[1:] == ["应参学人数", "参与人数", "参学率", "完成人数", "完成率"]

    # Points and the tier.
    line = next(
        line
        for line in ranking(org.org1, tp.FIRST, tp.LAST, effective_thresholds())
        if line.branch.id == org.b11.id
    )
    assert tables["七、积分与等次"][1:] == [
        [str(line.members), "12", str(line.per_member), line.tier.label, str(line.rank)]
    ]


def test_the_docx_is_typeset_for_handing_in(client, auth, org, people, scenario):
    auth.login("org1")
    document = _document(client, org.b11.id)
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "宋体"
    assert fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would win over it
    assert document.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    for table in document.tables:
        first = table.rows[0]._tr.trPr
        assert first.find(qn("w:tblHeader")) is not None
        for row in table.rows:
            assert row._tr.trPr.find(qn("w:cantSplit")) is not None
    texts = [p.text for p in document.paragraphs]
    definitions = texts[texts.index("口径说明") + 1 :]
    for term, text in OWN_DEFINITIONS:
        assert f"{term}：{text}" in definitions


def test_the_page_shows_the_tables_of_the_docx(client, auth, org, people, scenario):
    auth.login("org1")
    tables = _tables(_document(client, org.b11.id))
    html = client.get(f"{BASE}/{org.b11.id}?{NOVEMBER}").get_data(as_text=True)
    shown = []
    for body in re.findall(r'<table class="table ledger-table">(.*?)</table>', html, re.S):
        shown.append(
            [
                [
                    re.sub(r"<[^>]+>", "", c).strip()
                    for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
                ]
                for r in re.findall(r"<tr>(.*?)</tr>", body, re.S)
            ]
        )
    assert shown == tables
    assert f"{BASE}/{org.b11.id}.docx?first=2026-11-01&amp;last=2026-11-30" in html


def test_a_unit_has_one_section_per_branch(client, auth, org, people, scenario):
    auth.login("org1")
    document = _document(client, org.u1.id)
    sections = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert sections[:-1] == ["一所党支部", "二所党支部", "四所党支部"]
    assert sections[-1] == "口径说明"


def test_the_ledger_is_linked_from_the_drilldown_and_the_tree(client, auth, org, people, frozen):
    auth.login("org1")
    html = client.get(f"/manage/participation/range/branches/{org.b11.id}?{NOVEMBER}").get_data(
        as_text=True
    )
    assert f"{BASE}/{org.b11.id}?first=2026-11-01&amp;last=2026-11-30" in html
    html = client.get("/manage/branches").get_data(as_text=True)
    assert f'href="{BASE}/{org.b11.id}"' in html


def test_a_bad_period_is_explained(client, auth, org, people, frozen):
    auth.login("org1")
    response = client.get(f"{BASE}/{org.b11.id}?first=2026-11-30&last=2026-11-01")
    assert response.status_code == 400
    assert "结束日期不能早于开始日期" in response.get_data(as_text=True)
    assert client.get(f"{BASE}/{org.b11.id}.docx?first=2026-13-01").status_code == 400


def test_reflections_follow_the_branch_history_and_unit_sessions_show_their_members(
    client, auth, org, make_member, time_machine
):
    """A member who moved shows their reflection under the branch they handed it in from; a
    session held by the unit lists, in each branch's section, that branch's attendees of the
    day, named as the unit's."""
    material = make_material(org)
    mover = make_member("x1", org.b11, name="调动者")
    add_reflection(mover, "accepted", material_id=material.id, submitted_at=_at(3))
    add_reflection(org.m1, "submitted", material_id=material.id, submitted_at=_at(4))
    add_offline(org.u1, date(2026, 11, 5), [mover])  # in B11 then
    db.session.commit()
    time_machine.move_to(_at(10), tick=False)
    auth.login("admin")
    assert (
        client.post(f"/manage/members/{mover.id}/move", data={"branch_id": org.b12.id}).status_code
        == 302
    )
    auth.logout()
    add_offline(org.u1, date(2026, 11, 12), [org.m1, mover])  # one from each branch
    add_offline(org.b12, date(2026, 11, 13), [mover])
    db.session.commit()
    time_machine.move_to(NOW, tick=False)
    auth.login("org1")

    b11 = _by_heading(_document(client, org.b11.id))
    held = "专题讲座（第一分局举办）"
    assert b11["四、线下学习"][1:] == [
        ["2026-11-05", held, "60", "1", "调动者"],
        ["2026-11-12", held, "60", "1", "普通党员"],
    ]
    assert [(row[1], row[3]) for row in b11["五、心得体会"][1:]] == [
        ("调动者", "已通过"),
        ("普通党员", "待审阅"),
    ]
    b12 = _by_heading(_document(client, org.b12.id))
    assert b12["四、线下学习"][1:] == [
        ["2026-11-12", held, "60", "1", "调动者"],
        ["2026-11-13", "专题讲座", "60", "1", "调动者"],
    ]
    assert [row[1] for row in b12.get("五、心得体会", [[]])[1:]] == []  # handed in from B11
    # The range report, unlike the 台账's lists, counts each member once, in the branch of
    # their last stay: the mover's three sessions and accepted reflection go to B12.
    report = participation(org.org1, None, date(2026, 11, 1), date(2026, 11, 30), NOW)
    times = {row.branch.id: row.times for row in report.rows}
    assert (times[org.b11.id], times[org.b12.id]) == (1, 4)


def _at(day: int):
    """10:00 China time on that day of November 2026."""
    return datetime(2026, 11, day, 2, tzinfo=UTC)
