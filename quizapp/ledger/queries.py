"""What a branch's 台账 holds for a period, read from the features' own queries (read-only).

Every figure comes from the function the feature's page uses (participation reports, the
points ranking, the offline and reflection lists), so the 台账 quotes what the pages show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from quizapp import db
from quizapp.campaigns.models import Campaign
from quizapp.clock import china_day_start, china_today
from quizapp.members.models import Member, Membership
from quizapp.offline import queries as offline_queries
from quizapp.offline.models import OfflineSession
from quizapp.org.models import Branch, BranchKind
from quizapp.org.queries import sort_as_tree
from quizapp.participation import subjects
from quizapp.participation.queries import participation
from quizapp.participation.report import MemberLine, Report
from quizapp.points import queries as points_queries
from quizapp.points.rules import effective_thresholds
from quizapp.quizzes.models import Quiz
from quizapp.study.models import Reflection

#: What the 台账 adds to the participation report's definitions.
OWN_DEFINITIONS = [
    (
        "在册情况",
        "统计期内在本支部的每一段在册记录：调入日期与调出日期（调出当天起不再在册）。",
    ),
    ("学习时长", "统计期各日计入的在线学习时长，以秒累计、按分钟保留一位小数。"),
    (
        "测试考试",
        "与统计期有交集的测试，按测试自身的开放日期统计本支部应考人员；未交卷者列出尚缺内容。",
    ),
    ("学习任务", "与统计期有交集的学习任务，按任务自身的起止日期判断是否完成。"),
    ("积分与等次", "统计期内各日的积分合计；人均积分与等次同“积分排行”页面。"),
    (
        "线下学习",
        "统计期内本支部举办的线下学习及其全部出席人员；上级组织（如所在单位）举办、有本支部"
        "人员出席的也列出，名称后注明举办组织，只列举办当天在本支部的出席人员。",
    ),
    (
        "心得体会",
        "统计期内提交的心得体会，按提交当天所在的党支部列出：之后转出的人员仍列在原支部。",
    ),
]

#: More than any branch holds in a period: the lists are read whole, not paged.
ALL = 10_000


@dataclass(frozen=True)
class Stay:
    """A member's stay in the branch, as far as it overlaps the period."""

    name: str
    login_id: str
    started_on: date
    #: First day no longer in the branch (None: still there).
    ended_on: date | None
    member_id: int = 0

    def covers(self, day: date) -> bool:
        """Tell whether the member was in the branch on ``day``."""
        return self.started_on <= day and (self.ended_on is None or day < self.ended_on)


@dataclass
class Sitting:
    """One subject (a quiz or a campaign) with the branch's lines of its report."""

    subject: Quiz | Campaign
    report: Report

    @property
    def lines(self) -> list[MemberLine]:
        return self.report.members or []


@dataclass
class Section:
    """The 台账 of one party branch."""

    branch: Branch
    stays: list[Stay]
    study: Report
    quizzes: list[Sitting]
    campaigns: list[Sitting]
    sessions: list[tuple[OfflineSession, list[Member]]]
    reflections: list[Reflection]
    points: points_queries.BranchLine | None
    names: dict[int, str] = field(default_factory=dict)


@dataclass
class Ledger:
    """The 台账 of a node for a period: one section per party branch under it."""

    node: Branch
    first_day: date
    last_day: date
    generated_at: datetime
    sections: list[Section]
    definitions: list[tuple[str, str]]


def list_stays(branch: Branch, first_day: date, last_day: date) -> list[Stay]:
    """Return the stays in the branch that overlap the period, by start day and name."""
    rows = db.session.execute(
        select(Member, Membership.started_on, Membership.ended_on)
        .join(Member, Member.id == Membership.member_id)
        .where(
            Membership.branch_id == branch.id,
            Membership.started_on <= last_day,
            or_(Membership.ended_on.is_(None), Membership.ended_on > first_day),
        )
        .order_by(Membership.started_on, Member.name, Membership.id)
    ).all()
    return [
        Stay(member.name, member.login_id, started, ended, member.id)
        for member, started, ended in rows
    ]


def _was_in(stays: list[Stay], member_id: int, day: date) -> bool:
    return any(stay.member_id == member_id and stay.covers(day) for stay in stays)


def _overlapping(actor: Member, first_day: date, last_day: date) -> tuple[list, list]:
    """The quizzes and campaigns the actor may count whose own period meets the period."""
    quizzes = [
        quiz
        for quiz in subjects.list_quizzes(actor, per_page=ALL).items
        if china_today(quiz.opens_at) <= last_day and china_today(quiz.closes_at) >= first_day
    ]
    campaigns = [
        campaign
        for campaign in subjects.list_campaigns(actor, per_page=ALL).items
        if campaign.starts_on <= last_day and campaign.ends_on >= first_day
    ]
    return quizzes[::-1], campaigns[::-1]


def _sittings(actor, subjects_, branch, now) -> list[Sitting]:
    """Each subject's report narrowed to the branch, over the subject's own period."""
    sittings = []
    for subject in subjects_:
        if isinstance(subject, Quiz):
            period = china_today(subject.opens_at), china_today(subject.closes_at)
        else:
            period = subject.starts_on, subject.ends_on
        report = participation(actor, subject, *period, now, within=branch, detail=True)
        if report.members:
            sittings.append(Sitting(subject, report))
    return sittings


def _reflections(stays: list[Stay], first_day: date, last_day: date) -> list[Reflection]:
    """Reflections submitted on the period's days by members in the branch on the day they
    handed them in (a member who moved since shows under the branch they were in), oldest
    first. The branch is in the actor's scope, so are its members' reflections."""
    members = sorted({stay.member_id for stay in stays})
    if not members:
        return []
    start, end = china_day_start(first_day), china_day_start(last_day + timedelta(days=1))
    handed_in = db.session.scalars(
        select(Reflection)
        .where(
            Reflection.member_id.in_(members),
            Reflection.submitted_at >= start,
            Reflection.submitted_at < end,
        )
        .options(joinedload(Reflection.member))
        .order_by(Reflection.submitted_at, Reflection.id)
    )
    return [r for r in handed_in if _was_in(stays, r.member_id, china_today(r.submitted_at))]


def _sessions(branch: Branch, stays: list[Stay], first_day: date, last_day: date) -> list:
    """Offline sessions held in the period by the branch (with everyone who attended) or by a
    level above it, the unit say (with the attendees who were in the branch that day; only
    sessions some of them attended), oldest first."""
    held = db.session.scalars(
        select(OfflineSession)
        .where(
            OfflineSession.branch_id.in_(branch.ancestor_ids),
            OfflineSession.held_on.between(first_day, last_day),
        )
        .options(joinedload(OfflineSession.branch))
        .order_by(OfflineSession.held_on, OfflineSession.id)
    )
    shown = []
    for session in held:
        people = offline_queries.list_attendees(session)
        if session.branch_id != branch.id:
            people = [p for p in people if _was_in(stays, p.id, session.held_on)]
            if not people:
                continue
        shown.append((session, people))
    return shown


def ledger(actor: Member, node: Branch, first_day: date, last_day: date, now: datetime) -> Ledger:
    """Return the 台账 of ``node`` (in the actor's scope: the caller loads it) for the period."""
    branches = [
        b
        for b in sort_as_tree(
            list(
                db.session.scalars(
                    select(Branch)
                    .where(and_(Branch.path.startswith(node.path)))
                    .options(joinedload(Branch.parent))
                )
            )
        )
        if b.kind == BranchKind.BRANCH.value
    ]
    quizzes, campaigns = _overlapping(actor, first_day, last_day)
    ranking = points_queries.ranking(actor, first_day, last_day, effective_thresholds())
    lines = {line.branch.id: line for line in ranking}
    sections = []
    for branch in branches:
        study = participation(actor, None, first_day, last_day, now, within=branch, detail=True)
        stays = list_stays(branch, first_day, last_day)
        if not stays and not branch.is_active:
            continue
        sections.append(
            Section(
                branch=branch,
                stays=stays,
                study=study,
                quizzes=_sittings(actor, quizzes, branch, now),
                campaigns=_sittings(actor, campaigns, branch, now),
                sessions=_sessions(branch, stays, first_day, last_day),
                reflections=_reflections(stays, first_day, last_day),
                points=lines.get(branch.id),
            )
        )
    return Ledger(node, first_day, last_day, now, sections, _definitions(sections))


def _definitions(sections: list[Section]) -> list[tuple[str, str]]:
    """The participation report's definitions, then the 台账's own."""
    shown = list(sections[0].study.definitions) if sections else []
    return [*shown, *OWN_DEFINITIONS]
