"""Nightly snapshots of participation per branch, for the trend charts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.columns import BranchRef, IntPK, Timestamp
from quizapp.db import Base


class ParticipationSnapshot(Base):
    """The figures of one party branch on one China day, for one subject.

    ``subject`` is ``day`` (everyone's study on that day alone) or ``campaign:<id>`` (the
    campaign's participation as it stood at the end of that day). Only party branches are
    stored; units and the bureau are summed from them when read.
    """

    __tablename__ = "participation_snapshots"
    __table_args__ = (
        UniqueConstraint("day", "subject", "branch_id", name="uq_participation_snapshots_key"),
        Index("ix_participation_snapshots_subject_day", "subject", "day"),
    )

    id: Mapped[IntPK]
    day: Mapped[date] = mapped_column()
    subject: Mapped[str] = mapped_column(String(32))
    branch_id: Mapped[BranchRef]
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    eligible: Mapped[int] = mapped_column(default=0)
    participants: Mapped[int] = mapped_column(default=0)
    study_seconds: Mapped[int] = mapped_column(default=0)
    times: Mapped[int] = mapped_column(default=0)
    passed: Mapped[int | None]
    #: Campaigns only: members who met every requirement (``participants`` took part).
    completed: Mapped[int | None]
    taken_at: Mapped[Timestamp]
