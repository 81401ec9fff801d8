"""Offline study sessions and who attended them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.clock import utcnow
from quizapp.db import Base, UTCDateTime
from quizapp.enums import LabelledEnum, one_of
from quizapp.members.models import Member
from quizapp.org.models import Branch


class OfflineKind(LabelledEnum):
    """The kinds of offline session."""

    LECTURE = "lecture", "专题讲座"
    SEMINAR = "seminar", "学习研讨"
    PARTY_DAY = "party_day", "主题党日"


class OfflineSession(Base):
    """A 专题讲座, 学习研讨 or 主题党日 held by a branch, recorded by an organiser."""

    __tablename__ = "offline_sessions"
    __table_args__ = (
        one_of("kind", OfflineKind),
        CheckConstraint("duration_minutes BETWEEN 1 AND 1440", name="duration"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    #: China day it was held.
    held_on: Mapped[date] = mapped_column(Date, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    branch: Mapped[Branch] = relationship()
    attendees: Mapped[list[Member]] = relationship(secondary="offline_attendance")

    @property
    def kind_label(self) -> str:
        return OfflineKind(self.kind).label


class OfflineAttendance(Base):
    """A member who attended an offline session."""

    __tablename__ = "offline_attendance"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("offline_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True, index=True)
