"""What the organiser's front page shows about their subtree: headcounts, running campaigns
with their participation, minutes per week and the branches that lag.

A fixed number of queries whatever the number of members and branches: three headcounts,
the running campaigns (one query and their lists), two reads of last night's campaign
snapshots (a participation report instead for each campaign shown that has none; at most
``CAMPAIGNS_SHOWN``), one read of the day snapshots and one report for the lagging branches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from quizapp import access, db, windows
from quizapp.audiences.models import Audience
from quizapp.audiences.services import reaches
from quizapp.campaigns.models import Campaign, CampaignQuiz
from quizapp.clock import china_today
from quizapp.members.models import Member, PoliticalStatus
from quizapp.org.models import Branch, BranchKind
from quizapp.participation.charts import LinePoint, format_value, line_chart
from quizapp.participation.definitions import headings
from quizapp.participation.queries import Report, Row, participation
from quizapp.participation.snapshots import (
    BranchFigures,
    list_campaign_figures,
    list_day_totals,
)

#: At most this many running campaigns on the page (those ending soonest).
CAMPAIGNS_SHOWN = 5
#: Weeks in the minutes-per-week chart.
TREND_WEEKS = 12
#: Days over which branches are compared for the lagging list (four weeks up to today).
LAGGING_DAYS = 28
#: At most this many lagging branches listed.
LAGGING_SHOWN = 5


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
    counts = dict(
        db.session.execute(
            select(Member.political_status, func.count())
            .join(Branch, Branch.id == Member.branch_id)
            .where(
                access.branch_scope(actor),
                Member.is_active.is_(True),
                Branch.kind == BranchKind.BRANCH.value,
            )  # not bureau-level system accounts
            .group_by(Member.political_status)
        ).all()
    )
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
        .where(
            access.branch_scope(actor),
            Member.is_active.is_(True),
            Branch.kind == BranchKind.BRANCH.value,
            Member.must_change_password.is_(True),
        )
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
    subtree, ending soonest first (whoever owns them: a bureau-wide campaign counts too)."""
    root = access.managed_root(actor)
    if root is None:
        return []
    campaigns = db.session.scalars(
        select(Campaign)
        .where(
            Campaign.is_published.is_(True),
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
    for f in figures:
        ids = [int(part) for part in f.path.strip("/").split("/")]
        for row in (top, rows.get(ids[depth]) if len(ids) > depth else None):
            if row is not None:
                row.eligible += f.eligible
                row.participants += f.participants
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


# Minutes per week


@dataclass(frozen=True)
class WeekFigure:
    """A week's study in the subtree, from the day snapshots."""

    monday: date
    #: Days of the week that are over (7; fewer for the current week).
    days_over: int
    #: Days of the week with a snapshot.
    days_snapshotted: int
    study_seconds: int
    #: Eligible members summed over the snapshotted days (a member all week counts 7).
    member_days: int

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def label(self) -> str:
        return f"{self.monday.month}月{self.monday.day}日"

    @property
    def minutes_per_member(self) -> float | None:
        """Average study minutes per member over the week.

        Minutes per member-day times seven: with every day snapshotted this is the week's
        minutes over its average headcount; with days missing it is scaled up from those
        present (an estimate, see :attr:`partial`).
        """
        if not self.member_days:
            return None
        return self.study_seconds / 60 / self.member_days * 7

    @property
    def partial(self) -> bool:
        return 0 < self.days_snapshotted < 7

    @property
    def note(self) -> str:
        """Say in Chinese why the figure is an estimate (empty when it is not)."""
        if self.days_over < 7:
            return f"本周截至昨日（{self.days_snapshotted} 天），按已有天数折算"
        if self.days_snapshotted < 7:
            return f"缺 {7 - self.days_snapshotted} 天快照，按已有天数折算"
        return ""


def weekly_minutes(actor: Member, today: date, weeks: int = TREND_WEEKS) -> list[WeekFigure]:
    """Return the last ``weeks`` ISO weeks (Monday to Sunday, China days) up to yesterday's,
    oldest first, from the day snapshots (one query).

    Snapshots rather than live minutes: they count members by where they were each day,
    they are final, and they cost one small query at any size. Today is never in them (it
    is not over), so the current week runs to yesterday and, on a Monday, the last week
    shown is last week.
    """
    yesterday = today - timedelta(days=1)
    last_monday = yesterday - timedelta(days=yesterday.weekday())
    first_monday = last_monday - timedelta(weeks=weeks - 1)
    totals = list_day_totals(actor, first_monday, yesterday)
    figures = []
    for index in range(weeks):
        monday = first_monday + timedelta(weeks=index)
        days = [
            monday + timedelta(days=d) for d in range(7) if monday + timedelta(days=d) <= yesterday
        ]
        present = [totals[d] for d in days if d in totals]
        figures.append(
            WeekFigure(
                monday,
                len(days),
                len(present),
                sum(t.study_seconds for t in present),
                sum(t.eligible for t in present),
            )
        )
    return figures


def trend_points(figures: list[WeekFigure]) -> list[LinePoint]:
    """Return the chart's points: one per week, hollow where the figure is an estimate."""
    return [LinePoint(f.label, f.minutes_per_member, f.partial) for f in figures]


def trend_chart(figures: list[WeekFigure]) -> Markup:
    """Return the minutes-per-week line chart, described in words for screen readers."""
    said = "；".join(
        f"{f.label}起一周"
        + (
            f" {format_value(f.minutes_per_member)} 分钟"
            if f.minutes_per_member is not None
            else "无数据"
        )
        for f in figures
    )
    return line_chart(
        trend_points(figures),
        chart_id="weekly-minutes",
        title="每周人均学习时长（分钟）",
        unit="分钟",
        description=f"最近 {len(figures)} 周每名党员平均学习分钟数：{said}。",
    )


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
