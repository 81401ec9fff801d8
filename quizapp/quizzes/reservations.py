"""Questions an exam or competition uses are kept out of practice (仅用于考试).

A question is reserved by an exam or competition (``RESERVING_KINDS``) from the moment it
is on one of its papers: its fixed questions when it is published, and every question
drawn onto a paper (ahead by the scheduler, or at a start). Practice, daily questions and
the wrong-answer book never offer a reserved question, nor one an organiser marked
``Question.exam_only``; an organiser releases a quiz's questions to practice after it
closes. Tests (测试) reserve nothing: they are practice with a score.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, select

from quizapp import access, db
from quizapp.bank.models import ReservedQuestion
from quizapp.errors import DomainError
from quizapp.members.models import Member
from quizapp.quizzes.models import Quiz, QuizQuestion

_reserved = ReservedQuestion.__table__


def reserve(quiz: Quiz, question_ids: Iterable[int]) -> None:
    """Reserve the questions for ``quiz`` if it is an exam or competition (idempotent)."""
    if not quiz.reserves_questions:
        return
    rows = [{"quiz_id": quiz.id, "question_id": q} for q in sorted(set(question_ids))]
    if rows:
        # Two starts drawing at once may reserve the same question: neither fails.
        db.session.execute(db.insert_ignoring_duplicates(_reserved), rows)


def reserve_fixed(quiz: Quiz) -> None:
    """Reserve the questions every paper of ``quiz`` contains (at publishing)."""
    reserve(
        quiz,
        db.session.scalars(select(QuizQuestion.question_id).where(QuizQuestion.quiz_id == quiz.id)),
    )


def unreserve(quiz: Quiz) -> int:
    """Drop every reservation of ``quiz`` (taken back to draft, or released); count them."""
    return db.session.execute(
        delete(ReservedQuestion)
        .where(ReservedQuestion.quiz_id == quiz.id)
        .execution_options(synchronize_session=False)
    ).rowcount


def release_to_practice(actor: Member, quiz: Quiz, now: datetime) -> int:
    """Open the questions of a closed exam or competition to practice; return how many.

    Questions another exam still uses stay reserved by that one.
    """
    if not access.can_manage_branch(actor, quiz.owner_branch):
        raise DomainError("您无权管理该测试。")
    if quiz.practice_released_at is not None:
        raise DomainError("本场题目已经开放练习。")
    if not quiz.reserves_questions or not quiz.is_published:
        raise DomainError("只有已发布的考试和知识竞赛需要开放练习。")
    if now < quiz.closes_at:
        raise DomainError("考试结束后才能开放题目用于练习。")
    count = unreserve(quiz)
    quiz.practice_released_at = now
    db.session.flush()
    return count


def count_reserved(quiz: Quiz) -> int:
    """Count the questions ``quiz`` keeps out of practice."""
    return db.session.scalar(select(func.count()).where(ReservedQuestion.quiz_id == quiz.id)) or 0
