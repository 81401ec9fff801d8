"""Read-only results of a quiz: one row per eligible member, and their ranking.

Who counts: the members the quiz's audience matches now (active, on a party branch), and
only those whose current branch lies in the actor's scope. Each member's counted attempt is
picked by the quiz's counting rule (highest, latest, first) among submitted attempts.
Ranking and branch summaries follow :mod:`quizapp.attempts.standings`, item statistics are
in :mod:`quizapp.results.items`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, or_, select

from quizapp import access, db
from quizapp.attempts.services import counted_attempt, is_overdue
from quizapp.attempts.standings import RANKING_BASIS
from quizapp.audiences.services import member_filter
from quizapp.deferrals.queries import MemberState, states
from quizapp.members.models import Member
from quizapp.org.models import Branch, BranchKind
from quizapp.org.queries import sort_as_tree
from quizapp.quizzes import queries as quiz_queries
from quizapp.quizzes.attempt_models import Attempt, AttemptStatus, EndReason
from quizapp.quizzes.models import Counting, LeavePolicy, Quiz
from quizapp.quizzes.services import status_of

#: A member's state at a quiz, and how the pages call it.
STATUS_LABELS = {
    "absent": "未参加",
    AttemptStatus.IN_PROGRESS.value: AttemptStatus.IN_PROGRESS.label,
    AttemptStatus.MARKING.value: AttemptStatus.MARKING.label,
    AttemptStatus.SUBMITTED.value: AttemptStatus.SUBMITTED.label,
}

#: What every figure means; shown on the results page and in the export's 说明 sheet.
RESULT_DEFINITIONS = [
    (
        "应参加人数",
        "测试对象范围内、当前所在党支部属于您管理范围的在册人员（按人员当前所在支部统计）。",
    ),
    (
        "与参学统计的区别",
        "本页按人员现在的支部和账号状态统计，测试结束后转接、停用或新导入的人员会改变本页"
        "人数；参学统计中本测试的报表按测试开放期间的组织关系转接记录统计（期间调离、停用"
        "的人员计入原支部，之后加入的人员不计入），上报时请以参学统计为准。",
    ),
    ("参加人数", "至少交卷一次的人数（含到时自动交卷）；只开始答题、尚未交卷的不计入。"),
    ("参考率", "参加人数 ÷ 应参加人数（即参考人数 ÷ 应参考人数）。"),
    (
        "计分成绩",
        f"每人按本测试的计分方式（{Counting.HIGHEST.label}、{Counting.LATEST.label}或"
        f"{Counting.FIRST.label}）从已交卷的答卷中取一次成绩。",
    ),
    ("平均分", "参加人员计分成绩之和 ÷ 参加人数；未参加的人员不计入。"),
    (
        "及格人数、及格率",
        "计分成绩达到及格线（满分 × 及格百分比）的人数；及格率 = 及格人数 ÷ 参加人数。",
    ),
    ("用时", "计分答卷从开始答题到交卷的时间；到时自动交卷的，算到截止时间为止。"),
    (
        "人均得分",
        "参加人员计分成绩之和 ÷ 应参加人数：未参加的人员按 0 分计，参加的人越少人均得分越低。",
    ),
    (
        "结束方式",
        (
            f"{EndReason.MEMBER.label}；"
            f"{EndReason.TIME_UP.label}（答题时长用完，由答题页面或系统按时交卷）；"
            f"{EndReason.LEAVE_LIMIT.label}（离开答题页面达到设定次数，系统自动交卷）；"
            f"{EndReason.CLOSED.label}（测试结束时仍未交卷，含不限答题时长的测试）。"
            "成绩明细中为计分答卷的结束方式，答卷明细中为每一份答卷的。"
        ),
    ),
    (
        "切屏次数",
        "答题期间离开答题页面（切换到其他应用、锁屏、切换标签页）的次数；"
        f"测试设置为“{LeavePolicy.OFF.label}”时为 0。",
    ),
    (
        "缓考、补考",
        "缓考获批、个人考试时间未结束且尚未交卷的，状态为“缓考”而不是未参加，并写明原因和"
        "个人考试时间（批准前已开始答题的，缓考不生效）；获准补考的写明补考次数和原因。",
    ),
    ("排名（竞赛或公布排名的测试）", RANKING_BASIS + "成绩和用时都相同的，先交卷者列在前面。"),
]


def duration_text(seconds: int | None) -> str:
    """Write a duration as people read it, e.g. "12分05秒"."""
    if seconds is None:
        return ""
    minutes, rest = divmod(max(seconds, 0), 60)
    return f"{minutes}分{rest:02d}秒" if minutes else f"{rest}秒"


def end_reason_label(attempt: Attempt) -> str:
    """Say how an attempt ended (本人交卷, 时间已到…), or that it has not."""
    if attempt.end_reason_enum is not None:
        return attempt.end_reason_enum.label
    return attempt.status_enum.label if attempt.status == AttemptStatus.IN_PROGRESS else ""


def get_quiz(actor: Member, quiz_id: int) -> Quiz:
    """Return a quiz the actor may read, or 404: their subtree's, or one published by a level
    above for their members (read-only; its figures count their subtree only)."""
    return quiz_queries.get_viewable_quiz(actor, quiz_id)


def _of_counted(name: str) -> property:
    """A field of the counted attempt, None for a member without one."""
    return property(lambda row: getattr(row.counted, name) if row.counted else None)


@dataclass
class ResultRow:
    """One eligible member, their attempts at the quiz and the one that counts."""

    member_id: int
    name: str
    login_id: str
    branch: Branch
    attempts: int = 0
    counted: Attempt | None = None
    in_progress: bool = False
    #: Every attempt of the member at the quiz, first first (each links to its answer sheet).
    sittings: list[Attempt] = field(default_factory=list)
    #: Competition rank (ties share it); None for non-competitions and non-participants.
    rank: int | None = None
    #: The member's approved 缓考 or 补考 (quizapp.deferrals), if any.
    exception: MemberState | None = None

    @property
    def status(self) -> str:
        if self.counted is not None:
            return "submitted"
        if self.in_progress:
            return "in_progress"
        # Handed in, written answers not all marked yet (quizapp.marking): no score yet.
        marking = any(a.status == AttemptStatus.MARKING for a in self.sittings)
        return "marking" if marking else "absent"

    @property
    def status_label(self) -> str:
        if self.status == "absent" and self.exception and self.exception.deferred:
            return "缓考"  # not 未参加 while the personal window runs
        return STATUS_LABELS[self.status]

    score = _of_counted("score")
    max_score = _of_counted("max_score")
    passed = _of_counted("passed")
    seconds_used = _of_counted("seconds_used")

    @property
    def time_text(self) -> str:
        return duration_text(self.seconds_used)

    submitted_at = _of_counted("submitted_at")
    #: Why the counted attempt ended (an EndReason value) and how often its member left the
    #: page (切屏).
    end_reason = _of_counted("end_reason")
    leave_count = _of_counted("leave_count")

    @property
    def end_reason_label(self) -> str:
        return end_reason_label(self.counted) if self.counted else ""


@dataclass
class QuizResults:
    """The rows of a quiz's results and the branches they are summarised by."""

    quiz: Quiz
    #: upcoming, open or closed at the time asked.
    state: str
    rows: list[ResultRow]
    #: Party branches in scope that the audience covers, in tree order (some may be empty).
    branches: list[Branch]
    #: Attempts past their deadline that are not submitted yet (the scheduler submits them
    #: within a minute); they count once submitted.
    overdue: int = 0


def quiz_results(actor: Member, quiz: Quiz, now: datetime) -> QuizResults:
    """Return one row per eligible member in the actor's scope, in tree order, then by name.

    A constant number of queries whatever the number of members: the audience (two), the
    members, their attempts and the branches.
    """
    audience = quiz.audience
    in_scope = and_(access.branch_scope(actor), Branch.kind == BranchKind.BRANCH.value)
    members = db.session.execute(
        select(Member.id, Member.name, Member.police_no, Member.phone, Member.branch_id)
        .join(Branch, Branch.id == Member.branch_id)
        .where(member_filter(audience), in_scope)
    ).all()
    by_member: dict[int, list[Attempt]] = {}
    for attempt in db.session.scalars(
        select(Attempt)
        .join(Member, Member.id == Attempt.member_id)
        .join(Branch, Branch.id == Member.branch_id)
        .where(Attempt.quiz_id == quiz.id, in_scope)
        .order_by(Attempt.member_id, Attempt.number)
    ):
        by_member.setdefault(attempt.member_id, []).append(attempt)

    covered = [Branch.id.in_(sorted({m.branch_id for m in members}))]
    if not audience.roster and audience.branches:
        covered.append(
            and_(
                Branch.is_active.is_(True),
                or_(*[Branch.path.startswith(b.path) for b in audience.branches]),
            )
        )
    branches = sort_as_tree(list(db.session.scalars(select(Branch).where(in_scope, or_(*covered)))))
    branch_by_id = {b.id: b for b in branches}
    order = {b.id: i for i, b in enumerate(branches)}

    counting = Counting(quiz.counting)
    rows = []
    for m in sorted(members, key=lambda m: (order[m.branch_id], m.name, m.id)):
        attempts = by_member.get(m.id, [])
        rows.append(
            ResultRow(
                member_id=m.id,
                name=m.name,
                login_id=m.police_no or m.phone or "",
                branch=branch_by_id[m.branch_id],
                attempts=len(attempts),
                counted=counted_attempt(attempts, counting),
                in_progress=any(a.status == AttemptStatus.IN_PROGRESS for a in attempts),
                sittings=attempts,
            )
        )
    if quiz.has_member_exceptions:  # one more query, only for quizzes with exceptions
        found = states([quiz.id], [r.member_id for r in rows], now)
        for row in rows:
            row.exception = found.get((quiz.id, row.member_id))
    overdue = sum(is_overdue(a, now) for attempts in by_member.values() for a in attempts)
    return QuizResults(
        quiz=quiz, state=status_of(quiz, now), rows=rows, branches=branches, overdue=overdue
    )


#: Filters of the member table: the statuses to keep, and the label of the filter.
FILTERS = {"all": "全部", **STATUS_LABELS, "failed": "未及格"}


def filter_rows(rows: list[ResultRow], show: str) -> list[ResultRow]:
    """Keep the rows a filter of :data:`FILTERS` selects (unknown filters keep all)."""
    if show == "failed":
        return [r for r in rows if r.counted is not None and not r.passed]
    if show in STATUS_LABELS:
        return [r for r in rows if r.status == show]
    return rows


def count_filters(rows: list[ResultRow]) -> dict[str, int]:
    """Count the rows each filter would show."""
    return {key: len(filter_rows(rows, key)) for key in FILTERS}
