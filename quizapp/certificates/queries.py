"""Read-only certificate lookups: a campaign's (for its organiser), a member's own, and one
by its verification token."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from quizapp import access, db
from quizapp.audiences.services import member_filter
from quizapp.campaigns.models import Campaign
from quizapp.campaigns.progress import ProgressBook
from quizapp.certificates.models import Certificate, CertificatePlan
from quizapp.members.models import Member
from quizapp.org.models import Branch, BranchKind
from quizapp.pagination import Page, paginate


def get_plan(campaign: Campaign) -> CertificatePlan | None:
    """Return the campaign's certificate settings, or None before they were first saved."""
    return db.session.get(CertificatePlan, campaign.id)


def _members_of(campaign: Campaign) -> Select:
    """Ids of the campaign's members whose current branch lies in its owner's subtree.

    The same people as the owner's progress table: a campaign counts members of party
    branches, a training class whoever is on its roster.
    """
    query = (
        select(Member.id)
        .join(Branch, Branch.id == Member.branch_id)
        .where(
            member_filter(campaign.audience),
            Branch.path.startswith(campaign.owner_branch.path),
        )
    )
    if not campaign.is_training_class:
        query = query.where(Branch.kind == BranchKind.BRANCH.value)
    return query


def list_completed_ids(campaign: Campaign, today: date, now: datetime) -> list[int]:
    """Return the ids of the campaign's members who completed it, as they see it at ``now``.

    Results a quiz has not published yet do not count as passed: a certificate must not tell
    a member what the quiz does not tell them yet.
    """
    ids = list(db.session.scalars(_members_of(campaign)))
    book = ProgressBook([campaign], ids, today, now)
    return [member_id for member_id in ids if book.of(member_id, campaign).complete]


def certified_ids(campaign: Campaign) -> set[int]:
    """Return the ids of the members holding a certificate of the campaign (revoked too)."""
    return set(
        db.session.scalars(
            select(Certificate.member_id).where(Certificate.campaign_id == campaign.id)
        )
    )


def last_serial(year: int) -> int:
    """Return the highest serial issued in ``year`` (0 before the first)."""
    return db.session.scalar(
        select(func.coalesce(func.max(Certificate.serial), 0)).where(Certificate.year == year)
    )


def _with_people(query: Select) -> Select:
    return query.options(
        joinedload(Certificate.member).joinedload(Member.branch),
        joinedload(Certificate.issued_by),
        joinedload(Certificate.revoked_by),
    )


def list_campaign_certificates(campaign: Campaign, *, page: int = 1, per_page: int = 50) -> Page:
    """Return a page of the campaign's certificates, by number (the caller checked scope)."""
    return paginate(_campaign_query(campaign), page, per_page)


def all_campaign_certificates(campaign: Campaign) -> list[Certificate]:
    """Return every certificate of the campaign, by number (for the export)."""
    return list(db.session.scalars(_campaign_query(campaign)))


def _campaign_query(campaign: Campaign) -> Select:
    return _with_people(
        select(Certificate)
        .where(Certificate.campaign_id == campaign.id)
        .order_by(Certificate.year, Certificate.serial)
    )


def count_campaign_certificates(campaign: Campaign) -> tuple[int, int]:
    """Return how many certificates the campaign issued and how many of them are revoked."""
    issued, revoked = db.session.execute(
        select(func.count(), func.count(Certificate.revoked_at)).where(
            Certificate.campaign_id == campaign.id
        )
    ).one()
    return issued, revoked


def get_managed_certificate(actor: Member, certificate_id: int) -> Certificate:
    """Return a certificate of a campaign owned within the actor's subtree, or 404."""
    return db.get_or_404(
        Certificate,
        certificate_id,
        lambda certificate: access.can_manage_branch(actor, certificate.campaign.owner_branch),
    )


def list_member_certificates(member: Member) -> list[Certificate]:
    """Return the member's own certificates, latest first (revoked ones too)."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.member_id == member.id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )


def get_member_certificate(member: Member, certificate_id: int) -> Certificate:
    """Return one of the member's own certificates, or 404 (anyone else's does not exist)."""
    return db.get_or_404(
        Certificate, certificate_id, lambda certificate: certificate.member_id == member.id
    )


def get_certificate_by_token(token: str) -> Certificate:
    """Return the certificate a verification link names, or 404."""
    return db.scalar_or_404(select(Certificate).where(Certificate.token == token))
