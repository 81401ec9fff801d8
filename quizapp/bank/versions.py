"""Versions of a question (修改记录): who changed its stem, options, answer or explanation,
when, and what it said before and after.

The history starts with the first change: that change writes the question as it stood
before (version 1, author unknown when it was never recorded) and as it stands now. A
question never changed has no versions; its key is "version 0". Regrading
(quizapp.regrade) records the version whose key it graded with.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp import db
from quizapp.bank.models import Question
from quizapp.columns import FreeText, IntPK, MemberRef
from quizapp.db import Base
from quizapp.members.models import Member

#: What a version keeps: the parts of a question that decide what members read and how
#: they are graded.
CONTENT = ("type", "stem", "options", "answer", "explanation")


class QuestionVersion(Base):
    """One state of a question's content, numbered from 1 per question."""

    __tablename__ = "question_versions"
    __table_args__ = (
        UniqueConstraint("question_id", "number", name="uq_question_versions_question_id_number"),
    )

    id: Mapped[IntPK]
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    number: Mapped[int]
    type: Mapped[str] = mapped_column(String(16))
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer: Mapped[Any] = mapped_column(JSON)
    explanation: Mapped[FreeText]
    #: Who saved this state (None: before the history began, or an import without a person).
    changed_by_id: Mapped[MemberRef | None]
    created_at: Mapped[datetime]

    changed_by: Mapped[Member | None] = relationship()


def content_of(question: Question) -> dict[str, Any]:
    """Return the versioned parts of ``question`` as they are now."""
    return {name: getattr(question, name) for name in CONTENT}


def record_change(
    question: Question, before: dict[str, Any], changed_by_id: int | None, now: datetime
) -> int | None:
    """Keep a version when ``question``'s content differs from ``before``; return its number.

    The first change also keeps ``before`` as version 1. Flush only.
    """
    after = content_of(question)
    if after == before:
        return None
    latest = current_number(question.id)
    rows = []
    if latest == 0:
        latest = 1
        rows.append(
            before | {"number": 1, "changed_by_id": None, "created_at": question.created_at or now}
        )
    rows.append(after | {"number": latest + 1, "changed_by_id": changed_by_id, "created_at": now})
    db.session.execute(
        insert(QuestionVersion), [row | {"question_id": question.id} for row in rows]
    )
    return latest + 1


def current_number(question_id: int) -> int:
    """Return the number of the question's latest version (0: never changed)."""
    return db.session.scalar(
        select(func.coalesce(func.max(QuestionVersion.number), 0)).where(
            QuestionVersion.question_id == question_id
        )
    )


def list_versions(question_id: int) -> list[QuestionVersion]:
    """Return the question's versions, newest first."""
    return list(
        db.session.scalars(
            select(QuestionVersion)
            .where(QuestionVersion.question_id == question_id)
            .order_by(QuestionVersion.number.desc())
        )
    )
