"""Marking pages (阅卷) for the quiz's organisers and the markers its owner named: the quizzes
waiting, a quiz's queue per question, and one answer at a time beside the reference answer
and its 评分要点. Phone first; they work on a desktop as well."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from quizapp.actions import FAILED, perform
from quizapp.bank.types import get_type
from quizapp.clock import utcnow
from quizapp.marking import hints, queries, services
from quizapp.marking.forms import MarkForm
from quizapp.quizzes.services import can_manage_quiz

bp = Blueprint("marking", __name__)


@bp.get("/marking/")
@login_required
def index():
    """List the quizzes the member may mark that have answers waiting."""
    return render_template("marking/index.html", waiting=queries.count_waiting(current_user))


@bp.get("/marking/quizzes/<int:quiz_id>")
@login_required
def queue(quiz_id: int):
    """Show a quiz's 简答 questions with how many answers wait and how many are marked."""
    quiz = queries.get_markable_quiz(current_user, quiz_id)
    return render_template(
        "marking/queue.html",
        quiz=quiz,
        lines=queries.list_queue(quiz, current_user.id),
        owner=can_manage_quiz(current_user, quiz),
    )


def _render_answer(quiz, question_id: int, answer, form: MarkForm | None = None):
    # Waiting: never the marker's own paper (nobody marks their own).
    waiting = queries.list_answers(quiz, question_id, waiting=True, marker_id=current_user.id)
    marked = queries.list_answers(quiz, question_id, waiting=False)
    if answer is None:  # the next waiting answer
        answer = waiting[0] if waiting else None
    if answer is None:
        question = marked[0].question if marked else None
        return render_template(
            "marking/answer.html", quiz=quiz, question=question, answer=None, marked=marked
        )
    if form is None:
        form = MarkForm(
            points=f"{answer.mark:g}" if answer.mark is not None else None,
            comment=answer.mark_comment,
            version=answer.mark_version,
        )
    points = (answer.question.answer or {}).get("points", [])
    return render_template(
        "marking/answer.html",
        quiz=quiz,
        question=answer.question,
        answer=answer,
        form=form,
        waiting=waiting,
        marked=marked,
        highlighted=hints.highlight(answer.response, points),
        hints=hints.point_hints(answer.response, points),
        reference=get_type(answer.question.type).answer_lines(answer.question.answer, []),
        steps=[n / 2 for n in range(int(answer.points * 2) + 1)],
    )


@bp.get("/marking/quizzes/<int:quiz_id>/questions/<int:question_id>")
@login_required
def answer(quiz_id: int, question_id: int):
    """Show the next answer waiting for the question (or ``?attempt=`` one to re-mark)."""
    quiz = queries.get_markable_quiz(current_user, quiz_id)
    attempt_id = request.args.get("attempt", type=int)
    chosen = queries.get_answer(quiz, attempt_id, question_id) if attempt_id else None
    return _render_answer(quiz, question_id, chosen)


@bp.post("/marking/quizzes/<int:quiz_id>/questions/<int:question_id>/attempts/<int:attempt_id>")
@login_required
def mark(quiz_id: int, question_id: int, attempt_id: int):
    """Save a mark, then open the next answer waiting."""
    quiz = queries.get_markable_quiz(current_user, quiz_id)
    answer = queries.get_answer(quiz, attempt_id, question_id)
    form = MarkForm()
    if not form.validate_on_submit():
        return _render_answer(quiz, question_id, answer, form), 400
    version = int(form.version.data) if (form.version.data or "").isdigit() else -1
    done = perform(
        lambda: services.mark_answer(
            current_user, answer, form.points.data, form.comment.data, version, utcnow()
        ),
        lambda a: f"已评分：{a.mark:g} 分。",
    )
    if done is FAILED:
        target = url_for(".answer", quiz_id=quiz.id, question_id=question_id, attempt=attempt_id)
        return redirect(target)
    return redirect(url_for(".answer", quiz_id=quiz.id, question_id=question_id))
