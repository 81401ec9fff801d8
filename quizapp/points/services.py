"""Awarding points: the scheduled job that writes the ledger entries the rules owe.

The job looks back over the last few China days (catching up after downtime) and writes an
entry for each thing that earns points and has none yet, named by its source key:

- ``minutes:<member>:<day>``: online study minutes of a completed day (today's minutes are
  credited after the day ends, once they can no longer grow);
- ``daily:<member>:<day>``: daily questions answered correctly on a completed day;
- ``quiz:<member>:<quiz>``: a quiz passed, by the attempt the quiz's counting rule picks,
  once the result is public to the member; the day is the day it became public;
- ``offline:<member>:<session>``: an offline session attended, on the day it was held;
  attendance at a session the member recorded themselves (an organiser logging their own
  session) is written with 0 points and says why (:data:`SELF_RECORDED`): it is a fact on the
  台账 and counts for participation, but nobody else vouched for it;
- ``reflection:<member>:<reflection>``: a reflection accepted, on the day it was accepted.

Daily caps hold across runs: the points a rule already gave a member on a day are read back
first. Something past the cap is still written, with 0 points and a reason that says so, so
the member sees why and later runs don't weigh it again. A run costs a fixed number of
grouped queries and one bulk insert (ON CONFLICT DO NOTHING on the source key, so two runs
that overlap still write each entry once), whatever the number of members.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import String, case, cast, exists, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from quizapp import db
from quizapp.attempts.services import counted_attempt
from quizapp.campaigns.counting import COUNTED_COLUMNS
from quizapp.clock import china_day_start, china_today, format_date
from quizapp.offline.models import OfflineAttendance, OfflineSession
from quizapp.points.models import PointEntry
from quizapp.points.rules import Rule, effective_rules
from quizapp.practice.models import DailyQuestion
from quizapp.quizzes.attempt_models import Attempt
from quizapp.quizzes.models import Counting, Quiz, QuizKind, ReviewWhen
from quizapp.study.models import Reflection, StudyMinute

#: China days the job looks back over: what the scheduler missed while down is caught up.
LOOKBACK_DAYS = 7
#: Offline sessions are recorded after the fact, sometimes weeks later: look further back.
OFFLINE_LOOKBACK_DAYS = 31
REASON_MAX = 200
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


def _minutes(rule: Rule, first: date, today: date) -> list[Earned]:
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


def _daily_questions(rule: Rule, first: date, today: date) -> list[Earned]:
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


def _quizzes(rule: Rule, since: datetime, now: datetime) -> list[Earned]:
    """Quizzes passed (by the counted attempt) whose result became public since ``since``."""
    public_at = case(
        (Quiz.review_when == ReviewWhen.IMMEDIATELY.value, Attempt.submitted_at),
        else_=Quiz.closes_at,
    )
    pairs = (
        select(Attempt.member_id, Attempt.quiz_id)
        .distinct()
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(
            Attempt.status == "submitted",
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
        .where(Attempt.status == "submitted")
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


def _offline(rule: Rule, first: date, today: date) -> list[Earned]:
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
    kinds = {"lecture": "专题讲座", "seminar": "学习研讨", "party_day": "主题党日"}
    earned = []
    for member_id, session_id, title, kind, held_on, recorded_by_id in rows:
        reason = f"参加线下学习「{title}」（{kinds.get(kind, '线下学习')}）"
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


def _reflections(rule: Rule, since: datetime, now: datetime) -> list[Earned]:
    """Reflections accepted since ``since``, not yet credited."""
    rows = db.session.execute(
        select(Reflection.member_id, Reflection.id, Reflection.title, Reflection.reviewed_at).where(
            Reflection.status == "accepted",
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


def _already_given(rule: str, earned: list[Earned]) -> dict[tuple[int, date], int]:
    """Return the points ``rule`` already gave each member of ``earned`` on its days."""
    if not earned:
        return {}
    days = [e.day for e in earned]
    rows = db.session.execute(
        select(PointEntry.member_id, PointEntry.day, func.sum(PointEntry.points))
        .where(
            PointEntry.rule == rule,
            PointEntry.day.between(min(days), max(days)),
            PointEntry.member_id.in_({e.member_id for e in earned}),
        )
        .group_by(PointEntry.member_id, PointEntry.day)
    )
    return {(member_id, day): int(total) for member_id, day, total in rows}


def _capped(rule: Rule, earned: list[Earned], given: dict[tuple[int, date], int]) -> list[Earned]:
    """Cut each member's points of a day down to what the daily cap leaves, in event order."""
    for item in sorted(earned, key=lambda e: (e.member_id, e.day, e.order, e.source_key)):
        used = given.get((item.member_id, item.day), 0)
        allowed = max(0, min(item.points, rule.daily_cap - used))
        if allowed < item.points:
            item.reason += (
                f"，当日已达上限 {rule.daily_cap} 分，不再计分"
                if allowed == 0
                else f"，达到每日上限 {rule.daily_cap} 分"
            )
            item.points = allowed
        given[(item.member_id, item.day)] = used + allowed
    return earned


def _row(item: Earned, now: datetime) -> dict:
    reason = item.reason if len(item.reason) <= REASON_MAX else item.reason[: REASON_MAX - 1] + "…"
    return {
        "member_id": item.member_id,
        "day": item.day,
        "rule": item.rule,
        "points": item.points,
        "reason": reason,
        "source_key": item.source_key,
        "created_at": now,
        "created_by_id": None,
    }


def _insert():
    """An INSERT of ledger rows that skips any whose source key exists."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(PointEntry).on_conflict_do_nothing(index_elements=[PointEntry.source_key])


def write_entries(rows: list[dict]) -> None:
    """Insert ledger rows in one bulk statement, skipping keys that exist."""
    if rows:
        db.session.execute(_insert(), rows)


def write_entry(row: dict) -> bool:
    """Insert one ledger row unless its source key exists; True when this call wrote it."""
    return db.session.scalar(_insert().values(**row).returning(PointEntry.id)) is not None


def award(now: datetime, days: int = LOOKBACK_DAYS) -> int:
    """Write the entries the rules owe for the last ``days`` China days; return how many.

    Flushes only; :func:`award_points` (the scheduled job) commits.
    """
    today = china_today(now)
    first = today - timedelta(days=days)
    since = china_day_start(first)
    rules = effective_rules()
    finders = {
        "minutes": lambda rule: _minutes(rule, first, today),
        "daily_questions": lambda rule: _daily_questions(rule, first, today),
        "quiz_passed": lambda rule: _quizzes(rule, since, now),
        "offline": lambda rule: _offline(
            rule, today - timedelta(days=max(days, OFFLINE_LOOKBACK_DAYS)), today
        ),
        "reflection": lambda rule: _reflections(rule, since, now),
    }
    rows = []
    for key, find in finders.items():
        rule = rules[key]
        if not rule.gives_points:
            continue  # a rule switched off earns nothing (and is not recorded as owed)
        earned = find(rule)
        # Minutes and daily questions have one entry a day: nothing given before to read.
        given = {} if key in ("minutes", "daily_questions") else _already_given(key, earned)
        rows += [_row(item, now) for item in _capped(rule, earned, given)]
    write_entries(rows)
    return len(rows)


def award_points(now: datetime) -> str:
    """Award the points earned over the last few China days (the scheduled job); commit."""
    written = award(now)
    db.session.commit()
    return f"{written} point entries written (last {LOOKBACK_DAYS} days up to {china_today(now)})"
