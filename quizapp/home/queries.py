"""What 我的 shows of the member's own history: study minutes by week and every result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from quizapp import db, numbers
from quizapp.attempts.services import review_allowed
from quizapp.members.models import Member
from quizapp.pagination import Page, paginate
from quizapp.quizzes.attempt_models import Attempt, AttemptStatus
from quizapp.quizzes.models import ReviewWhen
from quizapp.study.models import StudyMinute
from quizapp.study.totals import week_start

#: Weeks of study history on 我的, the current one included.
HISTORY_WEEKS = 12


@dataclass(frozen=True)
class StudyWeek:
    """One China week (Monday to Sunday) of the member's credited study."""

    monday: date
    seconds: int
    #: The week that runs now (counted up to today).
    is_current: bool = False

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def minutes(self) -> str:
        """Minutes with one decimal, rounded half up (as the reports round): "24.5", "0.0"."""
        return numbers.minutes_text(self.seconds, fixed=True)


def list_study_weeks(member_id: int, today: date, weeks: int = HISTORY_WEEKS) -> list[StudyWeek]:
    """Return the member's last ``weeks`` China weeks, latest first, empty weeks too (one query)."""
    this_monday = week_start(today)
    first = this_monday - timedelta(weeks=weeks - 1)
    seconds: dict[date, int] = {}
    for day, total in db.session.execute(
        select(StudyMinute.day, func.sum(StudyMinute.seconds))
        .where(StudyMinute.member_id == member_id, StudyMinute.day.between(first, today))
        .group_by(StudyMinute.day)
    ):
        monday = week_start(day)
        seconds[monday] = seconds.get(monday, 0) + int(total)
    mondays = [this_monday - timedelta(weeks=back) for back in range(weeks)]
    return [StudyWeek(m, seconds.get(m, 0), m == this_monday) for m in mondays]


@dataclass(frozen=True)
class ResultRow:
    """One submitted attempt as its member sees it: the score only once the quiz shows it."""

    attempt: Attempt
    shown: bool

    @property
    def withheld_reason(self) -> str:
        """Why the score is not shown: 待阅卷, 考试结束后公布 or 不公布成绩."""
        quiz = self.attempt.quiz
        if self.attempt.status == AttemptStatus.MARKING:
            return "简答题待阅卷"
        if quiz.review_when == ReviewWhen.AFTER_CLOSE:
            return "考试结束后公布成绩"
        return "不公布成绩"


def list_results(member: Member, now: datetime, page: int, per_page: int) -> Page:
    """Return a page of the member's submitted attempts, latest first (two queries)."""
    found = paginate(
        select(Attempt)
        .where(Attempt.member_id == member.id, Attempt.status != AttemptStatus.IN_PROGRESS.value)
        .options(joinedload(Attempt.quiz))
        .order_by(Attempt.submitted_at.desc(), Attempt.id.desc()),
        page,
        per_page,
    )
    found.items = [ResultRow(a, review_allowed(a, now)) for a in found.items]
    return found
