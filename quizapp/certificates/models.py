"""Certificates: a campaign's certificate settings and the certificates issued under them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.campaigns.models import Campaign
from quizapp.columns import IntPK, MemberRef, Timestamp, Title, parent_key
from quizapp.db import Base
from quizapp.members.models import Member

#: Certificate numbers read "QZ2026-000123": the year of issue and its serial in that year.
NUMBER_PREFIX = "QZ"


class CertificatePlan(Base):
    """What a campaign's certificates say, and whether it issues any (one per campaign)."""

    __tablename__ = "certificate_plans"

    campaign_id: Mapped[int] = parent_key("campaigns")
    is_enabled: Mapped[bool] = mapped_column(default=True)
    #: The heading, e.g. 结业证书.
    title: Mapped[str] = mapped_column(String(30))
    #: The text under the member's name.
    wording: Mapped[str] = mapped_column(Text)
    #: The issuing organisation as printed (default: the owner branch's name).
    issuer_name: Mapped[str] = mapped_column(String(100))
    #: The date printed on every certificate; none is issued before it.
    issued_on: Mapped[date]
    #: Whether the scheduler issues them to those who completed, from ``issued_on`` on.
    auto_issue: Mapped[bool] = mapped_column(default=False)
    updated_by_id: Mapped[MemberRef | None]
    updated_at: Mapped[Timestamp]

    campaign: Mapped[Campaign] = relationship()


class Certificate(Base):
    """One member's certificate of one campaign; a revoked one keeps its record.

    What it says (name, class, wording, issuer, date) is copied at issue: a certificate is a
    document, and renaming the class later does not change what was handed out.
    """

    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("campaign_id", "member_id", name="uq_certificates_campaign_member"),
        UniqueConstraint("year", "serial", name="uq_certificates_year_serial"),
        CheckConstraint("serial > 0", name="serial"),
        CheckConstraint(
            "(revoked_at IS NULL) = (revoke_reason IS NULL)", name="revoked_with_reason"
        ),
    )

    id: Mapped[IntPK]
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    member_id: Mapped[MemberRef] = mapped_column(index=True)
    #: The year of issue and the serial within it: the number QZ<year>-<serial:06>.
    year: Mapped[int]
    serial: Mapped[int]
    #: The random part of the verification link (never derived from the number).
    token: Mapped[str] = mapped_column(String(32), unique=True)
    member_name: Mapped[str] = mapped_column(String(50))
    campaign_title: Mapped[Title]
    title: Mapped[str] = mapped_column(String(30))
    wording: Mapped[str] = mapped_column(Text)
    issuer_name: Mapped[str] = mapped_column(String(100))
    issued_on: Mapped[date]
    issued_at: Mapped[Timestamp]
    #: The organiser who issued it; NULL when the scheduler did.
    issued_by_id: Mapped[MemberRef | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[MemberRef | None]
    revoke_reason: Mapped[str | None] = mapped_column(String(200))

    campaign: Mapped[Campaign] = relationship()
    member: Mapped[Member] = relationship(foreign_keys="Certificate.member_id")
    issued_by: Mapped[Member | None] = relationship(foreign_keys="Certificate.issued_by_id")
    revoked_by: Mapped[Member | None] = relationship(foreign_keys="Certificate.revoked_by_id")

    @property
    def number(self) -> str:
        return f"{NUMBER_PREFIX}{self.year}-{self.serial:06d}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
