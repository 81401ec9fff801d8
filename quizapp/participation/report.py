"""What a participation report holds: a row per node, a line per eligible member."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime

from quizapp.campaigns.models import Campaign
from quizapp.numbers import ratio
from quizapp.org.models import Branch
from quizapp.participation.definitions import definitions, headings, subject_kind
from quizapp.quizzes.models import Quiz


@dataclass
class Row:
    """The figures of one branch, or the sums over the branches under a unit (a rollup)."""

    branch: Branch
    is_rollup: bool
    eligible: int = 0
    #: Members who took part (参与人数, 参考人数, 参学人数).
    participants: int = 0
    #: Campaigns only: members who met every requirement (完成人数).
    completed: int | None = None
    #: Quizzes, and campaigns requiring quizzes.
    passed: int | None = None
    #: Quizzes only: the sum of the participants' counted scores.
    score_sum: float | None = None
    #: Online study seconds credited on the days of the period.
    study_seconds: int = 0
    #: Participant-times (人次).
    times: int = 0
    #: Quizzes with exceptions only: members on an approved 缓考 whose window is still
    #: running, not sat yet (缓考人数; quizapp.deferrals).
    deferred: int | None = None

    @property
    def participation_rate(self) -> float | None:
        return ratio(self.participants, self.eligible)

    @property
    def completion_rate(self) -> float | None:
        return ratio(self.completed, self.eligible)

    @property
    def pass_rate(self) -> float | None:
        """Passed ÷ completed for a campaign, ÷ those who sat it for a quiz."""
        return ratio(self.passed, self.participants if self.completed is None else self.completed)

    @property
    def average_score(self) -> float | None:
        return ratio(self.score_sum, self.participants)

    @property
    def average_minutes(self) -> float | None:
        return ratio(self.study_seconds / 60, self.eligible)

    def add(self, other: Row) -> None:
        """Add another row's counts (never its rates: those follow from the sums)."""
        for name in _COUNTS:
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine is not None and theirs is not None:
                setattr(self, name, mine + theirs)


#: The figures :meth:`Row.add` sums: every field but the node and the rollup flag.
_COUNTS = tuple(f.name for f in fields(Row) if f.name not in ("branch", "is_rollup"))


@dataclass(slots=True)
class MemberLine:
    """One eligible member's own figures: the facts the rows of a report are summed from.

    A report holds one per eligible member (ten thousand on the bench bureau), so a line is
    one flat object with slots, who the member is included, sharing its empty ``missing``:
    every object a report keeps alive costs the cyclic garbage collector, whose passes were
    most of a range report's own Python time.
    """

    member_id: int
    branch_id: int
    #: Counted among the participants (took part in the campaign, sat the quiz, was active).
    participated: bool = False
    #: Campaigns only: met every requirement.
    completed: bool | None = None
    #: Quizzes: the counted score passed; campaigns requiring quizzes: complete and every
    #: required quiz passed (None while not complete: judged among 完成人员 only).
    passed: bool | None = None
    #: Quizzes only: the counted score (None: not sat).
    score: float | None = None
    study_seconds: int = 0
    times: int = 0
    #: What the member still lacks, one line per requirement (empty once participated, or
    #: for a campaign once completed): a list, or the shared empty tuple.
    missing: Sequence[str] = ()
    #: Who the member is, for the drill-down and the member sheet of an export: filled for
    #: reports built with ``detail=True`` (else None). ``login_id`` is the 警号, else the
    #: phone number, else "".
    name: str | None = None
    login_id: str | None = None
    political_status: str | None = None
    is_active: bool | None = None
    #: Quizzes: 缓考 or 补考 when the member holds an approved exception (quizapp.deferrals).
    state: str | None = None
    #: On an approved 缓考 whose window is still running, not sat yet: not 未参加; for a
    #: campaign, every requirement not met is such a quiz. Not reminded.
    deferred: bool = False

    @property
    def done(self) -> bool:
        """Nothing left to remind of: completed the campaign, sat the quiz, was active."""
        return self.participated if self.completed is None else self.completed


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
    #: Every eligible member's line, in the order of ``rows`` then by name (``detail=True``).
    members: list[MemberLine] | None = None

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
