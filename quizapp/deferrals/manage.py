"""Organiser pages: pending 缓考 requests (待办), a quiz's exceptions, deciding and granting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from quizapp import access
from quizapp.actions import perform
from quizapp.clock import utcnow
from quizapp.deferrals import queries, services
from quizapp.deferrals.forms import ApproveForm, GrantForm, RefuseForm
from quizapp.deferrals.models import QuizException
from quizapp.deferrals.routes import bp
from quizapp.forms import BaseForm
from quizapp.quizzes import queries as quiz_queries

#: The personal window an approval offers: from now, for a week.
DEFAULT_WINDOW = timedelta(days=7)


def _approve_form() -> ApproveForm:
    form = ApproveForm()
    if not form.is_submitted():
        start = utcnow().replace(second=0, microsecond=0)
        form.opens_at.data, form.closes_at.data = start, start + DEFAULT_WINDOW
    return form


def _back(row) -> str:
    if request.form.get("back") == "pending":
        return url_for("deferrals.pending")
    return url_for("deferrals.quiz", quiz_id=row.quiz_id)


def _valid(form) -> bool:
    """Validate a form posted from a list page; flash its problems if it isn't (the token is
    checked by CSRFProtect before any view runs)."""
    if form.validate_on_submit():
        return True
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")
    return False


@bp.get("/manage/deferrals/")
@access.organiser_required
def pending():
    """The pending 缓考 requests of every quiz the organiser manages (待办)."""
    return render_template(
        "deferrals/pending.html",
        rows=queries.list_pending(current_user),
        approve_form=_approve_form(),
        refuse_form=RefuseForm(),
    )


@bp.route("/manage/deferrals/quizzes/<int:quiz_id>", methods=["GET"])
@access.organiser_required
def quiz(quiz_id: int):
    """A quiz's 缓考 requests and 补考 / extra time grants, with the grant form."""
    found = quiz_queries.get_quiz(current_user, quiz_id)  # 404 unless the actor manages it
    return render_template(
        "deferrals/quiz.html",
        quiz=found,
        rows=queries.list_for_quiz(found),
        approve_form=_approve_form(),
        refuse_form=RefuseForm(),
        grant_form=GrantForm(),
    )


def _decide(
    exception_id: int, form: BaseForm, decide: Callable[[QuizException], object], done: str
) -> Response:
    """Decide on a request with a form posted from a list page, then go back to that page."""
    row = queries.get_managed(current_user, exception_id)
    if _valid(form):
        perform(lambda: decide(row), done)
    return redirect(_back(row))


@bp.post("/manage/deferrals/<int:exception_id>/approve")
@access.organiser_required
def approve(exception_id: int):
    """Approve a 缓考 with a personal window."""
    form = ApproveForm()
    return _decide(
        exception_id,
        form,
        lambda row: services.approve_deferral(
            current_user, row, form.opens_at.data, form.closes_at.data, form.note.data, utcnow()
        ),
        "已批准缓考，并已通知本人。",
    )


@bp.post("/manage/deferrals/<int:exception_id>/refuse")
@access.organiser_required
def refuse(exception_id: int):
    """Refuse a 缓考 with a reason."""
    form = RefuseForm()
    return _decide(
        exception_id,
        form,
        lambda row: services.refuse_deferral(current_user, row, form.note.data, utcnow()),
        "已不批准该缓考申请，并已通知本人。",
    )


@bp.post("/manage/deferrals/quizzes/<int:quiz_id>/grant")
@access.organiser_required
def grant(quiz_id: int):
    """Grant one member 补考 and/or extra time."""
    found = quiz_queries.get_quiz(current_user, quiz_id)
    form = GrantForm()
    back = redirect(url_for("deferrals.quiz", quiz_id=quiz_id))
    if not _valid(form):
        return back
    member = queries.find_member(current_user, form.login_id.data)
    if member is None:
        flash(f"没有找到警号或手机号为 {form.login_id.data.strip()} 的在用账号。", "error")
        return back
    perform(
        lambda: services.grant_extra(
            current_user,
            found,
            member,
            attempts=form.attempts.data,
            minutes=form.minutes.data,
            opens_at=form.opens_at.data,
            closes_at=form.closes_at.data,
            reason=form.reason.data,
            now=utcnow(),
        ),
        f"已为 {member.name} 登记，并已通知本人。",
    )
    return back
