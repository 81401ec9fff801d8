"""The member's notices (/notices): the list, and marking them read."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from quizapp.actions import run
from quizapp.clock import utcnow
from quizapp.notices import queries, services
from quizapp.pagination import page_number

bp = Blueprint("notices", __name__)

PER_PAGE = 20
#: Where a "mark read" button may send the member back to (never a URL from the form).
BACK = {"home": "home.index", "list": "notices.index"}


@bp.get("/notices/")
@login_required
def index():
    """List the member's notices, newest first; unread ones carry a badge."""
    page = queries.list_notices(current_user, page=page_number(), per_page=PER_PAGE)
    return render_template(
        "notices/index.html", page=page, unread=queries.count_unread(current_user)
    )


@bp.post("/notices/<int:notice_id>/read")
@login_required
def read(notice_id: int):
    """Mark a notice read; with ``open`` go on to the page it links to."""
    notice = queries.get_own_notice(current_user, notice_id)
    run(lambda: services.mark_read(current_user, notice, utcnow()))
    if request.form.get("open") and notice.link:
        return redirect(request.script_root + notice.link)
    return redirect(url_for(BACK.get(request.form.get("back", ""), "notices.index")))


@bp.post("/notices/read-all")
@login_required
def read_all():
    """Mark every notice of the member read."""
    run(lambda: services.mark_all_read(current_user, utcnow()))
    return redirect(url_for("notices.index"))
