"""The members a quiz's owner names to mark its written answers (阅卷人)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.clock import utcnow
from quizapp.db import Base, UTCDateTime
from quizapp.members.models import Member


class QuizMarker(Base):
    """A member named to mark a quiz's written answers, besides its organisers."""

    __tablename__ = "quiz_markers"

    quiz_id: Mapped[int] = mapped_column(
        ForeignKey("quizzes.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    #: The organiser who named them, and when.
    named_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    named_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    member: Mapped[Member] = relationship(foreign_keys=[member_id])
