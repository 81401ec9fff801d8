"""Categories (专题) and questions of the bank."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from quizapp.bank.types import find_type, type_names
from quizapp.columns import BranchRef, FreeText, IntPK, Timestamp, UpdatedAt, parent_key
from quizapp.db import Base
from quizapp.errors import DomainError

#: The longest 出处 and tags (joined by commas): their columns' widths.
SOURCE_MAX, TAGS_MAX = 200, 200


class Category(Base):
    """A topic of the bank; categories nest (``path`` of ids, like branches)."""

    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("parent_id", "name", name="uq_categories_parent_id_name"),)

    id: Mapped[IntPK]
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    sort_order: Mapped[int] = mapped_column(default=0)
    #: Materialised path of ids, e.g. ``/3/7/``: a category and its descendants share a prefix.
    path: Mapped[str] = mapped_column(String(255), index=True, default="")

    parent: Mapped[Category | None] = relationship(remote_side="Category.id")

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2


class Question(Base):
    """A question: its type decides how options, answer and responses are read and graded."""

    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint("difficulty BETWEEN 1 AND 5", name="difficulty"),
        Index("ix_questions_draw", "is_active", "type", "category_id", "difficulty"),
    )

    id: Mapped[IntPK]
    #: Stable identity across imports: re-importing a key updates the question.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    #: The code of a registered question type (quizapp.bank.types); the database does not
    #: list them, so adding a type needs no migration.
    type: Mapped[str] = mapped_column(String(16))
    stem: Mapped[str] = mapped_column(Text)
    #: Option texts in their authored order (choice types); empty for the others.
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The right answer in the type's own form (see quizapp.bank.types).
    answer: Mapped[Any] = mapped_column(JSON)
    explanation: Mapped[FreeText]
    #: 出处, e.g. 《中国共产党纪律处分条例》第八条.
    source: Mapped[str] = mapped_column(String(SOURCE_MAX), default="")
    difficulty: Mapped[int] = mapped_column(default=2)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    #: Comma-separated tags, e.g. ``处分种类,廉洁纪律``.
    tags: Mapped[str] = mapped_column(String(TAGS_MAX), default="")
    #: The subtree whose organisers may edit the question; every organiser may use it.
    owner_branch_id: Mapped[BranchRef]
    #: Retired questions stay for the attempts that used them but are never drawn again.
    is_active: Mapped[bool] = mapped_column(default=True)
    #: 仅用于考试: never offered in practice, daily questions or the wrong-answer book. Set by
    #: an organiser, or automatically while an exam or competition uses the question.
    exam_only: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: 暂停抽题: set while the question has as many open error reports (题目有误) as the
    #: setting asks (quizapp.reports); quiz draws skip it until the reports are closed.
    suspended_at: Mapped[datetime | None]
    #: Hash of the normalised stem and answer, to spot the same question under another key.
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[Timestamp]
    updated_at: Mapped[UpdatedAt]

    category: Mapped[Category | None] = relationship()

    @validates("type")
    def _check_type(self, _key: str, code: str) -> str:
        """Refuse a type the registry does not know (the invariant the database can't hold)."""
        if find_type(code) is None:
            raise DomainError(f"未知题型「{code}」（应为 {type_names()}）。")
        return code

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]


class ReservedQuestion(Base):
    """A question an exam or competition uses (a fixed question, or drawn onto a paper):
    kept out of practice, daily questions and the wrong-answer book (仅用于考试) until an
    organiser releases the quiz's questions after it closes."""

    __tablename__ = "reserved_questions"

    quiz_id: Mapped[int] = parent_key("quizzes")
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id"), primary_key=True, index=True
    )
