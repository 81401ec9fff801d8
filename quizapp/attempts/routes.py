"""Member pages: the quiz list (答题), a quiz's page, taking an attempt, its result."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from quizapp import db
from quizapp.actions import run
from quizapp.attempts import queries, review, services, standings
from quizapp.clock import utcnow
from quizapp.errors import DomainError
from quizapp.forms import ActionForm
from quizapp.quizzes.attempt_models import AttemptStatus
from quizapp.quizzes.models import Quiz

bp = Blueprint("attempts", __name__)


@bp.get("/quizzes")
@login_required
def index():
    """List the member's open, upcoming and finished quizzes, and the practice entries."""
    now = utcnow()
    return render_template(
        "attempts/index.html", groups=queries.list_member_quizzes(current_user, now), now=now
    )


@bp.get("/quizzes/<int:quiz_id>")
@login_required
def quiz(quiz_id: int):
    """Show a quiz: its rules, the member's attempts and a start or continue button."""
    now = utcnow()
    card = queries.get_quiz_card(current_user, quiz_id, now)
    return render_template(
        "attempts/quiz.html",
        card=card,
        now=now,
        form=ActionForm(),
        review_allowed=services.review_allowed,
        ranking=standings.member_ranking(card.quiz, current_user, now),
    )


@bp.get("/quizzes/<int:quiz_id>/ranking")
@login_required
def ranking(quiz_id: int):
    """The quiz's ranking as the member may see it: their place and the branches' table."""
    now = utcnow()
    card = queries.get_quiz_card(current_user, quiz_id, now)
    found = standings.member_ranking(card.quiz, current_user, now)
    if found is None:
        abort(404)
    return render_template(
        "attempts/ranking.html", quiz=card.quiz, ranking=found, basis=standings.RANKING_BASIS
    )


@bp.post("/quizzes/<int:quiz_id>/start")
@login_required
def start(quiz_id: int):
    """Start (or resume) an attempt without JavaScript, then go to it."""
    now = utcnow()
    quiz = db.get_or_404(Quiz, quiz_id)
    try:
        # It checks that the quiz is published for the member (AttemptNotFound: 404); a
        # double tap that started it first leaves its attempt to continue.
        attempt, _created = run(
            lambda: services.start_attempt(current_user, quiz, now), retry_race=True
        )
    except services.AttemptNotFound:
        raise
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("attempts.quiz", quiz_id=quiz_id))
    return redirect(url_for("attempts.take", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>")
@login_required
def take(attempt_id: int):
    """The attempt page: one question per screen, saved as soon as it is chosen."""
    now = utcnow()
    attempt = queries.get_member_attempt(current_user, attempt_id)
    if attempt.status != AttemptStatus.IN_PROGRESS or services.is_overdue(attempt, now):
        return redirect(url_for("attempts.result", attempt_id=attempt.id))
    return render_template(
        "attempts/take.html",
        attempt=attempt,
        quiz=attempt.quiz,
        now=now,
        form=ActionForm(),
    )


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int):
    """Submit without JavaScript."""
    now = utcnow()

    def submit_own():
        attempt = services.get_attempt(current_user, attempt_id, now)
        return services.submit_attempt(attempt, now, reason=services.submit_reason(attempt, now))

    return redirect(url_for("attempts.result", attempt_id=run(submit_own).id))


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    """The result of a submitted attempt, as much as the quiz's review policy shows.

    Read only: an attempt past its deadline that nothing submitted yet shows a form that the
    page's script sends at once (POST submit, ending it by time); without JavaScript its
    button does, and the scheduler does within a minute.
    """
    now = utcnow()
    attempt = queries.get_member_attempt(current_user, attempt_id)
    if attempt.status == AttemptStatus.IN_PROGRESS and now < attempt.deadline_at:
        return redirect(url_for("attempts.take", attempt_id=attempt.id))
    shown = services.review_allowed(attempt, now)
    return render_template(
        "attempts/result.html",
        form=ActionForm(),
        attempt=attempt,
        quiz=attempt.quiz,
        shown=shown,
        withheld=review.withheld_question_ids(attempt) if shown else set(),
        ranking=standings.member_ranking(attempt.quiz, current_user, now)
        if attempt.status == AttemptStatus.SUBMITTED
        else None,
        basis=standings.RANKING_BASIS,
        # What the server holds (question -> sequence number): the page tells the member of
        # answers kept on the phone that came after the submission.
        held=None
        if attempt.status == AttemptStatus.IN_PROGRESS
        else {str(a.question_id): a.seq for a in attempt.answers},
    )
