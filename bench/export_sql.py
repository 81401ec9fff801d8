"""The yardstick of bench/export.py: the participation summary of a date range (any study)
as one straightforward SQL aggregate, per branch, with no Python per member.

The same rules as the report (quizapp.participation): the eligible members by their
membership history (the report's own eligibility query, as a subquery), their credited
study seconds and study days, and their occasions (offline sessions attended, answer sheets
handed in, reflections accepted) in the period, summed per branch of the period.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import case, distinct, func, literal_column, select, union_all

from quizapp import db
from quizapp.clock import china_day_start
from quizapp.offline.models import OfflineAttendance, OfflineSession
from quizapp.participation.eligible import eligible_members
from quizapp.quizzes.attempt_models import Attempt, AttemptStatus
from quizapp.study.models import Reflection, ReflectionStatus, StudyMinute


def range_summary(actor, first_day: date, last_day: date) -> dict[int, tuple[int, int, int, int]]:
    """Return {branch id: (eligible, participants, study seconds, 参学人次)} for the range."""
    eligible = eligible_members(actor, None, first_day, last_day).subquery()
    start = china_day_start(first_day)
    end = china_day_start(last_day + timedelta(days=1))
    study = (
        select(
            StudyMinute.member_id,
            func.sum(StudyMinute.seconds).label("seconds"),
            func.count(distinct(case((StudyMinute.seconds > 0, StudyMinute.day)))).label("days"),
        )
        .where(StudyMinute.day.between(first_day, last_day))
        .group_by(StudyMinute.member_id)
        .subquery()
    )
    occasions = union_all(
        select(OfflineAttendance.member_id.label("member_id"))
        .join(OfflineSession, OfflineSession.id == OfflineAttendance.session_id)
        .where(OfflineSession.held_on.between(first_day, last_day)),
        select(Attempt.member_id).where(
            Attempt.status == AttemptStatus.SUBMITTED.value,
            Attempt.submitted_at >= start,
            Attempt.submitted_at < end,
        ),
        select(Reflection.member_id).where(
            Reflection.status == ReflectionStatus.ACCEPTED.value,
            Reflection.submitted_at >= start,
            Reflection.submitted_at < end,
        ),
    ).subquery()
    counted = (
        select(occasions.c.member_id, func.count().label("n"))
        .group_by(occasions.c.member_id)
        .subquery()
    )
    times = func.coalesce(study.c.days, 0) + func.coalesce(counted.c.n, 0)
    statement = (
        select(
            eligible.c.branch_id,
            func.count(),
            func.sum(case((times > 0, 1), else_=0)),
            func.coalesce(func.sum(study.c.seconds), 0),
            func.sum(times),
        )
        .select_from(eligible)
        .outerjoin(study, study.c.member_id == eligible.c.member_id)
        .outerjoin(counted, counted.c.member_id == eligible.c.member_id)
        .group_by(eligible.c.branch_id)
        .order_by(literal_column("1"))
    )
    return {b: (int(e), int(p), int(s), int(t)) for b, e, p, s, t in db.read_rows(statement)}
