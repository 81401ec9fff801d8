"""The scheduler's notice when a member's personal window (缓考, 补考) opens."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select

from quizapp import db
from quizapp.clock import format_datetime
from quizapp.deferrals.models import ExceptionKind, QuizException
from quizapp.deferrals.terms import in_force
from quizapp.notices.models import NoticeKind
from quizapp.notices.services import NoticeDraft, app_path, send_notices
from quizapp.quizzes.attempt_models import Attempt, AttemptStatus
from quizapp.quizzes.models import Quiz

#: A personal window that opened longer ago than this is not announced any more (downtime).
ANNOUNCE_WITHIN = timedelta(days=1)


def send_window_notices(now: datetime) -> int:
    """Tell each member whose personal window (缓考, 补考) has just opened; return how many.

    Windows approved after they opened are skipped (the approval said so); so are 缓考 already
    sat, or lapsed (``terms.lapsed``). Idempotent: one notice per exception
    (``exception-open:<id>``).
    """
    rows = db.session.scalars(
        select(QuizException)
        .join(Quiz, Quiz.id == QuizException.quiz_id)
        .where(
            in_force(),
            # The window as terms.apply clips it: from the later of its start and the quiz's.
            QuizException.window_opens_at <= now,
            Quiz.opens_at <= now,
            or_(
                QuizException.window_opens_at > now - ANNOUNCE_WITHIN,
                Quiz.opens_at > now - ANNOUNCE_WITHIN,
            ),
            QuizException.window_closes_at > now,
            or_(
                QuizException.decided_at < QuizException.window_opens_at,
                QuizException.decided_at < Quiz.opens_at,
            ),
            ~select(Attempt.id)
            .where(
                Attempt.quiz_id == QuizException.quiz_id,
                Attempt.member_id == QuizException.member_id,
                Attempt.status == AttemptStatus.SUBMITTED.value,
                QuizException.kind == ExceptionKind.DEFERRAL.value,
            )
            .exists(),
        )
    ).all()
    drafts = [
        NoticeDraft(
            member_id=row.member_id,
            kind=NoticeKind.EXAM_EXCEPTION,
            title=f"{row.kind_enum.label}考试时间已开始：{row.quiz.title}",
            body=f"请在 {format_datetime(row.window_closes_at)}（北京时间）前完成答题。",
            dedupe_key=f"exception-open:{row.id}",
            link=app_path("attempts.quiz", quiz_id=row.quiz_id),
        )
        for row in rows
    ]
    return send_notices(drafts, now)
