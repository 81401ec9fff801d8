"""Reflection pages for members: write and read (/reflections)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from quizapp.actions import FAILED, perform
from quizapp.campaigns import queries as campaign_queries
from quizapp.campaigns.models import Campaign
from quizapp.clock import utcnow
from quizapp.reflections import queries, services
from quizapp.reflections.forms import ReflectionForm
from quizapp.study.models import Material, Reflection

bp = Blueprint("reflections", __name__)


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


def _draft_key(kind: str, thing_id: int) -> str:
    """The key of the draft the member's phone keeps of a reflection (reflections.js)."""
    return f"{current_user.id}.{kind}.{thing_id}"


def _subject_key(subject: Material | Campaign) -> str:
    return _draft_key("material" if isinstance(subject, Material) else "campaign", subject.id)


def _saved_keys(reflection: Reflection) -> list[str]:
    """The drafts a saved reflection may have come from: its subjects' and its own."""
    subjects = [("material", reflection.material_id), ("campaign", reflection.campaign_id)]
    return [_draft_key(kind, i) for kind, i in subjects if i] + [
        _draft_key("reflection", reflection.id)
    ]


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
        draft_key=_subject_key(subject),
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
        draft_keys=_saved_keys(reflection),
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
        draft_key=_draft_key("reflection", reflection.id),
        earlier=[],
        subject_title=queries.load_subjects([reflection]).title(reflection),
        labels=services.STATUS_LABELS,
        min_chars=services.MIN_CHARS,
    )
