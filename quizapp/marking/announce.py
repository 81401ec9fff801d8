"""The scheduler's notice to named markers (阅卷人) when a quiz they mark has papers waiting."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from quizapp import db
from quizapp.clock import china_today
from quizapp.marking.models import QuizMarker
from quizapp.marking.queries import can_mark
from quizapp.members.models import Member
from quizapp.notices.models import NoticeKind
from quizapp.notices.services import NoticeDraft, app_path, send_notices
from quizapp.quizzes.attempt_models import Attempt, AttemptStatus
from quizapp.quizzes.models import Quiz

#: Papers handed in longer ago than this are not announced any more (downtime).
ANNOUNCE_WITHIN = timedelta(days=1)


def send_marker_notices(now: datetime) -> int:
    """Tell each named marker of a quiz that got a paper to mark; return how many were told.

    At most one notice per marker, quiz and China day the papers were handed in
    (``marking-waiting:<quiz>:<marker>:<day>``): the first paper of the day tells them, the
    next ones of that day do not. A marker's own paper (which they may not mark) tells nobody
    anything, nor is a marker told of a quiz they still have to sit. Organisers are not told:
    their results page and 今日任务 show the queue.
    """
    rows = db.session.execute(
        select(QuizMarker.member_id, Quiz.id, Quiz.title, Attempt.submitted_at)
        .join(Quiz, Quiz.id == QuizMarker.quiz_id)
        .join(Member, Member.id == QuizMarker.member_id)
        .join(Attempt, Attempt.quiz_id == Quiz.id)
        .where(
            Member.is_active.is_(True),
            Attempt.status == AttemptStatus.MARKING.value,
            Attempt.member_id != QuizMarker.member_id,
            Attempt.submitted_at > now - ANNOUNCE_WITHIN,
            Attempt.submitted_at <= now,
        )
    ).all()
    # A marker who still has the quiz to sit may not mark it yet (queries.can_mark): not told.
    may_mark = {}
    for marker_id, quiz_id, _, _ in rows:
        if (marker_id, quiz_id) not in may_mark:
            marker, quiz = db.session.get(Member, marker_id), db.session.get(Quiz, quiz_id)
            may_mark[marker_id, quiz_id] = can_mark(marker, quiz, now)
    drafts = {}
    for marker_id, quiz_id, title, submitted_at in rows:
        if not may_mark[marker_id, quiz_id]:
            continue
        day = china_today(submitted_at)
        key = f"marking-waiting:{quiz_id}:{marker_id}:{day.isoformat()}"
        drafts.setdefault(
            key,
            NoticeDraft(
                member_id=marker_id,
                kind=NoticeKind.MARKING_WAITING,
                title=f"有新的简答答卷待阅：{title}",
                body=f"「{title}」有党员交卷，答卷中的简答题等待您评阅。",
                dedupe_key=key,
                link=app_path("marking.queue", quiz_id=quiz_id),
            ),
        )
    return send_notices(drafts.values(), now)
