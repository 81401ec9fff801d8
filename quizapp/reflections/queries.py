"""Read-only lookups for reflections: the member's own, the organiser's queue, subjects."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from quizapp import access, db
from quizapp.audiences.services import audiences_including
from quizapp.campaigns.models import Campaign
from quizapp.clock import china_today
from quizapp.members.models import Member
from quizapp.org.models import Branch
from quizapp.pagination import Page, paginate
from quizapp.reflections.services import may_see_material
from quizapp.study.models import Material, Reflection, ReflectionStatus
from quizapp.study.queries import open_at

#: The queue's status filter: value -> label.
STATES = {
    status: status.label
    for status in (ReflectionStatus.SUBMITTED, ReflectionStatus.RETURNED, ReflectionStatus.ACCEPTED)
} | {"all": "全部"}


def get_own_reflection(member: Member, reflection_id: int) -> Reflection:
    """Return one of the member's own reflections, or 404."""
    return db.get_or_404(
        Reflection, reflection_id, lambda reflection: reflection.member_id == member.id
    )


def get_reflection(actor: Member, reflection_id: int) -> Reflection:
    """Return a reflection whose author's current branch the actor manages, or 404."""
    return db.get_or_404(
        Reflection,
        reflection_id,
        lambda reflection: access.can_view_member(actor, reflection.member),
    )


def get_visible_material(member: Member, material_id: int, now: datetime) -> Material:
    """Return a material the member may see now (published, open, for them), or 404."""
    return db.get_or_404(
        Material, material_id, lambda material: may_see_material(member, material, now)
    )


def list_own_reflections(member: Member) -> list[Reflection]:
    """Return the member's reflections, latest first."""
    return list(
        db.session.scalars(
            select(Reflection)
            .where(Reflection.member_id == member.id)
            .order_by(Reflection.submitted_at.desc(), Reflection.id.desc())
        )
    )


def list_reflections(
    actor: Member,
    *,
    status: str = ReflectionStatus.SUBMITTED.value,
    branch: Branch | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """Return a page of reflections by members in the actor's subtree.

    Waiting ones come oldest first (a queue); the others latest first.
    """
    query = (
        select(Reflection)
        .join(Member, Member.id == Reflection.member_id)
        .join(Branch, Branch.id == Member.branch_id)
        .where(access.branch_scope(actor))
        .options(joinedload(Reflection.member).joinedload(Member.branch))
    )
    if status in tuple(ReflectionStatus):
        query = query.where(Reflection.status == status)
    if branch is not None:
        query = query.where(Branch.path.startswith(branch.path))
    if status == ReflectionStatus.SUBMITTED:
        query = query.order_by(Reflection.submitted_at, Reflection.id)
    else:
        query = query.order_by(Reflection.submitted_at.desc(), Reflection.id.desc())
    return paginate(query, page, per_page)


@dataclass(frozen=True)
class Subjects:
    """Titles of the materials and campaigns some reflections are about."""

    materials: dict[int, Material]
    campaigns: dict[int, Campaign]

    def title(self, reflection: Reflection) -> str:
        """Say what the reflection is about, e.g. "学习资料：《…》"."""
        if reflection.material_id in self.materials:
            return f"学习资料《{self.materials[reflection.material_id].title}》"
        if reflection.campaign_id in self.campaigns:
            return f"学习任务《{self.campaigns[reflection.campaign_id].title}》"
        return ""


def load_subjects(reflections: Iterable[Reflection]) -> Subjects:
    """Load the subjects of ``reflections`` in at most two queries."""
    reflections = list(reflections)
    material_ids = {r.material_id for r in reflections if r.material_id}
    campaign_ids = {r.campaign_id for r in reflections if r.campaign_id}
    materials = (
        {m.id: m for m in db.session.scalars(select(Material).where(Material.id.in_(material_ids)))}
        if material_ids
        else {}
    )
    campaigns = (
        {c.id: c for c in db.session.scalars(select(Campaign).where(Campaign.id.in_(campaign_ids)))}
        if campaign_ids
        else {}
    )
    return Subjects(materials, campaigns)


def list_subjects(member: Member, now: datetime) -> tuple[list[Material], list[Campaign]]:
    """Return what the member may write about: open materials for them, their campaigns.

    Campaigns that ended are left out of this list (a link from the campaign still works).
    """
    materials = list(
        db.session.scalars(
            select(Material)
            .where(*open_at(now))
            .order_by(Material.topic, Material.sort_order, Material.id)
        )
    )
    campaigns = list(
        db.session.scalars(
            select(Campaign)
            .where(Campaign.is_published.is_(True), Campaign.ends_on >= china_today(now))
            .order_by(Campaign.starts_on.desc(), Campaign.id.desc())
        )
    )
    mine = audiences_including(member, list({x.audience_id for x in materials + campaigns}))
    return (
        [m for m in materials if m.audience_id in mine],
        [c for c in campaigns if c.audience_id in mine],
    )
