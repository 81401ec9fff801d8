"""Read-only lookups on the question bank.

The bank is bureau-wide: every organiser sees and may use every question, so these queries
are not narrowed by the actor's branch scope; who may *change* a question is decided by
:func:`quizapp.bank.services.can_edit_question`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, exists, or_, select

from quizapp import access, db
from quizapp.bank import services
from quizapp.bank.models import Category, Question, ReservedQuestion
from quizapp.members.models import Member
from quizapp.org.models import Branch
from quizapp.pagination import Page, paginate


@dataclass(frozen=True)
class QuestionFilters:
    """What the list page (and the export of it) narrows the bank to."""

    search: str = ""
    #: A registered type's code (quizapp.bank.types), or None for every type.
    type: str | None = None
    #: This category and every category under it.
    category: Category | None = None
    difficulty: int | None = None
    #: True: 在用; False: 已停用; None: both.
    active: bool | None = True


@dataclass(frozen=True)
class CategoryItem:
    """A category placed in the tree: ``path`` is "党内法规/纪律处分条例"."""

    category: Category
    path: str
    depth: int

    @property
    def id(self) -> int:
        return self.category.id

    @property
    def label(self) -> str:
        """The name indented by depth (U+3000, which a <select> keeps)."""
        return "\u3000" * self.depth + self.category.name


def get_question(question_id: int) -> Question:
    """Return a question of the bank, or 404."""
    return db.get_or_404(Question, question_id)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def filter_questions(filters: QuestionFilters) -> Select:
    """Return the query of the questions matching ``filters``, oldest first."""
    query = select(Question).order_by(Question.id)
    search = filters.search.strip()
    if search:
        like = _like(search)
        query = query.where(
            or_(
                *(
                    column.ilike(like, escape="\\")
                    for column in (Question.stem, Question.key, Question.source, Question.tags)
                )
            )
        )
    if filters.type is not None:
        query = query.where(Question.type == filters.type)
    if filters.category is not None:
        query = query.where(
            Question.category_id.in_(
                select(Category.id).where(Category.path.startswith(filters.category.path))
            )
        )
    if filters.difficulty is not None:
        query = query.where(Question.difficulty == filters.difficulty)
    if filters.active is not None:
        query = query.where(Question.is_active.is_(filters.active))
    return query


def list_questions(filters: QuestionFilters, *, page: int = 1, per_page: int = 30) -> Page:
    """Return a page of the matching questions, newest first."""
    query = filter_questions(filters).order_by(None).order_by(Question.id.desc())
    return paginate(query, page, per_page)


def list_matching_questions(filters: QuestionFilters) -> list[Question]:
    """Return every matching question in the order they were added (for exports)."""
    return list(db.session.scalars(filter_questions(filters)))


def list_categories() -> list[CategoryItem]:
    """Return every category depth-first, siblings by sort order then age (one query)."""
    categories = list(db.session.scalars(select(Category)))
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    items: list[CategoryItem] = []

    def visit(parent_id: int | None, prefix: str, depth: int) -> None:
        for category in sorted(children.get(parent_id, []), key=lambda c: (c.sort_order, c.id)):
            path = f"{prefix}{category.name}"
            items.append(CategoryItem(category, path, depth))
            visit(category.id, f"{path}/", depth + 1)

    visit(None, "", 0)
    return items


def list_editable_ids(actor: Member, questions: list[Question]) -> set[int]:
    """Return the ids of ``questions`` the actor may edit, loading their owners in one query."""
    # The identity map holds objects weakly: keep the owners referenced while asking, so
    # can_edit_question finds them there instead of querying once per question.
    owners = list(
        db.session.scalars(
            select(Branch).where(Branch.id.in_({q.owner_branch_id for q in questions}))
        )
    )
    editable = {q.id for q in questions if services.can_edit_question(actor, q)}
    del owners
    return editable


def owner_label(actor: Member, question: Question) -> str:
    """Name the branch that maintains ``question``, if ``actor`` may know it.

    Organisers see the names of the branches they manage and of those above them; a
    question kept by another subtree shows as 其他单位, as the rest of the management pages
    never name branches outside the actor's scope.
    """
    owner = db.session.get(Branch, question.owner_branch_id)
    root = access.managed_root(actor)
    if owner is None or root is None:
        return "其他单位"
    if owner.contains(root) or root.contains(owner):
        return owner.name
    return "其他单位"


def not_reserved() -> ColumnElement[bool]:
    """SQL condition on Question: neither marked exam-only nor used by an exam or
    competition (quizapp.quizzes.reservations): it may be practised."""
    return Question.exam_only.is_(False) & ~exists().where(
        ReservedQuestion.question_id == Question.id
    )


def count_reservations(question_ids: list[int]) -> dict[int, int]:
    """Return, per question id, how many exams and competitions keep it out of practice."""
    return db.count_by(ReservedQuestion.question_id, question_ids)
