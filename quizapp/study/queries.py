"""What a member sees of study materials and of their own study minutes; what an organiser
finds within their scope (materials, topics, a member's minutes by day)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import abort
from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import defer

from quizapp import access, db, windows
from quizapp.audiences.queries import with_audience
from quizapp.audiences.services import audiences_including
from quizapp.members.models import Member
from quizapp.org.models import Branch
from quizapp.pagination import Page, paginate
from quizapp.study.models import Material, MaterialStatus, StudyMinute
from quizapp.study.services import STATUSES, can_manage_material

#: A material's mark for the member, with its label.
MARKS = {"not_started": "未开始", "in_progress": "学习中", "done": "已完成"}


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
        """The mark as members read it: 未开始, 学习中 or 已完成."""
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
        .order_by(Material.sort_order, Material.created_at.desc(), Material.id.desc())
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


def week_start(today: date) -> date:
    """Return the Monday of ``today``'s week (China weeks start on Monday)."""
    return today - timedelta(days=today.weekday())


def member_minutes_summary(member_id: int, today: date) -> tuple[int, int]:
    """Return the member's credited (today_seconds, week_seconds); ``today`` is a China day."""
    monday = week_start(today)
    today_seconds, week_seconds = db.session.execute(
        select(
            func.coalesce(
                func.sum(case((StudyMinute.day == today, StudyMinute.seconds), else_=0)), 0
            ),
            func.coalesce(func.sum(StudyMinute.seconds), 0),
        ).where(StudyMinute.member_id == member_id, StudyMinute.day.between(monday, today))
    ).one()
    return int(today_seconds), int(week_seconds)


# Organisers, always within the actor's scope.


def get_managed_material(actor: Member, material_id: int) -> Material:
    """Return a material owned within the organiser's subtree, or 404."""
    material = db.session.get(Material, material_id)
    if material is None or not can_manage_material(actor, material):
        abort(404)
    return material


def list_managed_materials(
    actor: Member, topic: str, status: str, page: int, per_page: int
) -> Page:
    """Return a page of the materials owned within the actor's subtree (a topic in its order)."""
    query = access.owned_in_scope(Material, actor).options(*with_audience(Material))
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
    rows: list[tuple[Material, int, bool]] = field(default_factory=list)  # (material, s, own)

    @property
    def seconds(self) -> int:
        return sum(seconds for _, seconds, _ in self.rows)


def list_minute_days(actor: Member, member: Member, first: date) -> list[MinuteDay]:
    """Return the member's study days from ``first`` on, latest first (one query)."""
    root = access.managed_root(actor)
    days: dict[date, MinuteDay] = {}
    rows = db.session.execute(
        select(StudyMinute.day, StudyMinute.seconds, Material, Branch.path)
        .join(Material, Material.id == StudyMinute.material_id)
        .join(Branch, Branch.id == Material.owner_branch_id)
        .where(
            StudyMinute.member_id == member.id, StudyMinute.day >= first, StudyMinute.seconds > 0
        )
        .order_by(StudyMinute.day.desc(), StudyMinute.seconds.desc(), Material.id)
    )
    for day, seconds, material, owner_path in rows:
        own = root is not None and owner_path.startswith(root.path)
        days.setdefault(day, MinuteDay(day)).rows.append((material, seconds, own))
    return list(days.values())
