"""Campaigns: a period, an audience, required materials and quizzes, a minute target."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.audiences.models import Audience
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
from quizapp.org.models import Branch
from quizapp.quizzes.models import Quiz
from quizapp.study.models import Material


class CampaignKind(LabelledEnum):
    """A campaign for an audience of branches, or a training class (培训班) for a roster."""

    CAMPAIGN = "campaign", "学习任务"
    TRAINING_CLASS = "training_class", "培训班"


class Campaign(Base):
    """A study campaign; a training class (培训班) is one whose audience is a roster."""

    __tablename__ = "campaigns"
    __table_args__ = (
        one_of("kind", CampaignKind),
        CheckConstraint("ends_on >= starts_on", name="period"),
        CheckConstraint("minute_target >= 0", name="minute_target"),
        CheckConstraint("offline_sessions_required >= 0", name="offline_required"),
        CheckConstraint("reflections_required >= 0", name="reflections_required"),
    )

    id: Mapped[IntPK]
    title: Mapped[Title]
    description: Mapped[FreeText]
    kind: Mapped[EnumValue] = mapped_column(default=CampaignKind.CAMPAIGN.value)
    #: China days, both included.
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    audience_id: Mapped[int] = mapped_column(ForeignKey("audiences.id"))
    owner_branch_id: Mapped[BranchRef] = mapped_column(index=True)
    #: Online study minutes a member must reach within the period (0: no target).
    minute_target: Mapped[int] = mapped_column(default=0)
    #: Whether attended offline sessions count toward the minute target (by their duration).
    offline_counts_as_minutes: Mapped[bool] = mapped_column(default=False)
    #: Offline sessions (lectures, seminars, party days) a member must attend (0: none).
    offline_sessions_required: Mapped[int] = mapped_column(default=0)
    #: Accepted reflections a member must hand in (0: none).
    reflections_required: Mapped[int] = mapped_column(default=0)
    is_published: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[MemberRef | None]
    created_at: Mapped[Timestamp]

    audience: Mapped[Audience] = relationship()
    owner_branch: Mapped[Branch] = relationship()
    materials: Mapped[list[Material]] = relationship(secondary="campaign_materials")
    quizzes: Mapped[list[CampaignQuiz]] = relationship(cascade="all, delete-orphan")

    @property
    def is_training_class(self) -> bool:
        return self.kind == CampaignKind.TRAINING_CLASS


class CampaignMaterial(Base):
    """A material every member of the campaign must study (done: its estimated minutes)."""

    __tablename__ = "campaign_materials"

    campaign_id: Mapped[int] = parent_key("campaigns")
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id"), primary_key=True)


class CampaignQuiz(Base):
    """A quiz the campaign requires: sat, or passed when ``must_pass``."""

    __tablename__ = "campaign_quizzes"

    campaign_id: Mapped[int] = parent_key("campaigns")
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), primary_key=True)
    must_pass: Mapped[bool] = mapped_column(default=False)

    quiz: Mapped[Quiz] = relationship()
