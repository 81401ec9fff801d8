"""What a marker sees: the quizzes they may mark, each quiz's queue per question, the answers
waiting, and the members they may name as markers. Read only.

Who may mark a quiz (:func:`can_mark`): the organisers who manage it (its owner's subtree, so
the owner and the levels above) and the members its owner named (``QuizMarker``), a named
marker only once they have nothing left to sit of the quiz (the marking pages show its
reference answers and others' papers). Everyone else gets 404, as if the quiz did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, case, func, literal, or_, select

from quizapp import access, db, windows
from quizapp.audiences.services import is_in_audience
from quizapp.bank.models import Question
from quizapp.bank.types import marked_type_codes
from quizapp.clock import utcnow
from quizapp.deferrals.models import ExceptionKind, ExceptionStatus, QuizException
from quizapp.deferrals.terms import terms_for
from quizapp.marking.models import QuizMarker
from quizapp.members import queries as member_queries
from quizapp.members.models import Member
from quizapp.org.models import Branch
from quizapp.quizzes.attempt_models import Attempt, AttemptAnswer, AttemptStatus
from quizapp.quizzes.models import Quiz
from quizapp.quizzes.services import can_manage_quiz


def is_marker(member: Member, quiz: Quiz) -> bool:
    """Tell whether the quiz's owner named ``member`` a marker."""
    return db.session.get(QuizMarker, (quiz.id, member.id)) is not None


def still_to_sit(member: Member, quiz: Quiz, now: datetime) -> bool:
    """Tell whether ``member`` may yet write (or is writing) a paper of ``quiz``: an attempt in
    progress, a start still allowed now or later (their own window, 补考), or a 缓考 request
    pending."""
    if not quiz.is_published or not is_in_audience(member, quiz.audience_id):
        return False
    statuses = list(
        db.session.scalars(
            select(Attempt.status).where(Attempt.quiz_id == quiz.id, Attempt.member_id == member.id)
        )
    )
    if AttemptStatus.IN_PROGRESS.value in statuses:
        return True
    terms = terms_for(quiz, member.id)
    if terms.phase(now) != windows.CLOSED and len(statuses) < terms.attempts_allowed:
        return True
    pending = select(QuizException.id).where(
        QuizException.quiz_id == quiz.id,
        QuizException.member_id == member.id,
        QuizException.kind == ExceptionKind.DEFERRAL.value,
        QuizException.status == ExceptionStatus.PENDING.value,
    )
    return db.session.scalar(pending.limit(1)) is not None


def can_mark(actor: Member, quiz: Quiz, now: datetime | None = None) -> bool:
    """Tell whether ``actor`` may mark ``quiz``'s written answers (the one rule for it): its
    organisers, and the markers it names once they have nothing of it left to sit."""
    if not actor.is_active:
        return False
    if can_manage_quiz(actor, quiz):
        return True
    return is_marker(actor, quiz) and not still_to_sit(actor, quiz, now or utcnow())


def get_markable_quiz(actor: Member, quiz_id: int) -> Quiz:
    """Return a quiz ``actor`` may mark, or 404."""
    return db.get_or_404(Quiz, quiz_id, lambda quiz: can_mark(actor, quiz))


def _written() -> Select:
    """The answers a person marks, on a 简答-type question: waiting for a mark, or marked by
    someone (nothing written was graded 0 at submit, by nobody: not theirs to mark)."""
    return (
        select(AttemptAnswer)
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .join(Question, Question.id == AttemptAnswer.question_id)
        .where(
            Question.type.in_(marked_type_codes()),
            Attempt.status != AttemptStatus.IN_PROGRESS.value,  # never a paper being written
            or_(AttemptAnswer.mark.is_(None), AttemptAnswer.marked_by_id.is_not(None)),
        )
    )


def _unmarked():
    return and_(Attempt.status == AttemptStatus.MARKING.value, AttemptAnswer.mark.is_(None))


def _managed_quizzes(actor: Member):
    """SQL condition on Quiz: ``actor`` manages its owner (None for a plain member)."""
    if access.managed_root(actor) is None:
        return None
    return access.owned_within(actor, Quiz.owner_branch_id)


def count_waiting(actor: Member) -> list[tuple[Quiz, int]]:
    """Return the quizzes ``actor`` may mark that have unmarked answers, with how many; the
    actor's own paper (which they may not mark) is not counted."""
    if not actor.is_active:
        return []
    managed = _managed_quizzes(actor)
    named = Quiz.id.in_(select(QuizMarker.quiz_id).where(QuizMarker.member_id == actor.id))
    rows = db.session.execute(
        select(
            Quiz,
            func.count(),
            func.max(case((managed, 1), else_=0)) if managed is not None else literal(0),
        )
        .select_from(AttemptAnswer)
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(
            _unmarked(),
            or_(managed, named) if managed is not None else named,
            Attempt.member_id != actor.id,
        )
        .group_by(Quiz.id)
        .order_by(Quiz.closes_at)
    ).all()
    # A quiz the actor was only named to mark waits until they have nothing of it to sit.
    now = utcnow()
    return [
        (quiz, count)
        for quiz, count, manages in rows
        if manages or not still_to_sit(actor, quiz, now)
    ]


@dataclass(frozen=True)
class QueueLine:
    """One 简答 question of a quiz: how many of its written answers wait, how many are marked."""

    question: Question
    waiting: int
    marked: int


def list_queue(quiz: Quiz, marker_id: int | None = None) -> list[QueueLine]:
    """Return the quiz's 简答 questions that have written answers, waiting ones first; the
    paper of ``marker_id`` (which they may not mark) does not count as waiting."""
    mine = Attempt.member_id == marker_id
    waiting = func.sum(case((and_(_unmarked(), ~mine), 1), else_=0))
    rows = db.session.execute(
        _written()
        .with_only_columns(Question, waiting, func.count())
        .where(Attempt.quiz_id == quiz.id)
        .group_by(Question.id)
    ).all()
    lines = [QueueLine(q, int(w or 0), int(total) - int(w or 0)) for q, w, total in rows]
    return sorted(lines, key=lambda line: (-line.waiting, line.question.id))


def list_answers(
    quiz: Quiz, question_id: int, *, waiting: bool, marker_id: int | None = None
) -> list[AttemptAnswer]:
    """Return the written answers to one question of the quiz: those waiting, oldest paper
    first (not ``marker_id``'s own), or those marked, latest mark first."""
    query = _written().where(Attempt.quiz_id == quiz.id, AttemptAnswer.question_id == question_id)
    if waiting:
        query = query.where(_unmarked(), Attempt.member_id != marker_id)
        query = query.order_by(Attempt.submitted_at, Attempt.id)
    else:
        query = query.where(AttemptAnswer.mark.is_not(None)).order_by(
            AttemptAnswer.marked_at.desc(), Attempt.id
        )
    return list(db.session.scalars(query))


def get_answer(quiz: Quiz, attempt_id: int, question_id: int) -> AttemptAnswer:
    """Return one written answer of the quiz, or 404."""
    return db.scalar_or_404(
        _written().where(
            Attempt.quiz_id == quiz.id,
            AttemptAnswer.attempt_id == attempt_id,
            AttemptAnswer.question_id == question_id,
        )
    )


def list_markers(quiz: Quiz) -> list[QuizMarker]:
    """Return the quiz's named markers, by name."""
    return list(
        db.session.scalars(
            select(QuizMarker)
            .join(Member, Member.id == QuizMarker.member_id)
            .where(QuizMarker.quiz_id == quiz.id)
            .order_by(Member.name, Member.id)
        )
    )


def find_candidate(actor: Member, quiz: Quiz, text: str) -> list[Member]:
    """Find members ``actor`` may name markers of ``quiz``: in the actor's subtree and in the
    quiz owner's (``text``: a name, 警号 or phone)."""
    condition = member_queries.matching(text)
    if condition is None:
        return []
    owner_path = quiz.owner_branch.path
    return list(
        db.session.scalars(
            member_queries.in_scope(actor)
            .where(condition, Member.is_active.is_(True), Branch.path.startswith(owner_path))
            .order_by(Member.name, Member.id)
            .limit(20)
        )
    )
