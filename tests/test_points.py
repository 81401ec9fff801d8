"""Points: the rules and their daily caps, and the scheduled job that awards them (run twice,
after downtime). Time is passed in.

Corrections are in tests/test_points_corrections.py, the ranking in tests/test_points_ranking.py,
the pages in tests/test_points_pages.py.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from quizapp import db
from quizapp.clock import CHINA
from quizapp.errors import DomainError
from quizapp.points.models import PointEntry
from quizapp.points.rules import (
    DEFAULTS,
    RuleData,
    Thresholds,
    effective_rules,
    save_point_settings,
)
from quizapp.points.services import LOOKBACK_DAYS, award, award_points
from quizapp.practice.models import DailyQuestion
from quizapp.quizzes.attempt_models import Attempt
from quizapp.quizzes.models import Counting, ReviewWhen
from quizapp.scheduler import jobs
from quizapp.scheduler import runner as scheduler_runner
from quizapp.study.models import Reflection
from tests.factories import add_attempt, add_study, china, make_quiz, make_session

#: 10:00 on Saturday 21 November 2026, China time.
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=CHINA)
TODAY = date(2026, 11, 21)
YESTERDAY = date(2026, 11, 20)


def entries(member=None, rule=None) -> list[PointEntry]:
    db.session.expire_all()
    query = select(PointEntry).order_by(PointEntry.day, PointEntry.id)
    if member is not None:
        query = query.where(PointEntry.member_id == member.id)
    if rule is not None:
        query = query.where(PointEntry.rule == rule)
    return list(db.session.scalars(query))


def count_entries() -> int:
    return db.session.scalar(select(func.count()).select_from(PointEntry))


@pytest.fixture()
def study(material):
    """Credit ``minutes`` of study to a member on a China day."""

    def credit(member, day: date, minutes: int) -> None:
        moment = datetime.combine(day, datetime.min.time(), CHINA) + timedelta(hours=9)
        until = moment + timedelta(minutes=minutes)
        add_study(member, material, day, minutes * 60, at=moment, until=until)
        db.session.commit()

    return credit


@pytest.fixture()
def bank_size() -> int:
    return 2


OPENS = china(2026, 11, 20, 8)


def _quiz(
    org,
    bank,
    title,
    *,
    review=ReviewWhen.IMMEDIATELY,
    counting=Counting.HIGHEST,
    opens=OPENS,
    lasts=timedelta(days=3),
):
    return make_quiz(
        org.admin,
        [org.bureau],
        questions=[bank["single"][0]],
        title=title,
        review_when=review,
        counting=counting,
        attempts_allowed=3,
        now=opens,
        opens_in=timedelta(0),
        lasts=lasts,
    )


def _sit(member, quiz, submitted_at: datetime, passed: bool, number: int = 1) -> Attempt:
    score = 90.0 if passed else 30.0
    attempt = add_attempt(
        member,
        quiz,
        number,
        score,
        passed,
        at=submitted_at,
        took=timedelta(minutes=10),
        left=timedelta(minutes=20),
        max_score=100.0,
    )
    db.session.commit()
    return attempt


# Minutes


def test_minutes_give_a_point_per_ten_minutes_up_to_the_cap(org, study):
    study(org.m1, YESTERDAY, 95)  # 9 points by the rule, 6 by the cap
    study(org.m1, date(2026, 11, 19), 25)  # 2 points
    study(org.m1, date(2026, 11, 18), 5)  # less than 10 minutes: nothing
    award(NOW)
    got = [(e.day, e.points, e.reason) for e in entries(org.m1)]
    assert got == [
        (date(2026, 11, 19), 2, "在线学习 25 分钟（2026-11-19）"),
        (YESTERDAY, 6, "在线学习 95 分钟（2026-11-20），达到每日上限 6 分"),
    ]
    assert entries(org.m1)[1].source_key == f"minutes:{org.m1.id}:2026-11-20"


def test_todays_minutes_are_credited_after_the_day_ends(org, study):
    study(org.m1, TODAY, 40)
    award(NOW)
    assert entries(org.m1) == []
    award(china(2026, 11, 22, 0, 10))
    assert [(e.day, e.points) for e in entries(org.m1)] == [(TODAY, 4)]


def test_a_second_run_writes_nothing(org, study, bank):
    study(org.m1, YESTERDAY, 95)
    quiz = _quiz(org, bank, "测试一")
    _sit(org.m1, quiz, china(2026, 11, 20, 9), passed=True)
    assert award_points(NOW).startswith("2 point entries written")
    first = [(e.id, e.points, e.reason) for e in entries()]
    assert award_points(NOW).startswith("0 point entries written")
    assert [(e.id, e.points, e.reason) for e in entries()] == first


def test_a_run_after_downtime_catches_up_the_missing_days(org, study):
    for day in range(8, 21):
        study(org.m1, date(2026, 11, day), 30)
    award(china(2026, 11, 16, 0, 10))  # the scheduler ran, then was down for five days
    assert [e.day.day for e in entries(org.m1)] == list(range(9, 16))  # 7 days back
    award(NOW)
    # 16..20 caught up, nothing twice; the 8th was already further back than the job looks.
    assert [e.day.day for e in entries(org.m1)] == list(range(9, 21))
    assert LOOKBACK_DAYS == 7


# Quizzes


def test_three_quizzes_passed_on_one_day_give_the_cap(org, bank):
    quizzes = [_quiz(org, bank, f"测试{i}") for i in range(4)]
    _sit(org.m1, quizzes[0], china(2026, 11, 20, 9), passed=True)
    _sit(org.m1, quizzes[1], china(2026, 11, 20, 10), passed=True)
    award(china(2026, 11, 20, 12))
    _sit(org.m1, quizzes[2], china(2026, 11, 20, 15), passed=True)  # after the first run
    _sit(org.m1, quizzes[3], china(2026, 11, 21, 9), passed=True)  # the next day
    award(NOW)
    got = [(e.day, e.points, e.reason) for e in entries(org.m1, "quiz_passed")]
    assert got == [
        (YESTERDAY, 5, "测试「测试0」及格"),
        (YESTERDAY, 5, "测试「测试1」及格"),
        (YESTERDAY, 0, "测试「测试2」及格，当日已达上限 10 分，不再计分"),
        (TODAY, 5, "测试「测试3」及格"),
    ]
    assert sum(e.points for e in entries(org.m1) if e.day == YESTERDAY) == 10


def test_a_quiz_counts_once_when_its_result_is_public_by_the_counted_attempt(org, bank):
    after_close = _quiz(
        org, bank, "闭卷考试", review=ReviewWhen.AFTER_CLOSE, lasts=timedelta(days=1, hours=6)
    )  # closes 2026-11-21 14:00
    never = _quiz(org, bank, "不公布", review=ReviewWhen.NEVER)
    latest = _quiz(org, bank, "以最后一次为准", counting=Counting.LATEST)
    _sit(org.m1, after_close, china(2026, 11, 20, 9), passed=True)
    _sit(org.m1, never, china(2026, 11, 20, 9), passed=True)
    _sit(org.m1, latest, china(2026, 11, 20, 9), passed=True)
    _sit(org.m1, latest, china(2026, 11, 20, 10), passed=False, number=2)
    _sit(org.m1, after_close, china(2026, 11, 20, 11), passed=True, number=2)
    award(NOW)
    assert entries(org.m1) == []  # not public yet, never public, counted attempt failed
    award(china(2026, 11, 21, 14, 10))
    got = entries(org.m1)
    assert [(e.day, e.points, e.source_key) for e in got] == [
        (TODAY, 5, f"quiz:{org.m1.id}:{after_close.id}")
    ]  # the day it became public


# Offline sessions, reflections, daily questions


def test_offline_sessions_and_reflections_and_daily_questions(org, bank, material):
    for i in range(3):
        make_session(org.org1, org.b11, [org.m1], title=f"专题党课{i}", kind="lecture", minutes=60)
    db.session.add(
        Reflection(
            member_id=org.m1.id,
            material_id=material.id,
            title="学习心得",
            body="体会" * 200,
            status="accepted",
            reviewer_id=org.org1.id,
            submitted_at=china(2026, 11, 19, 9),
            reviewed_at=china(2026, 11, 20, 16),
        )
    )
    questions = [q for kind in ("single", "truefalse") for q in bank[kind]]
    for position, question in enumerate(questions[:4]):
        db.session.add(
            DailyQuestion(
                member_id=org.m1.id,
                day=YESTERDAY,
                position=position,
                question_id=question.id,
                is_correct=position != 3,
                answered_at=china(2026, 11, 20, 8),
            )
        )
    db.session.commit()
    award(NOW)
    got = {(e.rule, e.points) for e in entries(org.m1)}
    assert sorted(e.points for e in entries(org.m1, "offline")) == [0, 3, 3]  # cap 6
    assert ("reflection", 5) in got and ("daily_questions", 3) in got
    daily = entries(org.m1, "daily_questions")[0]
    assert daily.reason == "每日答题答对 3 题（2026-11-20）"
    assert entries(org.m1, "reflection")[0].reason == "心得体会「学习心得」通过审阅"


def _session(actor, title, attendees, branch):
    return make_session(actor, branch, attendees, title=title)


def test_offline_sessions_an_organiser_recorded_for_themselves_earn_no_points(client, auth, org):
    alone = _session(org.org1, "支部书记自学", [org.org1], org.b11)
    shared = _session(org.org1, "主题党日", [org.org1, org.m1], org.b11)
    by_admin = _session(org.admin, "局党委专题党课", [org.org1], org.b11)
    by_admin_too = _session(org.admin, "警示教育", [org.org1], org.b11)
    db.session.commit()
    award(NOW)
    got = [(e.points, e.reason, e.source_key) for e in entries(org.org1, "offline")]
    assert sorted(got, key=lambda g: g[2]) == sorted(
        [
            (
                0,
                "参加线下学习「支部书记自学」（主题党日），本人登记的线下学习不计积分",
                f"offline:{org.org1.id}:{alone.id}",
            ),
            (
                0,
                "参加线下学习「主题党日」（主题党日），本人登记的线下学习不计积分",
                f"offline:{org.org1.id}:{shared.id}",
            ),
            (
                3,
                "参加线下学习「局党委专题党课」（主题党日）",
                f"offline:{org.org1.id}:{by_admin.id}",
            ),
            (3, "参加线下学习「警示教育」（主题党日）", f"offline:{org.org1.id}:{by_admin_too.id}"),
        ],
        key=lambda g: g[2],
    )  # the two sessions without points leave the daily cap (6) intact
    assert [e.points for e in entries(org.m1, "offline")] == [3]  # recorded by someone else
    award(china(2026, 11, 21, 18))  # written once: later runs don't weigh them again
    db.session.commit()
    assert len(entries(rule="offline")) == 5

    # The attendance stays a fact on the 台账 (participation counts it).
    assert {m.id for m in db.session.get(type(alone), alone.id).attendees} == {org.org1.id}
    auth.login("org1")
    page = client.get("/points").get_data(as_text=True)
    assert "本人登记的线下学习不计积分" in page
    assert "参加线下学习「支部书记自学」（主题党日），本人登记的线下学习不计积分" in page


# Rules


def _rules(**changes) -> list[RuleData]:
    rules = effective_rules()
    found = []
    for key, rule in rules.items():
        points, unit, cap, enabled = changes.get(
            key, (rule.points, rule.unit, rule.daily_cap, rule.is_enabled)
        )
        found.append(RuleData(key, points, unit, cap, enabled))
    return found


def test_a_rule_change_affects_only_new_entries(org, study):
    study(org.m1, YESTERDAY, 95)
    award(NOW)
    save_point_settings(
        org.admin, _rules(minutes=(2, 10, 20, True)), Thresholds(Decimal(30), Decimal(15)), NOW
    )
    db.session.commit()
    study(org.m1, TODAY, 95)
    award(china(2026, 11, 22, 0, 10))
    assert [(e.day, e.points) for e in entries(org.m1)] == [(YESTERDAY, 6), (TODAY, 18)]


def test_a_switched_off_rule_writes_nothing(org, study):
    save_point_settings(
        org.admin, _rules(minutes=(1, 10, 6, False)), Thresholds(Decimal(30), Decimal(15)), NOW
    )
    study(org.m1, YESTERDAY, 95)
    award(NOW)
    assert entries(org.m1) == []
    assert effective_rules()["minutes"].describe() == "在线学习：暂不计分"


def test_only_admins_change_the_rules_and_red_must_be_above_yellow(org):
    with pytest.raises(DomainError):
        save_point_settings(org.org1, _rules(), Thresholds(Decimal(30), Decimal(15)), NOW)
    with pytest.raises(DomainError, match="红榜标准必须高于黄榜标准"):
        save_point_settings(org.admin, _rules(), Thresholds(Decimal(15), Decimal(15)), NOW)
    with pytest.raises(DomainError):
        save_point_settings(
            org.admin, _rules(minutes=(1, 0, 6, True)), Thresholds(Decimal(30), Decimal(15)), NOW
        )


def test_the_job_is_scheduled_and_bounded_in_queries(app, org, study, make_member, queries):
    assert "award_points" in jobs.JOBS
    trigger = scheduler_runner.triggers()["award_points"]
    assert trigger.get_next_fire_time(None, china(2026, 11, 21, 23, 50)) == china(
        2026, 11, 22, 0, 10
    )

    def statements_for_a_run(now):
        with queries() as statements:
            award(now)
        return len(statements)

    study(org.m1, YESTERDAY, 30)
    few = statements_for_a_run(NOW)
    for i in range(12):
        study(make_member(f"p{i:02d}", org.b12), TODAY, 30 + i)
    db.session.commit()
    many = statements_for_a_run(china(2026, 11, 22, 0, 10))
    assert len(entries(rule="minutes")) == 13
    assert many == few


def test_defaults_describe_themselves():
    assert DEFAULTS["minutes"].describe() == "在线学习：每在线学习 10 分钟得 1 分，每天最多 6 分"
    assert DEFAULTS["offline"].describe() == (
        "线下学习：每参加 1 次线下学习得 3 分，每天最多 6 分；本人登记的线下学习不计积分，须由其他管理员登记"
    )
    assert DEFAULTS["quiz_passed"].worth(1) == 5
