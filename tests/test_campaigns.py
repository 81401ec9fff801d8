"""Campaigns and training classes: progress worked out by hand, roster enrolment, scope,
member pages and the home page. Study minutes, offline sessions and reflections are made as
rows directly; the period is 2026-11-16 to 2026-11-22 (TODAY is the 21st)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
import pytest
from sqlalchemy import select

from quizapp import db
from quizapp.campaigns import services
from quizapp.campaigns.forms import MAX_LIST_ROWS, read_entries
from quizapp.campaigns.models import Campaign
from quizapp.campaigns.progress import ProgressBook, progress
from quizapp.errors import DomainError
from quizapp.quizzes.attempt_models import Attempt
from quizapp.quizzes.models import Counting, ReviewWhen
from quizapp.study.models import Material
from quizapp.study.totals import seconds_between
from tests.conftest import TODAY
from tests.factories import (
    NOW,
    add_attempt,
    add_offline,
    add_reflection,
    add_study,
    make_material,
    make_quiz,
)

START, END = date(2026, 11, 16), date(2026, 11, 22)


# Factories


def _material(org, title="党纪学习", minutes=10, status="published", owner=None):
    return make_material(
        org, title, owner=owner or org.u1, estimated_minutes=minutes, status=status
    )


def _reflection(member, campaign, status):
    add_reflection(member, status, campaign_id=campaign.id, body="学习心得" * 50)


def _attempt(member, quiz, number, score, passed, status="submitted"):
    """An attempt begun and (unless still running) handed in at NOW."""
    submitted = status == "submitted"
    add_attempt(
        member,
        quiz,
        number,
        score if submitted else None,
        passed if submitted else None,
        status=status,
        took=timedelta(0),
    )


def _campaign(org, actor=None, publish=True, **values):
    """A campaign of U1's organiser for B11 (unless told otherwise), published."""
    actor = actor or org.org1
    values = {
        "title": "党纪学习教育专题",
        "starts_on": START,
        "ends_on": END,
        "branches": [org.b11] if values.get("kind") != "training_class" else [],
    } | values
    campaign = services.save_campaign(actor, services.CampaignData(**values))
    if publish and not campaign.is_training_class:
        services.set_published(actor, campaign, True)
    db.session.commit()
    return campaign


@pytest.fixture()
def bank_size() -> int:
    return 1


def _quiz(org, bank, **options):
    return make_quiz(org.org1, [org.b11], questions=[bank["single"][0]], **options)


def _items(p):
    return {(item.kind, item.label): (item.value, item.target, item.met) for item in p.items}


# Progress, worked out by hand


def test_minutes_count_only_days_in_the_period(org):
    material = _material(org)
    campaign = _campaign(org, minute_target=30)
    add_study(org.m1, material, START - timedelta(days=1), 3000)  # the day before: no
    add_study(org.m1, material, START, 600)
    add_study(org.m1, material, END, 500)
    add_study(org.m1, material, END + timedelta(days=1), 3000)  # the day after: no

    p = progress(org.m1, campaign, TODAY)
    assert p.minutes.value == 1100 == seconds_between(org.m1.id, START, END)
    assert p.minutes.target == 1800
    assert not p.minutes.met and not p.complete
    assert p.minutes.detail == "已学 18 / 30 分钟"

    add_study(org.m1, _material(org, "另一篇"), TODAY, 700)
    p = progress(org.m1, campaign, TODAY)
    assert p.minutes.value == 1800 and p.minutes.met and p.complete


def test_a_required_material_is_done_at_its_estimated_minutes_up_to_the_end(org):
    done, short, late = (
        _material(org, "甲", 10),
        _material(org, "乙", 10),
        _material(org, "丙", 5),
    )
    campaign = _campaign(org, materials=[done, short, late])
    add_study(org.m1, done, START - timedelta(days=30), 300)  # before the period still counts
    add_study(org.m1, done, TODAY, 300)
    add_study(org.m1, short, TODAY, 599)
    add_study(org.m1, late, END, 200)
    add_study(org.m1, late, END + timedelta(days=1), 600)  # after the end: no

    items = _items(progress(org.m1, campaign, TODAY))
    assert items[("material", "甲")] == (600, 600, True)
    assert items[("material", "乙")] == (599, 600, False)
    assert items[("material", "丙")] == (200, 300, False)


def test_a_quiz_is_met_by_sitting_it_or_by_passing_when_it_must_be_passed(org, bank):
    sat = _quiz(org, bank, title="应知应会测试")
    must = _quiz(org, bank, title="党规考试")
    campaign = _campaign(org, quizzes=[(sat, False), (must, True)])

    def state():
        p = progress(org.m1, campaign, TODAY)
        return {item.label: (item.state, item.met) for item in p.items}, p.complete

    assert state() == ({"应知应会测试": ("absent", False), "党规考试": ("absent", False)}, False)
    _attempt(org.m1, sat, 1, 2, False, status="in_progress")
    assert state()[0]["应知应会测试"] == ("absent", False)  # not handed in yet
    db.session.execute(
        Attempt.__table__.update().values(
            status="submitted", score=2, passed=False, submitted_at=NOW
        )
    )
    _attempt(org.m1, must, 1, 4, False)
    assert state() == ({"应知应会测试": ("submitted", True), "党规考试": ("failed", False)}, False)
    _attempt(org.m1, must, 2, 8, True)  # highest counts
    assert state() == ({"应知应会测试": ("submitted", True), "党规考试": ("passed", True)}, True)


def test_must_pass_follows_the_quizs_counting_rule(org, bank):
    quiz = _quiz(org, bank, attempts_allowed=2, counting=Counting.LATEST)
    campaign = _campaign(org, quizzes=[(quiz, True)])
    _attempt(org.m1, quiz, 1, 9, True)
    _attempt(org.m1, quiz, 2, 3, False)  # the latest counts: failed
    assert [(i.state, i.met) for i in progress(org.m1, campaign, TODAY).items] == [
        ("failed", False)
    ]


def test_a_member_is_not_told_a_result_the_quiz_has_not_published(org, bank):
    quiz = _quiz(org, bank, review_when=ReviewWhen.AFTER_CLOSE)
    campaign = _campaign(org, quizzes=[(quiz, True)])
    _attempt(org.m1, quiz, 1, 9, True)
    mine = progress(org.m1, campaign, TODAY, NOW).items[0]
    assert (mine.state, mine.met) == ("pending", False)
    organisers = progress(org.m1, campaign, TODAY).items[0]
    assert (organisers.state, organisers.met) == ("passed", True)


def test_must_pass_is_refused_for_a_quiz_that_never_publishes_results(org, bank):
    quiz = _quiz(org, bank, review_when=ReviewWhen.NEVER)
    with pytest.raises(DomainError, match="不公布成绩"):
        _campaign(org, quizzes=[(quiz, True)])


def test_publishing_names_requirements_some_members_could_never_meet(org, bank):
    narrow = _quiz(org, bank)  # for B11 only
    campaign = _campaign(org, quizzes=[(narrow, False)], branches=[org.u1], publish=False)
    with pytest.raises(DomainError, match="参加范围没有包含本任务的全部人员"):
        services.set_published(org.org1, campaign, True)
    fits = _campaign(org, quizzes=[(narrow, False)], branches=[org.b11], publish=False)
    services.set_published(org.org1, fits, True)
    assert fits.is_published


def test_offline_sessions_count_as_minutes_when_the_campaign_says_so(org, make_member):
    other = make_member("m2", org.b11)
    material = _material(org)
    add_study(org.m1, material, TODAY, 600)
    add_offline(org.b11, START, [org.m1, other], 90)
    add_offline(org.b11, END + timedelta(days=1), [org.m1], 60)  # after the period: no
    add_offline(org.b11, TODAY, [other], 30)  # someone else's
    counted = _campaign(
        org, minute_target=120, offline_counts_as_minutes=True, offline_sessions_required=2
    )
    apart = _campaign(org, minute_target=120, offline_sessions_required=1)

    p = progress(org.m1, counted, TODAY)
    assert _items(p) == {
        ("minutes", "学习时长"): (600 + 90 * 60, 7200, False),
        ("offline", "线下学习"): (1, 2, False),
    }
    assert p.minutes.detail == "已学 100 / 120 分钟（含线下学习 90 分钟）"
    assert _items(progress(org.m1, apart, TODAY)) == {
        ("minutes", "学习时长"): (600, 7200, False),
        ("offline", "线下学习"): (1, 1, True),
    }
    assert _items(progress(other, counted, TODAY))[("minutes", "学习时长")][0] == 120 * 60
    assert progress(other, counted, TODAY).complete


def test_only_accepted_reflections_on_this_campaign_count(org):
    campaign = _campaign(org, reflections_required=2)
    elsewhere = _campaign(org, title="另一个任务", reflections_required=1)
    _reflection(org.m1, campaign, "accepted")
    _reflection(org.m1, campaign, "returned")
    _reflection(org.m1, campaign, "submitted")
    _reflection(org.m1, elsewhere, "accepted")
    item = progress(org.m1, campaign, TODAY).items[0]
    assert (item.value, item.target, item.met) == (1, 2, False)
    assert item.detail == "已通过 1 / 2 篇，另有 1 篇待审阅"
    _reflection(org.m1, campaign, "accepted")
    assert progress(org.m1, campaign, TODAY).complete


def test_progress_of_many_members_takes_a_fixed_number_of_queries(org, bank, make_member, queries):
    materials = [_material(org, f"资料{i}") for i in range(3)]
    quiz = _quiz(org, bank)
    campaign = _campaign(
        org,
        minute_target=10,
        materials=materials,
        quizzes=[(quiz, True)],
        offline_sessions_required=1,
        offline_counts_as_minutes=True,
        reflections_required=1,
    )
    members = [make_member(f"p{i:02d}", org.b11) for i in range(30)]
    add_offline(org.b11, TODAY, members[::2], 45)
    for i, member in enumerate(members):
        add_study(member, materials[i % 3], TODAY, 60 * i)
        if i % 3 == 0:
            _attempt(member, quiz, 1, 9, True)
        if i % 5 == 0:
            _reflection(member, campaign, "accepted")
    db.session.commit()
    campaign = db.session.get(Campaign, campaign.id)
    _ = campaign.materials, [cq.quiz for cq in campaign.quizzes]
    with queries() as statements:
        book = ProgressBook([campaign], [m.id for m in members], TODAY)
        table = {m.id: book.of(m.id, campaign) for m in members}
    assert len(statements) == 5, statements
    for member in members:  # the same as one at a time
        assert _items(table[member.id]) == _items(progress(member, campaign, TODAY))
    # 7 items. No.0: minutes (45 offline), quiz, offline, reflection. No.7: 420 s, nothing.
    # No.15: 900 s on 资料0 (done), minutes, quiz, reflection; no offline.
    assert [table[members[i].id].met_count for i in (0, 7, 15)] == [4, 0, 4]
    assert len(table[members[0].id].items) == 7


def test_complete_needs_every_item(org, bank):
    material = _material(org, minutes=1)
    quiz = _quiz(org, bank)
    campaign = _campaign(
        org,
        minute_target=1,
        materials=[material],
        quizzes=[(quiz, False)],
        offline_sessions_required=1,
        reflections_required=1,
    )
    add_study(org.m1, material, TODAY, 60)
    add_offline(org.b11, TODAY, [org.m1], 30)
    _reflection(org.m1, campaign, "accepted")
    p = progress(org.m1, campaign, TODAY)
    assert p.met_count == 4 and len(p.items) == 5 and not p.complete
    _attempt(org.m1, quiz, 1, 1, False)
    assert progress(org.m1, campaign, TODAY).complete


# Saving


def test_a_campaign_needs_a_requirement_and_picks_from_the_organisers_scope(org, bank):
    with pytest.raises(DomainError, match="请至少设置一项要求"):
        _campaign(org)
    theirs = _material(org, "二分局资料", owner=org.u2)
    with pytest.raises(DomainError, match="所选学习资料不在您的管理范围内"):
        _campaign(org, materials=[theirs])
    their_quiz = make_quiz(org.org2, [org.b21], questions=[bank["single"][0]])
    with pytest.raises(DomainError, match="所选测试不在您的管理范围内"):
        _campaign(org, quizzes=[(their_quiz, True)])
    retired = _material(org, "旧资料", status="retired")
    with pytest.raises(DomainError, match="已下线的学习资料不能再设为必学"):
        _campaign(org, materials=[retired])
    with pytest.raises(DomainError, match="结束日期不能早于开始日期"):
        _campaign(org, minute_target=10, ends_on=START - timedelta(days=1))
    with pytest.raises(DomainError, match="起止日期最长 3 年，请检查年份"):
        _campaign(org, minute_target=10, ends_on=START.replace(year=START.year + 10))
    with pytest.raises(DomainError, match="请选择参加的组织"):
        _campaign(org, minute_target=10, branches=[])
    db.session.rollback()
    assert db.session.scalar(select(Campaign.id)) is None


def test_organiser_creates_a_campaign_through_the_form(client, auth, org, bank, time_machine):
    time_machine.move_to(NOW, tick=False)
    material = _material(org, "必学篇", 15, status="draft")
    quiz = _quiz(org, bank, title="必答测试甲")
    db.session.commit()
    auth.login("org1")
    page = client.get("/manage/campaigns/new").get_data(as_text=True)
    assert "必学篇" in page and "必答测试甲" in page and 'value="2026-11-21"' in page
    response = client.post(
        "/manage/campaigns/new",
        data={
            "title": "冬训学习",
            "kind": "campaign",
            "starts_on": "2026-11-16",
            "ends_on": "2026-11-22",
            "minute_target": "60",
            "offline_sessions_required": "0",
            "reflections_required": "1",
            "material_ids": str(material.id),
            "quiz_ids": str(quiz.id),
            "must_pass_ids": str(quiz.id),
            "branch_ids": str(org.b11.id),
            "statuses": "full",
        },
    )
    assert response.status_code == 302
    campaign = db.session.scalar(select(Campaign).where(Campaign.title == "冬训学习"))
    assert campaign.owner_branch_id == org.u1.id and not campaign.is_published
    assert [m.id for m in campaign.materials] == [material.id]
    assert [(cq.quiz_id, cq.must_pass) for cq in campaign.quizzes] == [(quiz.id, True)]
    assert campaign.audience.status_list == ["full"]
    assert [b.id for b in campaign.audience.branches] == [org.b11.id]
    refused = client.post(
        f"/manage/campaigns/{campaign.id}/publish", data={"published": "1"}, follow_redirects=True
    )
    assert "必学资料「必学篇」尚未发布" in refused.get_data(as_text=True)
    db.session.expire_all()
    db.session.get(Material, material.id).status = "published"
    db.session.commit()
    assert (
        client.post(f"/manage/campaigns/{campaign.id}/publish", data={"published": "1"}).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).is_published


def test_an_overlong_description_is_named_by_the_form_and_refused_by_the_service(client, auth, org):
    auth.login("org1")
    form = {
        "title": "冬训学习",
        "description": "说" * 2001,
        "kind": "campaign",
        "starts_on": "2026-11-16",
        "ends_on": "2026-11-22",
        "minute_target": "60",
        "offline_sessions_required": "0",
        "reflections_required": "0",
        "branch_ids": str(org.b11.id),
    }
    response = client.post("/manage/campaigns/new", data=form)
    assert response.status_code == 200
    assert "说明不能超过 2000 字。" in response.get_data(as_text=True)
    assert db.session.scalar(select(Campaign.id)) is None
    with pytest.raises(DomainError, match=r"^说明不能超过 2000 字。$"):
        _campaign(org, minute_target=10, description="说" * 2001)
    db.session.rollback()
    assert _campaign(org, minute_target=10, description="说" * 2000).description == "说" * 2000


# Training classes


@pytest.fixture()
def training(org, make_member):
    """A training class of U1 (empty roster), and people to enrol."""
    people = {
        "a": make_member("a1001", org.b11, name="学员甲", phone="13900000001"),
        "b": make_member("a1002", org.b12, name="学员乙", phone="13900000002"),
        "c": make_member("a1003", org.b12, name="学员丙"),
        "u2": make_member("a2001", org.b21, name="外单位人员"),
    }
    campaign = _campaign(org, kind="training_class", title="入党积极分子培训班", minute_target=60)
    db.session.commit()
    return campaign, people


def _roster(campaign):
    db.session.expire_all()
    return sorted(m.name for m in db.session.get(Campaign, campaign.id).audience.roster)


def test_enrol_by_ticking_members(client, auth, org, training):
    campaign, people = training
    auth.login("org1")
    page = client.get(f"/manage/campaigns/{campaign.id}?q=学员").get_data(as_text=True)
    assert "学员甲" in page and "学员丙" in page and "外单位人员" not in page
    response = client.post(
        f"/manage/campaigns/{campaign.id}/roster",
        data={"action": "add", "member_ids": [people["a"].id, people["b"].id]},
    )
    assert response.status_code == 302
    assert _roster(campaign) == ["学员乙", "学员甲"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已加入 2 人。" in page and "学员名单（2 人）" in page and "已在名单中" in page
    # Taking one off again.
    client.post(
        f"/manage/campaigns/{campaign.id}/roster",
        data={"action": "remove", "member_ids": [people["b"].id]},
    )
    assert _roster(campaign) == ["学员甲"]


@pytest.mark.parametrize(
    "entries",
    [
        "a1001\n13900000002，a1003、a1001",
        "a1001 13900000002\ta1003\u3000a1001",  # 警号 and phones hold no spaces
    ],
)
def test_enrol_by_pasted_police_numbers_and_phones(client, auth, org, training, entries):
    campaign, _people = training
    auth.login("org1")
    page = client.get(f"/manage/campaigns/{campaign.id}").text
    assert "每行一个，也可用逗号、顿号或空格分隔" in page
    response = client.post(
        f"/manage/campaigns/{campaign.id}/roster", data={"action": "add", "entries": entries}
    )
    assert response.status_code == 302
    assert _roster(campaign) == ["学员丙", "学员乙", "学员甲"]


def test_an_unknown_entry_is_named_and_nothing_is_saved(client, auth, org, training):
    campaign, people = training
    auth.login("org1")
    response = client.post(
        f"/manage/campaigns/{campaign.id}/roster",
        data={
            "action": "add",
            "member_ids": [people["c"].id],
            "entries": "a1001\nzz9999\n13911112222\na2001",
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "找不到这些人员，或不在您的管理范围内：zz9999、13911112222、a2001。名单未保存。" in body
    assert "a1001\nzz9999" in body  # the pasted list is kept to correct
    assert _roster(campaign) == []


def test_an_overlong_pasted_list_is_named_and_nothing_is_saved(client, auth, org, training):
    campaign, _people = training
    auth.login("org1")
    response = client.post(
        f"/manage/campaigns/{campaign.id}/roster",
        data={"action": "add", "entries": "a1001\n" * 10_000 + "a"},
    )
    assert response.status_code == 200
    assert "名单太长，请分批添加或上传文件。" in response.get_data(as_text=True)
    assert _roster(campaign) == []


def _upload_list(client, campaign, *rows):
    """Post ``rows`` as an .xlsx list to the training class's roster."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    content = io.BytesIO()
    book.save(content)
    return client.post(
        f"/manage/campaigns/{campaign.id}/roster",
        data={"action": "add", "file": (io.BytesIO(content.getvalue()), "名单.xlsx")},
        content_type="multipart/form-data",
    )


def test_enrol_by_uploading_a_list(client, auth, org, training):
    campaign, _people = training
    auth.login("org1")
    response = _upload_list(
        client,
        campaign,
        ["入党积极分子培训班名单"],
        ["姓名", "警号", "手机号"],
        ["学员甲", "a1001", None],
        ["学员乙", None, 13900000002],
    )
    assert response.status_code == 302
    assert _roster(campaign) == ["学员乙", "学员甲"]
    response = client.post(
        f"/manage/campaigns/{campaign.id}/roster",
        data={"action": "add", "file": (io.BytesIO(b"a1003\nnobody1\n"), "list.txt")},
        content_type="multipart/form-data",
    )
    assert "nobody1" in response.get_data(as_text=True)
    assert _roster(campaign) == ["学员乙", "学员甲"]


def test_a_list_row_without_police_number_or_phone_is_named_not_skipped(
    client, auth, org, training
):
    campaign, _people = training
    auth.login("org1")
    response = _upload_list(
        client,
        campaign,
        ["姓名", "警号", "手机号"],
        ["学员甲", "a1001", None],
        ["学员乙", None, None],  # row 3: would have been left out without a word
        [],
        ["学员丙", None, 13900000003],
        ["学员丁", "", " "],  # row 6
    )
    assert response.status_code == 200
    assert "这些行没有警号或手机号：第 3 行、第 6 行。" in response.text
    assert "名单未保存。" in response.text and _roster(campaign) == []


def test_a_list_file_is_read_to_its_last_entry_blank_rows_or_not():
    """Blank rows under the header used to cut a long .xlsx list short without a word."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "手机号"])
    for _ in range(20):
        sheet.append([])
    for number in range(MAX_LIST_ROWS):
        sheet.append(["学员", f"139{number:08d}"])
    content = io.BytesIO()
    book.save(content)
    entries = read_entries("名单.xlsx", content.getvalue())
    assert len(entries) == MAX_LIST_ROWS and entries[-1] == f"139{MAX_LIST_ROWS - 1:08d}"
    sheet.append(["学员", "13999999999"])
    content = io.BytesIO()
    book.save(content)
    with pytest.raises(DomainError, match=f"一次最多添加 {MAX_LIST_ROWS} 人"):
        read_entries("名单.xlsx", content.getvalue())


def test_a_training_class_is_published_only_with_a_roster(org, training):
    campaign, people = training
    with pytest.raises(DomainError, match="培训班名单还是空的"):
        services.set_published(org.org1, campaign, True)
    services.enrol_members(org.org1, campaign, [people["a"]])
    services.set_published(org.org1, campaign, True)
    assert campaign.is_published
    with pytest.raises(DomainError, match="名单中有人员不在您的管理范围内"):
        services.enrol_members(org.org1, campaign, [people["u2"]])
    with pytest.raises(DomainError, match="只有培训班可以编排学员名单"):
        services.enrol_members(org.org1, _campaign(org, minute_target=5), [people["a"]])


# Scope


def test_another_subtrees_organiser_gets_404(client, auth, org, training):
    campaign, people = training
    auth.login("org2")
    assert client.get(f"/manage/campaigns/{campaign.id}").status_code == 404
    assert client.get(f"/manage/campaigns/{campaign.id}/edit").status_code == 404
    assert (
        client.post(
            f"/manage/campaigns/{campaign.id}/roster", data={"member_ids": [people["u2"].id]}
        ).status_code
        == 404
    )
    assert (
        client.post(f"/manage/campaigns/{campaign.id}/publish", data={"published": "1"}).status_code
        == 404
    )
    assert "入党积极分子培训班" not in client.get("/manage/campaigns/").get_data(as_text=True)
    assert _roster(campaign) == []


def test_a_forged_member_id_outside_scope_is_refused(client, auth, org, training):
    campaign, people = training
    auth.login("org1")
    response = client.post(
        f"/manage/campaigns/{campaign.id}/roster",
        data={"action": "add", "member_ids": [people["a"].id, people["u2"].id]},
    )
    assert response.status_code == 404
    assert _roster(campaign) == []


# Pages


def test_member_sees_only_the_campaigns_they_are_in(
    client, auth, org, bank, make_member, time_machine
):
    time_machine.move_to(NOW, tick=False)
    material = _material(org, "必学篇")
    mine = _campaign(org, title="一所学习任务", materials=[material], minute_target=20)
    theirs = _campaign(
        org, actor=org.org2, title="三所学习任务", minute_target=20, branches=[org.b21]
    )
    _campaign(org, title="草稿任务", minute_target=20, publish=False)
    upcoming = _campaign(
        org,
        title="下月任务",
        minute_target=20,
        starts_on=TODAY + timedelta(days=10),
        ends_on=TODAY + timedelta(days=40),
    )
    add_study(org.m1, material, TODAY, 300)
    db.session.commit()
    auth.login("m1")
    page = client.get("/campaigns/").get_data(as_text=True)
    assert "一所学习任务" in page and "下月任务" in page
    assert "三所学习任务" not in page and "草稿任务" not in page
    assert page.index("一所学习任务") < page.index("即将开始") < page.index("下月任务")
    assert client.get(f"/campaigns/{theirs.id}").status_code == 404
    assert client.get(f"/campaigns/{upcoming.id}").status_code == 200
    page = client.get(f"/campaigns/{mine.id}").get_data(as_text=True)
    assert "已学 5 / 20 分钟" in page and "已学 5 / 10 分钟" in page
    assert f'href="/study/materials/{material.id}"' in page
    assert 'value="300" max="1200"' in page


def test_home_page_shows_minutes_and_running_campaign_progress(
    client, auth, org, training, time_machine
):
    time_machine.move_to(NOW, tick=False)
    campaign, people = training
    services.enrol_members(org.org1, campaign, [people["a"]])
    services.set_published(org.org1, campaign, True)
    material = _material(org)
    add_study(people["a"], material, TODAY, 1500)
    add_study(people["a"], material, TODAY - timedelta(days=1), 600)  # Friday, the same week
    _campaign(org, title="别人的任务", minute_target=5)  # for B11; 学员甲 is in B11 too
    db.session.commit()
    auth.login("a1001")
    page = client.get("/").get_data(as_text=True)
    assert '<span class="stat-value">25.0</span>' in page  # today
    assert '<span class="stat-value">35.0</span>' in page  # this week
    assert "入党积极分子培训班" in page and "35 / 60 分钟" in page
    assert 'value="2100" max="3600"' in page
    auth.logout()
    auth.login("a1002")  # not enrolled
    assert "入党积极分子培训班" not in client.get("/").get_data(as_text=True)


def test_organiser_page_shows_everyones_progress_in_bounded_queries(
    client, auth, org, make_member, queries, time_machine
):
    time_machine.move_to(NOW, tick=False)
    material = _material(org, "必学篇", 1)
    campaign = _campaign(org, minute_target=1, materials=[material], branches=[org.u1])
    for i in range(40):
        member = make_member(f"t{i:03d}", org.b11 if i % 2 else org.b12, name=f"队员{i:03d}")
        if i % 4 == 0:
            add_study(member, material, TODAY, 60)
    db.session.commit()
    auth.login("org1")
    with queries() as statements:
        page = client.get(f"/manage/campaigns/{campaign.id}?show=done").get_data(as_text=True)
    assert len(statements) <= 20, len(statements)
    assert "队员000" in page and "队员004" in page and "队员001" not in page
    assert '<span class="stat-value">10</span>' in page  # done: 0, 4, ... 36
    # 40 + org1 and m1 in B11: the audience, in the participation report's word
    assert '<span class="stat-value">42</span><span class="stat-label">应参学人数</span>' in page
    # 10 / 42 as the report shows rates: one decimal, half up (not "24%")
    assert '<span class="stat-value">23.8%</span><span class="stat-label">完成率</span>' in page


def test_changing_a_draft_into_a_campaign_drops_the_roster(org, training):
    campaign, people = training
    services.enrol_members(org.org1, campaign, [people["a"]])
    data = services.CampaignData(
        title="改为学习任务", starts_on=START, ends_on=END, minute_target=60, branches=[org.b12]
    )
    services.save_campaign(org.org1, data, campaign)
    assert campaign.audience.roster == [] and campaign.audience.branches == [org.b12]
    services.set_published(org.org1, campaign, True)
    with pytest.raises(DomainError, match="已发布的不能更改类型"):
        services.save_campaign(
            org.org1,
            services.CampaignData(
                title="再改回培训班",
                kind="training_class",
                starts_on=START,
                ends_on=END,
                minute_target=60,
            ),
            campaign,
        )


def test_member_pages_take_the_same_queries_for_one_campaign_or_four(
    client, auth, org, bank, queries, time_machine
):
    time_machine.move_to(NOW, tick=False)

    def add(i):
        _campaign(
            org,
            title=f"任务{i}",
            minute_target=10,
            materials=[_material(org, f"资料{i}")],
            quizzes=[(_quiz(org, bank, title=f"测试{i}"), True)],
            offline_sessions_required=1,
            reflections_required=1,
        )

    def count(path, title):
        with queries() as statements:
            body = client.get(path).get_data(as_text=True)
        assert title in body
        return len(statements)

    add(0)
    auth.login("m1")
    one = {path: count(path, "任务0") for path in ("/", "/campaigns/")}
    for i in range(1, 4):
        add(i)
    assert {path: count(path, "任务3") for path in ("/", "/campaigns/")} == one
    assert one["/campaigns/"] <= 16
