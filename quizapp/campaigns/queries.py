"""Read-only campaign lookups for organisers and members, always scoped.

An organiser manages the campaigns owned within their subtree (:func:`get_campaign`) and
reads those too and the published ones of the levels above reaching into it
(:func:`get_viewable_campaign`, :func:`in_view`); whatever they read counts their subtree's
members only. Progress itself is computed in :mod:`quizapp.campaigns.progress`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask import abort
from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import selectinload

from quizapp import access, db
from quizapp.audiences.models import Audience
from quizapp.audiences.services import audiences_including, member_filter, shared_with
from quizapp.campaigns.models import Campaign, CampaignQuiz
from quizapp.campaigns.progress import Progress, ProgressBook
from quizapp.campaigns.services import PICKABLE_MATERIAL_STATUSES, phase_of
from quizapp.members import queries as member_queries
from quizapp.members.models import Member
from quizapp.org.models import Branch, BranchKind
from quizapp.pagination import Page, paginate
from quizapp.quizzes import queries as quiz_queries
from quizapp.quizzes.models import Quiz
from quizapp.study import queries as material_queries
from quizapp.study.models import Material, MaterialStatus

#: At most this many finished campaigns on a member's list.
FINISHED_SHOWN = 20
#: At most this many recent quizzes offered on the campaign form (plus those already chosen).
QUIZ_CHOICES = 200


# Organisers


def _with_lists(query: Select, audience: bool = True) -> Select:
    """Load the campaigns' materials and quizzes (and audiences, for organisers) along."""
    query = query.options(
        selectinload(Campaign.materials),
        selectinload(Campaign.quizzes).joinedload(CampaignQuiz.quiz),
    )
    if not audience:
        return query
    return query.options(
        selectinload(Campaign.audience).selectinload(Audience.branches),
        selectinload(Campaign.audience).selectinload(Audience.roster).joinedload(Member.branch),
    )


def in_view(actor: access.Actor) -> ColumnElement[bool]:
    """Filter on Campaign: the actor may read it (owned within their scope, or published by a
    level above for an audience reaching into it)."""
    return shared_with(
        actor, Campaign.owner_branch_id, Campaign.audience_id, Campaign.is_published.is_(True)
    )


def get_campaign(actor: Member, campaign_id: int) -> Campaign:
    """Return a campaign owned within the actor's subtree, or 404."""
    return db.scalar_or_404(
        _with_lists(select(Campaign).where(Campaign.id == campaign_id)),
        lambda campaign: access.can_manage_branch(actor, campaign.owner_branch),
    )


def get_viewable_campaign(actor: Member, campaign_id: int) -> Campaign:
    """Return a campaign the actor may read (:func:`in_view`), or 404."""
    return db.scalar_or_404(
        _with_lists(select(Campaign).where(Campaign.id == campaign_id, in_view(actor)))
    )


def list_campaigns(actor: Member, *, page: int = 1, per_page: int = 20) -> Page:
    """Return a page of the campaigns the actor may read (:func:`in_view`), latest first."""
    return paginate(
        _with_lists(
            select(Campaign)
            .where(in_view(actor))
            .options(selectinload(Campaign.owner_branch))
            .order_by(Campaign.starts_on.desc(), Campaign.id.desc())
        ),
        page,
        per_page,
    )


def list_material_choices(actor: Member, campaign: Campaign | None) -> list[Material]:
    """Return the materials a campaign may require: draft or published ones in scope, those a
    level above published for the actor's members, and those already chosen."""
    chosen = [m.id for m in campaign.materials] if campaign else []
    published = Material.status == MaterialStatus.PUBLISHED.value
    own_draft = and_(Material.status.in_(PICKABLE_MATERIAL_STATUSES), access.branch_scope(actor))
    return list(
        db.session.scalars(
            select(Material)
            .join(Branch, Branch.id == Material.owner_branch_id)
            .where(
                or_(
                    Material.id.in_(chosen),
                    and_(material_queries.in_view(actor), or_(published, own_draft)),
                )
            )
            .options(selectinload(Material.owner_branch))
            .order_by(Material.topic, Material.sort_order, Material.title, Material.id)
        )
    )


def list_quiz_choices(actor: Member, campaign: Campaign | None) -> list[Quiz]:
    """Return the quizzes a campaign may require: recent ones the actor may read (their
    subtree's, and those a level above published for their members) and those chosen."""
    recent = list(
        db.session.scalars(
            select(Quiz)
            .where(quiz_queries.in_view(actor))
            .options(selectinload(Quiz.owner_branch))
            .order_by(Quiz.opens_at.desc(), Quiz.id.desc())
            .limit(QUIZ_CHOICES)
        )
    )
    shown = {q.id for q in recent}
    return recent + [
        cq.quiz for cq in (campaign.quizzes if campaign else []) if cq.quiz_id not in shown
    ]


@dataclass(frozen=True)
class Viewable:
    """The ids of a campaign's required materials and quizzes whose pages the actor may open."""

    materials: set[int]
    quizzes: set[int]


def list_viewable_requirements(actor: Member, campaign: Campaign) -> Viewable:
    """Return which of the campaign's materials and quizzes the actor may read (two queries
    at most): a campaign of a level above may require some that do not reach them."""
    material_ids = [m.id for m in campaign.materials]
    quiz_ids = [cq.quiz_id for cq in campaign.quizzes]
    return Viewable(
        set(
            db.session.scalars(
                select(Material.id).where(
                    Material.id.in_(material_ids), material_queries.in_view(actor)
                )
            )
        )
        if material_ids
        else set(),
        set(
            db.session.scalars(
                select(Quiz.id).where(Quiz.id.in_(quiz_ids), quiz_queries.in_view(actor))
            )
        )
        if quiz_ids
        else set(),
    )


def _eligible(actor: Member, campaign: Campaign) -> Select:
    """Members of the campaign whose current branch the actor manages.

    A campaign counts people on party branches (not bureau-level system accounts); a
    training class counts whoever was enrolled.
    """
    query = (
        select(Member.id, Member.name, Member.police_no, Member.phone, Member.branch_id)
        .join(Branch, Branch.id == Member.branch_id)
        .where(member_filter(campaign.audience), access.branch_scope(actor))
    )
    if not campaign.is_training_class:
        query = query.where(Branch.kind == BranchKind.BRANCH.value)
    return query


@dataclass
class ProgressRow:
    """One member in the organiser's progress table."""

    member_id: int
    name: str
    login_id: str
    branch_id: int
    progress: Progress


@dataclass
class ProgressTable:
    """The members of a campaign in the actor's scope and how far each has got."""

    rows: list[ProgressRow]

    @property
    def complete(self) -> int:
        return sum(row.progress.complete for row in self.rows)


def get_progress_table(actor: Member, campaign: Campaign, today: date) -> ProgressTable:
    """Return every member of the campaign in scope with their progress, by branch and name.

    One query for the members and at most five for everyone's progress.
    """
    members = db.session.execute(
        _eligible(actor, campaign).order_by(Branch.path, Member.name, Member.id)
    ).all()
    book = ProgressBook([campaign], _eligible(actor, campaign).with_only_columns(Member.id), today)
    return ProgressTable(
        [
            ProgressRow(
                m.id, m.name, m.police_no or m.phone or "", m.branch_id, book.of(m.id, campaign)
            )
            for m in members
        ]
    )


def list_members_by_id(actor: Member, member_ids: list[int]) -> list[Member]:
    """Return the members with these ids whose current branch the actor manages."""
    return member_queries.find_members(actor, member_ids)


# Members


def _campaigns_of(member: Member) -> list:
    """Return rows (id, audience_id, starts_on, ends_on) of the member's published campaigns."""
    rows = db.session.execute(
        select(Campaign.id, Campaign.audience_id, Campaign.starts_on, Campaign.ends_on).where(
            Campaign.is_published.is_(True)
        )
    ).all()
    mine = audiences_including(member, sorted({r.audience_id for r in rows}))
    return [r for r in rows if r.audience_id in mine]


def _load(ids: Iterable[int]) -> dict[int, Campaign]:
    ids = list(ids)
    if not ids:
        return {}
    return {
        c.id: c
        for c in db.session.scalars(
            _with_lists(select(Campaign).where(Campaign.id.in_(ids)), audience=False)
        )
    }


def list_member_campaigns(member: Member, today: date, now: datetime) -> dict[str, list[Progress]]:
    """Return the member's campaigns with progress: running, upcoming and recent finished."""
    groups: dict[str, list] = {"running": [], "upcoming": [], "finished": []}
    for row in _campaigns_of(member):
        groups[phase_of(row, today)].append(row)
    groups["running"].sort(key=lambda r: (r.ends_on, r.id))
    groups["upcoming"].sort(key=lambda r: (r.starts_on, r.id))
    groups["finished"] = sorted(groups["finished"], key=lambda r: (r.ends_on, r.id), reverse=True)[
        :FINISHED_SHOWN
    ]
    campaigns = _load(r.id for rows in groups.values() for r in rows)
    book = ProgressBook(list(campaigns.values()), [member.id], today, now)
    return {
        phase: [book.of(member.id, campaigns[r.id]) for r in rows] for phase, rows in groups.items()
    }


def list_running_progress(member: Member, today: date, now: datetime) -> list[Progress]:
    """Return the member's progress in each running campaign, ending soonest first."""
    running = sorted(
        (r for r in _campaigns_of(member) if phase_of(r, today) == "running"),
        key=lambda r: (r.ends_on, r.id),
    )
    campaigns = _load(r.id for r in running)
    book = ProgressBook(list(campaigns.values()), [member.id], today, now)
    return [book.of(member.id, campaigns[r.id]) for r in running]


def get_member_campaign(member: Member, campaign_id: int) -> Campaign:
    """Return a published campaign the member is in, or 404."""
    campaign = _load([campaign_id]).get(campaign_id)
    if (
        campaign is None
        or not campaign.is_published
        or campaign.audience_id not in audiences_including(member, [campaign.audience_id])
    ):
        abort(404)
    return campaign
