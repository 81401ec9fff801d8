"""What a member sees of study materials and of their own study minutes; what an organiser
finds within their view (materials, topics, a member's minutes by day): the materials owned
within their subtree, which they manage, and those a level above published for an audience
reaching into it, which they read (:func:`in_view`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import abort
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import defer, selectinload

from quizapp import access, db, numbers, windows
from quizapp.audiences.queries import with_audience
from quizapp.audiences.services import audiences_including, shared_with
from quizapp.members.models import Member
from quizapp.org.models import Branch
from quizapp.pagination import Page, paginate
from quizapp.study.models import Material, MaterialStatus, StudyMinute
from quizapp.study.services import STATUSES, can_manage_material

#: A material's mark for the member, with its label.
MARKS = {"not_started": "未学习", "in_progress": "学习中", "done": "已完成"}


@dataclass
class MaterialCard:
    """One material as a member sees it, with the seconds credited to them on it (all days)."""

    material: Material
    seconds: int = 0

    @property
    def target_seconds(self) -> int:
        """Seconds that make the material done: its estimated minutes."""
        return self.material.estimated_minutes * 60

    @property
    def mark(self) -> str:
        """``done`` at the estimated minutes, ``in_progress`` once anything is credited."""
        if self.seconds >= self.target_seconds:
            return "done"
        return "in_progress" if self.seconds > 0 else "not_started"

    @property
    def mark_label(self) -> str:
        """The mark as members read it: 未学习, 学习中 or 已完成."""
        return MARKS[self.mark]

    @property
    def video_link(self) -> str | None:
        """The material's video link, only when it is a web address (never ``javascript:``)."""
        url = (self.material.video_url or "").strip()
        return url if url.lower().startswith(("http://", "https://")) else None


@dataclass
class TopicGroup:
    """The materials of one topic (专题), in the organisers' order."""

    topic: str
    cards: list[MaterialCard]


def open_at(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """Filter on Material: published and inside its window at ``now`` (the SQL form of
    :meth:`Material.is_open`)."""
    return (
        Material.status == MaterialStatus.PUBLISHED.value,
        windows.open_filter(Material.opens_at, Material.closes_at, now),
    )


def _seconds_by_material(member_id: int, material_ids: list[int]) -> dict[int, int]:
    if not material_ids:
        return {}
    rows = db.session.execute(
        select(StudyMinute.material_id, func.sum(StudyMinute.seconds))
        .where(StudyMinute.member_id == member_id, StudyMinute.material_id.in_(material_ids))
        .group_by(StudyMinute.material_id)
    )
    return {material_id: int(seconds) for material_id, seconds in rows}


def list_member_materials(member: Member, now: datetime, search: str = "") -> list[TopicGroup]:
    """Return the materials the member may study now, by topic, optionally matching ``search``.

    Five queries whatever the number of materials: the materials, the audiences (three) and
    the member's seconds on them.
    """
    query = (
        select(Material)
        .where(*open_at(now))
        .options(defer(Material.body_markdown), defer(Material.body_html))
        # 必学 first, as the material form promises; then the organisers' order, newest first.
        .order_by(
            Material.is_required.desc(),
            Material.sort_order,
            Material.created_at.desc(),
            Material.id.desc(),
        )
    )
    search = search.strip()
    if search:
        query = query.where(
            or_(
                Material.title.icontains(search, autoescape=True),
                Material.topic.icontains(search, autoescape=True),
            )
        )
    materials = list(db.session.scalars(query))
    mine = audiences_including(member, list({m.audience_id for m in materials}))
    materials = [m for m in materials if m.audience_id in mine]
    seconds = _seconds_by_material(member.id, [m.id for m in materials])
    groups: dict[str, TopicGroup] = {}  # topics in the order of their first material
    for material in materials:
        group = groups.setdefault(material.topic, TopicGroup(material.topic, []))
        group.cards.append(MaterialCard(material, seconds.get(material.id, 0)))
    return list(groups.values())


def get_member_material(member: Member, material_id: int, now: datetime) -> MaterialCard:
    """Return a material the member may study now, with their seconds on it, or 404."""
    material = db.session.scalar(select(Material).where(Material.id == material_id, *open_at(now)))
    if material is None or material.audience_id not in audiences_including(
        member, [material.audience_id]
    ):
        abort(404)
    return MaterialCard(
        material, _seconds_by_material(member.id, [material.id]).get(material.id, 0)
    )


# Organisers, always within the actor's scope.


def in_view(actor: access.Actor) -> ColumnElement[bool]:
    """Filter on Material: the actor may read it (owned within their scope, or published,
    retired since, by a level above for an audience reaching into it)."""
    return shared_with(
        actor,
        Material.owner_branch_id,
        Material.audience_id,
        Material.status != MaterialStatus.DRAFT.value,
    )


def get_managed_material(actor: Member, material_id: int) -> Material:
    """Return a material owned within the organiser's subtree, or 404."""
    material = db.session.get(Material, material_id)
    if material is None or not can_manage_material(actor, material):
        abort(404)
    return material


def get_viewable_material(actor: Member, material_id: int) -> Material:
    """Return a material the organiser may read (:func:`in_view`), or 404."""
    material = db.session.scalar(select(Material).where(Material.id == material_id, in_view(actor)))
    if material is None:
        abort(404)
    return material


def list_managed_materials(
    actor: Member, topic: str, status: str, page: int, per_page: int
) -> Page:
    """Return a page of the materials the actor may read (a topic in its order)."""
    query = (
        select(Material)
        .where(in_view(actor))
        .options(selectinload(Material.owner_branch), *with_audience(Material))
    )
    if topic:
        query = query.where(Material.topic == topic).order_by(Material.sort_order, Material.id)
    else:
        query = query.order_by(Material.updated_at.desc(), Material.id.desc())
    if status in STATUSES:
        query = query.where(Material.status == status)
    return paginate(query, page, per_page)


def list_topics(actor: Member, with_ancestors: bool = False) -> list[str]:
    """Return the topics in use within the subtree (and above it, to reuse the bureau's)."""
    scope = access.branch_scope(actor)
    if with_ancestors:
        root = access.managed_root(actor)
        scope = or_(scope, Branch.id.in_(root.ancestor_ids if root else []))
    return list(
        db.session.scalars(
            select(Material.topic)
            .join(Branch, Branch.id == Material.owner_branch_id)
            .where(scope)
            .distinct()
            .order_by(Material.topic)
        )
    )


@dataclass
class MinuteDay:
    """One China day of a member's study: the seconds per material and their total."""

    day: date
    rows: list[tuple[Material, int, bool]] = field(default_factory=list)  # (material, s, viewable)

    @property
    def seconds(self) -> int:
        return sum(seconds for _, seconds, _ in self.rows)


def list_minute_days(actor: Member, member: Member, first: date) -> list[MinuteDay]:
    """Return the member's study days from ``first`` on, latest first; each row says whether
    the actor may open the material's page (:func:`in_view`). Two queries."""
    days: dict[date, MinuteDay] = {}
    rows = db.session.execute(
        select(StudyMinute.day, StudyMinute.seconds, Material)
        .join(Material, Material.id == StudyMinute.material_id)
        .where(
            StudyMinute.member_id == member.id, StudyMinute.day >= first, StudyMinute.seconds > 0
        )
        .order_by(StudyMinute.day.desc(), StudyMinute.seconds.desc(), Material.id)
    ).all()
    material_ids = {material.id for _, _, material in rows}
    viewable = (
        set(
            db.session.scalars(
                select(Material.id).where(Material.id.in_(material_ids), in_view(actor))
            )
        )
        if material_ids
        else set()
    )
    for day, seconds, material in rows:
        days.setdefault(day, MinuteDay(day)).rows.append(
            (material, seconds, material.id in viewable)
        )
    return list(days.values())


@dataclass(frozen=True)
class Learner:
    """A member who studied a material: their seconds on it (all days) and when they last did."""

    member_id: int
    name: str
    login_id: str
    branch_id: int
    seconds: int
    last_studied_at: datetime

    @property
    def minutes(self) -> float:
        """Minutes with one decimal, as the page and the export show them."""
        return numbers.minutes(self.seconds)


def list_material_learners(actor: Member, material: Material) -> list[Learner]:
    """Return who in the actor's subtree studied ``material``, longest first (one query)."""
    seconds = func.sum(StudyMinute.seconds)
    rows = db.session.execute(
        select(
            Member.id,
            Member.name,
            Member.police_no,
            Member.phone,
            Member.branch_id,
            seconds,
            func.max(StudyMinute.last_beat_at),
        )
        .join(Member, Member.id == StudyMinute.member_id)
        .join(Branch, Branch.id == Member.branch_id)
        .where(
            StudyMinute.material_id == material.id,
            StudyMinute.seconds > 0,
            access.branch_scope(actor),
        )
        .group_by(Member.id, Member.name, Member.police_no, Member.phone, Member.branch_id)
        .order_by(seconds.desc(), Member.name, Member.id)
    )
    return [
        Learner(member_id, name, police_no or phone or "", branch, int(total), last)
        for member_id, name, police_no, phone, branch, total, last in rows
    ]
