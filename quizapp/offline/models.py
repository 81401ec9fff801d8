"""Offline study sessions and who attended them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.columns import (
    BranchRef,
    EnumValue,
    FreeText,
    IntPK,
    MemberRef,
    Timestamp,
    Title,
    parent_key,
)
from quizapp.db import Base
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

    id: Mapped[IntPK]
    title: Mapped[Title]
    kind: Mapped[EnumValue]
    #: China day it was held.
    held_on: Mapped[date] = mapped_column(index=True)
    duration_minutes: Mapped[int]
    branch_id: Mapped[BranchRef] = mapped_column(index=True)
    notes: Mapped[FreeText]
    recorded_by_id: Mapped[MemberRef | None]
    created_at: Mapped[Timestamp]

    branch: Mapped[Branch] = relationship()
    attendees: Mapped[list[Member]] = relationship(secondary="offline_attendance")

    @property
    def kind_label(self) -> str:
        return OfflineKind(self.kind).label


class OfflineAttendance(Base):
    """A member who attended an offline session."""

    __tablename__ = "offline_attendance"

    session_id: Mapped[int] = parent_key("offline_sessions")
    member_id: Mapped[MemberRef] = mapped_column(primary_key=True, index=True)
