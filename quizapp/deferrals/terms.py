"""The terms a member sits a quiz on: the quiz's own, changed by their approved exceptions.

- An approved 缓考 replaces the quiz's window by the personal one (the member skips the
  regular sitting) and gives a freshly drawn paper, never one prepared ahead.
- A 补考 adds attempts; with a window of its own, the member may also start in it (e.g. after
  the quiz closed), on a freshly drawn paper.
- Extra time adds minutes to the quiz's time limit.

A start looks the member's exceptions up only when the quiz has any approved
(``Quiz.has_member_exceptions``), so an exam without exceptions keeps its statements.

A personal window never opens before the quiz's current opening: an organiser may move the
quiz later after approving one, so :func:`apply` clips its start. A window left empty gives
none: a 补考 keeps its attempts in the quiz's window; a 缓考 whose window ended before the
quiz's new opening no longer replaces it (the member sits with everyone, on a fresh paper).

A 缓考 lapses when the member began an attempt before its window opened (:func:`lapsed`):
every reader of approved exceptions leaves it out (:func:`in_force`).

Moving a published quiz's close moves the deadlines of the attempts running in its window
(:func:`refit_deadlines`); those in a personal window keep theirs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, bindparam, select, update

from quizapp import db, windows
from quizapp.db import UTCDateTime
from quizapp.deferrals.models import ExceptionKind, ExceptionStatus, QuizException
from quizapp.quizzes.attempt_models import Attempt, AttemptStatus, EndReason
from quizapp.quizzes.models import Quiz


@dataclass
class Terms:
    """When, how often and how long one member may sit one quiz."""

    #: (opens_at, closes_at) of each window the member may start in.
    windows: list[tuple[datetime, datetime]]
    attempts_allowed: int
    time_limit_minutes: int | None
    #: The approved 缓考, if any.
    deferral: QuizException | None = None
    #: The approved 补考 grants.
    makeups: list[QuizException] = field(default_factory=list)
    extra_minutes: int = 0
    #: The personal window of each exception by id, as clipped (None: left empty).
    personal: dict[int, tuple[datetime, datetime] | None] = field(default_factory=dict)

    @property
    def fresh_paper(self) -> bool:
        """A deferred or make-up sitting draws its own paper, not one prepared with the rest."""
        return self.deferral is not None or bool(self.makeups)

    @property
    def is_special(self) -> bool:
        return self.fresh_paper or bool(self.extra_minutes)

    def phase(self, now: datetime) -> str:
        """Return open when any window is open, upcoming when one is still to come, else closed."""
        phases = {windows.phase(start, end, now) for start, end in self.windows}
        for wanted in (windows.OPEN, windows.UPCOMING):
            if wanted in phases:
                return wanted
        return windows.CLOSED

    def closes_at(self, now: datetime) -> datetime:
        """Return the end of the window open at ``now`` (the latest, when several are)."""
        ends = [end for start, end in self.windows if windows.is_open(start, end, now)]
        return max(ends) if ends else self.last_closes_at

    def next_opens_at(self, now: datetime) -> datetime | None:
        """Return the start of the next window still to come."""
        starts = [start for start, _ in self.windows if start > now]
        return min(starts) if starts else None

    def deadline(self, now: datetime) -> datetime:
        """Return the deadline of an attempt started at ``now``: the time limit, cut at the
        end of the window."""
        end = self.closes_at(now)
        if self.time_limit_minutes:
            end = min(end, now + timedelta(minutes=self.time_limit_minutes))
        return end

    @property
    def last_closes_at(self) -> datetime:
        return max(end for _, end in self.windows)


def plain_terms(quiz: Quiz) -> Terms:
    """Return the quiz's own terms."""
    return Terms([(quiz.opens_at, quiz.closes_at)], quiz.attempts_allowed, quiz.time_limit_minutes)


def apply(quiz: Quiz, approved: list[QuizException]) -> Terms:
    """Return the quiz's terms changed by a member's approved exceptions."""
    terms = plain_terms(quiz)
    for exc in approved:
        if exc.kind == ExceptionKind.DEFERRAL:
            terms.deferral = exc
        elif exc.kind == ExceptionKind.MAKEUP:
            terms.makeups.append(exc)
            terms.attempts_allowed += exc.extra_attempts or 0
        elif exc.kind == ExceptionKind.EXTRA_TIME:
            terms.extra_minutes += exc.extra_minutes or 0
    with_window = [terms.deferral] if terms.deferral is not None else []
    with_window += [m for m in terms.makeups if m.window_closes_at]
    for exc in with_window:
        terms.personal[exc.id] = exc.personal_window(quiz.opens_at)
    own = [window for window in terms.personal.values() if window is not None]
    deferred = terms.deferral is not None and terms.personal[terms.deferral.id] is not None
    terms.windows = own if deferred else terms.windows + own
    if terms.time_limit_minutes and terms.extra_minutes:
        terms.time_limit_minutes += terms.extra_minutes
    return terms


def lapsed() -> ColumnElement[bool]:
    """SQL: the row is a 缓考 that lapsed, the member having begun an attempt at the quiz
    before its window opened.

    The approval refuses a member with an attempt, but only reads: a start that read no
    approved 缓考 can commit while the approval does. That member sat in the quiz's own
    window, so the 缓考 gives them no other (nor a fresh paper after their review). A start
    inside the window (one that opened before the approval) counts as the deferred sitting.
    """
    return and_(
        QuizException.kind == ExceptionKind.DEFERRAL.value,
        select(Attempt.id)
        .where(
            Attempt.quiz_id == QuizException.quiz_id,
            Attempt.member_id == QuizException.member_id,
            Attempt.started_at < QuizException.window_opens_at,
        )
        .exists(),
    )


def in_force() -> ColumnElement[bool]:
    """SQL: the row is an approved exception that applies (not a lapsed 缓考)."""
    return and_(QuizException.status == ExceptionStatus.APPROVED.value, ~lapsed())


def approved_exceptions(quiz_id: int, member_id: int) -> list[QuizException]:
    """Return the member's exceptions in force at the quiz, oldest first."""
    return list(
        db.session.scalars(
            select(QuizException)
            .where(
                QuizException.quiz_id == quiz_id,
                QuizException.member_id == member_id,
                in_force(),
            )
            .order_by(QuizException.id)
        )
    )


def terms_for(quiz: Quiz, member_id: int) -> Terms:
    """Return the member's terms for the quiz (no statement when the quiz has no exceptions)."""
    if not quiz.has_member_exceptions:
        return plain_terms(quiz)
    return apply(quiz, approved_exceptions(quiz.id, member_id))


def ended_after_close(attempt: Attempt) -> EndReason:
    """Name the end, at its deadline, of an attempt started after the quiz closed (in a
    personal window): the time limit when it ran out in full, otherwise the window's end."""
    limit = timedelta(minutes=attempt.quiz.time_limit_minutes or 0)
    timed = bool(limit) and attempt.deadline_at - attempt.started_at >= limit
    return EndReason.TIME_UP if timed else EndReason.CLOSED


def approved_for_member(member_id: int, quiz_ids: list[int]) -> dict[int, list[QuizException]]:
    """Return the member's exceptions in force per quiz, for the quizzes given (one query,
    none when the list is empty)."""
    found: dict[int, list[QuizException]] = {}
    if quiz_ids:
        for exc in db.session.scalars(
            select(QuizException)
            .where(
                QuizException.member_id == member_id,
                QuizException.quiz_id.in_(quiz_ids),
                in_force(),
            )
            .order_by(QuizException.id)
        ):
            found.setdefault(exc.quiz_id, []).append(exc)
    return found


def approved_of_member(member_id: int) -> dict[int, list[QuizException]]:
    """Return every exception in force of the member, by quiz (one query; a member holds
    few)."""
    found: dict[int, list[QuizException]] = {}
    for exc in db.session.scalars(
        select(QuizException)
        .where(
            QuizException.member_id == member_id,
            in_force(),
        )
        .order_by(QuizException.id)
    ):
        found.setdefault(exc.quiz_id, []).append(exc)
    return found


def open_window(exc: QuizException, now: datetime) -> bool:
    """Tell whether the exception's own window (缓考, 补考 after the close) is open at ``now``."""
    return exc.window_closes_at is not None and windows.is_open(
        exc.window_opens_at, exc.window_closes_at, now
    )


_attempts = Attempt.__table__
#: One deadline moved, in one executemany for all (only while the attempt is in progress).
_MOVE_DEADLINE = (
    update(_attempts)
    .where(
        _attempts.c.id == bindparam("b_id"),
        _attempts.c.status == AttemptStatus.IN_PROGRESS.value,
    )
    .values(deadline_at=bindparam("b_deadline", type_=UTCDateTime()))
)


def refit_deadlines(quiz: Quiz, old_closes_at: datetime, old_limit: int | None) -> int:
    """Move the deadlines of the quiz's attempts in progress in its own window to its new
    close (``quiz.closes_at``, which was ``old_closes_at``); return how many moved.

    An attempt keeps the time limit it started with (a limit changed meanwhile is the next
    attempts'): one whose time runs out before the old close keeps that end, one cut at the
    old close gets its start plus ``old_limit`` (and its extra time in force); either is cut
    at the new close, never before its start. An attempt started in a personal window (缓考,
    补考) keeps its deadline. Two reads (the attempts; the exceptions, when the quiz has any)
    and one executemany, however many are running; the attempts now past their deadline are
    submitted by the next request or the scheduler, as any overdue attempt.
    """
    running = db.session.execute(
        select(Attempt.id, Attempt.member_id, Attempt.started_at, Attempt.deadline_at).where(
            Attempt.quiz_id == quiz.id,
            Attempt.status == AttemptStatus.IN_PROGRESS.value,
            Attempt.started_at < old_closes_at,  # later ones started in a personal window
        )
    ).all()
    extra: dict[int, int] = {}
    personal: dict[int, list[tuple[datetime, datetime]]] = {}
    if running and quiz.has_member_exceptions:
        for exc in db.session.scalars(
            select(QuizException).where(QuizException.quiz_id == quiz.id, in_force())
        ):
            if exc.kind == ExceptionKind.EXTRA_TIME:
                extra[exc.member_id] = extra.get(exc.member_id, 0) + (exc.extra_minutes or 0)
            elif exc.window_closes_at is not None:
                window = (exc.window_opens_at, exc.window_closes_at)
                personal.setdefault(exc.member_id, []).append(window)
    moves = []
    for row in running:
        if any(s <= row.started_at < e for s, e in personal.get(row.member_id, ())):
            continue
        if row.deadline_at < old_closes_at:
            timed = row.deadline_at
        elif old_limit:
            timed = row.started_at + timedelta(minutes=old_limit + extra.get(row.member_id, 0))
        else:
            timed = quiz.closes_at
        deadline = max(min(timed, quiz.closes_at), row.started_at)
        if deadline != row.deadline_at:
            moves.append({"b_id": row.id, "b_deadline": deadline})
    if moves:
        db.session.execute(_MOVE_DEADLINE, moves)
        moved = {m["b_id"] for m in moves}
        for obj in list(db.session.identity_map.values()):
            if isinstance(obj, Attempt) and obj.id in moved:
                db.session.expire(obj, ["deadline_at"])
    return len(moves)


def on_close_moved(quiz: Quiz, *, old_closes_at: datetime, old_limit: int | None) -> None:
    """Receive ``quizzes.services.close_moved``: refit the running attempts' deadlines."""
    refit_deadlines(quiz, old_closes_at, old_limit)
