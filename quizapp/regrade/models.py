"""The audit of regrades: each run, and each attempt's score before and after it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.bank.models import Question
from quizapp.db import Base, UTCDateTime
from quizapp.members.models import Member
from quizapp.quizzes.attempt_models import Attempt


class Regrade(Base):
    """One regrade of a question's answers in the chosen quizzes, by an organiser."""

    __tablename__ = "regrades"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    #: The question's version (quizapp.bank.versions) whose key graded the answers.
    version: Mapped[int] = mapped_column(Integer)
    #: The quizzes chosen (ids), in the order shown.
    quiz_ids: Mapped[list[int]] = mapped_column(JSON)
    #: 允许降分: False (the default) keeps an answer's old mark where the new key gives less.
    may_lower: Mapped[bool] = mapped_column(Boolean)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Attempts whose score went up, went down.
    raised: Mapped[int] = mapped_column(Integer, default=0)
    lowered: Mapped[int] = mapped_column(Integer, default=0)

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

    id: Mapped[int] = mapped_column(primary_key=True)
    regrade_id: Mapped[int] = mapped_column(ForeignKey("regrades.id", ondelete="CASCADE"))
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    old_mark: Mapped[float] = mapped_column(Float)
    new_mark: Mapped[float] = mapped_column(Float)
    old_score: Mapped[float] = mapped_column(Float)
    new_score: Mapped[float] = mapped_column(Float)
    old_passed: Mapped[bool] = mapped_column(Boolean)
    new_passed: Mapped[bool] = mapped_column(Boolean)

    regrade: Mapped[Regrade] = relationship(back_populates="changes")
    attempt: Mapped[Attempt] = relationship()
