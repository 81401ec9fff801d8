"""What a member may see of a submitted attempt, which questions' answers nothing keeps from
a member (``not_withheld``: practice; ``answer_shown``, adding what their reviews show: error
reports' notes), and when an attempt's wrong answers reach the wrong-answer book (错题本).

The wrong-answer book shows a question's stem and options and, when practised, its answer.
So an attempt's wrong answers go into it only once the quiz's review shows the answers
(``review_when`` has come and ``review_show_answers`` is on): at the submit when the review
is immediate, otherwise when the review opens (the scheduler's ``book_wrong_answers``),
and never when the quiz shows no answers.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select, union, update

from quizapp import db
from quizapp.bank.models import Question, ReservedQuestion
from quizapp.bank.queries import not_reserved
from quizapp.bank.types import marked_type_codes
from quizapp.deferrals.queries import withheld_from_practice
from quizapp.members.models import Member
from quizapp.quizzes.attempt_models import Attempt, AttemptAnswer, AttemptStatus
from quizapp.quizzes.models import Quiz, ReviewWhen
from quizapp.wrongbook.models import Origin


def review_open(quiz: Quiz, now: datetime) -> bool:
    """Tell whether the quiz's review policy lets members see their submitted attempts."""
    when = ReviewWhen(quiz.review_when)
    if when == ReviewWhen.IMMEDIATELY:
        return True
    if when == ReviewWhen.AFTER_CLOSE:
        return now >= quiz.closes_at
    return False


def shows_answers(quiz: Quiz, now: datetime) -> bool:
    """Tell whether members may see the right answers of the quiz's questions now."""
    return quiz.review_show_answers and review_open(quiz, now)


def running_paper_ids(member_id: int) -> Select:
    """Return the ids of the questions on the papers of the member's attempts in progress."""
    return (
        select(AttemptAnswer.question_id)
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .where(Attempt.member_id == member_id, Attempt.status == AttemptStatus.IN_PROGRESS.value)
    )


def not_withheld(member: Member) -> ColumnElement[bool]:
    """SQL condition on Question: nothing keeps its answer from ``member`` now.

    No exam or competition uses it and it is not marked exam-only (``not_reserved``), it is
    not on the paper of an attempt the member has in progress, and no 缓考 of theirs not yet
    sat withholds it. Practice offers only such questions; an organiser's note on a report
    of the question (which may name the key) is shown only then. Subqueries only.
    """
    return and_(
        not_reserved(),
        Question.id.not_in(running_paper_ids(member.id)),
        Question.id.not_in(withheld_from_practice(member)),
    )


def withheld_question_ids(attempt: Attempt) -> set[int]:
    """Return the questions of a submitted attempt whose answers its review must not show:
    those another exam or competition keeps secret now, those on the paper of another
    attempt the member has in progress, and those a 缓考 of theirs not yet sat withholds
    (as :func:`not_withheld` does, but for the attempt's own quiz's reservation)."""
    ids = [answer.question_id for answer in attempt.answers]
    if not ids:
        return set()
    reserved = select(ReservedQuestion.question_id).where(
        ReservedQuestion.question_id.in_(ids), ReservedQuestion.quiz_id != attempt.quiz_id
    )
    running = running_paper_ids(attempt.member_id).where(
        Attempt.id != attempt.id, AttemptAnswer.question_id.in_(ids)
    )
    deferred = select(Question.id).where(
        Question.id.in_(ids), Question.id.in_(withheld_from_practice(attempt.member))
    )
    return set(db.session.scalars(union(reserved, running, deferred)))


def _review_opened(now: datetime):
    """SQL condition on Quiz: :func:`review_open` at ``now``."""
    return or_(
        Quiz.review_when == ReviewWhen.IMMEDIATELY.value,
        and_(Quiz.review_when == ReviewWhen.AFTER_CLOSE.value, Quiz.closes_at <= now),
    )


def _answers_shown(now: datetime):
    """SQL condition on Quiz: :func:`shows_answers` at ``now``."""
    return and_(Quiz.review_show_answers.is_(True), _review_opened(now))


def on_reviewed_attempt(member: Member, now: datetime, answers: bool = False):
    """SQL condition on Question: on a submitted attempt of ``member`` whose review is open
    now; with ``answers``, one whose review shows the question's answer now (the quiz shows
    answers and :func:`withheld_question_ids` keeps nothing: no other quiz reserves it, no
    running paper and no 缓考 not yet sat has it)."""
    submitted = (
        AttemptAnswer.question_id == Question.id,
        Attempt.id == AttemptAnswer.attempt_id,
        Quiz.id == Attempt.quiz_id,
        Attempt.member_id == member.id,
        Attempt.status == AttemptStatus.SUBMITTED.value,
    )
    if not answers:
        return exists().where(*submitted, _review_opened(now))
    # The attempt's own quiz's reservation is no secret from its review.
    elsewhere = exists().where(
        ReservedQuestion.question_id == Question.id, ReservedQuestion.quiz_id != Attempt.quiz_id
    )
    return and_(
        exists().where(*submitted, _answers_shown(now), ~elsewhere),
        Question.id.not_in(running_paper_ids(member.id)),
        Question.id.not_in(withheld_from_practice(member)),
    )


def answer_shown(member: Member, now: datetime) -> ColumnElement[bool]:
    """SQL condition on Question: ``member`` may see its answer now, in practice
    (:func:`not_withheld`) or in the review of a submitted attempt of theirs."""
    return or_(not_withheld(member), on_reviewed_attempt(member, now, answers=True))


def book_wrong_answers(now: datetime, limit: int = 500) -> int:
    """Put the wrong answers of submitted attempts whose review now shows the answers into
    their members' wrong-answer books; return how many attempts were booked (idempotent)."""
    from quizapp.wrongbook.services import record_wrong_answers

    attempts = db.session.execute(
        select(Attempt.id, Attempt.member_id)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(
            Attempt.status == AttemptStatus.SUBMITTED.value,
            Attempt.wrong_answers_booked.is_(False),
            _answers_shown(now),
        )
        .order_by(Attempt.id)
        .limit(limit)
    ).all()
    for attempt_id, member_id in attempts:
        wrong = list(
            db.session.scalars(
                select(AttemptAnswer.question_id).where(
                    AttemptAnswer.attempt_id == attempt_id,
                    AttemptAnswer.mark < AttemptAnswer.points,
                    # Written answers (简答) are marked by a person, never practised.
                    AttemptAnswer.question_id.not_in(
                        select(Question.id).where(Question.type.in_(marked_type_codes()))
                    ),
                )
            )
        )
        record_wrong_answers(member_id, wrong, Origin.ATTEMPT, now)
    if attempts:
        db.session.execute(
            update(Attempt)
            .where(Attempt.id.in_([a.id for a in attempts]))
            .values(wrong_answers_booked=True)
            .execution_options(synchronize_session=False)
        )
    return len(attempts)
