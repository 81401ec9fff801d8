"""Study materials, the minutes members spend on them and the reflections they write on a
material or a campaign (their pages: quizapp.reflections)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp import windows
from quizapp.audiences.models import Audience
from quizapp.columns import (
    Authored,
    BranchRef,
    EnumValue,
    FreeText,
    IntPK,
    MemberRef,
    Timestamp,
    Title,
    parent_key,
    unique_where,
)
from quizapp.db import Base
from quizapp.enums import LabelledEnum, one_of
from quizapp.members.models import Member
from quizapp.org.models import Branch


class MaterialStatus(LabelledEnum):
    """Where a material stands: members see only published ones (inside their window)."""

    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    RETIRED = "retired", "已下线"


class ReflectionStatus(LabelledEnum):
    """Where a reflection stands: waiting for an organiser, accepted, or returned to rewrite."""

    SUBMITTED = "submitted", "待审阅"
    ACCEPTED = "accepted", "已通过"
    RETURNED = "returned", "已退回"


class Material(Authored, Base):
    """An article, document or video to study, for an audience, within a publish window."""

    __tablename__ = "materials"
    __table_args__ = (
        one_of("status", MaterialStatus),
        CheckConstraint("estimated_minutes >= 1", name="estimated_minutes"),
        CheckConstraint(
            "closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at", name="window"
        ),
    )

    id: Mapped[IntPK]
    title: Mapped[Title]
    #: 专题, e.g. 党纪学习教育; members browse materials by topic.
    topic: Mapped[str] = mapped_column(String(50), index=True)
    #: The organiser's Markdown (pasted from Word or WeChat), kept for editing.
    body_markdown: Mapped[FreeText]
    #: The Markdown rendered and sanitised at save time; what members see.
    body_html: Mapped[FreeText]
    #: An attached PDF, stored under instance/uploads (relative path) with its original name.
    pdf_path: Mapped[str | None] = mapped_column(String(255))
    pdf_name: Mapped[str | None] = mapped_column(String(255))
    #: An uploaded video file (relative path) or a link to one on the intranet.
    video_path: Mapped[str | None] = mapped_column(String(255))
    video_url: Mapped[str | None] = mapped_column(String(500))
    estimated_minutes: Mapped[int] = mapped_column(default=10)
    #: Publish window; NULL ends mean open-ended.
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    audience_id: Mapped[int] = mapped_column(ForeignKey("audiences.id"))
    is_required: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int] = mapped_column(default=0)
    status: Mapped[EnumValue] = mapped_column(default=MaterialStatus.DRAFT.value)
    owner_branch_id: Mapped[BranchRef] = mapped_column(index=True)

    audience: Mapped[Audience] = relationship()
    owner_branch: Mapped[Branch] = relationship()

    @property
    def status_enum(self) -> MaterialStatus:
        return MaterialStatus(self.status)

    def is_open(self, now: datetime) -> bool:
        """Tell whether members may study it at ``now``: published and inside its window."""
        return is_open(self.status, self.opens_at, self.closes_at, now)


def is_open(
    status: str, opens_at: datetime | None, closes_at: datetime | None, now: datetime
) -> bool:
    """The one rule for when a material can be studied (also used on plain SQL rows)."""
    return status == MaterialStatus.PUBLISHED and windows.is_open(opens_at, closes_at, now)


class StudyMinute(Base):
    """Seconds of active study credited to a member for one material on one China day.

    One row per member, material and day, upserted by each accepted heartbeat (the member's
    ``StudyClock`` moves with it, in the same statement or transaction).
    """

    __tablename__ = "study_minutes"
    __table_args__ = (
        CheckConstraint("seconds >= 0", name="seconds"),
        Index("ix_study_minutes_member_id_day", "member_id", "day"),
        Index("ix_study_minutes_material_id_day", "material_id", "day"),
    )

    member_id: Mapped[MemberRef] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    seconds: Mapped[int] = mapped_column(default=0)
    first_beat_at: Mapped[datetime]
    last_beat_at: Mapped[datetime]

    material: Mapped[Material] = relationship()


class StudyClock(Base):
    """When a member's last heartbeat was accepted, on any material: the one clock that stops
    two tabs or two devices counting double.

    Each accepted heartbeat moves it from the time its read saw to its own time, a compare
    and set (study/minutes.py), so of two heartbeats that read the same clock only one is
    credited, without holding a lock between the read and the write.
    """

    __tablename__ = "study_clocks"

    member_id: Mapped[int] = parent_key("members")
    last_beat_at: Mapped[datetime]


class Reflection(Base):
    """A member's written reflection; organisers accept it or return it with a comment.

    Kept here, below campaigns, because a campaign's progress counts the accepted ones while
    the reflection pages (quizapp.reflections, above campaigns) write them on a campaign.
    """

    __tablename__ = "reflections"
    __table_args__ = (
        one_of("status", ReflectionStatus),
        CheckConstraint("material_id IS NOT NULL OR campaign_id IS NOT NULL", name="subject"),
        Index("ix_reflections_member_id_status", "member_id", "status"),
        # One waiting (待审阅) reflection per member and subject: a second submission (a
        # double tap, a resubmit after a lost response) finds the first instead of copying it.
        unique_where(
            "uq_reflections_one_pending_material",
            "member_id",
            "material_id",
            where="status = 'submitted'",
        ),
        unique_where(
            "uq_reflections_one_pending_campaign",
            "member_id",
            "campaign_id",
            where="status = 'submitted'",
        ),
    )

    id: Mapped[IntPK]
    member_id: Mapped[MemberRef]
    material_id: Mapped[int | None] = mapped_column(ForeignKey("materials.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    title: Mapped[Title]
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[EnumValue] = mapped_column(default=ReflectionStatus.SUBMITTED.value)
    reviewer_id: Mapped[MemberRef | None]
    review_comment: Mapped[FreeText]
    submitted_at: Mapped[Timestamp]
    reviewed_at: Mapped[datetime | None]

    member: Mapped[Member] = relationship(foreign_keys="Reflection.member_id")
