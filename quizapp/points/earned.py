"""What each points rule finds earned (one grouped query a rule), before the daily cap.

The source keys and when each thing earns are listed in :mod:`quizapp.points.services`, which
caps and writes what these find.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import String, case, cast, exists, func, literal, select

from quizapp import db
from quizapp.attempts.services import counted_attempt
from quizapp.campaigns.counting import COUNTED_COLUMNS
from quizapp.clock import china_today, format_date
from quizapp.offline.models import OfflineAttendance, OfflineKind, OfflineSession
from quizapp.points.models import PointEntry
from quizapp.points.rules import Rule
from quizapp.practice.models import DailyQuestion
from quizapp.quizzes.attempt_models import Attempt, AttemptStatus
from quizapp.quizzes.models import Counting, Quiz, QuizKind, ReviewWhen
from quizapp.study.models import Reflection, ReflectionStatus, StudyMinute

#: Why attendance at a session the member recorded themselves earns nothing.
SELF_RECORDED = "本人登记的线下学习不计积分"


@dataclass
class Earned:
    """Something that earns points, before the daily cap is applied."""

    member_id: int
    day: date
    rule: str
    points: int
    reason: str
    source_key: str
    #: Orders a member's events within a day: the earlier ones get points before the cap.
    order: tuple = ()


def _key(prefix: str, *columns):
    """An SQL expression building a source key, e.g. 'quiz:' || member_id || ':' || quiz_id."""
    expression = literal(prefix, String)
    for column in columns:
        expression = expression + ":" + cast(column, String)
    return expression


def _no_entry(source_key) -> exists:
    """A filter: no entry has this source key yet (the key's unique index answers it)."""
    return ~exists().where(PointEntry.source_key == source_key)


def _no_entry_on_day(rule: str, member_id, day) -> exists:
    """A filter: the member has no entry of this once-a-day rule on that day."""
    return ~exists().where(
        PointEntry.member_id == member_id, PointEntry.day == day, PointEntry.rule == rule
    )


def find_minutes(rule: Rule, first: date, today: date) -> list[Earned]:
    """Each completed day's study minutes not yet credited."""
    seconds = func.sum(StudyMinute.seconds)
    rows = db.session.execute(
        select(StudyMinute.member_id, StudyMinute.day, seconds)
        .where(
            StudyMinute.day >= first,
            StudyMinute.day < today,
            _no_entry_on_day(rule.key, StudyMinute.member_id, StudyMinute.day),
        )
        .group_by(StudyMinute.member_id, StudyMinute.day)
        .having(seconds >= rule.unit * 60)
    )
    return [
        Earned(
            member_id,
            day,
            rule.key,
            rule.worth(int(total) // 60),
            f"在线学习 {int(total) // 60} 分钟（{format_date(day)}）",
            f"minutes:{member_id}:{day.isoformat()}",
        )
        for member_id, day, total in rows
    ]


def find_daily_questions(rule: Rule, first: date, today: date) -> list[Earned]:
    """Each completed day's daily questions answered correctly, not yet credited."""
    right = func.count()
    rows = db.session.execute(
        select(DailyQuestion.member_id, DailyQuestion.day, right)
        .where(
            DailyQuestion.day >= first,
            DailyQuestion.day < today,
            DailyQuestion.is_correct.is_(True),
            _no_entry_on_day(rule.key, DailyQuestion.member_id, DailyQuestion.day),
        )
        .group_by(DailyQuestion.member_id, DailyQuestion.day)
        .having(right >= rule.unit)
    )
    return [
        Earned(
            member_id,
            day,
            rule.key,
            rule.worth(count),
            f"每日答题答对 {count} 题（{format_date(day)}）",
            f"daily:{member_id}:{day.isoformat()}",
        )
        for member_id, day, count in rows
    ]


def find_quizzes(rule: Rule, since: datetime, now: datetime) -> list[Earned]:
    """Quizzes passed (by the counted attempt) whose result became public since ``since``."""
    public_at = case(
        (Quiz.review_when == ReviewWhen.IMMEDIATELY.value, Attempt.submitted_at),
        else_=Quiz.closes_at,
    )
    # A paper with 简答 became public when its marking ended, if that was later.
    public_at = case((Attempt.marked_at > public_at, Attempt.marked_at), else_=public_at)
    pairs = (
        select(Attempt.member_id, Attempt.quiz_id)
        .distinct()
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(
            Attempt.status == AttemptStatus.SUBMITTED.value,
            Attempt.passed.is_(True),
            Quiz.review_when != ReviewWhen.NEVER.value,
            public_at >= since,
            public_at <= now,
            _no_entry(_key("quiz", Attempt.member_id, Attempt.quiz_id)),
        )
        .subquery()
    )
    attempts: dict[tuple[int, int], list] = defaultdict(list)
    quizzes = {}
    for row in db.session.execute(
        select(
            *COUNTED_COLUMNS,
            Attempt.submitted_at,
            Attempt.marked_at,
            Quiz.title,
            Quiz.kind,
            Quiz.counting,
            Quiz.review_when,
            Quiz.closes_at,
        )
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .join(
            pairs, (pairs.c.member_id == Attempt.member_id) & (pairs.c.quiz_id == Attempt.quiz_id)
        )
        .where(Attempt.status == AttemptStatus.SUBMITTED.value)
    ):
        attempts[(row.member_id, row.quiz_id)].append(row)
        quizzes[row.quiz_id] = row
    earned = []
    for (member_id, quiz_id), rows in attempts.items():
        quiz = quizzes[quiz_id]
        counted = counted_attempt(rows, Counting(quiz.counting))
        if counted is None or not counted.passed:
            continue
        public = counted.submitted_at
        if quiz.review_when == ReviewWhen.AFTER_CLOSE.value:
            public = max(public, quiz.closes_at)
        public = max(public, counted.marked_at or public)
        earned.append(
            Earned(
                member_id,
                china_today(public),
                rule.key,
                rule.points,
                f"{QuizKind(quiz.kind).label}「{quiz.title}」及格",
                f"quiz:{member_id}:{quiz_id}",
                (public, quiz_id),
            )
        )
    return earned


def find_offline(rule: Rule, first: date, today: date) -> list[Earned]:
    """Offline sessions held since ``first`` that members attended, not yet credited."""
    rows = db.session.execute(
        select(
            OfflineAttendance.member_id,
            OfflineSession.id,
            OfflineSession.title,
            OfflineSession.kind,
            OfflineSession.held_on,
            OfflineSession.recorded_by_id,
        )
        .join(OfflineSession, OfflineSession.id == OfflineAttendance.session_id)
        .where(
            OfflineSession.held_on >= first,
            OfflineSession.held_on <= today,
            _no_entry(_key("offline", OfflineAttendance.member_id, OfflineSession.id)),
        )
    )
    earned = []
    for member_id, session_id, title, kind, held_on, recorded_by_id in rows:
        reason = f"参加线下学习「{title}」（{OfflineKind(kind).label}）"
        points = rule.points
        if recorded_by_id == member_id:
            reason, points = f"{reason}，{SELF_RECORDED}", 0
        earned.append(
            Earned(
                member_id,
                held_on,
                rule.key,
                points,
                reason,
                f"offline:{member_id}:{session_id}",
                (session_id,),
            )
        )
    return earned


def find_reflections(rule: Rule, since: datetime, now: datetime) -> list[Earned]:
    """Reflections accepted since ``since``, not yet credited."""
    rows = db.session.execute(
        select(Reflection.member_id, Reflection.id, Reflection.title, Reflection.reviewed_at).where(
            Reflection.status == ReflectionStatus.ACCEPTED.value,
            Reflection.reviewed_at >= since,
            Reflection.reviewed_at <= now,
            _no_entry(_key("reflection", Reflection.member_id, Reflection.id)),
        )
    )
    return [
        Earned(
            member_id,
            china_today(reviewed_at),
            rule.key,
            rule.points,
            f"心得体会「{title}」通过审阅",
            f"reflection:{member_id}:{reflection_id}",
            (reviewed_at, reflection_id),
        )
        for member_id, reflection_id, title, reviewed_at in rows
    ]
