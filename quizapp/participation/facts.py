"""The facts of a participation report, one grouped query each, written into each
eligible member's line (:class:`.report.MemberLine`); :mod:`.queries` sums the lines into rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from sqlalchemy import Select, case, distinct, func, select, union_all

from quizapp import db
from quizapp.attempts.services import counted_attempt
from quizapp.campaigns.counting import submitted_attempts
from quizapp.campaigns.models import Campaign
from quizapp.campaigns.progress import ProgressBook
from quizapp.clock import china_day_start, china_today
from quizapp.deferrals.queries import states
from quizapp.offline.models import OfflineAttendance, OfflineSession
from quizapp.participation.report import MemberLine
from quizapp.participation.sql import in_members
from quizapp.quizzes.attempt_models import Attempt, AttemptStatus
from quizapp.quizzes.models import Counting, Quiz
from quizapp.study.models import Reflection, ReflectionStatus, StudyMinute


def study_seconds(
    members: Select, first_day: date, last_day: date
) -> Iterator[tuple[int, int, int]]:
    """Yield (member, online study seconds, China days with credited study) over the period
    (one at a time: a list of ten thousand tuples kept alive costs the garbage collector)."""
    return (
        (m, int(s), int(d))
        for m, s, d in db.read_rows(
            select(
                StudyMinute.member_id,
                func.sum(StudyMinute.seconds),
                func.count(distinct(case((StudyMinute.seconds > 0, StudyMinute.day)))),
            )
            .where(StudyMinute.day.between(first_day, last_day), StudyMinute.member_id.in_(members))
            .group_by(StudyMinute.member_id)
        )
    )


def counted_period(campaign: Campaign, first_day: date, last_day: date) -> tuple[date, date]:
    """Return the days of [first_day, last_day] within the campaign's own (the report page
    refuses a period sharing no day with the campaign)."""
    first, last = max(first_day, campaign.starts_on), min(last_day, campaign.ends_on)
    if last < first:
        raise ValueError("period outside the campaign's days")
    return first, last


def count_quiz(quiz: Quiz, members: Select, lines: dict[int, MemberLine], now: datetime) -> None:
    counting = Counting(quiz.counting)
    for line in lines.values():
        line.passed = False
    for (member_id, _quiz_id), attempts in submitted_attempts([quiz.id], members).items():
        line = lines[member_id]
        line.times = len(attempts)
        counted = counted_attempt(attempts, counting)
        if counted is not None:
            line.participated = True
            line.passed = bool(counted.passed)
            line.score = counted.score
    for line in lines.values():
        if not line.participated:
            line.missing = ["未交卷"]
    if quiz.has_member_exceptions:  # one more query, only for quizzes with exceptions
        for (_quiz_id, member_id), state in states([quiz.id], members, now).items():
            line = lines[member_id]
            line.state = state.label
            if state.deferred and not line.participated:
                line.deferred, line.missing = True, [state.detail]


def count_campaign(
    campaign: Campaign,
    members: Select,
    lines: dict[int, MemberLine],
    period: tuple[date, date],
    study_days: dict[int, int],
    now: datetime,
) -> None:
    """参与 and 人次 follow ``period``; completion the campaign's own days (its progress);
    an approved 缓考 still to end at ``now`` is written as such in 未完成的项目. 及格 is
    judged of the complete only (None for the others: 及格人数 counts among 完成人员)."""
    first_day, last_day = period
    start, end = china_day_start(first_day), china_day_start(last_day + timedelta(days=1))
    book = ProgressBook([campaign], members, china_today(now), deferred_at=now)
    quizzes = {cq.quiz_id: Counting(cq.quiz.counting) for cq in campaign.quizzes}
    attended = _attendances(members, first_day, last_day)
    for member_id, line in lines.items():
        progress = book.of(member_id, campaign)
        submitted = sum(
            start <= attempt.submitted_at < end
            for quiz_id in quizzes
            for attempt in book.attempts(member_id, quiz_id)
        )
        reflections = book.accepted(member_id, campaign, start, end)
        line.times = study_days.get(member_id, 0) + attended.get(member_id, 0) + submitted
        line.times += reflections
        line.participated = line.times > 0 or progress.complete
        line.completed = progress.complete
        if not progress.complete:
            unmet = [item for item in progress.items if not item.met]
            line.missing = [f"{item.label}：{item.detail}" for item in unmet]
            # Lacking only quizzes on a 缓考 still running: nothing to remind of yet.
            line.deferred = all(item.state == "deferred" for item in unmet)
            continue
        if quizzes:
            line.passed = all(
                _passed(book.attempts(member_id, q), counting) for q, counting in quizzes.items()
            )


def _passed(attempts: list, counting: Counting) -> bool:
    counted = counted_attempt(attempts, counting)
    return counted is not None and bool(counted.passed)


def _attendances(members: Select, first_day: date, last_day: date) -> dict[int, int]:
    """Return how many offline sessions held in the period each member attended."""
    return {
        m: int(n)
        for m, n in db.read_rows(
            select(OfflineAttendance.member_id, func.count())
            .join(OfflineSession, OfflineSession.id == OfflineAttendance.session_id)
            .where(
                OfflineSession.held_on.between(first_day, last_day),
                in_members(OfflineAttendance.member_id, members),
            )
            .group_by(OfflineAttendance.member_id)
        )
    }


def count_range(
    members: Select,
    lines: dict[int, MemberLine],
    period: tuple[date, date],
    study_days: dict[int, int],
) -> None:
    """参学人次: days with credited study + offline sessions attended + answer sheets handed in
    + reflections accepted, in the period; any of them makes a participant."""
    occasions = _occasions(members, *period)
    for member_id, line in lines.items():
        line.times = study_days.get(member_id, 0) + occasions.get(member_id, 0)
        if line.times:
            line.participated = True
        else:
            line.missing = ["统计期内没有学习活动"]


def _occasions(members: Select, first_day: date, last_day: date) -> dict[int, int]:
    """Return, per member with any, the offline sessions attended, answer sheets handed in
    and reflections accepted in the period (study days come with the minutes)."""
    start = china_day_start(first_day)
    end = china_day_start(last_day + timedelta(days=1))
    rows = union_all(
        select(OfflineAttendance.member_id.label("member_id"))
        .join(OfflineSession, OfflineSession.id == OfflineAttendance.session_id)
        .where(
            OfflineSession.held_on.between(first_day, last_day),
            in_members(OfflineAttendance.member_id, members),
        ),
        select(Attempt.member_id).where(
            Attempt.status == AttemptStatus.SUBMITTED.value,
            Attempt.submitted_at >= start,
            Attempt.submitted_at < end,
            Attempt.member_id.in_(members),
        ),
        select(Reflection.member_id).where(
            Reflection.status == ReflectionStatus.ACCEPTED.value,
            Reflection.submitted_at >= start,
            Reflection.submitted_at < end,
            Reflection.member_id.in_(members),
        ),
    ).subquery()
    return {
        m: int(n)
        for m, n in db.read_rows(select(rows.c.member_id, func.count()).group_by(rows.c.member_id))
    }
