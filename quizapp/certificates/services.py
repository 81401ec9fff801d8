"""Certificates: settings per campaign, issuing to those who completed, revoking.

Issuing is idempotent: a member holds at most one certificate per campaign (a unique key),
so a second run issues only to members who completed since. A revoked certificate keeps its
record and its number, and its member gets no second one for the same campaign.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from quizapp import access, db
from quizapp.campaigns.models import Campaign
from quizapp.certificates import queries
from quizapp.certificates.models import Certificate, CertificatePlan
from quizapp.clock import china_today
from quizapp.errors import DomainError
from quizapp.members.models import Member

DEFAULT_TITLE = "结业证书"
MAX_TITLE = 30
MAX_WORDING = 300
MAX_ISSUER = 100
MAX_REASON = 200
#: The scheduler keeps issuing to late finishers for this long after the certificate date.
AUTO_ISSUE_DAYS = 60
#: The certificate date may lie at most this long after the campaign's last day.
MAX_DATE_AFTER_END = timedelta(days=366)


@dataclass
class PlanData:
    """What an organiser sets on a campaign's certificates."""

    is_enabled: bool
    title: str
    wording: str
    issuer_name: str
    issued_on: date
    auto_issue: bool = False


def default_plan(campaign: Campaign) -> PlanData:
    """Return the settings a campaign's certificates start from."""
    return PlanData(
        is_enabled=True,
        title=DEFAULT_TITLE,
        wording=(
            f"于{campaign.starts_on:%Y年%m月%d日}至{campaign.ends_on:%Y年%m月%d日}参加"
            f"「{campaign.title}」，完成全部学习要求，准予结业，特发此证。"
        ),
        issuer_name=campaign.owner_branch.name,
        issued_on=campaign.ends_on,
    )


def plan_data(plan: CertificatePlan) -> PlanData:
    """Return a saved plan's settings, to fill the form."""
    return PlanData(
        plan.is_enabled,
        plan.title,
        plan.wording,
        plan.issuer_name,
        plan.issued_on,
        plan.auto_issue,
    )


def _check_manager(actor: Member, campaign: Campaign) -> None:
    if not access.can_manage_branch(actor, campaign.owner_branch):
        raise DomainError("您无权管理该学习任务的证书。")


def save_plan(actor: Member, campaign: Campaign, data: PlanData, now: datetime) -> CertificatePlan:
    """Turn a campaign's certificates on or off and set what they say."""
    _check_manager(actor, campaign)
    problems = []
    for value, name, limit in (
        (data.title, "证书标题", MAX_TITLE),
        (data.wording, "证书正文", MAX_WORDING),
        (data.issuer_name, "颁发单位", MAX_ISSUER),
    ):
        if not value.strip():
            problems.append(f"请填写{name}")
        elif len(value.strip()) > limit:
            problems.append(f"{name}不能超过 {limit} 字")
    if data.issued_on < campaign.starts_on:
        problems.append("证书日期不能早于开始日期")
    elif data.issued_on > campaign.ends_on + MAX_DATE_AFTER_END:
        problems.append("证书日期不能晚于结束日期一年以上")
    if problems:
        raise DomainError("；".join(problems) + "。")
    plan = queries.get_plan(campaign) or CertificatePlan(campaign_id=campaign.id)
    plan.is_enabled = data.is_enabled
    plan.title = data.title.strip()
    plan.wording = data.wording.strip()
    plan.issuer_name = data.issuer_name.strip()
    plan.issued_on = data.issued_on
    plan.auto_issue = data.auto_issue
    plan.updated_by_id = actor.id
    plan.updated_at = now
    db.session.add(plan)
    db.session.flush()
    return plan


def issue_certificates(actor: Member | None, campaign: Campaign, now: datetime) -> int:
    """Issue a certificate to each member who completed the campaign and has none yet.

    ``actor`` is the organiser, or None for the scheduler. Returns how many were issued.
    """
    if actor is not None:
        _check_manager(actor, campaign)
    plan = queries.get_plan(campaign)
    if plan is None or not plan.is_enabled:
        raise DomainError("请先开启并保存证书设置。")
    if not campaign.is_published:
        raise DomainError("学习任务尚未发布，不能颁发证书。")
    today = china_today(now)
    if today < plan.issued_on:
        raise DomainError(f"证书日期为 {plan.issued_on.isoformat()}，届时才能颁发。")
    held = queries.certified_ids(campaign)
    due = [m for m in queries.list_completed_ids(campaign, today, now) if m not in held]
    if not due:
        return 0
    names = dict(db.session.execute(select(Member.id, Member.name).where(Member.id.in_(due))).all())
    serial = queries.last_serial(today.year)
    db.session.add_all(
        Certificate(
            campaign_id=campaign.id,
            member_id=member_id,
            year=today.year,
            serial=serial + n,
            token=secrets.token_urlsafe(16),
            member_name=names[member_id],
            campaign_title=campaign.title,
            title=plan.title,
            wording=plan.wording,
            issuer_name=plan.issuer_name,
            issued_on=plan.issued_on,
            issued_at=now,
            issued_by_id=actor.id if actor is not None else None,
        )
        for n, member_id in enumerate(due, start=1)
    )
    db.session.flush()
    return len(due)


def revoke_certificate(
    actor: Member, certificate: Certificate, reason: str, now: datetime
) -> Certificate:
    """Revoke a certificate with a reason; its record stays and verification says 已撤销."""
    _check_manager(actor, certificate.campaign)
    reason = reason.strip()
    if certificate.is_revoked:
        raise DomainError(f"证书 {certificate.number} 已于此前撤销。")
    if not reason:
        raise DomainError("请填写撤销原因。")
    if len(reason) > MAX_REASON:
        raise DomainError(f"撤销原因不能超过 {MAX_REASON} 字。")
    certificate.revoked_at = now
    certificate.revoked_by_id = actor.id
    certificate.revoke_reason = reason
    db.session.flush()
    return certificate


def issue_due(now: datetime) -> tuple[int, int]:
    """Issue the certificates of every campaign set to issue them automatically.

    From the certificate date for AUTO_ISSUE_DAYS, so members who complete late (a reflection
    accepted, a result published after the end) get theirs too. Returns (campaigns, issued).
    """
    today = china_today(now)
    campaigns = db.session.scalars(
        select(Campaign)
        .join(CertificatePlan, CertificatePlan.campaign_id == Campaign.id)
        .where(
            CertificatePlan.is_enabled.is_(True),
            CertificatePlan.auto_issue.is_(True),
            Campaign.is_published.is_(True),
            CertificatePlan.issued_on <= today,
            CertificatePlan.issued_on >= today - timedelta(days=AUTO_ISSUE_DAYS),
        )
        .order_by(Campaign.id)
    ).all()
    issued = sum(issue_certificates(None, campaign, now) for campaign in campaigns)
    return len(campaigns), issued
