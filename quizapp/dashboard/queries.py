"""What the organiser's front page shows about their subtree: headcounts, running campaigns
with their participation and the branches that lag (minutes per week: :mod:`.trend`).

A fixed number of queries whatever the number of members and branches: three headcounts,
the running campaigns (one query and their lists), two reads of last night's campaign
snapshots (a participation report instead for each campaign shown that has none; at most
``CAMPAIGNS_SHOWN``), one read of the day snapshots (the trend) and one report for the
lagging branches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from quizapp import access, db, windows
from quizapp.audiences.models import Audience
from quizapp.audiences.services import reaches
from quizapp.campaigns import queries as campaign_queries
from quizapp.campaigns.models import Campaign, CampaignQuiz
from quizapp.clock import china_today
from quizapp.members.models import Member, PoliticalStatus
from quizapp.members.queries import count_members_by, counted_in_scope
from quizapp.org.models import Branch, BranchKind
from quizapp.participation.definitions import headings
from quizapp.participation.queries import Report, Row, participation
from quizapp.participation.snapshots import (
    BranchFigures,
    list_campaign_figures,
)

#: At most this many running campaigns on the page (those ending soonest).
CAMPAIGNS_SHOWN = 5
#: Days over which branches are compared for the lagging list (four weeks up to today).
LAGGING_DAYS = 28
#: At most this many lagging branches listed.
LAGGING_SHOWN = 5
#: At most this many tests listed with their results: running ones, then those closed within
#: ``QUIZ_DAYS`` days.
QUIZZES_SHOWN = 5
QUIZ_DAYS = 30


# Headcounts


@dataclass(frozen=True)
class Headcounts:
    """Active branches and members in the subtree."""

    branches: int
    members: int
    pending_first_login: int
    #: (status, members) for every political status, in the enum's order.
    by_status: list[tuple[PoliticalStatus, int]]


def count_headcounts(actor: Member) -> Headcounts:
    """Count active branches, members by political status and first logins pending."""
    counts = count_members_by(actor, Member.political_status)
    branches = db.session.scalar(
        select(func.count())
        .select_from(Branch)
        .where(
            access.branch_scope(actor),
            Branch.kind == BranchKind.BRANCH.value,
            Branch.is_active.is_(True),
        )
    )
    pending = db.session.scalar(
        select(func.count())
        .select_from(Member)
        .join(Branch, Branch.id == Member.branch_id)
        .where(*counted_in_scope(actor), Member.must_change_password.is_(True))
    )
    return Headcounts(
        branches,
        sum(counts.values()),
        pending,
        [(s, counts.get(s.value, 0)) for s in PoliticalStatus],
    )


# Running campaigns


@dataclass
class CampaignBars:
    """A running campaign's participation in the subtree: the whole and each direct child."""

    campaign: Campaign
    top: Row
    #: The rows of the root's direct children (units, or branches) with eligible members.
    children: list[Row]
    #: The heading of the rate, e.g. 参学率 or 参训率.
    rate_heading: str
    #: The day whose nightly snapshot the figures come from; None: computed just now.
    as_of: date | None = None


def list_running_campaigns(actor: Member, today: date) -> list[Campaign]:
    """Return the published campaigns running today whose audience reaches into the actor's
    subtree, ending soonest first: their own and those of the levels above (a bureau-wide
    campaign counts too; campaigns.queries.in_view)."""
    root = access.managed_root(actor)
    if root is None:
        return []
    campaigns = db.session.scalars(
        select(Campaign)
        .where(
            Campaign.is_published.is_(True),
            campaign_queries.in_view(actor),
            windows.running_on(Campaign.starts_on, Campaign.ends_on, today),
        )
        .options(
            selectinload(Campaign.materials),
            selectinload(Campaign.owner_branch),
            selectinload(Campaign.quizzes).joinedload(CampaignQuiz.quiz),
            selectinload(Campaign.audience).selectinload(Audience.branches),
            selectinload(Campaign.audience).selectinload(Audience.roster).joinedload(Member.branch),
        )
        .order_by(Campaign.ends_on, Campaign.id)
    )
    return [c for c in campaigns if reaches(c.audience, root)]


def _summed(
    root: Branch, figures: list[BranchFigures], children: list[Branch]
) -> tuple[Row, list[Row]]:
    """Sum snapshot rows into the root's row and its direct children's rows."""
    top = Row(root, True)
    rows = {child.id: Row(child, child.kind != BranchKind.BRANCH.value) for child in children}
    depth = len(root.ancestor_ids)
    with_pass = any(f.passed is not None for f in figures)
    for row in (top, *rows.values()):
        row.passed = 0 if with_pass else None
        row.completed = 0
    for f in figures:
        ids = [int(part) for part in f.path.strip("/").split("/")]
        for row in (top, rows.get(ids[depth]) if len(ids) > depth else None):
            if row is not None:
                row.eligible += f.eligible
                row.participants += f.participants
                row.completed += f.completed or 0
                if row.passed is not None:
                    row.passed += f.passed or 0
    return top, [row for row in rows.values() if row.eligible]


def campaign_bars(actor: Member, campaigns: list[Campaign], now: datetime) -> list[CampaignBars]:
    """Return the participation of each campaign in the actor's subtree, leaving out those
    nobody in it is eligible for.

    From last night's snapshot where there is one (one query for all, plus one for the
    root's children): a day old, but the same figures at any size. A campaign without one
    (it started today, or the scheduler has not run) is computed now, one report each.
    """
    root = access.managed_root(actor)
    yesterday = china_today(now) - timedelta(days=1)
    snapped = list_campaign_figures(actor, yesterday, [c.id for c in campaigns])
    children = (
        list(
            db.session.scalars(
                select(Branch)
                .where(Branch.parent_id == root.id)
                .order_by(Branch.sort_order, Branch.id)
            )
        )
        if snapped
        else []
    )
    found = []
    for campaign in campaigns:
        heading = headings(campaign)["participation_rate"]
        if campaign.id in snapped:
            top, rows = _summed(root, snapped[campaign.id], children)
            as_of = yesterday
        else:
            report = participation(actor, campaign, campaign.starts_on, campaign.ends_on, now)
            top, as_of = report.top, None
            rows = [row for row in report.rows if row.branch.parent_id == root.id and row.eligible]
        if top is not None and top.eligible:
            found.append(CampaignBars(campaign, top, rows, heading, as_of))
    return found


# Lagging branches


@dataclass
class Lagging:
    """The branches whose study participation is below their subtree's, lowest first."""

    first_day: date
    last_day: date
    #: The whole subtree's row (None when it has fewer than two branches with members).
    scope: Row | None
    rows: list[Row]


def lagging_branches(
    actor: Member, now: datetime, *, days: int = LAGGING_DAYS, shown: int = LAGGING_SHOWN
) -> Lagging:
    """Return the party branches with the lowest study participation over the last ``days``
    China days up to today, among those below the subtree's own rate (one report).

    Ties go to the branch with more members first: more people to reach.
    """
    last = china_today(now)
    first = last - timedelta(days=days - 1)
    report: Report = participation(actor, None, first, last, now)
    branches = [row for row in report.rows if not row.is_rollup and row.eligible]
    if len(branches) < 2 or report.top is None:
        return Lagging(first, last, None, [])
    order = {row.branch.id: index for index, row in enumerate(report.rows)}
    scope_rate = report.top.participation_rate
    below = [row for row in branches if row.participation_rate < scope_rate]
    below.sort(key=lambda row: (row.participation_rate, -row.eligible, order[row.branch.id]))
    return Lagging(first, last, report.top, below[:shown])
