"""Daily questions (the wrong-answer book: quizapp.wrongbook)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.bank.models import Question
from quizapp.columns import MemberRef
from quizapp.db import Base


class DailyQuestion(Base):
    """One of a member's questions of the day (China day)."""

    __tablename__ = "daily_questions"
    __table_args__ = (
        Index("ix_daily_questions_member_id_question_id", "member_id", "question_id"),
    )

    member_id: Mapped[MemberRef] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    #: Which pass through the bank this draw belongs to; questions repeat only in a new cycle.
    cycle: Mapped[int] = mapped_column(default=1)
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    is_correct: Mapped[bool | None]
    answered_at: Mapped[datetime | None]

    question: Mapped[Question] = relationship()
