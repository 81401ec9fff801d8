"""The rankings of a quiz, for organisers and members alike, and what members see of them when.

Members rank by their counted score (high first), then time used (short first); equal score
and time share a place ("1, 1, 3"), and the earlier submission is listed first. Branches rank
by their score per eligible member (参加人员计分成绩之和 ÷ 应参加人数): members who took no
part count as 0, so a branch cannot climb by leaving its weaker members out; the
participation rate is shown beside it. The organiser's results (``quizapp.results``) and the
member's pages use these same rules; members see them as the quiz's ``ranking_when`` allows,
their own place only with ``ranking_personal``, and never another member's name or answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import and_, select

from quizapp import db
from quizapp.attempts.review import review_open
from quizapp.attempts.services import counted_attempt
from quizapp.audiences.services import member_filter
from quizapp.members.models import Member
from quizapp.numbers import ratio
from quizapp.org.models import Branch, BranchKind
from quizapp.org.queries import sort_as_tree
from quizapp.quizzes.attempt_models import Attempt, AttemptStatus
from quizapp.quizzes.models import Counting, Quiz, RankingWhen
from quizapp.ranking import competition_ranks

#: How the rankings are made, said on every page that shows one ("排名依据：…").
RANKING_BASIS = (
    "个人按计分成绩从高到低排名，成绩相同的用时少者在前，成绩和用时都相同的名次并列；"
    "支部按人均得分排名（参加人员计分成绩之和 ÷ 应参加人数，未参加的人员按 0 分计），"
    "人均得分相同的名次并列，参考率列在旁边。"
)


def ranking_open(quiz: Quiz, now: datetime) -> bool:
    """Tell whether members may see the quiz's ranking now (the branches' table at least).

    Never before the quiz shows members their scores (``review_open``): a branch's 人均得分
    and 参考率 give back the score of its one taker (score = 人均得分 ÷ 参考率 × takers), and
    live changes a colleague's, so a ranking waits for 考试结束后公布 and 不公布 has none.
    """
    if not review_open(quiz, now):
        return False
    when = RankingWhen(quiz.ranking_when)
    if when == RankingWhen.LIVE:
        return now >= quiz.opens_at
    if when == RankingWhen.AFTER_CLOSE:
        return now >= quiz.closes_at
    return False


def personal_rank_open(quiz: Quiz, now: datetime) -> bool:
    """Tell whether members may see their own place now."""
    return quiz.ranking_personal and ranking_open(quiz, now)


class Ranked(Protocol):
    """A member's row as the rules read it (score None: took no part)."""

    member_id: int
    branch: Branch
    rank: int | None
    score: float | None
    passed: bool | None
    seconds_used: int | None
    submitted_at: datetime | None


def _seconds(row: Ranked) -> float:
    return row.seconds_used if row.seconds_used is not None else math.inf


def rank_members(rows: list[Any]) -> list[Any]:
    """Rank participants by score (high first), time used (short first), submission (early first).

    Rows with the same score and time share a rank (1, 1, 3...). Returns the ranked rows in
    order, followed by the others in their given order; sets ``rank`` on each ranked row.
    """
    ranked = sorted(
        (r for r in rows if r.score is not None),
        key=lambda r: (-round(r.score, 2), _seconds(r), r.submitted_at, r.member_id),
    )
    for row, place in zip(
        ranked, competition_ranks(ranked, lambda r: (round(r.score, 2), _seconds(r))), strict=True
    ):
        row.rank = place
    return ranked + [r for r in rows if r.score is None]


@dataclass
class BranchLine:
    """The figures of one branch, or of all of them (``branch`` None)."""

    branch: Branch | None
    eligible: int = 0
    participants: int = 0
    passed: int = 0
    score_sum: float = 0.0
    #: Rank by score per eligible member; None for a branch without eligible members.
    rank: int | None = None

    @property
    def name(self) -> str:
        return self.branch.name if self.branch else "合计"

    @property
    def participation_rate(self) -> float | None:
        return ratio(self.participants, self.eligible)

    @property
    def average(self) -> float | None:
        """The average score of those who took part."""
        return ratio(self.score_sum, self.participants)

    @property
    def per_eligible(self) -> float | None:
        """The score per eligible member, non-takers counting 0 (what branches rank by)."""
        return ratio(self.score_sum, self.eligible)

    @property
    def pass_rate(self) -> float | None:
        return ratio(self.passed, self.participants)

    def add(self, row: Ranked) -> None:
        self.eligible += 1
        if row.score is not None:
            self.participants += 1
            self.score_sum += row.score
            self.passed += 1 if row.passed else 0


@dataclass
class Summary:
    """Per-branch lines in tree order, and the total over every row."""

    lines: list[BranchLine] = field(default_factory=list)
    total: BranchLine = field(default_factory=lambda: BranchLine(None))


def branch_summary(rows: list[Any], branches: list[Branch] | None = None) -> Summary:
    """Sum up rows per member's current branch; ``branches`` get a line even when empty.

    eligible: rows; participants: rows with a counted (submitted) attempt; participation
    rate = participants / eligible; average = sum of counted scores / participants; score
    per eligible member = that sum / eligible; pass rate = passed / participants. Rates are
    None when their divisor is zero.
    """
    lines: dict[int, BranchLine] = {b.id: BranchLine(b) for b in branches or []}
    summary = Summary()
    for row in rows:
        lines.setdefault(row.branch.id, BranchLine(row.branch)).add(row)
        summary.total.add(row)
    summary.lines = list(lines.values())
    return summary


def rank_branches(lines: list[BranchLine]) -> list[BranchLine]:
    """Order branches by score per eligible member (high first); equal figures share a rank.

    Among equal figures the higher participation rate comes first; branches without eligible
    members come last, unranked.
    """
    ranked = sorted(
        (line for line in lines if line.eligible),
        key=lambda line: (-round(line.per_eligible, 2), -line.participation_rate, line.name),
    )
    for line, place in zip(
        ranked, competition_ranks(ranked, lambda line: round(line.per_eligible, 2)), strict=True
    ):
        line.rank = place
    return ranked + [line for line in lines if not line.eligible]


@dataclass
class Standing:
    """A member of the quiz's audience and their counted attempt (None: took no part)."""

    member_id: int
    branch: Branch
    counted: Attempt | None
    rank: int | None = None

    def _counted(self, name: str) -> Any:
        return getattr(self.counted, name) if self.counted is not None else None

    score = property(lambda self: self._counted("score"))
    passed = property(lambda self: self._counted("passed"))
    seconds_used = property(lambda self: self._counted("seconds_used"))
    submitted_at = property(lambda self: self._counted("submitted_at"))


@dataclass
class Standings:
    """The whole audience's ranking of a quiz: members and branches."""

    rows: list[Standing]
    lines: list[BranchLine]
    total: BranchLine

    def of(self, member_id: int) -> Standing | None:
        """Return the member's row (None: not in the audience)."""
        return next((row for row in self.rows if row.member_id == member_id), None)


def quiz_standings(quiz: Quiz) -> Standings:
    """Rank every member the quiz's audience matches now (bureau-wide, on party branches).

    Four queries whatever the number of members: the members (with the audience), the
    submitted attempts and the branches.
    """
    on_branch = Branch.kind == BranchKind.BRANCH.value
    members = db.session.execute(
        select(Member.id, Member.branch_id)
        .join(Branch, Branch.id == Member.branch_id)
        .where(member_filter(quiz.audience), on_branch)
    ).all()
    attempts: dict[int, list[Attempt]] = {}
    for attempt in db.session.scalars(
        select(Attempt).where(
            and_(Attempt.quiz_id == quiz.id, Attempt.status == AttemptStatus.SUBMITTED.value)
        )
    ):
        attempts.setdefault(attempt.member_id, []).append(attempt)
    wanted = sorted({m.branch_id for m in members})
    branches = sort_as_tree(list(db.session.scalars(select(Branch).where(Branch.id.in_(wanted)))))
    by_id = {b.id: b for b in branches}
    counting = Counting(quiz.counting)
    rows = [
        Standing(m.id, by_id[m.branch_id], counted_attempt(attempts.get(m.id, []), counting))
        for m in members
    ]
    summary = branch_summary(rows, branches)
    return Standings(rank_members(rows), rank_branches(summary.lines), summary.total)


@dataclass
class MemberRanking:
    """What one member sees of a quiz's ranking: the branches' table, and their own place
    (``mine``; None when the organiser publishes no personal places)."""

    lines: list[BranchLine]
    total: BranchLine
    personal: bool
    mine: Standing | None
    #: The branch the member is ranked in (their current branch).
    branch_id: int | None


def member_ranking(quiz: Quiz, member: Member, now: datetime) -> MemberRanking | None:
    """Return what ``member`` may see of the quiz's ranking now, or None (not published)."""
    if not ranking_open(quiz, now):
        return None
    standings = quiz_standings(quiz)
    own = standings.of(member.id)
    return MemberRanking(
        lines=standings.lines,
        total=standings.total,
        personal=quiz.ranking_personal,
        mine=own if quiz.ranking_personal else None,
        branch_id=own.branch.id if own else None,
    )
