"""The attempts that count for campaigns and the reports above them.

A campaign's checklist, the participation report and the points job all judge a member's quiz by
the attempt the quiz's counting rule picks (``attempts.services.counted_attempt``) among the
member's submitted attempts. They read those attempts as the same light rows, here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, select

from quizapp import db
from quizapp.deferrals.queries import states
from quizapp.quizzes.attempt_models import Attempt, AttemptStatus
from quizapp.quizzes.models import Quiz, ReviewWhen

#: The columns of an attempt that a counting rule reads (a light row instead of the object).
COUNTED_COLUMNS = (
    Attempt.member_id,
    Attempt.quiz_id,
    Attempt.number,
    Attempt.status,
    Attempt.score,
    Attempt.passed,
    Attempt.submitted_at,
)


def submitted_attempts(
    quiz_ids: Sequence[int], members: Sequence[int] | Select
) -> dict[tuple[int, int], list]:
    """Return the members' submitted attempts at the quizzes (light rows) per (member, quiz)."""
    found: dict[tuple[int, int], list] = defaultdict(list)
    for row in db.read_rows(
        select(*COUNTED_COLUMNS).where(
            Attempt.quiz_id.in_(quiz_ids),
            Attempt.status == AttemptStatus.SUBMITTED.value,
            Attempt.member_id.in_(members),
        )
    ):
        found[(row.member_id, row.quiz_id)].append(row)
    return found


def result_public(quiz: Quiz, now: datetime) -> bool:
    """Tell whether members may know their result (as the quiz's review setting says)."""
    when = ReviewWhen(quiz.review_when)
    return when == ReviewWhen.IMMEDIATELY or (
        when == ReviewWhen.AFTER_CLOSE and now >= quiz.closes_at
    )


def deferred_members(
    campaigns: Sequence, members: Sequence[int] | Select, at: datetime
) -> dict[tuple[int, int], str]:
    """Return {(member, quiz): 缓考 text} of the approved 缓考 at the campaigns' quizzes whose
    personal window has not ended at ``at`` (one query, none when no quiz has exceptions)."""
    quiz_ids = {cq.quiz_id for c in campaigns for cq in c.quizzes if cq.quiz.has_member_exceptions}
    found = states(quiz_ids, members, at) if quiz_ids else {}
    return {(m, q): state.detail for (q, m), state in found.items() if state.deferred}
