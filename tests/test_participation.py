"""Participation per branch, worked out by hand on a small organisation.

The period is November 2026 (China days 11-01 to 11-30). Besides the ``org`` fixture's
org1 and m1 (B11) and org2 (B21), every test has these people (``people`` below):

    mover     B12 → B11 on 11-10            counted once, in B11
    leaver    B12, deactivated on 11-15     still counted, in B12
    gone      B12, deactivated on 10-20     not counted (no stay in the period)
    transfer  B11 → B21 on 11-05            counted in B21 (U2), not in U1
    activist  B11, 入党积极分子             outside audiences of 正式党员 and 预备党员

and an empty branch B13 under U1. Tree order: JU, U1, B11, B12, B13, U2, B21.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from quizapp import db
from quizapp.bank.models import Question
from quizapp.campaigns import services as campaigns
from quizapp.campaigns.models import Campaign
from quizapp.members.models import Member, Membership, PoliticalStatus
from quizapp.members.services import move_member, set_member_active
from quizapp.org.models import Branch, BranchKind
from quizapp.org.services import create_branch
from quizapp.participation.queries import definitions, headings, participation
from quizapp.quizzes.models import Counting, Quiz
from quizapp.study.models import Material
from tests.factories import (
    NOW,
    add_attempt,
    add_offline,
    add_reflection,
    add_study,
    make_campaign,
    make_material,
    make_questions,
    make_quiz,
)

FIRST, LAST = date(2026, 11, 1), date(2026, 11, 30)
PARTY = ["full", "probationary"]
#: The figures of a quiz's report, as its table and its exports head them.
QUIZ_HEADINGS = [
    "应参考人数",
    "参考人数",
    "参考率",
    "及格人数",
    "及格率",
    "平均分",
    "人均学习时长（分钟）",
    "参考人次",
]


@dataclass
class People:
    b13: Branch
    mover: Member
    leaver: Member
    gone: Member
    transfer: Member
    activist: Member
    material: Material
    question: Question


@pytest.fixture()
def people(org, make_member) -> People:
    b13 = create_branch(org.admin, org.u1, BranchKind.BRANCH, "B13", "四所党支部", 3)
    mover = make_member("mover", org.b12, name="转入者")
    leaver = make_member("leaver", org.b12, name="停用者")
    gone = make_member("gone", org.b12, name="早已离开者")
    transfer = make_member("transfer", org.b11, name="转出者")
    activist = make_member("activist", org.b11, name="积极分子", status=PoliticalStatus.ACTIVIST)
    move_member(org.admin, mover, org.b11, date(2026, 11, 10))
    set_member_active(org.admin, leaver, False, date(2026, 11, 15))
    set_member_active(org.admin, gone, False, date(2026, 10, 20))
    move_member(org.admin, transfer, org.b21, date(2026, 11, 5))
    material = make_material(org, owner=org.u1)
    question = make_questions(org.admin, n_each=1)["single"][0]
    db.session.commit()
    return People(b13, mover, leaver, gone, transfer, activist, material, question)


# Facts, as rows


def _quiz(org, p: People, actor=None, branches=None, **options):
    return make_quiz(
        actor or org.admin,
        branches or [org.bureau],
        questions=[p.question],
        statuses=PARTY,
        **options,
    )


def quiz_scenario(org, p: People, actor=None, branches=None):
    """A quiz (twice, the highest counts) and its facts; tests/test_participation_pages.py shows
    the same figures on the page."""
    quiz = _quiz(
        org, p, actor=actor, branches=branches, attempts_allowed=2, counting=Counting.HIGHEST
    )
    add_attempt(org.m1, quiz, 1, 4, False)
    add_attempt(org.m1, quiz, 2, 8, True)  # the highest counts: 8, passed
    add_attempt(p.mover, quiz, 1, 6, True)
    add_attempt(p.leaver, quiz, 1, 3, False)
    add_attempt(org.org2, quiz, 1, status="in_progress")  # not handed in: not a participant
    add_attempt(p.transfer, quiz, 1, 10, True)
    add_attempt(p.activist, quiz, 1, 9, True)  # outside the audience
    add_attempt(p.gone, quiz, 1, 7, True)  # left before the period
    add_study(org.m1, p.material, date(2026, 11, 3), 1200)
    add_study(org.m1, p.material, date(2026, 10, 31), 3000)  # before the period
    add_study(
        p.mover, p.material, date(2026, 11, 4), 600
    )  # while still in B12: goes with him to B11
    add_study(p.mover, p.material, date(2026, 11, 12), 600)
    add_study(p.leaver, p.material, date(2026, 11, 14), 1800)
    add_study(p.transfer, p.material, date(2026, 11, 2), 300)  # while still in B11: goes to B21
    db.session.commit()
    return quiz


def winter_campaign(org, minutes, **options):
    """U1's 冬训学习 over November, by org1, asking for ``minutes`` of study."""
    return make_campaign(org.org1, "冬训学习", FIRST, LAST, minutes, branches=[org.u1], **options)


def campaign_scenario(org, p: People, published=False):
    """A campaign of U1's 正式党员 in November: 30 minutes and a quiz sat (pass not needed)."""
    quiz = _quiz(org, p, actor=org.org1, branches=[org.u1])
    campaign = winter_campaign(org, 30, quizzes=[(quiz, False)], statuses=["full"])
    add_study(org.m1, p.material, date(2026, 11, 3), 2400)  # 40 min
    add_study(org.m1, p.material, date(2026, 10, 31), 3000)  # before the period
    add_attempt(org.m1, quiz, 1, 8, True)  # m1: complete, passed
    add_study(p.mover, p.material, date(2026, 11, 4), 1200)  # in B12 then
    add_study(p.mover, p.material, date(2026, 11, 12), 600)  # 30 min in all
    add_attempt(p.mover, quiz, 1, 5, False)  # sat is enough: complete, not passed
    add_study(org.org1, p.material, date(2026, 11, 20), 600)  # took part, 10 min: not complete
    add_study(p.leaver, p.material, date(2026, 11, 3), 2100)  # 35 min, no quiz: not complete
    add_study(p.activist, p.material, date(2026, 11, 3), 3000)  # outside the audience
    add_attempt(p.activist, quiz, 1, 9, True)
    add_offline(org.b11, date(2026, 11, 12), [org.m1, org.org1, p.leaver])
    add_offline(org.b11, date(2026, 11, 20), [org.m1])
    add_offline(org.b11, date(2026, 10, 30), [org.m1])  # before the period
    campaign.is_published = published
    db.session.commit()
    return campaign


def nov(day):
    return date(2026, 11, day)


def _china(day, hour, minute=0):
    """A moment given in China time."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def counts(report, *names):
    """{branch code: (figures...)} for every row shown."""
    return {row.branch.code: tuple(getattr(row, name) for name in names) for row in report.rows}


def rates(report, name):
    return {row.branch.code: getattr(row, name) for row in report.rows}


# Quizzes


def test_a_quiz_counts_members_where_they_were_and_rolls_up_from_sums(org, people):
    quiz = quiz_scenario(org, people)

    report = participation(org.admin, quiz, FIRST, LAST, NOW)

    # Eligible: B11 org1, m1, mover; B12 leaver; B21 org2, transfer.
    # Participants (submitted): B11 m1, mover; B12 leaver; B21 transfer.
    # Times (submitted attempts): B11 2 + 1; B12 1; B21 1.
    assert counts(report, "eligible", "participants", "passed", "times") == {
        "JU": (6, 4, 3, 5),
        "U1": (4, 3, 2, 4),
        "B11": (3, 2, 2, 3),
        "B12": (1, 1, 0, 1),
        "B13": (0, 0, 0, 0),
        "U2": (2, 1, 1, 1),
        "B21": (2, 1, 1, 1),
    }
    assert [row.is_rollup for row in report.rows] == [True, True, False, False, False, True, False]
    assert report.top.branch.code == "JU"
    assert rates(report, "participation_rate") == {
        "JU": pytest.approx(4 / 6),
        "U1": 3 / 4,
        "B11": pytest.approx(2 / 3),
        "B12": 1.0,
        "B13": None,
        "U2": 1 / 2,
        "B21": 1 / 2,
    }
    # From the sums, not the mean of the units' rates: (3/4 + 1/2) / 2 = 0.625.
    assert report.top.participation_rate != pytest.approx(0.625)
    assert rates(report, "pass_rate") == {
        "JU": 3 / 4,
        "U1": pytest.approx(2 / 3),
        "B11": 1.0,
        "B12": 0.0,
        "B13": None,
        "U2": 1.0,
        "B21": 1.0,
    }
    # Counted scores: B11 8 + 6; B12 3; B21 10.
    assert rates(report, "average_score") == {
        "JU": (8 + 6 + 3 + 10) / 4,
        "U1": pytest.approx((8 + 6 + 3) / 3),
        "B11": 7.0,
        "B12": 3.0,
        "B13": None,
        "U2": 10.0,
        "B21": 10.0,
    }
    # Minutes in the period over eligible: B11 (1200 + 600 + 600) s / 60 / 3; B12 1800 / 60;
    # B21 300 / 60 / 2; U1 4200 / 60 / 4; JU 4500 / 60 / 6.
    assert rates(report, "average_minutes") == {
        "JU": 12.5,
        "U1": 17.5,
        "B11": pytest.approx(40 / 3),
        "B12": 30.0,
        "B13": None,
        "U2": 2.5,
        "B21": 2.5,
    }


def test_the_latest_attempt_counts_when_the_quiz_says_so(org, people):
    quiz = _quiz(org, people, attempts_allowed=2, counting=Counting.LATEST)
    add_attempt(org.m1, quiz, 1, 9, True)
    add_attempt(org.m1, quiz, 2, 5, False)
    db.session.commit()
    b11 = next(
        r for r in participation(org.org1, quiz, FIRST, LAST, NOW).rows if r.branch.code == "B11"
    )
    assert (b11.participants, b11.passed, b11.average_score, b11.times) == (1, 0, 5.0, 2)


# Campaigns


def test_a_campaign_counts_members_who_took_part_and_who_completed_it(org, people):
    campaign = campaign_scenario(org, people)

    report = participation(org.org1, campaign, FIRST, LAST, NOW)

    # Eligible (U1, 正式党员): B11 org1, m1, mover; B12 leaver. transfer ends in B21: out.
    # Took part: all four (org1 and leaver studied without completing). Complete: m1, mover.
    # Passed: m1. Times = study days + offline sessions + answer sheets in the period:
    # m1 1 (11-03) + 2 + 1 = 4; mover 2 (11-04, 11-12) + 0 + 1 = 3; org1 1 + 1 = 2;
    # leaver 1 + 1 = 2. B11 9, B12 2.
    assert counts(report, "eligible", "participants", "completed", "passed", "times") == {
        "U1": (4, 4, 2, 1, 11),
        "B11": (3, 3, 2, 1, 9),
        "B12": (1, 1, 0, 0, 2),
        "B13": (0, 0, 0, 0, 0),
    }
    assert rates(report, "participation_rate") == {"U1": 1.0, "B11": 1.0, "B12": 1.0, "B13": None}
    assert rates(report, "completion_rate") == {
        "U1": 0.5,
        "B11": pytest.approx(2 / 3),
        "B12": 0.0,
        "B13": None,
    }
    # Passed ÷ completed.
    assert rates(report, "pass_rate") == {"U1": 0.5, "B11": 0.5, "B12": None, "B13": None}
    assert rates(report, "average_score") == {"U1": None, "B11": None, "B12": None, "B13": None}
    # Minutes: B11 (2400 + 1800 + 600) s / 60 / 3; B12 2100 / 60; U1 6900 / 60 / 4.
    assert rates(report, "average_minutes") == {
        "U1": 28.75,
        "B11": pytest.approx(80 / 3),
        "B12": 35.0,
        "B13": None,
    }


def test_a_campaign_without_quizzes_has_no_pass_figures(org, people):
    campaign = make_campaign(org.org1, "读书月", FIRST, LAST, minutes=10, branches=[org.u1])
    add_study(org.m1, people.material, date(2026, 11, 3), 600)
    db.session.commit()
    report = participation(org.org1, campaign, FIRST, LAST, NOW)
    # No statuses given: the activist counts too. B11 org1, m1, mover, activist.
    assert counts(report, "eligible", "participants", "completed", "passed") == {
        "U1": (5, 1, 1, None),
        "B11": (4, 1, 1, None),
        "B12": (1, 0, 0, None),
        "B13": (0, 0, 0, None),
    }
    assert report.top.pass_rate is None
    assert "passed" not in report.headings and "及格人数、及格率" not in dict(report.definitions)


def test_a_training_class_counts_its_roster_only(org, people):
    p = people
    campaign = make_campaign(
        org.org1, "入党积极分子培训班", FIRST, LAST, kind="training_class", minutes=10
    )
    campaigns.enrol_members(org.org1, campaign, [p.activist, p.mover])
    campaign.audience.roster.append(p.gone)  # enrolled once; left before the period
    add_study(p.activist, p.material, date(2026, 11, 8), 600)
    db.session.commit()
    report = participation(org.org1, campaign, FIRST, LAST, NOW)
    assert counts(report, "eligible", "participants") == {
        "U1": (2, 1),
        "B11": (2, 1),
        "B12": (0, 0),
        "B13": (0, 0),
    }
    assert report.headings["eligible"] == "应参训人数"
    assert "只计名单上的人员" in dict(report.definitions)["应参训人数"]


# A free date range


def test_a_free_range_counts_each_occasion_of_any_activity(org, people):
    p = people
    # m1: three kinds of activity on 11-03 are three occasions; 11-05 two more.
    add_study(org.m1, p.material, nov(3), 300)
    add_offline(org.b11, nov(3), [org.m1])
    add_attempt(org.m1, _quiz(org, p), 1, 8, True, at=_china(nov(3), 20))
    quiz = _quiz(org, p, title="第二次测试", attempts_allowed=3)
    add_attempt(org.m1, quiz, 1, 8, True, at=_china(nov(5), 1, 30))  # 11-04 17:30 UTC
    add_study(org.m1, p.material, nov(5), 120)
    add_study(org.m1, p.material, nov(7), 0)  # nothing credited: no activity
    add_study(org.m1, p.material, date(2026, 10, 31), 600)  # before the period
    # activist: an accepted reflection; a returned one does not count.
    add_reflection(
        p.activist, "accepted", material_id=p.material.id, submitted_at=_china(nov(10), 10)
    )
    add_reflection(
        p.activist, "returned", material_id=p.material.id, submitted_at=_china(nov(11), 10)
    )
    # mover: a day in B12, a day in B11 — both in B11.
    add_study(p.mover, p.material, nov(4), 600)
    add_study(p.mover, p.material, nov(12), 600)
    # leaver: one offline session before leaving.
    add_offline(org.b11, nov(12), [p.leaver])
    # transfer: 11-01 00:30 and 11-30 23:00 China time are in; 12-01 00:30 is not.
    add_attempt(p.transfer, quiz, 1, 5, False, at=_china(nov(1), 0, 30))
    add_attempt(p.transfer, quiz, 2, 6, True, at=_china(nov(30), 23))
    add_attempt(p.transfer, quiz, 3, 7, True, at=_china(date(2026, 12, 1), 0, 30))
    add_study(p.gone, p.material, date(2026, 10, 10), 600)  # gone is not eligible anyway
    db.session.commit()

    report = participation(org.admin, None, FIRST, LAST, NOW)

    # Eligible (no audience): B11 org1, m1, mover, activist; B12 leaver; B21 org2, transfer.
    # Participants: B11 m1, mover, activist; B12 leaver; B21 transfer.
    # Times (occasions): m1 2 study days (11-03, 11-05; 11-07 credited nothing) + 1 offline
    # session + 2 answer sheets = 5; mover 2 study days; activist 1 accepted reflection;
    # leaver 1 offline session; transfer 2 answer sheets (12-01 is out). B11 8, B12 1, B21 2.
    assert counts(report, "eligible", "participants", "times") == {
        "JU": (7, 5, 11),
        "U1": (5, 4, 9),
        "B11": (4, 3, 8),
        "B12": (1, 1, 1),
        "B13": (0, 0, 0),
        "U2": (2, 1, 2),
        "B21": (2, 1, 2),
    }
    assert rates(report, "participation_rate") == {
        "JU": pytest.approx(5 / 7),
        "U1": 0.8,
        "B11": 0.75,
        "B12": 1.0,
        "B13": None,
        "U2": 0.5,
        "B21": 0.5,
    }
    # Not the mean of the units' rates: (0.8 + 0.5) / 2 = 0.65.
    assert report.top.participation_rate != pytest.approx(0.65)
    assert {row.passed for row in report.rows} == {None}
    assert {row.completed for row in report.rows} == {None}
    # Minutes: B11 (300 + 120 + 600 + 600) s / 60 / 4 = 6.75; JU 1620 / 60 / 7.
    assert rates(report, "average_minutes")["B11"] == 6.75
    assert rates(report, "average_minutes")["JU"] == pytest.approx(27 / 7)
    assert rates(report, "average_minutes")["B12"] == 0.0


def test_an_organiser_sees_only_their_subtree(org, people):
    p = people
    add_study(p.transfer, p.material, date(2026, 11, 2), 600)  # in B11 then; ends the period in B21
    add_study(org.org2, p.material, date(2026, 11, 20), 600)
    db.session.commit()
    theirs = participation(org.org2, None, FIRST, LAST, NOW)
    assert counts(theirs, "eligible", "participants", "times") == {
        "U2": (2, 2, 2),
        "B21": (2, 2, 2),
    }
    assert theirs.top.branch.code == "U2"
    ours = participation(org.org1, None, FIRST, LAST, NOW)
    assert list(counts(ours, "eligible")) == ["U1", "B11", "B12", "B13"]
    assert ours.top.eligible == 5 and ours.top.participants == 0  # transfer is not here
    m1 = participation(org.m1, None, FIRST, LAST, NOW)  # a plain member manages nothing
    assert (m1.rows, m1.top) == ([], None)


def test_a_closed_empty_branch_is_left_out_but_one_with_members_stays(org, people):
    people.b13.is_active = False
    db.session.commit()
    assert "B13" not in counts(participation(org.admin, None, FIRST, LAST, NOW), "eligible")
    # B12 closed after the period: its members of November are still reported there.
    db.session.execute(
        Membership.__table__.update()
        .where(Membership.member_id == org.m1.id)
        .values(branch_id=org.b12.id)
    )
    org.b12.is_active = False
    db.session.commit()
    report = participation(org.admin, None, FIRST, LAST, NOW)
    assert counts(report, "eligible")["B12"] == (2,)  # leaver and m1


def test_a_stay_of_no_days_counts_nowhere(org, people):
    # Left on the day of a move (older data): [11-08, 11-08) in B21 is not a day in B21.
    stay = db.session.scalar(select(Membership).where(Membership.member_id == org.m1.id))
    stay.ended_on = date(2026, 11, 8)
    db.session.add(
        Membership(
            member_id=org.m1.id,
            branch_id=org.b21.id,
            started_on=date(2026, 11, 8),
            ended_on=date(2026, 11, 8),
        )
    )
    db.session.commit()
    report = participation(org.admin, None, FIRST, LAST, NOW)
    assert counts(report, "eligible")["B11"] == (4,)  # org1, m1, mover, activist
    assert counts(report, "eligible")["B21"] == (2,)  # org2, transfer


def test_the_last_day_decides_a_move_on_the_first_day(org, people):
    # mover moved on 11-10: a report of 11-01..11-09 counts him in B12, one of 11-10.. in B11.
    early = participation(org.admin, None, FIRST, date(2026, 11, 9), NOW)
    late = participation(org.admin, None, date(2026, 11, 10), LAST, NOW)
    assert counts(early, "eligible")["B12"] == (2,)  # mover, leaver
    assert counts(late, "eligible")["B12"] == (1,)  # leaver, until 11-15
    assert counts(late, "eligible")["B11"] == (4,)  # org1, m1, mover, activist


def test_the_audience_is_judged_on_the_branch_of_the_period(org, people):
    # transfer is in B21 (U2) now, but was in B11 until 11-05: a U1 quiz's report of
    # 11-01..11-04 counts him in B11.
    quiz = _quiz(org, people, actor=org.org1, branches=[org.u1])
    report = participation(org.org1, quiz, FIRST, nov(4), NOW)
    # B11 org1, m1, transfer (activist: not a party member); B12 mover, leaver.
    assert counts(report, "eligible") == {"U1": (5,), "B11": (3,), "B12": (2,), "B13": (0,)}


# Definitions


def test_definitions_state_the_rules_for_each_kind_of_report(org, people):
    quiz = _quiz(org, people)
    quiz_terms = dict(definitions(quiz))
    assert list(headings(quiz).values()) == QUIZ_HEADINGS
    assert "最后所在的党支部" in quiz_terms["应参考人数"]
    assert "仍计入其离开前所在的支部" in quiz_terms["应参考人数"]
    assert "最高分" in quiz_terms["计分成绩"]
    assert "同一人交卷 N 次计 N 人次" in quiz_terms["参考人次"]
    assert "不是各支部比率的平均" in quiz_terms["单位及合计"]

    campaign = winter_campaign(org, 30, offline_sessions_required=2)
    campaign_terms = dict(definitions(campaign))
    assert "在线学习满 30 分钟；参加任务期间举办的线下学习 2 次" in campaign_terms["完成人数"]
    assert "参与人数" in campaign_terms and "参学人次" in campaign_terms

    range_terms = dict(definitions(None))
    assert "不限参加范围" in range_terms["应参学人数"]
    assert "每参加一次计 1 人次" in range_terms["参学人次"]
    assert "人次不少于参学人数" in range_terms["参学人次"]
    assert "无论学习任务是否要求线下学习" in campaign_terms["参与人数"]
    assert "完成人数 ÷ 应参学人数" in campaign_terms["完成率"]
    assert "参与人数 ÷ 应参学人数" in campaign_terms["参学率"]
    assert "重叠" in campaign_terms["统计期"]
    assert "平均分" not in range_terms and "及格人数、及格率" not in range_terms


# Cost


def test_a_report_takes_the_same_queries_for_5_members_or_50(org, people, make_member, queries):
    p = people
    quiz = _quiz(org, p, actor=org.org1, branches=[org.u1], attempts_allowed=2)
    campaign = winter_campaign(
        org,
        10,
        offline_sessions_required=1,
        reflections_required=1,
        materials=[p.material],
        quizzes=[(quiz, True)],
    )
    made = 0

    def add(n, branches):
        nonlocal made
        members = [make_member(f"q{made + i:03d}", branches[i % len(branches)]) for i in range(n)]
        made += n
        for i, member in enumerate(members):
            add_study(member, p.material, date(2026, 11, 1 + i % 28), 60 * (i + 1))
            add_attempt(member, quiz, 1, i % 10, i % 10 >= 6, at=_china(date(2026, 11, 20), 9))
            add_reflection(
                member,
                "accepted",
                material_id=p.material.id,
                submitted_at=_china(date(2026, 11, 2), 9),
            )
        add_offline(org.b11, date(2026, 11, 12), members[::2])
        db.session.commit()

    def count():
        used = {}
        for name, model, subject_id in (
            ("campaign", Campaign, campaign.id),
            ("quiz", Quiz, quiz.id),
            ("range", None, None),
        ):
            db.session.expire_all()
            subject = db.session.get(model, subject_id) if model else None
            with queries() as statements:
                report = participation(org.org1, subject, FIRST, LAST, NOW)
            used[name] = len(statements)
        return used, report

    add(5, [org.b11])
    few, report = count()
    assert report.top.eligible == 5 + 5  # org1, m1, mover, activist, leaver and the 5
    b14 = create_branch(org.admin, org.u1, BranchKind.BRANCH, "B14", "五所党支部", 4)
    add(45, [org.b12, people.b13, b14])
    many, report = count()
    assert report.top.eligible == 5 + 50
    assert many == few, (few, many)
    # The campaign's: 7 loads of the expired actor, scope, audience and campaign lists, the
    # nodes, the eligible members, minutes, 5 for the progress book, attempts, attendance.
    assert max(few.values()) <= 17, few


def test_member_lines_come_by_branch_in_tree_order_then_by_name_then_id(org, people, make_member):
    # Ids, stays and names disagree on purpose: of two namesakes in B12 the later one joined
    # first (the eligible members are read by branch and start of stay), and in B21 甲 was
    # created before 乙, which sorts first (U+4E59 < U+7532).
    older = make_member("same1", org.b12, name="同名", since=date(2025, 6, 1))
    newer = make_member("same2", org.b12, name="同名", since=date(2025, 2, 1))
    jia = make_member("jia", org.b21, name="甲")
    yi = make_member("yi", org.b21, name="乙")
    db.session.commit()

    report = participation(org.admin, None, FIRST, LAST, NOW, detail=True)

    tree = [row.branch.id for row in report.rows]
    got = [(line.branch_id, line.name, line.member_id) for line in report.members]
    assert got == sorted(got, key=lambda key: (tree.index(key[0]), key[1], key[2]))
    ids = [line.member_id for line in report.members]
    assert ids.index(older.id) + 1 == ids.index(newer.id)
    assert ids.index(yi.id) < ids.index(jia.id)
    assert [line.branch_id for line in report.members][:1] == [org.b11.id]
