"""Organiser pages: pending 缓考 requests (待办), a quiz's exceptions, deciding and granting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import NamedTuple

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from quizapp import access
from quizapp.actions import FAILED, perform
from quizapp.clock import utcnow
from quizapp.deferrals import queries, services
from quizapp.deferrals.forms import ApproveForm, GrantForm, RefuseForm
from quizapp.deferrals.models import QuizException
from quizapp.deferrals.routes import bp
from quizapp.forms import BaseForm
from quizapp.quizzes import queries as quiz_queries
from quizapp.quizzes.models import Quiz

#: How long the personal window an approval offers lasts (see :func:`_approve_form`).
DEFAULT_WINDOW = timedelta(days=7)

#: A form posted for a request and refused: the request's id, which form, the form.
Posted = tuple[int, str, BaseForm]


class Decision(NamedTuple):
    """The two forms of a pending request on a list page; ``opened`` names the one shown open
    (approve or refuse): the one just posted and refused, as it was typed, with its errors."""

    approve: BaseForm
    refuse: BaseForm
    opened: str | None = None


def _approve_form(quiz: Quiz) -> ApproveForm:
    """Return an approval form offering a week from the quiz's close (from now once it closed).

    缓考 is a sitting after the quiz's own: a window from the quiz's opening would cover the
    hours the member said they can't make and, on a quiz open longer than a week, end before
    the quiz does, leaving them less time than everyone else.
    """
    form = ApproveForm(formdata=None)
    start = max(utcnow(), quiz.closes_at).replace(second=0, microsecond=0)
    form.opens_at.data, form.closes_at.data = start, start + DEFAULT_WINDOW
    return form


def _decisions(posted: Posted | None) -> Callable[[QuizException], Decision]:
    """Return the forms of each request: its defaults, or the form ``posted`` for it, open."""

    def decision(row: QuizException) -> Decision:
        approve, refuse = _approve_form(row.quiz), RefuseForm(formdata=None)
        if posted is None or posted[0] != row.id:
            return Decision(approve, refuse)
        _, opened, form = posted
        if opened == "approve":
            return Decision(form, refuse, opened)
        return Decision(approve, form, opened)

    return decision


def _back(row) -> str:
    if request.form.get("back") == "pending":
        return url_for("deferrals.pending")
    return url_for("deferrals.quiz", quiz_id=row.quiz_id)


def _pending_page(posted: Posted | None = None) -> str:
    rows = queries.list_pending(current_user)
    return render_template("deferrals/pending.html", rows=rows, decision=_decisions(posted))


def _quiz_page(quiz: Quiz, posted: Posted | None = None, grant_form: GrantForm | None = None):
    return render_template(
        "deferrals/quiz.html",
        quiz=quiz,
        rows=queries.list_for_quiz(quiz),
        decision=_decisions(posted),
        grant_form=grant_form or GrantForm(formdata=None),
    )


@bp.get("/manage/deferrals/")
@access.organiser_required
def pending():
    """The pending 缓考 requests of every quiz the organiser manages (待办)."""
    return _pending_page()


@bp.route("/manage/deferrals/quizzes/<int:quiz_id>", methods=["GET"])
@access.organiser_required
def quiz(quiz_id: int):
    """A quiz's 缓考 requests and 补考 / extra time grants, with the grant form."""
    return _quiz_page(quiz_queries.get_quiz(current_user, quiz_id))  # 404 unless managed


def _decide(
    exception_id: int,
    opened: str,
    form: BaseForm,
    decide: Callable[[QuizException], object],
    done: str,
) -> Response | str:
    """Decide on a request with a form posted from a list page, then go back to that page.

    A form refused shows the page again with that request's form open, as it was typed, and
    what is wrong beside it; a request no longer pending (withdrawn, or decided by another
    organiser) has no form there, so that answer is flashed over the page instead.
    """
    row = queries.get_managed(current_user, exception_id)
    if not row.is_pending:
        flash(services.ALREADY_DECIDED, "error")
        return redirect(_back(row))
    if form.validate_on_submit():
        if perform(lambda: decide(row), done, errors=form.form_errors) is not FAILED:
            return redirect(_back(row))
        if not row.is_pending:  # decided meanwhile (reloaded after the rollback)
            flash(form.form_errors[-1], "error")
            return redirect(_back(row))
    posted = (row.id, opened, form)
    if request.form.get("back") == "pending":
        return _pending_page(posted)
    return _quiz_page(row.quiz, posted)


@bp.post("/manage/deferrals/<int:exception_id>/approve")
@access.organiser_required
def approve(exception_id: int):
    """Approve a 缓考 with a personal window."""
    form = ApproveForm()
    return _decide(
        exception_id,
        "approve",
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
        "refuse",
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
    if form.validate_on_submit():
        member = queries.find_member(current_user, form.login_id.data)
        if member is None:
            typed = form.login_id.data.strip()
            form.login_id.errors.append(f"没有找到警号或手机号为 {typed} 的在用账号。")
        elif (
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
                errors=form.form_errors,
            )
            is not FAILED
        ):
            return redirect(url_for("deferrals.quiz", quiz_id=quiz_id))
    return _quiz_page(found, grant_form=form)
