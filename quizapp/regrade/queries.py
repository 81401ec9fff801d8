"""What the regrade pages read: the quizzes that used a question, past regrades."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from quizapp import db
from quizapp.bank.services import can_edit_question
from quizapp.members.models import Member
from quizapp.quizzes.attempt_models import Attempt, AttemptAnswer, AttemptStatus
from quizapp.quizzes.models import Quiz
from quizapp.regrade.models import Regrade, RegradeChange
from quizapp.regrade.services import quiz_scope


@dataclass(frozen=True)
class QuizUse:
    """A quiz whose papers had the question, with its attempts handed in and in progress."""

    quiz: Quiz
    submitted: int
    in_progress: int


def list_quizzes_using(actor: Member, question_id: int) -> list[QuizUse]:
    """Return the quizzes the actor manages whose papers had the question, newest first."""
    running = func.sum(case((Attempt.status == AttemptStatus.IN_PROGRESS.value, 1), else_=0))
    rows = db.session.execute(
        select(Quiz, func.count() - running, running)
        .join(Attempt, Attempt.quiz_id == Quiz.id)
        .join(AttemptAnswer, AttemptAnswer.attempt_id == Attempt.id)
        .where(AttemptAnswer.question_id == question_id, quiz_scope(actor))
        .group_by(Quiz.id)
        .order_by(Quiz.opens_at.desc(), Quiz.id)
    ).all()
    return [QuizUse(quiz, int(done or 0), int(running or 0)) for quiz, done, running in rows]


def count_other_quizzes(actor: Member, question_id: int) -> int:
    """Count the quizzes outside the actor's scope whose papers had the question."""
    return db.session.scalar(
        select(func.count(func.distinct(Attempt.quiz_id)))
        .join(AttemptAnswer, AttemptAnswer.attempt_id == Attempt.id)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(AttemptAnswer.question_id == question_id, ~quiz_scope(actor))
    )


def list_regrades(question_id: int) -> list[Regrade]:
    """Return the question's regrades, newest first."""
    return list(
        db.session.scalars(
            select(Regrade)
            .where(Regrade.question_id == question_id)
            .options(joinedload(Regrade.created_by))
            .order_by(Regrade.created_at.desc(), Regrade.id.desc())
        )
    )


def get_regrade(actor: Member, regrade_id: int) -> Regrade:
    """Return a regrade of a question the actor may correct; else 404."""
    return db.get_or_404(Regrade, regrade_id, lambda r: can_edit_question(actor, r.question))


def list_changes(regrade: Regrade) -> list[RegradeChange]:
    """Return a regrade's changes with their attempts, members and quizzes (one query)."""
    return list(
        db.session.scalars(
            select(RegradeChange)
            .where(RegradeChange.regrade_id == regrade.id)
            .options(
                joinedload(RegradeChange.attempt).joinedload(Attempt.member),
                joinedload(RegradeChange.attempt).joinedload(Attempt.quiz),
            )
            .order_by(RegradeChange.attempt_id)
        )
    )
