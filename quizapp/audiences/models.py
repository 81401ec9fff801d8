"""An audience: branches (with their subtrees) and political statuses, or an explicit roster."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.columns import BranchRef, IntPK, MemberRef, parent_key
from quizapp.db import Base
from quizapp.members.models import Member
from quizapp.org.models import Branch


class Audience(Base):
    """Who something is for.

    With a roster, exactly the listed members. Otherwise the members whose current branch
    lies under one of the listed branches and, when statuses are listed, whose political
    status is among them. Inactive members are never in an audience.
    """

    __tablename__ = "audiences"

    id: Mapped[IntPK]
    #: Comma-separated PoliticalStatus values; empty means every status.
    statuses: Mapped[str] = mapped_column(String(100), default="")

    branches: Mapped[list[Branch]] = relationship(secondary="audience_branches")
    roster: Mapped[list[Member]] = relationship(secondary="audience_members")

    @property
    def status_list(self) -> list[str]:
        return [s for s in self.statuses.split(",") if s]


class AudienceBranch(Base):
    """A branch (and everything under it) in an audience."""

    __tablename__ = "audience_branches"

    audience_id: Mapped[int] = parent_key("audiences")
    branch_id: Mapped[BranchRef] = mapped_column(primary_key=True)


class AudienceMember(Base):
    """A member on an audience's explicit roster (a training class)."""

    __tablename__ = "audience_members"

    audience_id: Mapped[int] = parent_key("audiences")
    member_id: Mapped[MemberRef] = mapped_column(primary_key=True, index=True)
