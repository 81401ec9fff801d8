"""The figures a participation report should show, computed from the oracle's ledger alone.

The rules are the definitions the page states (quizapp/participation/definitions.py), read
as an organiser would and written again here; nothing from quizapp.participation or
quizapp.campaigns.progress is imported. Each eligible member gets a :class:`Line`; a branch's
row adds its lines, a unit's its branches, the top its units; rates and averages are taken
from the sums.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from quizapp.quizzes.models import Counting
from tests.oracle.scenario import DAYS, LIMITED_STATUSES, TARGET_MINUTES, Ledger, Sheet, World

#: The figures of each kind of report, in the report's order (written out again here).
KEYS = {
    "campaign": (
        "eligible",
        "participants",
        "participation_rate",
        "completed",
        "completion_rate",
        "passed",
        "pass_rate",
        "average_minutes",
        "times",
    ),
    "quiz": (
        "eligible",
        "participants",
        "participation_rate",
        "passed",
        "pass_rate",
        "average_score",
        "average_minutes",
        "times",
    ),
    "range": ("eligible", "participants", "participation_rate", "average_minutes", "times"),
}


@dataclass
class Line:
    """One eligible member's figures."""

    member_id: int
    branch_id: int
    participated: bool = False
    completed: bool | None = None
    passed: bool | None = None
    score: Fraction | None = None
    seconds: int = 0
    times: int = 0
    #: Whether the member has something left (a reason or an unmet requirement is listed).
    lacking: bool = True
    extra: dict = field(default_factory=dict)


def last_branch(stays, first: date, last: date) -> int | None:
    """The branch of the member's last stay with a day in [first, last], None without one."""
    inside = [
        branch_id
        for branch_id, start, end in stays
        if (end is None or start < end) and start <= last and (end is None or end > first)
    ]
    return inside[-1] if inside else None


def _seconds(ledger: Ledger, member_id: int, first: date, last: date) -> tuple[int, int]:
    """(seconds, days with credited study) of the member in [first, last]."""
    period = [d for d in DAYS if first <= d <= last]
    days = [d for d in period if ledger.seconds.get((member_id, d), 0) > 0]
    return sum(ledger.seconds.get((member_id, d), 0) for d in period), len(days)


def _sessions(ledger: Ledger, member_id: int, first: date, last: date) -> int:
    return sum(1 for m, d in ledger.offline if m == member_id and first <= d <= last)


def _accepted(ledger: Ledger, member_id: int, first: date, last: date) -> bool:
    day, accepted = ledger.reflections.get(member_id, (None, False))
    return accepted and first <= day <= last


def _stays_in(ledger: Ledger, first: date, last: date) -> Iterator[tuple[int, int]]:
    """(member id, branch id) of each member with a stay in [first, last]: the branch of
    their last stay in it."""
    for member_id, stays in ledger.stays.items():
        branch_id = last_branch(stays, first, last)
        if branch_id is not None:
            yield member_id, branch_id


def campaign_lines(world: World, first: date, last: date) -> dict[int, Line]:
    """The campaign's eligible members over [first, last] (already inside its days): everyone
    with a stay in a branch (the campaign is for the whole bureau)."""
    ledger, lines = world.ledger, {}
    for member_id, branch_id in _stays_in(ledger, first, last):
        seconds, days = _seconds(ledger, member_id, first, last)
        sessions = _sessions(ledger, member_id, first, last)
        sheet = ledger.sheets_of(member_id, "campaign")
        sat = sum(1 for s in sheet if first <= s.day <= last)
        accepted = _accepted(ledger, member_id, first, last)
        # Completed: the minutes over the campaign's days, the quiz submitted, one reflection
        # accepted (whenever in the campaign).
        all_seconds, _ = _seconds(ledger, member_id, DAYS[0], DAYS[-1])
        reflection = ledger.reflections.get(member_id, (None, False))
        completed = all_seconds >= TARGET_MINUTES * 60 and bool(sheet) and reflection[1]
        times = days + sessions + sat + accepted
        lines[member_id] = Line(
            member_id,
            branch_id,
            participated=bool(times) or completed,
            completed=completed,
            passed=completed and sheet[0].passed,
            seconds=seconds,
            times=times,
            lacking=not completed,
        )
    return lines


def counted(sheets: list[Sheet], counting: Counting) -> Sheet | None:
    """The sheet that counts: the highest score (the earliest of equals), the last, the first."""
    if not sheets:
        return None
    if counting == Counting.FIRST:
        return sheets[0]
    if counting == Counting.LATEST:
        return sheets[-1]
    return max(sheets, key=lambda s: (s.score, -s.number))


def quiz_lines(world: World, first: date, last: date) -> dict[int, Line]:
    """The limited quiz's eligible members over [first, last]: their branch of the period
    within the quiz's branches and their (current) status one it is for. Answer sheets are
    not filtered by date."""
    ledger, lines = world.ledger, {}
    for member_id, branch_id in _stays_in(ledger, first, last):
        if branch_id not in world.limited_branches:
            continue
        if ledger.people[member_id][2] not in LIMITED_STATUSES:
            continue
        sheets = ledger.sheets_of(member_id, "limited")
        sheet = counted(sheets, world.counting)
        lines[member_id] = Line(
            member_id,
            branch_id,
            participated=sheet is not None,
            passed=sheet is not None and sheet.passed,
            score=None if sheet is None else sheet.score,
            seconds=_seconds(ledger, member_id, first, last)[0],
            times=len(sheets),
            lacking=sheet is None,
        )
    return lines


def range_lines(world: World, first: date, last: date) -> dict[int, Line]:
    """Everyone with a stay in [first, last]; any study, sheet, session or accepted reflection
    in the period is taking part."""
    ledger, lines = world.ledger, {}
    for member_id, branch_id in _stays_in(ledger, first, last):
        seconds, days = _seconds(ledger, member_id, first, last)
        sheets = sum(1 for s in ledger.sheets.get(member_id, []) if first <= s.day <= last)
        times = days + sheets + _sessions(ledger, member_id, first, last)
        times += _accepted(ledger, member_id, first, last)
        lines[member_id] = Line(
            member_id, branch_id, bool(times), seconds=seconds, times=times, lacking=not times
        )
    return lines


LINES = {"campaign": campaign_lines, "quiz": quiz_lines, "range": range_lines}


def rows(kind: str, lines: dict[int, Line], tree: dict[int, list[int]]) -> dict:
    """{node id: figures} for each branch, unit and the top (id None) of ``tree``."""
    counts = ("eligible", "participants", "completed", "passed", "score", "seconds", "times")
    per_branch = {b: dict.fromkeys(counts, 0) for branches in tree.values() for b in branches}
    for line in lines.values():
        row = per_branch[line.branch_id]
        row["eligible"] += 1
        row["participants"] += line.participated
        row["completed"] += bool(line.completed)
        row["passed"] += bool(line.passed)
        row["score"] += line.score or 0
        row["seconds"] += line.seconds
        row["times"] += line.times
    out = {b: dict(row) for b, row in per_branch.items()}
    for unit_id, branches in tree.items():
        out[unit_id] = {k: sum(per_branch[b][k] for b in branches) for k in counts}
    out[None] = {k: sum(out[u][k] for u in tree) for k in counts}
    for row in out.values():
        n, took = row["eligible"], row["participants"]
        row["participation_rate"] = Fraction(took, n) if n else None
        row["completion_rate"] = Fraction(row["completed"], n) if n else None
        # A campaign's pass rate is over those who completed, a quiz's over those who sat it.
        over = row["completed"] if kind == "campaign" else took
        row["pass_rate"] = Fraction(row["passed"], over) if over else None
        row["average_score"] = Fraction(row["score"]) / took if took else None
        row["average_minutes"] = Fraction(row["seconds"], 60 * n) if n else None
    return {node: {k: row[k] for k in KEYS[kind]} for node, row in out.items()}
