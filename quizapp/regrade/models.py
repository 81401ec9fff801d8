"""The audit of regrades: each run, and each attempt's score before and after it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.bank.models import Question
from quizapp.columns import IntPK, MemberRef
from quizapp.db import Base
from quizapp.members.models import Member
from quizapp.quizzes.attempt_models import Attempt


class Regrade(Base):
    """One regrade of a question's answers in the chosen quizzes, by an organiser."""

    __tablename__ = "regrades"

    id: Mapped[IntPK]
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    #: The question's version (quizapp.bank.versions) whose key graded the answers.
    version: Mapped[int]
    #: The quizzes chosen (ids), in the order shown.
    quiz_ids: Mapped[list[int]] = mapped_column(JSON)
    #: 允许降分: False (the default) keeps an answer's old mark where the new key gives less.
    may_lower: Mapped[bool]
    created_by_id: Mapped[MemberRef]
    created_at: Mapped[datetime]
    #: Attempts whose score went up, went down.
    raised: Mapped[int] = mapped_column(default=0)
    lowered: Mapped[int] = mapped_column(default=0)

    question: Mapped[Question] = relationship()
    created_by: Mapped[Member] = relationship()
    changes: Mapped[list[RegradeChange]] = relationship(
        order_by="RegradeChange.attempt_id", back_populates="regrade"
    )


class RegradeChange(Base):
    """One attempt a regrade changed: the question's mark and the attempt's score and
    pass/fail, before and after."""

    __tablename__ = "regrade_changes"
    __table_args__ = (
        UniqueConstraint(
            "regrade_id", "attempt_id", name="uq_regrade_changes_regrade_id_attempt_id"
        ),
    )

    id: Mapped[IntPK]
    regrade_id: Mapped[int] = mapped_column(ForeignKey("regrades.id", ondelete="CASCADE"))
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    old_mark: Mapped[float]
    new_mark: Mapped[float]
    old_score: Mapped[float]
    new_score: Mapped[float]
    old_passed: Mapped[bool]
    new_passed: Mapped[bool]

    regrade: Mapped[Regrade] = relationship(back_populates="changes")
    attempt: Mapped[Attempt] = relationship()
