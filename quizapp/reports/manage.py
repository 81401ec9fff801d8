"""Organiser pages of error reports (/manage/question-reports), on the blueprint of
``routes.py``: the reported questions of the organiser's banks, and one question's reports
with the outcome form. The bank's question page shows a panel of them (``question_panel``)."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user

from quizapp import access
from quizapp.actions import FAILED, perform
from quizapp.clock import utcnow
from quizapp.pagination import page_number
from quizapp.reports import queries, services
from quizapp.reports.forms import CloseForm
from quizapp.reports.models import ReportStatus
from quizapp.reports.routes import bp

PER_PAGE = 30


@bp.app_template_global()
def question_report_panel(question_id: int) -> dict:
    """The bank question page's panel: open and all reports, the latest few (read only)."""
    open_count, total = queries.count_reports(question_id)
    return {
        "open": open_count,
        "total": total,
        "latest": queries.list_reports(question_id, queries.PANEL_REPORTS) if total else [],
        "suspend_at": current_app.config["QUESTION_REPORTS_SUSPEND_AT"],
    }


@bp.get("/manage/question-reports/")
@access.organiser_required
def index():
    """List the reported questions the organiser's subtree maintains, most open first."""
    only_open = request.args.get("state", "open") != "all"
    page = queries.list_reported_questions(current_user, only_open, page_number(), PER_PAGE)
    return render_template(
        "reports/index.html",
        page=page,
        only_open=only_open,
        suspend_at=current_app.config["QUESTION_REPORTS_SUSPEND_AT"],
    )


@bp.route("/manage/question-reports/<int:question_id>", methods=["GET", "POST"])
@access.organiser_required
def question(question_id: int):
    """One question's reports; close the open ones as 已更正 or 不采纳 with a note."""
    question = queries.get_question_in_scope(current_user, question_id)
    form = CloseForm()
    if form.validate_on_submit():
        outcome = ReportStatus(form.outcome.data)
        suspend_at = current_app.config["QUESTION_REPORTS_SUSPEND_AT"]
        done = perform(
            lambda: services.close_reports(
                current_user, question, outcome, form.note.data or "", utcnow(), suspend_at
            ),
            lambda n: f"已处理 {n} 条报告，并已通知报告人。",
        )
        if done is not FAILED:
            return redirect(url_for("reports.question", question_id=question.id))
    return render_template(
        "reports/question.html",
        question=question,
        reports=queries.list_reports(question.id),
        form=form,
    )
