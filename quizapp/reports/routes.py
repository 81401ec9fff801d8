"""Member pages of error reports: report a question (题目有误), and my reports."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from quizapp.actions import FAILED, perform
from quizapp.clock import utcnow
from quizapp.pagination import filter_value, page_number
from quizapp.reports import queries, services
from quizapp.reports.forms import ReportForm
from quizapp.reports.models import ReportOrigin

bp = Blueprint("reports", __name__)

PER_PAGE = 20


def _back(origin: str) -> str:
    """Where the member goes back to: a page of the origin (never a URL from the request)."""
    attempt = request.args.get("attempt", type=int)
    if origin == ReportOrigin.REVIEW and attempt:
        return url_for("attempts.result", attempt_id=attempt)
    return url_for(
        {
            ReportOrigin.DAILY: "practice.daily",
            ReportOrigin.WRONGBOOK: "practice.wrong_book",
        }.get(origin, "practice.index")
    )


@bp.route("/questions/<int:question_id>/report", methods=["GET", "POST"])
@login_required
def report(question_id: int):
    """Report an error in a question the member was shown (404 for any other)."""
    now = utcnow()
    origin = filter_value("from", {o.value for o in ReportOrigin}, ReportOrigin.PRACTICE.value)
    question = services.get_reportable_question(current_user, question_id, now)
    back = _back(origin)
    existing = services.open_report_of(current_user, question.id)
    form = ReportForm()
    if existing is None and form.validate_on_submit():
        data = services.ReportData(form.reason.data, form.text.data or "", origin)
        suspend_at = current_app.config["QUESTION_REPORTS_SUSPEND_AT"]
        done = perform(
            lambda: services.file_report(current_user, question.id, data, now, suspend_at),
            "已收到您的报告，管理员处理后会通知您。谢谢！",
        )
        if done is not FAILED:
            return redirect(back)
    return render_template(
        "reports/report.html", question=question, form=form, back=back, existing=existing
    )


@bp.get("/reports/mine")
@login_required
def mine():
    """List the member's own reports and their outcomes."""
    page = queries.list_own_reports(current_user, utcnow(), page_number(), PER_PAGE)
    return render_template("reports/mine.html", page=page)
