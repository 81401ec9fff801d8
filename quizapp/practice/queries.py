"""Read-only lookups for practice, daily questions and the wrong-answer book (own data only)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import aliased, joinedload

from quizapp import db
from quizapp.attempts.review import not_withheld
from quizapp.bank.models import Category, Question
from quizapp.bank.types import marked_type_codes
from quizapp.members.models import Member
from quizapp.org.models import Branch
from quizapp.pagination import Page, paginate
from quizapp.practice.models import DailyQuestion
from quizapp.wrongbook.models import WrongAnswer


def practisable(member: Member) -> ColumnElement[bool]:
    """SQL condition on Question: ``member`` may practise it now and so see its answer.

    The question is active; it belongs to the bureau's bank or to the bank of a node above
    (or at) the member's branch, never another unit's; and nothing keeps its answer from the
    member (``attempts.review.not_withheld``: no exam or competition uses it, it is not
    exam-only, not on the paper of an attempt they have in progress, not withheld by a 缓考
    of theirs not yet sat). Subqueries only: no statement of its own.
    """
    mine, owner = aliased(Branch), aliased(Branch)
    own_banks = (
        select(owner.id)
        .join(mine, mine.path.startswith(owner.path))
        .where(mine.id == member.branch_id)
    )
    return and_(
        Question.is_active.is_(True),
        Question.type.not_in(marked_type_codes()),  # 简答: a person marks it, never practice
        Question.owner_branch_id.in_(own_banks),
        # Not used by an exam, not on a running paper, not withheld by a 缓考 not yet sat.
        not_withheld(member),
    )


def get_practisable_question(member: Member, question_id: int) -> Question | None:
    """Return the question if ``member`` may practise it now, else None (as if missing)."""
    return db.session.scalar(
        select(Question).where(Question.id == question_id, practisable(member))
    )


def hidden_question_ids(member: Member, question_ids: Collection[int]) -> set[int]:
    """Return those of ``question_ids`` whose answers ``member`` may not see now."""
    if not question_ids:
        return set()
    allowed = set(
        db.session.scalars(
            select(Question.id).where(Question.id.in_(list(question_ids)), practisable(member))
        )
    )
    return set(question_ids) - allowed


@dataclass
class CategoryRow:
    """A category in tree order with its active questions, its subcategories' included."""

    category: Category
    depth: int
    count: int


def list_practice_categories(member: Member) -> list[CategoryRow]:
    """Return the categories with questions ``member`` may practise, in tree order, counted."""
    direct = dict(
        db.session.execute(
            select(Question.category_id, func.count())
            .where(practisable(member), Question.category_id.is_not(None))
            .group_by(Question.category_id)
        ).all()
    )
    categories = list(db.session.scalars(select(Category)))
    totals: dict[int, int] = defaultdict(int)
    for category in categories:
        for ancestor_id in filter(None, category.path.split("/")):
            totals[int(ancestor_id)] += direct.get(category.id, 0)
    children: dict[int | None, list[Category]] = defaultdict(list)
    for category in categories:
        children[category.parent_id].append(category)
    rows: list[CategoryRow] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for category in sorted(children[parent_id], key=lambda c: (c.sort_order, c.name)):
            if totals[category.id]:
                rows.append(CategoryRow(category, depth, totals[category.id]))
                walk(category.id, depth + 1)

    walk(None, 0)
    return rows


def get_category(category_id: int) -> Category:
    """Return a category, or 404."""
    return db.get_or_404(Category, category_id)


def count_category_questions(member: Member, category: Category) -> int:
    """Count the questions ``member`` may practise in ``category`` and its subcategories."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Question)
            .join(Category, Category.id == Question.category_id)
            .where(practisable(member), Category.path.startswith(category.path))
        )
        or 0
    )


def _pick(query: Select, recent: Collection[int]) -> Question | None:
    """Pick one row of ``query`` at random, avoiding ``recent`` while anything else is left."""
    query = query.order_by(func.random()).limit(1)
    if recent:
        found = db.session.scalar(query.where(Question.id.not_in(list(recent))))
        if found is not None:
            return found
    return db.session.scalar(query)


def pick_practice_question(
    member: Member, category: Category, recent: Collection[int] = ()
) -> Question | None:
    """Pick a question ``member`` may practise in ``category`` (subcategories included)."""
    return _pick(
        select(Question)
        .join(Category, Category.id == Question.category_id)
        .where(practisable(member), Category.path.startswith(category.path)),
        recent,
    )


def _open(member: Member) -> ColumnElement[bool]:
    # Entries of questions the member may not practise now (an exam uses them) wait unseen.
    return and_(
        WrongAnswer.member_id == member.id, WrongAnswer.resolved_at.is_(None), practisable(member)
    )


def count_open_wrong_answers(member: Member) -> int:
    """Count the member's open entries in the wrong-answer book."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(WrongAnswer)
            .join(Question, Question.id == WrongAnswer.question_id)
            .where(_open(member))
        )
        or 0
    )


def list_open_wrong_answers(member: Member, page: int = 1, per_page: int = 20) -> Page:
    """Return a page of the member's open entries, the most recently got wrong first."""
    return paginate(
        select(WrongAnswer)
        .join(Question, Question.id == WrongAnswer.question_id)
        .where(_open(member))
        .options(joinedload(WrongAnswer.question))
        .order_by(WrongAnswer.last_wrong_at.desc(), WrongAnswer.question_id.desc()),
        page,
        per_page,
    )


def pick_wrong_question(member: Member, recent: Collection[int] = ()) -> Question | None:
    """Pick one of the member's open entries at random and return its question."""
    return _pick(
        select(Question)
        .join(WrongAnswer, WrongAnswer.question_id == Question.id)
        .where(_open(member)),
        recent,
    )


def get_wrong_answer(member_id: int, question_id: int) -> WrongAnswer | None:
    """Return the member's entry for a question, open or resolved."""
    return db.session.get(WrongAnswer, (member_id, question_id))


def list_daily_questions(member_id: int, day: date) -> list[DailyQuestion]:
    """Return the member's daily questions of ``day`` (China day) in order."""
    return list(
        db.session.scalars(
            select(DailyQuestion)
            .where(DailyQuestion.member_id == member_id, DailyQuestion.day == day)
            .options(joinedload(DailyQuestion.question))
            .order_by(DailyQuestion.position)
        )
    )


@dataclass
class DailyProgress:
    """How far the member got with a day's questions."""

    total: int
    answered: int
    correct: int

    @property
    def is_done(self) -> bool:
        return self.total > 0 and self.answered == self.total


def daily_progress(rows: list[DailyQuestion]) -> DailyProgress:
    """Summarise a day's questions already loaded: how many, answered, right."""
    return DailyProgress(
        total=len(rows),
        answered=sum(1 for r in rows if r.answered_at is not None),
        correct=sum(1 for r in rows if r.is_correct),
    )


def get_daily_progress(member_id: int, day: date) -> DailyProgress:
    """Summarise the member's daily questions of ``day`` in one query (0 total: not drawn)."""
    total, answered, correct = db.session.execute(
        select(
            func.count(),
            func.count(DailyQuestion.answered_at),
            func.coalesce(func.sum(case((DailyQuestion.is_correct.is_(True), 1), else_=0)), 0),
        ).where(DailyQuestion.member_id == member_id, DailyQuestion.day == day)
    ).one()
    return DailyProgress(total=total, answered=answered, correct=int(correct))
