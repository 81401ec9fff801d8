"""Participation of a campaign, a quiz or a free date range, per branch and rolled up.

Who is eligible follows the membership history, not where people are now: each member with
a stay overlapping the period counts once, in the branch of their last such stay (a member
who moved counts where they moved to; one who left counts where they left from). For a
campaign or a quiz they must also be in its audience, judged on that branch (:mod:`.eligible`).
What counts as taking part, and every other figure, is written out in :mod:`.definitions`.

A report costs a fixed number of grouped queries whatever the number of members and
branches: the nodes in scope, the eligible members and their minutes, then one more for a
quiz or a free range, and six for a campaign (its progress book's five and offline
attendance). The eligible members are read once and passed to each as one array parameter
(see :func:`.sql.member_ids`), never as a parameter per member. The rows and lines a
report holds are in :mod:`.report`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import and_, select

from quizapp import access, db
from quizapp.campaigns.models import Campaign
from quizapp.members.models import Member
from quizapp.org.models import Branch, BranchKind
from quizapp.org.queries import sort_as_tree
from quizapp.participation import facts
from quizapp.participation.definitions import definitions, has_pass, headings, subject_kind
from quizapp.participation.eligible import eligible_members
from quizapp.participation.report import MemberLine, Report, Row
from quizapp.participation.sql import member_ids
from quizapp.quizzes.models import Quiz

__all__ = [
    "MemberLine",
    "Report",
    "Row",
    "definitions",
    "headings",
    "participation",
]


def participation(
    actor: Member,
    subject: Campaign | Quiz | None,
    first_day: date,
    last_day: date,
    now: datetime,
    *,
    within: Branch | None = None,
    detail: bool = False,
) -> Report:
    """Return participation in ``subject`` (None: any study) over China days, per branch.

    For a campaign the period is clipped to the campaign's own days (:func:`.facts.counted_period`):
    eligibility, minutes, taking part and 人次 follow the clipped period, completion the
    campaign's own. ``within`` narrows the report to one node of the actor's scope (a
    branch's drill-down); ``detail`` adds each member's line with who they are (read with
    the eligible members, no query more).
    """
    if last_day < first_day:
        raise ValueError("last_day before first_day")
    kind = subject_kind(subject)
    if kind == "campaign":
        first_day, last_day = facts.counted_period(subject, first_day, last_day)
    in_scope = access.branch_scope(actor)
    if within is not None:
        in_scope = and_(in_scope, Branch.path.startswith(within.path))
    nodes = sort_as_tree(list(db.session.scalars(select(Branch).where(in_scope))))
    eligible = eligible_members(actor, subject, first_day, last_day, within, who=detail)
    lines = _lines(db.read_rows(eligible), detail)
    members = member_ids(list(lines))
    if lines:
        study_days = {}
        for member_id, seconds, days in facts.study_seconds(members, first_day, last_day):
            lines[member_id].study_seconds = seconds
            study_days[member_id] = days
        if kind == "quiz":
            facts.count_quiz(subject, members, lines, now)
        elif kind == "campaign":
            period = (first_day, last_day)
            facts.count_campaign(subject, members, lines, period, study_days, now)
        else:
            facts.count_range(members, lines, (first_day, last_day), study_days)

    leaves = {
        node.id: _blank(node, subject) for node in nodes if node.kind == BranchKind.BRANCH.value
    }
    for line in lines.values():
        _add_line(leaves[line.branch_id], line)
    rows = {node.id: leaves.get(node.id) or _blank(node, subject, rollup=True) for node in nodes}
    for leaf in leaves.values():
        for ancestor_id in leaf.branch.ancestor_ids[:-1]:
            if ancestor_id in rows:
                rows[ancestor_id].add(leaf)
    shown = [rows[node.id] for node in nodes if node.is_active or rows[node.id].eligible]
    top = rows[min(nodes, key=lambda node: node.depth).id] if nodes else None
    report = Report(subject, first_day, last_day, now, shown, top)
    if detail:
        report.members = _in_order(lines, nodes)
    return report


def _lines(eligible: Iterable[tuple[Any, ...]], who: bool) -> dict[int, MemberLine]:
    """A line per eligible member, with who they are when the rows say it (``who``)."""
    if not who:
        return {m: MemberLine(m, b) for m, b in eligible}
    return {
        m: MemberLine(
            m,
            b,
            name=name,
            login_id=police_no or phone or "",
            political_status=status,
            is_active=active,
        )
        for m, b, name, police_no, phone, status, active in eligible
    }


def _add_line(row: Row, line: MemberLine) -> None:
    row.eligible += 1
    row.participants += line.participated
    row.study_seconds += line.study_seconds
    row.times += line.times
    if row.completed is not None:
        row.completed += bool(line.completed)
    if row.passed is not None:
        row.passed += bool(line.passed)
    if row.score_sum is not None and line.score is not None:
        row.score_sum += line.score
    if row.deferred is not None:
        row.deferred += line.deferred


def _in_order(lines: dict[int, MemberLine], nodes: list[Branch]) -> list[MemberLine]:
    """Return the lines in tree order, then by name, then by id.

    Each branch's lines are sorted apart (a few dozen each, not ten thousand at once), by two
    stable sorts on one attribute each: no key tuple per line."""
    by_branch: dict[int, list[MemberLine]] = {node.id: [] for node in nodes}
    for line in lines.values():
        by_branch[line.branch_id].append(line)
    ordered: list[MemberLine] = []
    for node in nodes:
        group = by_branch[node.id]
        group.sort(key=attrgetter("member_id"))
        group.sort(key=attrgetter("name"))
        ordered += group
    return ordered


def _blank(node: Branch, subject: Campaign | Quiz | None, rollup: bool = False) -> Row:
    """Return a row of zeros, with None for the figures that don't apply to ``subject``."""
    kind = subject_kind(subject)
    return Row(
        node,
        rollup,
        completed=0 if kind == "campaign" else None,
        passed=0 if has_pass(subject) else None,
        score_sum=0.0 if kind == "quiz" else None,
        deferred=0 if kind == "quiz" and subject.has_member_exceptions else None,
    )
