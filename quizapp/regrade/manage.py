"""Regrade pages for organisers (/manage/regrade): choose the quizzes, preview, confirm;
and each regrade's audit (before and after per attempt)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from quizapp import access
from quizapp.actions import FAILED, perform
from quizapp.bank import queries as bank_queries
from quizapp.bank import versions
from quizapp.bank.services import can_edit_question
from quizapp.bank.types import get_type
from quizapp.clock import utcnow
from quizapp.errors import DomainError
from quizapp.forms import ActionForm
from quizapp.regrade import queries, services

bp = Blueprint("regrade", __name__)


def _question(question_id: int):
    question = bank_queries.get_question(question_id)
    if not can_edit_question(current_user, question):
        abort(404)
    return question


def _chosen() -> tuple[list[int], bool]:
    ids = [int(v) for v in request.form.getlist("quiz_ids") if v.isdigit()]
    return ids, request.form.get("may_lower") == "1"


@bp.route("/questions/<int:question_id>", methods=["GET", "POST"])
@access.organiser_required
def choose(question_id: int):
    """Choose the quizzes to regrade; 预览 shows the effect, 确认 applies it."""
    question = _question(question_id)
    form = ActionForm()
    plan = None
    quiz_ids, may_lower = _chosen() if request.method == "POST" else ([], False)
    if form.validate_on_submit():
        action = request.form.get("action")
        if action == "apply":
            version = request.form.get("version", type=int, default=-1)
            done = perform(
                lambda: services.apply_regrade(
                    current_user, question, quiz_ids, may_lower, version, utcnow()
                ),
                lambda r: (
                    f"已重新评分：{r.raised} 份答卷加分，{r.lowered} 份答卷减分，已通知相关党员。"
                    if r
                    else "所有答卷的得分已与当前答案一致，无需更正。"
                ),
            )
            if done:
                return redirect(url_for("regrade.show", regrade_id=done.id))
            if done is not FAILED:
                return redirect(url_for("regrade.choose", question_id=question.id))
        else:
            try:
                plan = services.plan_regrade(current_user, question, quiz_ids, may_lower)
            except DomainError as exc:
                flash(exc.message, "error")
    return render_template(
        "regrade/choose.html",
        question=question,
        qtype=get_type(question.type),
        version=versions.current_number(question.id),
        uses=queries.list_quizzes_using(current_user, question.id),
        others=queries.count_other_quizzes(current_user, question.id),
        regrades=queries.list_regrades(question.id),
        form=form,
        plan=plan,
        chosen=set(quiz_ids),
        may_lower=may_lower,
    )


@bp.get("/<int:regrade_id>")
@access.organiser_required
def show(regrade_id: int):
    """Show one regrade: who, when, which key, and each changed attempt before and after."""
    regrade = queries.get_regrade(current_user, regrade_id)
    return render_template(
        "regrade/show.html", regrade=regrade, changes=queries.list_changes(regrade)
    )
