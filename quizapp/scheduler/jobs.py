"""The scheduled jobs. Each is ``job(now) -> summary``: it commits its own work and says what
it did in one line for the log. The jobs that send notices are in :mod:`.notice_jobs`.

Every job reads the state of the database, never "what happened since the last run": running
it twice changes nothing (notices carry a dedupe key), and after the scheduler was down the
next run does whatever is still owed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from quizapp import db
from quizapp.attempts.papers import prepare_papers
from quizapp.attempts.result_notices import send_result_notices
from quizapp.attempts.review import book_wrong_answers
from quizapp.attempts.services import expire_overdue
from quizapp.certificates.services import issue_due
from quizapp.deferrals.announce import send_window_notices
from quizapp.marking.announce import send_marker_notices
from quizapp.participation.snapshots import snapshot_participation
from quizapp.points.services import award_points
from quizapp.scheduler.notice_jobs import (
    greet_party_anniversaries,
    remind_campaign_members,
    weekly_summary_for_organisers,
)

#: Overdue attempts submitted (or attempts' wrong answers booked) per transaction.
OVERDUE_BATCH = 200


# Attempts


def _in_batches(step: Callable[..., int], now: datetime) -> int:
    """Run ``step(now, limit=OVERDUE_BATCH)`` until a batch comes back short; return the total.

    A commit per batch: a backlog after downtime never holds SQLite's write lock for long, and
    the batches already done stay done if a later one fails.
    """
    total = 0
    while True:
        count = step(now, limit=OVERDUE_BATCH)
        db.session.commit()
        total += count
        if count < OVERDUE_BATCH:
            return total


def submit_overdue_attempts(now: datetime) -> str:
    """Submit every attempt whose deadline (and grace) has passed, with its saved answers."""
    return f"{_in_batches(expire_overdue, now)} overdue attempts submitted"


def book_reviewed_wrong_answers(now: datetime) -> str:
    """Put wrong answers into members' wrong-answer books once their quiz's review opens."""
    return f"wrong answers of {_in_batches(book_wrong_answers, now)} attempts booked"


# Certificates


def issue_certificates(now: datetime) -> str:
    """Issue the certificates of campaigns set to issue them automatically, to new finishers."""
    campaigns, issued = issue_due(now)
    db.session.commit()
    return f"{issued} certificates issued in {campaigns} campaigns"


# Results


def _send(send: Callable[[datetime], int], now: datetime, notices: str) -> str:
    """Run ``send(now)``, which flushes the notices it sends and returns how many, and commit."""
    sent = send(now)
    db.session.commit()
    return f"{sent} {notices} sent"


def notify_published_results(now: datetime) -> str:
    """Tell members their result once a quiz that publishes results at its close has closed."""
    return _send(send_result_notices, now, "result notices")


def notify_personal_windows(now: datetime) -> str:
    """Tell members whose 缓考 or 补考 window has just opened."""
    return _send(send_window_notices, now, "personal window notices")


def notify_markers(now: datetime) -> str:
    """Tell named markers of a quiz that got its first paper of the day to mark."""
    return _send(send_marker_notices, now, "marker notices")


#: Every job by name, for the runner and ``flask scheduler run-once``.
JOBS: dict[str, Callable[[datetime], str]] = {
    job.__name__: job
    for job in (
        submit_overdue_attempts,
        prepare_papers,
        book_reviewed_wrong_answers,
        notify_published_results,
        notify_personal_windows,
        notify_markers,
        remind_campaign_members,
        greet_party_anniversaries,
        weekly_summary_for_organisers,
        snapshot_participation,
        award_points,
        issue_certificates,
    )
}
