"""Branch summaries of a quiz's results: each party branch's figures, the total, and the
branches' ranking by average score (the member rows: :mod:`quizapp.results.queries`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from quizapp.org.models import Branch
from quizapp.results.queries import ResultRow


@dataclass
class BranchLine:
    """The figures of one branch, or of all of them (``branch`` None)."""

    branch: Branch | None
    eligible: int = 0
    participants: int = 0
    passed: int = 0
    score_sum: float = 0.0
    #: Competition rank by average score; None for branches without participants.
    rank: int | None = None

    @property
    def name(self) -> str:
        return self.branch.name if self.branch else "合计"

    @property
    def participation_rate(self) -> float | None:
        return self.participants / self.eligible if self.eligible else None

    @property
    def average(self) -> float | None:
        return self.score_sum / self.participants if self.participants else None

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.participants if self.participants else None

    def add(self, row: ResultRow) -> None:
        self.eligible += 1
        if row.counted is not None:
            self.participants += 1
            self.score_sum += row.score or 0
            self.passed += 1 if row.passed else 0


@dataclass
class Summary:
    """Per-branch lines in tree order, and the total over every row."""

    lines: list[BranchLine] = field(default_factory=list)
    total: BranchLine = field(default_factory=lambda: BranchLine(None))


def branch_summary(rows: list[ResultRow], branches: list[Branch] | None = None) -> Summary:
    """Sum up rows per member's current branch; ``branches`` get a line even when empty.

    eligible: rows; participants: rows with a counted (submitted) attempt; participation
    rate = participants / eligible; average = sum of counted scores / participants;
    pass rate = passed / participants. Rates are None when their divisor is zero.
    """
    lines: dict[int, BranchLine] = {b.id: BranchLine(b) for b in branches or []}
    summary = Summary()
    for row in rows:
        lines.setdefault(row.branch.id, BranchLine(row.branch)).add(row)
        summary.total.add(row)
    summary.lines = list(lines.values())
    return summary


def rank_branches(lines: list[BranchLine]) -> list[BranchLine]:
    """Order branches by average score (high first); equal averages share a rank.

    Among equal averages, the higher participation rate comes first; branches without
    participants come last, unranked.
    """
    ranked = sorted(
        (line for line in lines if line.participants),
        key=lambda line: (-round(line.average, 2), -(line.participation_rate or 0), line.name),
    )
    previous = None
    for position, line in enumerate(ranked, start=1):
        if round(line.average, 2) != previous:
            rank, previous = position, round(line.average, 2)
        line.rank = rank
    return ranked + [line for line in lines if not line.participants]
