"""The points ledger, the configurable rules and the red/yellow/blue tier thresholds."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    CheckConstraint,
    Index,
    String,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.columns import IntPK, MemberRef, Timestamp
from quizapp.db import Base
from quizapp.members.models import Member


class PointRule(Base):
    """How many points one rule gives, and its cap per member and China day.

    One row per rule key (``minutes``, ``daily_questions``, ``quiz_passed``, ``offline``,
    ``reflection``); a rule without a row uses its default from the code.
    """

    __tablename__ = "point_rules"
    __table_args__ = (
        CheckConstraint("points >= 0", name="points"),
        CheckConstraint("unit >= 1", name="unit"),
        CheckConstraint("daily_cap >= 0", name="daily_cap"),
    )

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: Points for each ``unit`` (minutes for the minutes rule, else events).
    points: Mapped[int]
    unit: Mapped[int] = mapped_column(default=1)
    #: The most this rule gives one member on one China day (0: no points from it).
    daily_cap: Mapped[int]
    is_enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[Timestamp]
    updated_by_id: Mapped[MemberRef | None]


class PointSettings(Base):
    """The one row of ranking settings: the tiers' thresholds, and what members see."""

    __tablename__ = "point_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("red_min > yellow_min AND yellow_min >= 0", name="tiers"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    #: A branch whose points per member in a month reach red_min is on the red list (红榜);
    #: yellow_min or more, yellow (黄榜); less, blue (蓝榜).
    red_min: Mapped[float]
    yellow_min: Mapped[float]
    #: Members see their own rank among their branch's members (some provinces forbid
    #: ranking people by points: then members see only their branch's place on the lists).
    members_see_rank: Mapped[bool] = mapped_column(default=True, server_default=true())
    updated_at: Mapped[Timestamp]
    updated_by_id: Mapped[MemberRef | None]


class PointEntry(Base):
    """One line of a member's points: earned by a rule, or a correction (补发, 扣减).

    ``source_key`` names what the entry is for (``minutes:<member>:<day>``,
    ``quiz:<member>:<quiz>``, ``correction:<token>`` ...): awarding twice writes nothing.
    """

    __tablename__ = "point_entries"
    __table_args__ = (
        CheckConstraint("reason <> ''", name="reason"),
        CheckConstraint(
            "rule <> 'correction' OR created_by_id IS NOT NULL", name="correction_author"
        ),
        Index("ix_point_entries_member_id_day", "member_id", "day"),
        Index("ix_point_entries_day", "day"),
    )

    id: Mapped[IntPK]
    member_id: Mapped[MemberRef]
    #: The China day the points belong to (caps and monthly rankings use it).
    day: Mapped[date]
    #: A rule key, or ``correction``.
    rule: Mapped[str] = mapped_column(String(32))
    points: Mapped[int]
    reason: Mapped[str] = mapped_column(String(200))
    source_key: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[Timestamp]
    #: Who made a correction (None for entries earned by a rule).
    created_by_id: Mapped[MemberRef | None]

    member: Mapped[Member] = relationship(foreign_keys="PointEntry.member_id")
    created_by: Mapped[Member | None] = relationship(foreign_keys="PointEntry.created_by_id")
