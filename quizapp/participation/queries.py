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

from datetime import date, datetime, timedelta

from sqlalchemy import (
    Select,
    and_,
    func,
    select,
    union,
)

from quizapp import access, db
from quizapp.attempts.services import counted_attempt
from quizapp.campaigns.counting import submitted_attempts
from quizapp.campaigns.models import Campaign
from quizapp.campaigns.progress import ProgressBook
from quizapp.clock import china_day_start, china_today
from quizapp.members.models import Member
from quizapp.offline.models import OfflineAttendance, OfflineSession
from quizapp.org.models import Branch, BranchKind
from quizapp.org.queries import sort_as_tree
from quizapp.participation.definitions import definitions, has_pass, headings, subject_kind
from quizapp.participation.eligible import eligible_members
from quizapp.participation.report import MemberInfo, MemberLine, Report, Row
from quizapp.participation.sql import china_day, member_ids
from quizapp.quizzes.attempt_models import Attempt, AttemptStatus
from quizapp.quizzes.models import Counting, Quiz
from quizapp.study.models import Reflection, ReflectionStatus, StudyMinute

__all__ = [
    "MemberInfo",
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

    For a campaign, pass its own start and end days: completion is judged by the campaign's
    period, eligibility and minutes by the one given. ``within`` narrows the report to one
    node of the actor's scope (a branch's drill-down); ``detail`` adds each member's line
    with who they are (one more query).
    """
    if last_day < first_day:
        raise ValueError("last_day before first_day")
    kind = subject_kind(subject)
    in_scope = access.branch_scope(actor)
    if within is not None:
        in_scope = and_(in_scope, Branch.path.startswith(within.path))
    nodes = sort_as_tree(list(db.session.scalars(select(Branch).where(in_scope))))
    eligible = eligible_members(actor, subject, first_day, last_day, within)
    lines = {m: MemberLine(m, b) for m, b in db.read_rows(eligible).tuples()}
    members = member_ids(list(lines))
    if lines:
        for member_id, seconds in _study_seconds(members, first_day, last_day).items():
            lines[member_id].study_seconds = seconds
        if kind == "quiz":
            _count_quiz(subject, members, lines)
        elif kind == "campaign":
            _count_campaign(subject, members, lines, first_day, last_day, china_today(now))
        else:
            _count_range(members, lines, first_day, last_day)

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
        report.members = _with_members(lines, nodes, members) if lines else []
    return report


def _add_line(row: Row, line: MemberLine) -> None:
    row.eligible += 1
    row.participants += line.participated
    row.study_seconds += line.study_seconds
    row.times += line.times
    if row.took_part is not None:
        row.took_part += bool(line.took_part)
    if row.passed is not None:
        row.passed += bool(line.passed)
    if row.score_sum is not None and line.score is not None:
        row.score_sum += line.score


def _with_members(
    lines: dict[int, MemberLine], nodes: list[Branch], members: Select
) -> list[MemberLine]:
    """Attach who each member is; return the lines in tree order, then by name."""
    for member_id, name, police_no, phone, status, active in db.read_rows(
        select(
            Member.id,
            Member.name,
            Member.police_no,
            Member.phone,
            Member.political_status,
            Member.is_active,
        ).where(Member.id.in_(members))
    ):
        lines[member_id].member = MemberInfo(name, police_no or phone or "", status, active)
    order = {node.id: index for index, node in enumerate(nodes)}
    return sorted(
        lines.values(), key=lambda line: (order[line.branch_id], line.member.name, line.member_id)
    )


def _blank(node: Branch, subject: Campaign | Quiz | None, rollup: bool = False) -> Row:
    """Return a row of zeros, with None for the figures that don't apply to ``subject``."""
    kind = subject_kind(subject)
    return Row(
        node,
        rollup,
        took_part=0 if kind == "campaign" else None,
        passed=0 if has_pass(subject) else None,
        score_sum=0.0 if kind == "quiz" else None,
    )


# The facts, one grouped query each


def _study_seconds(members: Select, first_day: date, last_day: date) -> dict[int, int]:
    """Return each member's online study seconds on the days of the period."""
    return {
        m: int(s)
        for m, s in db.read_rows(
            select(StudyMinute.member_id, func.sum(StudyMinute.seconds))
            .where(StudyMinute.day.between(first_day, last_day), StudyMinute.member_id.in_(members))
            .group_by(StudyMinute.member_id)
        )
    }


def _count_quiz(quiz: Quiz, members: Select, lines: dict[int, MemberLine]) -> None:
    counting = Counting(quiz.counting)
    for line in lines.values():
        line.passed = False
        line.missing = ["未交卷"]
    for (member_id, _quiz_id), attempts in submitted_attempts([quiz.id], members).items():
        line = lines[member_id]
        line.times = len(attempts)
        counted = counted_attempt(attempts, counting)
        if counted is not None:
            line.participated, line.missing = True, []
            line.passed = bool(counted.passed)
            line.score = counted.score


def _count_campaign(
    campaign: Campaign,
    members: Select,
    lines: dict[int, MemberLine],
    first_day: date,
    last_day: date,
    today: date,
) -> None:
    book = ProgressBook([campaign], members, today)
    quizzes = {cq.quiz_id: Counting(cq.quiz.counting) for cq in campaign.quizzes}
    attended = _attendances(members, first_day, last_day)
    for member_id, line in lines.items():
        progress = book.of(member_id, campaign)
        line.times = attended.get(member_id, 0)
        line.took_part = any(
            item.value > 0 or item.state not in ("", "absent") for item in progress.items
        )
        line.passed = False if quizzes else None
        if not progress.complete:
            line.missing = [
                f"{item.label}：{item.detail}" for item in progress.items if not item.met
            ]
            continue
        line.participated = True
        line.times += 1
        if quizzes:
            line.passed = all(
                _passed(book.attempts(member_id, q), counting) for q, counting in quizzes.items()
            )


def _passed(attempts: list, counting: Counting) -> bool:
    counted = counted_attempt(attempts, counting)
    return counted is not None and bool(counted.passed)


def _attendances(members: Select, first_day: date, last_day: date) -> dict[int, int]:
    """Return how many offline sessions held in the period each member attended."""
    return {
        m: int(n)
        for m, n in db.read_rows(
            select(OfflineAttendance.member_id, func.count())
            .join(OfflineSession, OfflineSession.id == OfflineAttendance.session_id)
            .where(
                OfflineSession.held_on.between(first_day, last_day),
                OfflineAttendance.member_id.in_(members),
            )
            .group_by(OfflineAttendance.member_id)
        )
    }


def _count_range(
    members: Select, lines: dict[int, MemberLine], first_day: date, last_day: date
) -> None:
    for line in lines.values():
        line.missing = ["统计期内没有学习活动"]
    for member_id, days in _active_days(members, first_day, last_day).items():
        line = lines[member_id]
        line.participated, line.missing = True, []
        line.times = days


def _active_days(members: Select, first_day: date, last_day: date) -> dict[int, int]:
    """Return, per member, the distinct China days of the period with any activity."""
    start = china_day_start(first_day)
    end = china_day_start(last_day + timedelta(days=1))
    days = union(
        select(StudyMinute.member_id.label("member_id"), StudyMinute.day.label("day")).where(
            StudyMinute.day.between(first_day, last_day),
            StudyMinute.seconds > 0,
            StudyMinute.member_id.in_(members),
        ),
        select(OfflineAttendance.member_id, OfflineSession.held_on)
        .join(OfflineSession, OfflineSession.id == OfflineAttendance.session_id)
        .where(
            OfflineSession.held_on.between(first_day, last_day),
            OfflineAttendance.member_id.in_(members),
        ),
        select(Attempt.member_id, china_day(Attempt.submitted_at)).where(
            Attempt.status == AttemptStatus.SUBMITTED.value,
            Attempt.submitted_at >= start,
            Attempt.submitted_at < end,
            Attempt.member_id.in_(members),
        ),
        select(Reflection.member_id, china_day(Reflection.submitted_at)).where(
            Reflection.status == ReflectionStatus.ACCEPTED.value,
            Reflection.submitted_at >= start,
            Reflection.submitted_at < end,
            Reflection.member_id.in_(members),
        ),
    ).subquery()
    return {
        m: int(n)
        for m, n in db.read_rows(select(days.c.member_id, func.count()).group_by(days.c.member_id))
    }
