"""Read-only lookups for the quiz management pages, always within the actor's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from quizapp import access, db, windows
from quizapp.audiences.queries import with_audience
from quizapp.bank.models import Question
from quizapp.members.models import Member
from quizapp.pagination import Page, paginate
from quizapp.quizzes.attempt_models import Attempt
from quizapp.quizzes.draw import candidates_query
from quizapp.quizzes.models import DrawRule, Quiz, QuizQuestion, QuizStatus
from quizapp.quizzes.services import can_manage_quiz

#: The list page's state filter: value -> label (see :func:`_in_state` for what each keeps).
STATES = {
    "all": "全部",
    "draft": "草稿",
    "upcoming": "已发布 · 未开始",
    "open": "已发布 · 进行中",
    "closed": "已发布 · 已结束",
}


def get_quiz(actor: Member, quiz_id: int) -> Quiz:
    """Return a quiz whose owner branch the actor manages, or 404 (its paper loaded along)."""
    quiz = db.session.scalar(
        select(Quiz)
        .where(Quiz.id == quiz_id)
        .options(
            selectinload(Quiz.fixed_questions).joinedload(QuizQuestion.question),
            selectinload(Quiz.draw_rules).joinedload(DrawRule.category),
        )
    )
    if quiz is None or not can_manage_quiz(actor, quiz):
        abort(404)
    return quiz


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
    """Return a page of the quizzes owned within the actor's subtree, latest window first."""
    query = (
        access.owned_in_scope(Quiz, actor)
        .options(*with_audience(Quiz))
        .order_by(Quiz.opens_at.desc(), Quiz.id.desc())
    )
    return paginate(_in_state(query, state, now), page, per_page)


def count_attempts(quiz_ids: list[int]) -> dict[int, int]:
    """Return how many attempts (in progress or submitted) each quiz has, in one query."""
    return db.count_by(Attempt.quiz_id, quiz_ids)


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
