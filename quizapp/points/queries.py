"""Read-only points figures: a member's sums and ledger, and the branches' monthly ranking."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from quizapp import access, db
from quizapp.members.models import Member
from quizapp.org.models import Branch
from quizapp.pagination import Page, paginate
from quizapp.participation.eligible import eligible_members
from quizapp.points.models import PointEntry
from quizapp.points.rules import CORRECTION, Thresholds, Tier, one_decimal
from quizapp.ranking import competition_ranks

#: Members named per branch as 先锋党员 candidates.
TOP_MEMBERS = 3


def member_sums(member_id: int, first_day: date, last_day: date) -> tuple[int, int]:
    """Return (points in the days ``first_day``..``last_day``, points in all) in one query."""
    in_period = case((PointEntry.day.between(first_day, last_day), PointEntry.points), else_=0)
    period, total = db.session.execute(
        select(
            func.coalesce(func.sum(in_period), 0), func.coalesce(func.sum(PointEntry.points), 0)
        ).where(PointEntry.member_id == member_id)
    ).one()
    return int(period), int(total)


def list_entries(member_id: int, page: int, per_page: int) -> Page:
    """Return a page of the member's ledger, newest day first, with who made corrections."""
    return paginate(
        select(PointEntry)
        .where(PointEntry.member_id == member_id)
        .options(joinedload(PointEntry.created_by))
        .order_by(PointEntry.day.desc(), PointEntry.id.desc()),
        page,
        per_page,
    )


def reversed_ids(entries: list[PointEntry]) -> set[int]:
    """Return the ids of the corrections among ``entries`` that have been undone."""
    keys = {f"reversal:{e.id}": e.id for e in entries if e.rule == CORRECTION}
    if not keys:
        return set()
    return {
        keys[key]
        for key in db.session.scalars(
            select(PointEntry.source_key).where(PointEntry.source_key.in_(keys))
        )
    }


def get_entry(actor: Member, entry_id: int) -> PointEntry:
    """Return an entry of a member the actor may see, or 404."""
    return db.get_or_404(
        PointEntry, entry_id, lambda entry: access.can_view_member(actor, entry.member)
    )


@dataclass
class MemberPoints:
    """A member's points in the month, in the branch they are counted in."""

    member_id: int
    name: str
    points: int


@dataclass
class BranchLine:
    """One party branch in the month's ranking."""

    branch: Branch
    members: int = 0
    points: int = 0
    rank: int = 0
    tier: Tier = Tier.BLUE
    #: The members with the most points (先锋党员 candidates), ties by name.
    top: list[MemberPoints] = field(default_factory=list)
    #: Each member's place among the branch's members (ties share it; no points: 0 points).
    places: dict[int, int] = field(default_factory=dict)

    @property
    def per_member(self) -> Decimal:
        """Points per member, one decimal (the figure the ranking and the tier use)."""
        return one_decimal(self.points / self.members) if self.members else Decimal("0.0")


def ranking(
    actor: Member, first_day: date, last_day: date, thresholds: Thresholds
) -> list[BranchLine]:
    """Rank the party branches in the actor's scope by points per member in the period.

    Members are the eligible ones by the membership history (a member who moved counts in
    the branch of their last stay in the period) and their points are those of the period's
    days. Branches with more points per member rank higher; equal figures share a rank.
    Three queries, whatever the number of branches and members.
    """
    eligible = eligible_members(actor, None, first_day, last_day).subquery()
    sums = (
        select(PointEntry.member_id, func.sum(PointEntry.points).label("points"))
        .where(PointEntry.day.between(first_day, last_day))
        .group_by(PointEntry.member_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            eligible.c.member_id, eligible.c.branch_id, Member.name, func.coalesce(sums.c.points, 0)
        )
        .join(Member, Member.id == eligible.c.member_id)
        .outerjoin(sums, sums.c.member_id == eligible.c.member_id)
    ).all()
    branches = {
        b.id: b
        for b in db.session.scalars(
            select(Branch)
            .where(Branch.id.in_({row.branch_id for row in rows}))
            .options(joinedload(Branch.parent))
        )
    }
    lines: dict[int, BranchLine] = {}
    people: dict[int, list[MemberPoints]] = {}
    for member_id, branch_id, name, points in rows:
        line = lines.setdefault(branch_id, BranchLine(branches[branch_id]))
        line.members += 1
        line.points += int(points)
        people.setdefault(branch_id, []).append(MemberPoints(member_id, name, int(points)))
    for branch_id, line in lines.items():
        ranked = sorted(people[branch_id], key=lambda p: (-p.points, p.name, p.member_id))
        line.top = [p for p in ranked if p.points > 0][:TOP_MEMBERS]
        places = competition_ranks(ranked, key=lambda p: p.points)
        line.places = {p.member_id: place for p, place in zip(ranked, places, strict=True)}
        line.tier = thresholds.tier(line.per_member)
    ordered = sorted(
        lines.values(), key=lambda line: (-line.per_member, line.branch.name, line.branch.id)
    )
    for line, rank in zip(ordered, competition_ranks(ordered, lambda x: x.per_member), strict=True):
        line.rank = rank
    return ordered


def find_member_line(lines: list[BranchLine], member_id: int) -> BranchLine | None:
    """Return the line of the branch the member is counted in, if any."""
    return next((line for line in lines if member_id in line.places), None)


def count_tiers(lines: list[BranchLine]) -> dict[Tier, int]:
    """Return how many branches are in each tier."""
    counts = dict.fromkeys(Tier, 0)
    for line in lines:
        counts[line.tier] += 1
    return counts
