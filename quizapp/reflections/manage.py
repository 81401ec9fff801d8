"""Reflection pages for organisers: review (/manage/reflections), on the blueprint of
``routes.py``."""

from __future__ import annotations

from datetime import datetime

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from quizapp import access
from quizapp.actions import FAILED, perform
from quizapp.clock import utcnow
from quizapp.errors import Stale
from quizapp.org import queries as org_queries
from quizapp.pagination import filter_value, page_number
from quizapp.reflections import queries, services
from quizapp.reflections.forms import ReviewForm
from quizapp.reflections.routes import bp
from quizapp.study.models import Reflection, ReflectionStatus

PER_PAGE = 20


# Organiser pages.


@bp.get("/manage/reflections/")
@access.organiser_required
def queue():
    """List reflections by members in the organiser's subtree; waiting ones first by default."""
    status = filter_value("status", queries.STATES, ReflectionStatus.SUBMITTED.value)
    branch = org_queries.find_branch(current_user, request.args.get("branch", type=int))
    page = queries.list_reflections(
        current_user,
        status=status,
        branch=branch,
        page=page_number(),
        per_page=PER_PAGE,
    )
    return render_template(
        "reflections/queue.html",
        page=page,
        status=status,
        states=queries.STATES,
        selected_branch=branch,
        branches=org_queries.list_branches(current_user),
        subjects=queries.load_subjects(page.items),
        labels=services.STATUS_LABELS,
    )


def _render_read(reflection: Reflection, form: ReviewForm):
    return render_template(
        "reflections/read.html",
        reflection=reflection,
        form=form,
        subject_title=queries.load_subjects([reflection]).title(reflection),
        labels=services.STATUS_LABELS,
        can_review=(
            reflection.status == ReflectionStatus.SUBMITTED
            and services.can_review(current_user, reflection)
        ),
    )


@bp.get("/manage/reflections/<int:reflection_id>")
@access.organiser_required
def read(reflection_id: int):
    """Read a reflection by a member in the organiser's subtree, with the review form."""
    reflection = queries.get_reflection(current_user, reflection_id)
    return _render_read(reflection, ReviewForm(version=reflection.submitted_at.isoformat()))


def _version(value: str | None) -> datetime | None:
    """Return the version (submission time) the page was read at, None when the form names
    none; one that is no time with its zone (a page mangled or forged) is a stale page."""
    if not value:
        return None
    try:
        seen = datetime.fromisoformat(value)
    except ValueError:
        seen = None
    if seen is None or seen.tzinfo is None:
        raise Stale("页面已过期，请重新阅读这篇心得后再审阅。")
    return seen


@bp.post("/manage/reflections/<int:reflection_id>/review")
@access.organiser_required
def review(reflection_id: int):
    """Accept a reflection, or return it with a comment."""
    reflection = queries.get_reflection(current_user, reflection_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _render_read(reflection, form)
    decision = request.form.get("decision", "")
    if decision not in ("accept", "return"):
        abort(400)
    done = perform(
        lambda: services.review_reflection(
            current_user,
            reflection,
            decision,
            form.comment.data or "",
            _version(form.version.data),
            utcnow(),
        ),
        f"已{'通过' if decision == 'accept' else '退回'}{reflection.member.name}的心得"
        f"「{reflection.title}」。",
    )
    if done is FAILED:
        # The page shows the text as it is now; reviewing it again is a review of that.
        form.version.data = reflection.submitted_at.isoformat()
        return _render_read(reflection, form)
    return redirect(url_for("reflections.queue"))
