"""The wrong-answer book (错题本): the questions a member got wrong and has not yet mastered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.bank.models import Question
from quizapp.columns import EnumValue, MemberRef, Timestamp
from quizapp.db import Base
from quizapp.enums import LabelledEnum


class Origin(LabelledEnum):
    """Where a question was last got wrong."""

    PRACTICE = "practice", "练习"
    DAILY = "daily", "每日答题"
    ATTEMPT = "attempt", "测试/考试"


class WrongAnswer(Base):
    """A question a member got wrong, kept until answered right twice in a row."""

    __tablename__ = "wrong_answers"
    __table_args__ = (Index("ix_wrong_answers_member_open", "member_id", "resolved_at"),)

    member_id: Mapped[MemberRef] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), primary_key=True)
    #: Where it was last got wrong: practice, daily or an attempt.
    origin: Mapped[EnumValue] = mapped_column(default=Origin.PRACTICE.value)
    wrong_count: Mapped[int] = mapped_column(default=1)
    #: Right answers in a row since the last wrong one; two resolve the entry.
    streak: Mapped[int] = mapped_column(default=0)
    last_wrong_at: Mapped[Timestamp]
    resolved_at: Mapped[datetime | None]

    question: Mapped[Question] = relationship()
