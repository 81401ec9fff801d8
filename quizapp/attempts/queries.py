"""What a member sees of quizzes and attempts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import abort
from sqlalchemy import select

from quizapp import db
from quizapp.attempts.services import AttemptNotFound, counted_attempt
from quizapp.audiences.services import audiences_including
from quizapp.deferrals.terms import Terms, apply, approved_for_member, terms_for
from quizapp.members.models import Member
from quizapp.quizzes.attempt_models import Attempt, AttemptStatus
from quizapp.quizzes.models import Counting, Quiz, QuizStatus
from quizapp.quizzes.services import status_of


@dataclass
class QuizCard:
    """One quiz as a member sees it: its state and the member's attempts at it."""

    quiz: Quiz
    state: str  # upcoming, open, closed
    attempts: list[Attempt] = field(default_factory=list)
    #: The moment the card is read at: an attempt past its deadline is no longer continued.
    now: datetime | None = None
    #: The member's own terms (缓考, 补考, extra time: quizapp.deferrals.terms).
    terms: Terms | None = None

    def _unsubmitted(self) -> Attempt | None:
        return next((a for a in self.attempts if a.status == AttemptStatus.IN_PROGRESS), None)

    @property
    def handed_in(self) -> bool:
        """Whether the member handed in a paper (scored or 待阅卷): no 缓考 to ask for then."""
        return any(a.status != AttemptStatus.IN_PROGRESS for a in self.attempts)

    @property
    def in_progress(self) -> Attempt | None:
        """The attempt the member may continue: in progress and before its deadline."""
        attempt = self._unsubmitted()
        if attempt is None or (self.now is not None and self.now >= attempt.deadline_at):
            return None
        return attempt

    @property
    def timed_out(self) -> Attempt | None:
        """An attempt whose deadline has passed that nothing has submitted yet.

        Pages only read: its result page submits it (a form sent on load), or the
        scheduler does within a minute.
        """
        attempt = self._unsubmitted()
        if attempt is None or self.now is None or self.now < attempt.deadline_at:
            return None
        return attempt

    @property
    def counted(self) -> Attempt | None:
        return counted_attempt(self.attempts, Counting(self.quiz.counting))

    # The member's dates: a 缓考's personal window (or a 补考's) instead of the quiz's own.

    @property
    def opens_at(self) -> datetime:
        """When the member's next window opens (the quiz's opening without exceptions)."""
        if self.terms is None or self.now is None:
            return self.quiz.opens_at
        return self.terms.next_opens_at(self.now) or self.quiz.opens_at

    @property
    def closes_at(self) -> datetime:
        """When the member's open (else last) window closes."""
        if self.terms is None or self.now is None:
            return self.quiz.closes_at
        return self.terms.closes_at(self.now)

    @property
    def time_limit_minutes(self) -> int | None:
        return self.terms.time_limit_minutes if self.terms else self.quiz.time_limit_minutes

    @property
    def is_deferred(self) -> bool:
        return self.terms is not None and self.terms.deferral is not None

    @property
    def attempts_left(self) -> int:
        allowed = self.terms.attempts_allowed if self.terms else self.quiz.attempts_allowed
        return max(0, allowed - len(self.attempts))


def list_member_quizzes(member: Member, now: datetime) -> dict[str, list[QuizCard]]:
    """Return the published quizzes for the member, grouped into open, upcoming and closed."""
    quizzes = list(
        db.session.scalars(
            select(Quiz)
            .where(Quiz.status == QuizStatus.PUBLISHED.value)
            .order_by(Quiz.opens_at.desc())
        )
    )
    mine = audiences_including(member, [q.audience_id for q in quizzes])
    quizzes = [q for q in quizzes if q.audience_id in mine]
    attempts: dict[int, list[Attempt]] = {}
    if quizzes:
        for attempt in db.session.scalars(
            select(Attempt)
            .where(Attempt.member_id == member.id, Attempt.quiz_id.in_([q.id for q in quizzes]))
            .order_by(Attempt.number)
        ):
            attempts.setdefault(attempt.quiz_id, []).append(attempt)
    groups: dict[str, list[QuizCard]] = {"open": [], "upcoming": [], "closed": []}
    approved = approved_for_member(member.id, [q.id for q in quizzes if q.has_member_exceptions])
    for quiz in quizzes:
        terms = apply(quiz, approved.get(quiz.id, [])) if quiz.id in approved else None
        state = terms.phase(now) if terms else status_of(quiz, now)
        card = QuizCard(quiz, state, attempts.get(quiz.id, []), now, terms)
        groups[card.state].append(card)
    groups["open"].sort(key=lambda c: c.closes_at)
    groups["upcoming"].sort(key=lambda c: c.opens_at)
    return groups


def get_member_attempt(member: Member, attempt_id: int) -> Attempt:
    """Return the member's own attempt as stored (AttemptNotFound: 404 for anyone else's)."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.member_id != member.id:
        raise AttemptNotFound()
    return attempt


def get_quiz_card(member: Member, quiz_id: int, now: datetime) -> QuizCard:
    """Return one quiz the member may take, or 404."""
    quiz = db.session.get(Quiz, quiz_id)
    if (
        quiz is None
        or quiz.status != QuizStatus.PUBLISHED
        or quiz.audience_id not in audiences_including(member, [quiz.audience_id])
    ):
        abort(404)
    attempts = list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.member_id == member.id, Attempt.quiz_id == quiz.id)
            .order_by(Attempt.number)
        )
    )
    terms = terms_for(quiz, member.id)
    return QuizCard(quiz, terms.phase(now), attempts, now, terms)
