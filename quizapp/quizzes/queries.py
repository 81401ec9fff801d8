"""Read-only lookups for the quiz management pages, always within the actor's view.

An organiser manages the quizzes owned within their subtree (:func:`get_quiz`, for the pages
that change one) and reads those too and the published ones of the levels above that reach
into it (:func:`get_viewable_quiz`, :func:`list_quizzes`; the rule: :func:`in_view`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import selectinload

from quizapp import access, db, windows
from quizapp.audiences.queries import with_audience
from quizapp.audiences.services import shared_with
from quizapp.bank.models import Question
from quizapp.members.models import Member
from quizapp.org.models import Branch
from quizapp.pagination import Page, paginate
from quizapp.quizzes.attempt_models import Attempt
from quizapp.quizzes.draw import candidates_query
from quizapp.quizzes.models import DrawRule, Quiz, QuizQuestion, QuizStatus
from quizapp.quizzes.services import can_manage_quiz

#: The list page's state filter: value -> label (see :func:`_in_state` for what each keeps).
STATES = {
    "all": "全部",
    QuizStatus.DRAFT.value: QuizStatus.DRAFT.label,
    **{
        phase: f"{QuizStatus.PUBLISHED.label} · {label}"
        for phase, label in windows.PHASE_LABELS.items()
    },
}


def in_view(actor: access.Actor) -> ColumnElement[bool]:
    """Filter on Quiz: the actor may read it (owned within their scope, or published by a
    level above for an audience reaching into it)."""
    return shared_with(
        actor, Quiz.owner_branch_id, Quiz.audience_id, Quiz.status == QuizStatus.PUBLISHED.value
    )


def _with_paper(query: Select) -> Select:
    return query.options(
        selectinload(Quiz.fixed_questions).joinedload(QuizQuestion.question),
        selectinload(Quiz.draw_rules).joinedload(DrawRule.category),
    )


def get_quiz(actor: Member, quiz_id: int) -> Quiz:
    """Return a quiz whose owner branch the actor manages, or 404 (its paper loaded along)."""
    return db.scalar_or_404(
        _with_paper(select(Quiz).where(Quiz.id == quiz_id)),
        lambda quiz: can_manage_quiz(actor, quiz),
    )


def get_viewable_quiz(actor: Member, quiz_id: int, paper: bool = False) -> Quiz:
    """Return a quiz the actor may read (:func:`in_view`), or 404; ``paper`` loads its paper."""
    query = select(Quiz).where(Quiz.id == quiz_id, in_view(actor))
    return db.scalar_or_404(_with_paper(query) if paper else query)


def _in_state(query: Select, state: str, now: datetime) -> Select:
    if state == "draft":
        return query.where(Quiz.status == QuizStatus.DRAFT.value)
    if state in windows.PHASES:
        return query.where(
            Quiz.status == QuizStatus.PUBLISHED.value,
            windows.phase_filter(Quiz.opens_at, Quiz.closes_at, now, state),
        )
    return query


def list_quizzes(
    actor: Member, *, state: str = "all", now: datetime, page: int = 1, per_page: int = 20
) -> Page:
    """Return a page of the quizzes the actor may read (:func:`in_view`), latest window first."""
    query = (
        select(Quiz)
        .where(in_view(actor))
        .options(selectinload(Quiz.owner_branch), *with_audience(Quiz))
        .order_by(Quiz.opens_at.desc(), Quiz.id.desc())
    )
    return paginate(_in_state(query, state, now), page, per_page)


def count_attempts(quiz_ids: list[int], within: Member | None = None) -> dict[int, int]:
    """Return how many attempts (in progress or submitted) each quiz has, in one query;
    ``within``: only those of members whose current branch that actor manages."""
    if within is None:
        return db.count_by(Attempt.quiz_id, quiz_ids)
    if not quiz_ids:
        return {}
    query = (
        select(Attempt.quiz_id, func.count())
        .join(Member, Member.id == Attempt.member_id)
        .join(Branch, Branch.id == Member.branch_id)
        .where(Attempt.quiz_id.in_(quiz_ids), access.branch_scope(within))
    )
    return dict(db.session.execute(query.group_by(Attempt.quiz_id)).all())


def count_attempts_seen(actor: Member, quizzes: list[Quiz]) -> dict[int, int]:
    """Count each quiz's attempts as the actor may see them: all of those they manage, only
    their own members' of those they read from a level above (two queries at most)."""
    own = {q.id for q in quizzes if can_manage_quiz(actor, q)}
    shared = [q.id for q in quizzes if q.id not in own]
    return count_attempts(sorted(own)) | count_attempts(shared, within=actor)


def list_recent_quizzes(actor: Member, now: datetime, days: int, limit: int) -> list[Quiz]:
    """Return up to ``limit`` published quizzes the actor may read: those open now (closing
    soonest first), then those closed within the last ``days`` (latest first)."""
    query = (
        select(Quiz)
        .where(in_view(actor), Quiz.status == QuizStatus.PUBLISHED.value)
        .options(selectinload(Quiz.owner_branch))
        .limit(limit)
    )
    running = list(
        db.session.scalars(
            query.where(windows.open_filter(Quiz.opens_at, Quiz.closes_at, now)).order_by(
                Quiz.closes_at, Quiz.id
            )
        )
    )
    if len(running) >= limit:
        return running
    closed = db.session.scalars(
        query.where(Quiz.closes_at <= now, Quiz.closes_at > now - timedelta(days=days))
        .order_by(Quiz.closes_at.desc(), Quiz.id.desc())
        .limit(limit - len(running))
    )
    return running + list(closed)


def count_available(rule: DrawRule, exclude: set[int], kind: str) -> int:
    """Return how many active questions ``rule`` could draw from, ``exclude`` left out."""
    return db.session.scalar(
        select(func.count()).select_from(candidates_query(rule, exclude, kind).subquery())
    )


@dataclass
class KeyLookup:
    """Questions found for typed keys, in the order typed, and the keys that failed."""

    questions: list[Question]
    unknown: list[str]
    retired: list[str]


def find_questions_by_key(keys: list[str]) -> KeyLookup:
    """Look up bank questions by 编号 (one query); the bank is bureau-wide."""
    found = (
        {q.key: q for q in db.session.scalars(select(Question).where(Question.key.in_(keys)))}
        if keys
        else {}
    )
    return KeyLookup(
        questions=[found[k] for k in keys if k in found and found[k].is_active],
        unknown=[k for k in keys if k not in found],
        retired=[k for k in keys if k in found and not found[k].is_active],
    )
