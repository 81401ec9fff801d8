"""Reflection pages: members write (/reflections), organisers review (/manage/reflections)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from quizapp import access
from quizapp.actions import FAILED, perform
from quizapp.campaigns import queries as campaign_queries
from quizapp.campaigns.models import Campaign
from quizapp.clock import utcnow
from quizapp.org import queries as org_queries
from quizapp.reflections import queries, services
from quizapp.reflections.forms import ReflectionForm, ReviewForm
from quizapp.study.models import Material, Reflection

bp = Blueprint("reflections", __name__)

PER_PAGE = 20


def _subject(now: datetime) -> Material | Campaign | None:
    """The material or campaign named in the query string (404 if the member can't see it)."""
    material_id = request.args.get("material", type=int)
    if material_id:
        return queries.get_visible_material(current_user, material_id, now)
    campaign_id = request.args.get("campaign", type=int)
    if campaign_id:
        return campaign_queries.get_member_campaign(current_user, campaign_id)
    return None


def _subject_title(subject: Material | Campaign) -> str:
    kind = "学习资料" if isinstance(subject, Material) else "学习任务"
    return f"{kind}《{subject.title}》"


def _data(form: ReflectionForm) -> services.ReflectionData:
    return services.ReflectionData(title=form.title.data or "", body=form.body.data or "")


# Member pages.


@bp.get("/reflections/")
@login_required
def index():
    """List the member's own reflections with their status and the reviewer's comment."""
    reflections = queries.list_own_reflections(current_user)
    return render_template(
        "reflections/index.html",
        reflections=reflections,
        subjects=queries.load_subjects(reflections),
        labels=services.STATUS_LABELS,
    )


@bp.route("/reflections/new", methods=["GET", "POST"])
@login_required
def create():
    """Write a reflection on a material (?material=) or a campaign (?campaign=)."""
    now = utcnow()
    subject = _subject(now)
    if subject is None:
        materials, campaigns = queries.list_subjects(current_user, now)
        return render_template("reflections/choose.html", materials=materials, campaigns=campaigns)
    form = ReflectionForm()
    if form.validate_on_submit():
        reflection = perform(
            lambda: services.submit_reflection(current_user, subject, _data(form), now),
            "已提交，请等待党组织审阅。审阅前仍可修改。",
        )
        if reflection is not FAILED:
            return redirect(url_for("reflections.show", reflection_id=reflection.id))
    earlier = [
        r
        for r in queries.list_own_reflections(current_user)
        if (r.material_id if isinstance(subject, Material) else r.campaign_id) == subject.id
    ]
    return render_template(
        "reflections/form.html",
        form=form,
        reflection=None,
        subject_title=_subject_title(subject),
        earlier=earlier,
        labels=services.STATUS_LABELS,
        min_chars=services.MIN_CHARS,
    )


@bp.get("/reflections/<int:reflection_id>")
@login_required
def show(reflection_id: int):
    """Show one of the member's reflections, its status and the reviewer's comment."""
    reflection = queries.get_own_reflection(current_user, reflection_id)
    return render_template(
        "reflections/show.html",
        reflection=reflection,
        subject_title=queries.load_subjects([reflection]).title(reflection),
        labels=services.STATUS_LABELS,
        editable=reflection.status in services.EDITABLE,
    )


@bp.route("/reflections/<int:reflection_id>/edit", methods=["GET", "POST"])
@login_required
def edit(reflection_id: int):
    """Change a waiting or returned reflection and hand it in again."""
    reflection = queries.get_own_reflection(current_user, reflection_id)
    if reflection.status not in services.EDITABLE:
        flash("该心得已审阅通过，不能再修改。", "info")
        return redirect(url_for("reflections.show", reflection_id=reflection.id))
    form = ReflectionForm(obj=reflection if request.method == "GET" else None)
    if form.validate_on_submit():
        saved = perform(
            lambda: services.update_reflection(current_user, reflection, _data(form), utcnow()),
            "已重新提交，请等待党组织审阅。",
        )
        if saved is not FAILED:
            return redirect(url_for("reflections.show", reflection_id=reflection.id))
    return render_template(
        "reflections/form.html",
        form=form,
        reflection=reflection,
        earlier=[],
        subject_title=queries.load_subjects([reflection]).title(reflection),
        labels=services.STATUS_LABELS,
        min_chars=services.MIN_CHARS,
    )


# Organiser pages.


@bp.get("/manage/reflections/")
@access.organiser_required
def queue():
    """List reflections by members in the organiser's subtree; waiting ones first by default."""
    status = request.args.get("status", "submitted")
    status = status if status in queries.STATES else "submitted"
    branch = None
    branch_id = request.args.get("branch", type=int)
    if branch_id:
        branch = org_queries.get_branch(current_user, branch_id)
    page = queries.list_reflections(
        current_user,
        status=status,
        branch=branch,
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
    )
    return render_template(
        "reflections/queue.html",
        page=page,
        status=status,
        states=queries.STATES,
        selected_branch=branch,
        branches=org_queries.list_branches(current_user),
        branch_label=org_queries.branch_label,
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
            reflection.status == "submitted" and services.can_review(current_user, reflection)
        ),
    )


@bp.get("/manage/reflections/<int:reflection_id>")
@access.organiser_required
def read(reflection_id: int):
    """Read a reflection by a member in the organiser's subtree, with the review form."""
    reflection = queries.get_reflection(current_user, reflection_id)
    return _render_read(reflection, ReviewForm(version=reflection.submitted_at.isoformat()))


def _version(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


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
