"""Results pages for organisers: a quiz's results, its item statistics, the .xlsx and .csv
exports, and each attempt's answer sheet."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, render_template, request
from flask_login import current_user

from quizapp import access, windows
from quizapp.attempts.services import is_overdue
from quizapp.attempts.standings import RANKING_BASIS, branch_summary, rank_branches, rank_members
from quizapp.clock import china_today, utcnow
from quizapp.downloads import CSV, attachment
from quizapp.pagination import filter_value, page_number, page_of
from quizapp.quizzes.models import Quiz
from quizapp.quizzes.services import can_manage_quiz
from quizapp.results import exports, queries, sheets
from quizapp.results.items import ITEM_DEFINITIONS, LOW_DISCRIMINATION, item_statistics

bp = Blueprint("results", __name__)

PER_PAGE = 50


def _load(quiz_id: int, now: datetime) -> tuple[Quiz, queries.QuizResults]:
    """Find the quiz (404 outside scope) and read its results.

    Read only: attempts left open past their deadline are graded by the scheduler's
    ``submit_overdue_attempts`` (every minute); until then the page says how many there are.
    """
    quiz = queries.get_quiz(current_user, quiz_id)
    return quiz, queries.quiz_results(current_user, quiz, now)


@bp.get("/quizzes/<int:quiz_id>")
@access.organiser_required
def quiz(quiz_id: int):
    """Show a quiz's results: figures per branch and a filtered, paged table of members (of
    the organiser's subtree, also on a quiz of a level above)."""
    quiz, results = _load(quiz_id, utcnow())
    competition = quiz.is_ranked
    summary = branch_summary(results.rows, results.branches)
    lines = rank_branches(summary.lines) if competition else summary.lines
    rows = rank_members(results.rows) if competition else results.rows

    branch = next(
        (b for b in results.branches if b.id == request.args.get("branch", type=int)), None
    )
    if branch is not None:
        rows = [r for r in rows if r.branch.id == branch.id]
    show = filter_value("show", queries.FILTERS, "all")
    page = page_of(queries.filter_rows(rows, show), page_number(), PER_PAGE)
    return render_template(
        "results/quiz.html",
        quiz=quiz,
        phases=windows.PHASE_LABELS,
        results=results,
        competition=competition,
        lines=lines,
        total=summary.total,
        page=page,
        show=show,
        counts=queries.count_filters(rows),
        filters=queries.FILTERS,
        branch=branch,
        definitions=queries.RESULT_DEFINITIONS,
        ranking_basis=RANKING_BASIS,
        editable=can_manage_quiz(current_user, quiz),
        end_reason=queries.end_reason_label,
    )


@bp.get("/quizzes/<int:quiz_id>/items")
@access.organiser_required
def items(quiz_id: int):
    """Show the facility and discrimination of every question, with option shares."""
    quiz = queries.get_quiz(current_user, quiz_id)
    return render_template(
        "results/items.html",
        quiz=quiz,
        stats=item_statistics(quiz, current_user),
        definitions=ITEM_DEFINITIONS,
        low=LOW_DISCRIMINATION,
        editable=can_manage_quiz(current_user, quiz),
    )


@bp.get("/quizzes/<int:quiz_id>/export.xlsx")
@access.organiser_required
def export(quiz_id: int):
    """Download the results, branch summary and item statistics as one .xlsx file."""
    now = utcnow()
    quiz, results = _load(quiz_id, now)
    data = exports.results_xlsx(current_user, results, now)
    english = f"quiz-{quiz.id}-results-{china_today(now).isoformat()}"
    return attachment(data, exports.export_filename(quiz.title, now), english=english)


@bp.get("/quizzes/<int:quiz_id>/export.csv")
@access.organiser_required
def export_csv(quiz_id: int):
    """Download the members' results (成绩明细) and the definitions as a .csv table."""
    now = utcnow()
    quiz, results = _load(quiz_id, now)
    return attachment(
        exports.results_csv(current_user, results, now),
        exports.export_filename(quiz.title, now, "csv"),
        CSV,
        english=f"quiz-{quiz.id}-results-{china_today(now).isoformat()}",
    )


@bp.get("/attempts/<int:attempt_id>")
@access.organiser_required
def attempt(attempt_id: int):
    """Show one member's answer sheet: each question, their answer, the right one, points."""
    attempt = sheets.get_attempt(current_user, attempt_id)
    return render_template(
        "results/attempt.html",
        attempt=attempt,
        quiz=attempt.quiz,
        lines=sheets.answer_sheet(attempt),
        end_reason=queries.end_reason_label(attempt),
        overdue=is_overdue(attempt, utcnow()),
    )
