"""The one write the results pages make: grading attempts whose time ran out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from quizapp import db
from quizapp.attempts.services import GRACE, submit_attempt
from quizapp.quizzes.attempt_models import Attempt
from quizapp.quizzes.models import Quiz


def submit_overdue(quiz: Quiz, now: datetime, limit: int = 500) -> int:
    """Submit the quiz's attempts left open past their deadline (and grace); return how many.

    Results count only submitted attempts, so an attempt abandoned at its deadline must be
    graded (with the answers saved so far) before it is counted, as the member's next request
    or the scheduler would. Submitting is idempotent.
    """
    overdue = list(
        db.session.scalars(
            select(Attempt)
            .where(
                Attempt.quiz_id == quiz.id,
                Attempt.status == "in_progress",
                Attempt.deadline_at < now - GRACE,
            )
            .order_by(Attempt.deadline_at)
            .limit(limit)
        )
    )
    for attempt in overdue:
        submit_attempt(attempt, now, auto=True)
    return len(overdue)
