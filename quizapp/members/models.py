"""Members (everyone with a login) and their branch membership history."""

from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.columns import (
    BranchRef,
    EnumValue,
    IntPK,
    MemberRef,
    Timestamp,
    UpdatedAt,
    unique_where,
)
from quizapp.db import Base
from quizapp.enums import LabelledEnum, one_of
from quizapp.org.models import Branch

#: The longest login id (警号 or 手机号) a form takes: the width of the 警号 column, the wider.
LOGIN_ID_MAX = 32
#: The longest name and 手机号: their columns' widths, which the member form also keeps.
NAME_MAX, PHONE_MAX = 50, 20


class PoliticalStatus(LabelledEnum):
    """政治面貌: what the platform targets materials and quizzes by."""

    FULL = "full", "正式党员"
    PROBATIONARY = "probationary", "预备党员"
    CANDIDATE = "candidate", "发展对象"
    ACTIVIST = "activist", "入党积极分子"
    MASSES = "masses", "群众"

    @property
    def is_party_member(self) -> bool:
        return self in (PoliticalStatus.FULL, PoliticalStatus.PROBATIONARY)

    @classmethod
    def from_label(cls, label: str) -> PoliticalStatus | None:
        """Find the status whose Chinese label (or a common alias) is ``label``."""
        return STATUS_BY_LABEL.get(label.strip())


STATUS_LABELS = {status: status.label for status in PoliticalStatus}
STATUS_BY_LABEL = {label: status for status, label in STATUS_LABELS.items()} | {
    "中共党员": PoliticalStatus.FULL,
    "党员": PoliticalStatus.FULL,
    "中共预备党员": PoliticalStatus.PROBATIONARY,
    "积极分子": PoliticalStatus.ACTIVIST,
}


class Role(LabelledEnum):
    """What a member may manage."""

    MEMBER = "member", "党员"
    ORGANISER = "organiser", "支部管理员"
    ADMIN = "admin", "系统管理员"


class Member(UserMixin, Base):
    """A person with a login: a party member, an activist or an organiser."""

    __tablename__ = "members"
    __table_args__ = (
        CheckConstraint("police_no IS NOT NULL OR phone IS NOT NULL", name="has_login_id"),
        one_of("political_status", PoliticalStatus),
        one_of("role", Role),
        CheckConstraint(
            "role <> 'organiser' OR scope_branch_id IS NOT NULL", name="organiser_has_scope"
        ),
    )

    id: Mapped[IntPK]
    #: 警号 (police number); one of the two login ids.
    police_no: Mapped[str | None] = mapped_column(String(LOGIN_ID_MAX), unique=True)
    #: Mobile number; the other login id, used by auxiliary police and activists.
    phone: Mapped[str | None] = mapped_column(String(PHONE_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    #: The branch the member belongs to now (or last, for members who left).
    branch_id: Mapped[BranchRef] = mapped_column(index=True)
    political_status: Mapped[EnumValue] = mapped_column(default=PoliticalStatus.FULL.value)
    joined_party_on: Mapped[date | None]
    is_active: Mapped[bool] = mapped_column(default=True)
    role: Mapped[EnumValue] = mapped_column(default=Role.MEMBER.value)
    #: The subtree an organiser manages (the whole bureau for an admin is implied).
    scope_branch_id: Mapped[BranchRef | None]
    password_hash: Mapped[str | None] = mapped_column(String(255))
    #: Set when an organiser or an import chose the password; cleared when the member sets one.
    must_change_password: Mapped[bool] = mapped_column(default=True)
    #: Bumped on password change and deactivation so other sessions are logged out.
    session_version: Mapped[int] = mapped_column(default=1)
    last_login_at: Mapped[datetime | None]
    #: Wrong passwords in a row since the last successful login, unlock or reset.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    #: No password is checked for this account before this time (the growing delay).
    login_blocked_until: Mapped[datetime | None]
    #: Random value behind the one-time login code of an imported member who has no password
    #: yet (the code itself is derived from it with the secret key, never stored).
    activation_nonce: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[Timestamp]
    updated_at: Mapped[UpdatedAt]

    branch: Mapped[Branch] = relationship(foreign_keys="Member.branch_id")
    scope_branch: Mapped[Branch | None] = relationship(foreign_keys="Member.scope_branch_id")
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="member", order_by="Membership.started_on"
    )

    @property
    def login_id(self) -> str:
        return self.police_no or self.phone or ""

    @property
    def status(self) -> PoliticalStatus:
        return PoliticalStatus(self.political_status)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_organiser(self) -> bool:
        """Tell whether the member manages anything (organisers and admins)."""
        return self.role in (Role.ORGANISER, Role.ADMIN)

    def get_id(self) -> str:
        # The version makes old session cookies invalid after a password change.
        return f"{self.id}.{self.session_version}"

    def __repr__(self) -> str:
        return f"<Member {self.id} {self.login_id} {self.name}>"


class Membership(Base):
    """A member's stay in one branch, over the China days [started_on, ended_on)."""

    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="period"),
        Index("ix_memberships_branch_id_started_on", "branch_id", "started_on"),
        # At most one open stay per member: two concurrent moves can't both leave one open.
        unique_where("uq_memberships_one_open", "member_id", where="ended_on IS NULL"),
    )

    id: Mapped[IntPK]
    member_id: Mapped[MemberRef] = mapped_column(index=True)
    branch_id: Mapped[BranchRef]
    started_on: Mapped[date]
    #: First day no longer in the branch; NULL while the stay goes on.
    ended_on: Mapped[date | None]

    member: Mapped[Member] = relationship(back_populates="memberships")
    branch: Mapped[Branch] = relationship()

    def covers(self, day: date) -> bool:
        """Tell whether the member was in the branch on ``day``."""
        return self.started_on <= day and (self.ended_on is None or day < self.ended_on)
