"""The members a quiz's owner names to mark its written answers (阅卷人)."""

from __future__ import annotations

from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.columns import MemberRef, Timestamp, parent_key
from quizapp.db import Base
from quizapp.members.models import Member


class QuizMarker(Base):
    """A member named to mark a quiz's written answers, besides its organisers."""

    __tablename__ = "quiz_markers"

    quiz_id: Mapped[int] = parent_key("quizzes")
    member_id: Mapped[MemberRef] = mapped_column(primary_key=True)
    #: The organiser who named them, and when.
    named_by_id: Mapped[MemberRef | None]
    named_at: Mapped[Timestamp]

    member: Mapped[Member] = relationship(foreign_keys="QuizMarker.member_id")
