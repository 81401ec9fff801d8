"""Participation of a campaign, a quiz or a free date range, per branch and rolled up.

Who is eligible follows the membership history, not where people are now: each member with
a stay overlapping the period counts once, in the branch of their last such stay (a member
who moved counts where they moved to; one who left counts where they left from). For a
campaign or a quiz they must also be in its audience, judged on that branch. What counts as
taking part, and every other figure, is written out in :mod:`.definitions`.

A report costs a fixed number of grouped queries whatever the number of members and
branches: the nodes in scope, the eligible members and their minutes, then one more for a
quiz or a free range, and seven for a campaign (its progress book's five, attempts and
offline attendance). Members are passed to each as a subquery, never as a list of ids.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from sqlalchemy import Date, Select, and_, exists, false, func, or_, select, union
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from quizapp import access, db
from quizapp.attempts.models import Attempt
from quizapp.attempts.services import counted_attempt
from quizapp.audiences.models import Audience, AudienceMember
from quizapp.campaigns.models import Campaign
from quizapp.campaigns.progress import ProgressBook
from quizapp.clock import china_day_start, china_today
from quizapp.members.models import Member, Membership
from quizapp.offline.models import OfflineAttendance, OfflineSession
from quizapp.org.models import Branch, BranchKind
from quizapp.org.queries import sort_as_tree
from quizapp.participation.definitions import definitions, has_pass, headings, subject_kind
from quizapp.quizzes.models import Counting, Quiz
from quizapp.reflections.models import Reflection
from quizapp.study.models import StudyMinute

__all__ = ["Report", "Row", "definitions", "eligible_members", "headings", "participation"]


@dataclass
class Row:
    """The figures of one branch, or the sums over the branches under a unit (a rollup)."""

    branch: Branch
    is_rollup: bool
    eligible: int = 0
    participants: int = 0
    #: Campaigns only: members with progress on at least one item (参与人数).
    took_part: int | None = None
    #: Quizzes, and campaigns requiring quizzes.
    passed: int | None = None
    #: Quizzes only: the sum of the participants' counted scores.
    score_sum: float | None = None
    #: Online study seconds credited on the days of the period.
    study_seconds: int = 0
    #: Participant-times (人次).
    times: int = 0

    @property
    def participation_rate(self) -> float | None:
        return self.participants / self.eligible if self.eligible else None

    @property
    def pass_rate(self) -> float | None:
        if self.passed is None or not self.participants:
            return None
        return self.passed / self.participants

    @property
    def average_score(self) -> float | None:
        if self.score_sum is None or not self.participants:
            return None
        return self.score_sum / self.participants

    @property
    def average_minutes(self) -> float | None:
        return self.study_seconds / 60 / self.eligible if self.eligible else None

    def add(self, other: Row) -> None:
        """Add another row's counts (never its rates: those follow from the sums)."""
        for f in fields(self):
            if f.name in ("branch", "is_rollup"):
                continue
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if mine is not None and theirs is not None:
                setattr(self, f.name, mine + theirs)


@dataclass
class Report:
    """Participation per node of the actor's scope, in tree order."""

    subject: Campaign | Quiz | None
    first_day: date
    last_day: date
    generated_at: datetime
    #: Branches (own figures) and units and the bureau (rollups), parents first.
    rows: list[Row]
    #: The row of the top of the actor's scope (None for an actor who manages nothing).
    top: Row | None

    @property
    def kind(self) -> str:
        return subject_kind(self.subject)

    @property
    def headings(self) -> dict[str, str]:
        """Column headings of the figures that apply, in display order."""
        return headings(self.subject)

    @property
    def definitions(self) -> list[tuple[str, str]]:
        return definitions(self.subject)


def participation(actor: Member, subject: Campaign | Quiz | None, first_day: date,
                  last_day: date, now: datetime) -> Report:
    """Return participation in ``subject`` (None: any study) over China days, per branch.

    For a campaign, pass its own start and end days: completion is judged by the campaign's
    period, eligibility and minutes by the one given.
    """
    if last_day < first_day:
        raise ValueError("last_day before first_day")
    kind = subject_kind(subject)
    nodes = sort_as_tree(list(db.session.scalars(select(Branch).where(
        access.branch_scope(actor)))))
    eligible = eligible_members(actor, subject, first_day, last_day)
    branch_of = dict(db.session.execute(eligible).tuples().all())
    members = select(eligible.subquery().c.member_id)

    leaves = {node.id: _blank(node, subject) for node in nodes
              if node.kind == BranchKind.BRANCH.value}
    for branch_id in branch_of.values():
        leaves[branch_id].eligible += 1
    if branch_of:
        for member_id, seconds in _study_seconds(members, first_day, last_day).items():
            leaves[branch_of[member_id]].study_seconds += seconds
        rows_of = {m: leaves[b] for m, b in branch_of.items()}
        if kind == "quiz":
            _count_quiz(subject, members, rows_of)
        elif kind == "campaign":
            _count_campaign(subject, members, rows_of, first_day, last_day, china_today(now))
        else:
            _count_range(members, rows_of, first_day, last_day)

    rows = {node.id: leaves.get(node.id) or _blank(node, subject, rollup=True) for node in nodes}
    for leaf in leaves.values():
        for ancestor_id in leaf.branch.ancestor_ids[:-1]:
            if ancestor_id in rows:
                rows[ancestor_id].add(leaf)
    shown = [rows[node.id] for node in nodes if node.is_active or rows[node.id].eligible]
    top = rows[min(nodes, key=lambda node: node.depth).id] if nodes else None
    return Report(subject, first_day, last_day, now, shown, top)


def _blank(node: Branch, subject: Campaign | Quiz | None, rollup: bool = False) -> Row:
    """Return a row of zeros, with None for the figures that don't apply to ``subject``."""
    kind = subject_kind(subject)
    return Row(node, rollup, took_part=0 if kind == "campaign" else None,
               passed=0 if has_pass(subject) else None,
               score_sum=0.0 if kind == "quiz" else None)


# Who is eligible


def _overlaps(stay: type[Membership], first_day: date, last_day: date):
    """A stay with at least one day in [first_day, last_day] (stays are [started_on, ended_on))."""
    return and_(stay.started_on <= last_day,
                or_(stay.ended_on.is_(None),
                    and_(stay.ended_on > first_day, stay.ended_on > stay.started_on)))


def eligible_members(actor: Member, subject: Campaign | Quiz | None, first_day: date,
                     last_day: date) -> Select:
    """Return a query of (member_id, branch_id): each eligible member and their branch.

    The branch is the one of the member's last stay overlapping the period, chosen among all
    their stays before the actor's scope and the audience are applied, so a member who moved
    out of the scope is counted by whoever manages where they went, never twice.
    """
    stay, later = Membership, aliased(Membership)
    query = (
        select(stay.member_id, stay.branch_id)
        .join(Branch, Branch.id == stay.branch_id)
        .where(_overlaps(stay, first_day, last_day),
               ~exists().where(later.member_id == stay.member_id,
                               _overlaps(later, first_day, last_day),
                               or_(later.started_on > stay.started_on,
                                   and_(later.started_on == stay.started_on,
                                        later.id > stay.id))),
               Branch.kind == BranchKind.BRANCH.value, access.branch_scope(actor)))
    if subject is not None:
        query = query.join(Member, Member.id == stay.member_id).where(
            _in_audience(subject.audience))
    return query


def _in_audience(audience: Audience):
    """A filter on Member and Branch (the branch of the period) for the audience.

    As :func:`quizapp.audiences.services.member_filter`, but on the branch of the period and
    without the "active now" condition: someone who left during the period was eligible.
    """
    on_roster = exists().where(AudienceMember.audience_id == audience.id,
                               AudienceMember.member_id == Member.id)
    has_roster = exists().where(AudienceMember.audience_id == audience.id)
    by_branch = or_(*[Branch.path.startswith(b.path) for b in audience.branches], false())
    if audience.status_list:
        by_branch = and_(by_branch, Member.political_status.in_(audience.status_list))
    return or_(on_roster, and_(~has_roster, by_branch))


# The facts, one grouped query each


def _study_seconds(members: Select, first_day: date, last_day: date) -> dict[int, int]:
    """Return each member's online study seconds on the days of the period."""
    return {m: int(s) for m, s in db.session.execute(
        select(StudyMinute.member_id, func.sum(StudyMinute.seconds))
        .where(StudyMinute.day.between(first_day, last_day), StudyMinute.member_id.in_(members))
        .group_by(StudyMinute.member_id))}


def _attempts(quiz_ids: list[int], members: Select) -> dict[tuple[int, int], list]:
    """Return the submitted attempts (light rows) per (member, quiz)."""
    found: dict[tuple[int, int], list] = defaultdict(list)
    for row in db.session.execute(
            select(Attempt.member_id, Attempt.quiz_id, Attempt.number, Attempt.status,
                   Attempt.score, Attempt.passed)
            .where(Attempt.quiz_id.in_(quiz_ids), Attempt.status == "submitted",
                   Attempt.member_id.in_(members))):
        found[(row.member_id, row.quiz_id)].append(row)
    return found


def _count_quiz(quiz: Quiz, members: Select, rows_of: dict[int, Row]) -> None:
    counting = Counting(quiz.counting)
    for (member_id, _quiz_id), attempts in _attempts([quiz.id], members).items():
        row = rows_of[member_id]
        row.times += len(attempts)
        counted = counted_attempt(attempts, counting)
        if counted is not None:
            row.participants += 1
            row.passed += bool(counted.passed)
            row.score_sum += counted.score


def _count_campaign(campaign: Campaign, members: Select, rows_of: dict[int, Row],
                    first_day: date, last_day: date, today: date) -> None:
    book = ProgressBook([campaign], members, today)
    quizzes = {cq.quiz_id: Counting(cq.quiz.counting) for cq in campaign.quizzes}
    attempts = _attempts(list(quizzes), members) if quizzes else {}
    attended = _attendances(members, first_day, last_day)
    for member_id, row in rows_of.items():
        progress = book.of(member_id, campaign)
        row.times += attended.get(member_id, 0)
        if any(item.value > 0 or item.state not in ("", "absent") for item in progress.items):
            row.took_part += 1
        if not progress.complete:
            continue
        row.participants += 1
        row.times += 1
        if quizzes and all(_passed(attempts.get((member_id, q), []), counting)
                           for q, counting in quizzes.items()):
            row.passed += 1


def _passed(attempts: list, counting: Counting) -> bool:
    counted = counted_attempt(attempts, counting)
    return counted is not None and bool(counted.passed)


def _attendances(members: Select, first_day: date, last_day: date) -> dict[int, int]:
    """Return how many offline sessions held in the period each member attended."""
    return {m: int(n) for m, n in db.session.execute(
        select(OfflineAttendance.member_id, func.count())
        .join(OfflineSession, OfflineSession.id == OfflineAttendance.session_id)
        .where(OfflineSession.held_on.between(first_day, last_day),
               OfflineAttendance.member_id.in_(members))
        .group_by(OfflineAttendance.member_id))}


def _count_range(members: Select, rows_of: dict[int, Row], first_day: date,
                 last_day: date) -> None:
    for member_id, days in _active_days(members, first_day, last_day).items():
        row = rows_of[member_id]
        row.participants += 1
        row.times += days


class china_day(FunctionElement):
    """The China calendar day of a stored UTC moment, in SQL."""

    type = Date()
    name = "china_day"
    inherit_cache = True


@compiles(china_day, "sqlite")
def _china_day_sqlite(element, compiler, **kw) -> str:
    # SQLite keeps naive UTC text; China has kept UTC+8 without daylight saving since 1991.
    return f"date({compiler.process(element.clauses, **kw)}, '+8 hours')"


@compiles(china_day, "postgresql")
def _china_day_postgresql(element, compiler, **kw) -> str:
    moment = compiler.process(element.clauses, **kw)
    return f"CAST(({moment}) AT TIME ZONE 'Asia/Shanghai' AS DATE)"


def _active_days(members: Select, first_day: date, last_day: date) -> dict[int, int]:
    """Return, per member, the distinct China days of the period with any activity."""
    start = china_day_start(first_day)
    end = china_day_start(last_day + timedelta(days=1))
    days = union(
        select(StudyMinute.member_id.label("member_id"), StudyMinute.day.label("day"))
        .where(StudyMinute.day.between(first_day, last_day), StudyMinute.seconds > 0,
               StudyMinute.member_id.in_(members)),
        select(OfflineAttendance.member_id, OfflineSession.held_on)
        .join(OfflineSession, OfflineSession.id == OfflineAttendance.session_id)
        .where(OfflineSession.held_on.between(first_day, last_day),
               OfflineAttendance.member_id.in_(members)),
        select(Attempt.member_id, china_day(Attempt.submitted_at))
        .where(Attempt.status == "submitted", Attempt.submitted_at >= start,
               Attempt.submitted_at < end, Attempt.member_id.in_(members)),
        select(Reflection.member_id, china_day(Reflection.submitted_at))
        .where(Reflection.status == "accepted", Reflection.submitted_at >= start,
               Reflection.submitted_at < end, Reflection.member_id.in_(members)),
    ).subquery()
    return {m: int(n) for m, n in db.session.execute(
        select(days.c.member_id, func.count()).group_by(days.c.member_id))}
