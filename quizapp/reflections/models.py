"""Reflections on a material or a campaign."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.clock import utcnow
from quizapp.db import Base, UTCDateTime
from quizapp.members.models import Member


class Reflection(Base):
    """A member's written reflection; organisers accept it or return it with a comment."""

    __tablename__ = "reflections"
    __table_args__ = (
        CheckConstraint("status IN ('submitted', 'accepted', 'returned')", name="status"),
        CheckConstraint("material_id IS NOT NULL OR campaign_id IS NOT NULL", name="subject"),
        Index("ix_reflections_member_id_status", "member_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    material_id: Mapped[int | None] = mapped_column(ForeignKey("materials.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    review_comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member] = relationship(foreign_keys=[member_id])
