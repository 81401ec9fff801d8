"""The 台账 pages for organisers: a node's records for a period, printable or as .docx.

URLs (under /manage/ledger): ``/branches/<id>?first=…&last=…`` shows the 台账 of a branch
(a unit's: one section per party branch under it); ``/branches/<id>.docx`` downloads it.
The period defaults to this month so far. Nodes outside the organiser's scope answer 404.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from quizapp import access
from quizapp.clock import china_today, utcnow
from quizapp.downloads import DOCX, attachment
from quizapp.errors import error_response
from quizapp.ledger import docx
from quizapp.ledger.queries import ledger
from quizapp.org import queries as org_queries
from quizapp.participation.forms import PeriodForm

bp = Blueprint("ledger", __name__)


def _asked(branch_id: int):
    """Load the node (404 outside the actor's scope) and read the period asked for."""
    node = org_queries.get_branch(current_user, branch_id)
    now = utcnow()
    today = china_today(now)
    form = PeriodForm(formdata=request.args)
    period = form.resolve((today.replace(day=1), today))
    return node, form, period, now


@bp.get("/branches/<int:branch_id>")
@access.organiser_required
def page(branch_id: int):
    """Show the node's 台账 for the period, laid out to print."""
    node, form, period, now = _asked(branch_id)
    if period is None:
        return render_template(
            "ledger/page.html", node=node, form=form, book=None, error=form.problem
        ), 400
    return render_template(
        "ledger/page.html",
        node=node,
        form=form,
        book=ledger(current_user, node, *period, now),
        error=None,
        tables=docx.tables,
        period_text=docx.period_text,
    )


@bp.get("/branches/<int:branch_id>.docx")
@access.organiser_required
def download(branch_id: int):
    """Download the node's 台账 for the period as a Word document."""
    node, form, period, now = _asked(branch_id)
    if period is None:
        return error_response(400, form.problem)
    book = ledger(current_user, node, *period, now)
    english = f"ledger-{node.code}-{period[0].isoformat()}-to-{period[1].isoformat()}"
    return attachment(docx.render(book), docx.file_name(book), DOCX, english=english)
