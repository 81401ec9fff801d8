"""Marking settings of a quiz for its organisers: blind marking and the markers they name
(/manage/marking/…), on the blueprint of ``routes.py``."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from quizapp import access, db
from quizapp.actions import perform
from quizapp.clock import utcnow
from quizapp.forms import ActionForm
from quizapp.marking import queries, services
from quizapp.marking.forms import BlindForm, MarkerForm
from quizapp.marking.routes import bp
from quizapp.members.models import Member
from quizapp.quizzes import queries as quiz_queries


@bp.get("/manage/marking/quizzes/<int:quiz_id>")
@access.organiser_required
def settings(quiz_id: int):
    """Show the quiz's marking settings: blind marking, its markers, members to name."""
    quiz = quiz_queries.get_quiz(current_user, quiz_id)
    text = request.args.get("q", "").strip()[:50]
    return render_template(
        "marking/settings.html",
        quiz=quiz,
        blind_form=BlindForm(blind=quiz.blind_marking),
        form=ActionForm(),
        markers=queries.list_markers(quiz),
        text=text,
        candidates=queries.find_candidate(current_user, quiz, text) if text else [],
    )


@bp.post("/manage/marking/quizzes/<int:quiz_id>/blind")
@access.organiser_required
def set_blind(quiz_id: int):
    """Turn blind marking on or off."""
    quiz = quiz_queries.get_quiz(current_user, quiz_id)
    form = BlindForm()
    if form.validate_on_submit():
        blind = bool(form.blind.data)
        perform(
            lambda: services.set_blind(current_user, quiz, blind),
            "已开启匿名阅卷。" if blind else "已关闭匿名阅卷。",
        )
    return redirect(url_for(".settings", quiz_id=quiz.id))


def _member(form: MarkerForm) -> Member:
    member = db.session.get(Member, form.member_id.data) if form.validate_on_submit() else None
    if member is None:
        abort(404)
    return member


@bp.post("/manage/marking/quizzes/<int:quiz_id>/markers")
@access.organiser_required
def add_marker(quiz_id: int):
    """Name a member of the quiz owner's subtree a marker."""
    quiz = quiz_queries.get_quiz(current_user, quiz_id)
    member = _member(MarkerForm())
    if not access.can_view_member(current_user, member):
        abort(404)
    perform(
        lambda: services.add_marker(current_user, quiz, member, utcnow()),
        f"已指定{member.name}为阅卷人。",
    )
    return redirect(url_for(".settings", quiz_id=quiz.id))


@bp.post("/manage/marking/quizzes/<int:quiz_id>/markers/<int:member_id>/remove")
@access.organiser_required
def remove_marker(quiz_id: int, member_id: int):
    """Take a member off the quiz's markers."""
    quiz = quiz_queries.get_quiz(current_user, quiz_id)
    if ActionForm().validate_on_submit():
        perform(lambda: services.remove_marker(current_user, quiz, member_id), "已移除阅卷人。")
    return redirect(url_for(".settings", quiz_id=quiz.id))
