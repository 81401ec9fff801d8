"""Starting, submitting and grading attempts (saving an answer: ``autosave.py``).

The hot paths are :func:`quizapp.attempts.autosave.save_answer` (one statement on PostgreSQL,
else one locking read and one conditional update) and :func:`submit_attempt` (one
conditional update, one read, two bulk writes).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update

from quizapp import db
from quizapp.attempts import papers
from quizapp.attempts.review import review_open, shows_answers
from quizapp.attempts.scoring import score_values
from quizapp.audiences.services import is_in_audience
from quizapp.bank.models import Question
from quizapp.bank.types import all_types, get_type
from quizapp.deferrals.terms import ended_after_close, terms_for
from quizapp.errors import Closed, DomainError, NotFound
from quizapp.members.models import Member
from quizapp.quizzes.attempt_models import Attempt, AttemptAnswer, AttemptStatus, EndReason
from quizapp.quizzes.models import Counting, LeavePolicy, Quiz
from quizapp.wrongbook.models import Origin

#: Answers that arrive this long after the deadline still count (slow networks).
GRACE = timedelta(seconds=30)
#: The page's countdown may reach 0:00 this much before the server's deadline (its clock is
#: the server's, read to the second when the page loaded): its submission still ends by time.
COUNTDOWN_SLACK = timedelta(seconds=5)


class AttemptNotFound(NotFound):
    """No such attempt, question or quiz for this member (answered as 404)."""

    def __init__(self, message: str = "没有找到这份答卷。") -> None:
        super().__init__(message)


class AttemptClosed(Closed):
    """The attempt no longer takes answers (answered as 409)."""


class DeadlinePassed(AttemptClosed):
    """The attempt was past its deadline and has just been submitted: that submission stays."""

    keeps_changes = True


# Starting


def check_can_see(member: Member, quiz: Quiz) -> None:
    """Raise AttemptNotFound unless the quiz is published for the member's audience."""
    if not quiz.is_published or not is_in_audience(member, quiz.audience_id):
        raise AttemptNotFound("没有找到该测试，或您不在参加范围内。")


def start_attempt(
    member: Member, quiz: Quiz, now: datetime, rng: random.Random | None = None
) -> tuple[Attempt, bool]:
    """Return the member's attempt in progress, or start a new one; True when new.

    The paper is the one drawn ahead for the member (:mod:`quizapp.attempts.papers`), or
    drawn now when there is none or the sitting is a 缓考 or 补考. The database allows one
    attempt in progress per member and quiz: when two starts race, the loser's flush fails
    with IntegrityError and the caller retries, finding the winner's attempt.
    """
    check_can_see(member, quiz)
    earlier = list(
        db.session.scalars(
            select(Attempt).where(Attempt.quiz_id == quiz.id, Attempt.member_id == member.id)
        )
    )
    current = next((a for a in earlier if a.status == AttemptStatus.IN_PROGRESS), None)
    if current is not None:
        if not is_overdue(current, now):
            return current, False
        submit_attempt(current, now, reason=deadline_reason(current))
    terms = terms_for(quiz, member.id)  # the member's window, attempts, time (缓考, 补考)
    if (state := terms.phase(now)) == "upcoming":
        raise DomainError("该测试尚未开始，请在开始时间后再来。")
    if state == "closed":
        raise DomainError("该测试已经结束。")
    if len(earlier) >= terms.attempts_allowed:
        raise DomainError(f"您已用完全部 {terms.attempts_allowed} 次答题机会。")
    rng = rng or random.SystemRandom()
    paper = papers.paper_for(quiz, member.id, rng, fresh=terms.fresh_paper)
    deadline = terms.deadline(now)
    rows = []
    for position, question in enumerate(paper):
        # A type no longer registered stops the start here, with its message.
        has_options = get_type(question.type).has_options
        order = list(range(question.option_count))
        if quiz.shuffle_options and has_options:
            rng.shuffle(order)
        rows.append(
            {
                "question_id": question.id,
                "position": position,
                "option_order": order,
                "points": quiz.points_for(question.type),
                "seq": 0,
            }
        )
    attempt = Attempt(
        quiz_id=quiz.id,
        member_id=member.id,
        number=len(earlier) + 1,
        status=AttemptStatus.IN_PROGRESS.value,
        started_at=now,
        deadline_at=deadline,
        max_score=sum(r["points"] for r in rows),
    )
    db.session.add(attempt)
    db.session.flush()
    # The answer rows in one executemany, without building an ORM object for each.
    db.session.connection().execute(
        insert(AttemptAnswer.__table__), [r | {"attempt_id": attempt.id} for r in rows]
    )
    return attempt, True


# The deadline


def is_overdue(attempt: Attempt, now: datetime) -> bool:
    """Tell whether an attempt in progress is past its deadline and grace."""
    return attempt.status == AttemptStatus.IN_PROGRESS and now > attempt.deadline_at + GRACE


def deadline_reason(attempt: Attempt) -> EndReason:
    """Name the end of an attempt submitted at its deadline: the time limit or the quiz's close.

    The deadline is the start plus the time limit, cut at the close: when it is the close,
    the quiz ended before the member's time did (or the quiz has no time limit).
    """
    if attempt.started_at >= attempt.quiz.closes_at:  # in a personal window (缓考, 补考)
        return ended_after_close(attempt)
    return EndReason.CLOSED if attempt.deadline_at >= attempt.quiz.closes_at else EndReason.TIME_UP


def submit_reason(attempt: Attempt, now: datetime, *, timed_out: bool = False) -> EndReason:
    """Name the end of a submission the member's page (or its form) asks for at ``now``.

    At or past the deadline it ends by time; ``timed_out`` (the page's countdown reached
    0:00) counts up to COUNTDOWN_SLACK early, since the page's clock is read to the second.
    """
    slack = COUNTDOWN_SLACK if timed_out else timedelta(0)
    return deadline_reason(attempt) if now >= attempt.deadline_at - slack else EndReason.MEMBER


# Submitting and grading


def submit_attempt(
    attempt: Attempt, now: datetime, *, reason: EndReason = EndReason.MEMBER
) -> Attempt:
    """Submit and grade an attempt, recording why it ended; submitting again changes nothing.

    An attempt the member did not submit is stamped at its deadline at the latest.
    """
    submitted_at = now if reason == EndReason.MEMBER else min(now, attempt.deadline_at)
    claimed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.IN_PROGRESS.value)
        .values(
            status=AttemptStatus.SUBMITTED.value,
            submitted_at=submitted_at,
            end_reason=reason.value,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.session.refresh(attempt)
        return attempt
    quiz = attempt.quiz
    rows = db.session.execute(
        select(
            AttemptAnswer.question_id,
            AttemptAnswer.response,
            AttemptAnswer.points,
            Question.type,
            Question.answer,
        )
        .join(Question, Question.id == AttemptAnswer.question_id)
        .where(AttemptAnswer.attempt_id == attempt.id)
    ).all()
    marks = []
    wrong = []
    for row in rows:
        mark = get_type(row.type).grade(row.answer, row.response, row.points, quiz.partial_credit)
        marks.append({"attempt_id": attempt.id, "question_id": row.question_id, "mark": mark})
        if mark is not None and mark < row.points and get_type(row.type).auto_graded:
            wrong.append(row.question_id)
    if marks:
        db.session.execute(update(AttemptAnswer), marks)
    # The wrong-answer book reveals answers: only when the review shows them (review.py).
    book = shows_answers(quiz, now)
    values = score_values(attempt, quiz, [m["mark"] for m in marks])
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id)
        .values(**values, wrong_answers_booked=book)
        .execution_options(synchronize_session=False)
    )
    if wrong and book:
        from quizapp.wrongbook.services import record_wrong_answers

        record_wrong_answers(attempt.member_id, wrong, Origin.ATTEMPT, now)
    db.session.flush()
    db.session.refresh(attempt)
    return attempt


def expire_overdue(now: datetime, limit: int = 500) -> int:
    """Submit attempts whose deadline (and grace) has passed; return how many.

    An attempt holding a question of a type no longer registered can't be graded: it waits
    (its member is told why) rather than failing every run for everyone.
    """
    ungradable = (
        select(AttemptAnswer.attempt_id)
        .join(Question, Question.id == AttemptAnswer.question_id)
        .where(
            AttemptAnswer.attempt_id == Attempt.id,
            Question.type.not_in([t.code for t in all_types()]),
        )
    )
    overdue = list(
        db.session.scalars(
            select(Attempt)
            .where(
                Attempt.status == AttemptStatus.IN_PROGRESS.value,
                Attempt.deadline_at < now - GRACE,
                ~ungradable.exists(),
            )
            .order_by(Attempt.deadline_at)
            .limit(limit)
        )
    )
    for attempt in overdue:
        submit_attempt(attempt, now, reason=deadline_reason(attempt))
    return len(overdue)


def record_leave(attempt: Attempt, now: datetime, seq: int | None = None) -> Attempt:
    """Count one leaving of the page (切屏); submit when the quiz's limit is reached.

    Under LeavePolicy.OFF nothing counts; a leaving the page numbered ``seq`` counts once.
    """
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise AttemptClosed("本次答题已交卷。")
    quiz = attempt.quiz
    if quiz.leave_policy == LeavePolicy.OFF:
        return attempt
    unseen = [] if seq is None else [Attempt.leave_seq < seq]  # a retry (reply lost) is seen
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.IN_PROGRESS.value, *unseen)
        .values(leave_count=Attempt.leave_count + 1, leave_seq=seq or Attempt.leave_seq)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(attempt)
    if (limit := quiz.submit_leave_limit) is not None and attempt.leave_count >= limit:
        submit_attempt(attempt, now, reason=EndReason.LEAVE_LIMIT)
    return attempt


# Reading results


def get_attempt(member: Member, attempt_id: int, now: datetime) -> Attempt:
    """Return the member's own attempt, submitting it first if it is overdue."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.member_id != member.id:
        raise AttemptNotFound()
    if is_overdue(attempt, now):
        submit_attempt(attempt, now, reason=deadline_reason(attempt))
    return attempt


def review_allowed(attempt: Attempt, now: datetime) -> bool:
    """Tell whether the member may see the score and review of a submitted attempt."""
    return attempt.status == AttemptStatus.SUBMITTED and review_open(attempt.quiz, now)


def counted_attempt(attempts: list[Attempt], counting: Counting) -> Attempt | None:
    """Pick the attempt that counts among submitted ones: highest, latest or first."""
    done = [a for a in attempts if a.status == AttemptStatus.SUBMITTED and a.score is not None]
    if not done:
        return None
    if counting == Counting.FIRST:
        return min(done, key=lambda a: a.number)
    if counting == Counting.LATEST:
        return max(done, key=lambda a: a.number)
    return max(done, key=lambda a: (a.score, -a.number))
