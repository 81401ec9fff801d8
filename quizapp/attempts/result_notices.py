"""Telling members their result once a quiz publishes it (成绩公布).

A quiz's results are published when members may first see their score: at the submit for a
review "交卷后立即" (the member reads it on the result page, so no notice), when the quiz closes
for "考试结束后" (this module), never for "不公布" (no notice, ever). The scheduled job looks at
quizzes of the second kind that closed in the last few days and writes each member who handed
in a paper one notice (``results:<quiz>:<member>``), with the score of the attempt the quiz's
counting rule picks and a link to its result page. A member with a paper still running (the
grace after the close) is told once the overdue job has submitted it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import String, and_, cast, exists, literal, select

from quizapp import db
from quizapp.attempts.services import counted_attempt
from quizapp.notices.models import Notice, NoticeKind
from quizapp.notices.services import NoticeDraft, app_path, send_notices
from quizapp.quizzes.attempt_models import Attempt, AttemptStatus
from quizapp.quizzes.models import Counting, Quiz, QuizKind, QuizStatus, ReviewWhen

#: Quizzes that closed this many days ago at most are looked at (a scheduler down for longer
#: sends nothing for them: the result pages say it all by then).
LOOK_BACK_DAYS = 7


def _key(quiz_id: int, member_id: int) -> str:
    """The notice's dedupe key."""
    return f"results:{quiz_id}:{member_id}"


#: :func:`_key` in SQL, for the anti-join on the notices' unique key.
SQL_KEY = (
    literal("results:", String)
    + cast(Attempt.quiz_id, String)
    + ":"
    + cast(Attempt.member_id, String)
)


def _draft(quiz, counted, tries: int) -> NoticeDraft:
    kind = QuizKind(quiz.kind).label
    verdict = "及格" if counted.passed else "未及格"
    body = (
        f"{kind}「{quiz.title}」已结束，成绩已公布：{counted.score:g} / {counted.max_score:g} 分，"
    )
    body += f"{verdict}。"
    if tries > 1:
        body += f"您共交卷 {tries} 次，按{Counting(quiz.counting).label}计。"
    return NoticeDraft(
        member_id=counted.member_id,
        kind=NoticeKind.RESULTS_PUBLISHED,
        title=f"{kind}「{quiz.title}」成绩已公布",
        body=body,
        dedupe_key=_key(quiz.id, counted.member_id),
        link=app_path("attempts.result", attempt_id=counted.id),
    )


def send_result_notices(now: datetime) -> int:
    """Notify each member whose result a quiz published at its close (flushes; idempotent).

    Two queries whatever the number of quizzes and members: the (quiz, member) pairs owed a
    notice (an anti-join on the notices' unique key), and their submitted attempts.
    """
    owed = (
        select(Attempt.quiz_id, Attempt.member_id)
        .distinct()
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(
            Quiz.status == QuizStatus.PUBLISHED.value,
            Quiz.review_when == ReviewWhen.AFTER_CLOSE.value,
            Quiz.closes_at <= now,
            Quiz.closes_at > now - timedelta(days=LOOK_BACK_DAYS),
            Attempt.status == AttemptStatus.SUBMITTED.value,
            ~exists().where(Notice.dedupe_key == SQL_KEY),
        )
        .subquery()
    )
    attempts: dict[tuple[int, int], list] = defaultdict(list)
    quizzes = {}
    for attempt, quiz in db.session.execute(
        select(Attempt, Quiz)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .join(owed, and_(owed.c.quiz_id == Attempt.quiz_id, owed.c.member_id == Attempt.member_id))
    ):
        attempts[(quiz.id, attempt.member_id)].append(attempt)
        quizzes[quiz.id] = quiz
    drafts = []
    for (quiz_id, _member_id), tries in attempts.items():
        if any(a.status != AttemptStatus.SUBMITTED for a in tries):
            continue  # still writing in the grace after the close, or 待阅卷: told once done
        quiz = quizzes[quiz_id]
        counted = counted_attempt(tries, Counting(quiz.counting))
        if counted is not None:
            drafts.append(_draft(quiz, counted, len(tries)))
    return send_notices(drafts, now)
