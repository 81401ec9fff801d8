"""Member pages: ask for 缓考 on a quiz, see the answer, withdraw a pending request.

One blueprint for both sides: the organiser pages are added by ``manage.py``.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from quizapp.actions import FAILED, perform
from quizapp.clock import utcnow
from quizapp.deferrals import queries, services
from quizapp.deferrals.forms import RequestForm
from quizapp.forms import ActionForm

bp = Blueprint("deferrals", __name__)


@bp.route("/quizzes/<int:quiz_id>/deferral", methods=["GET", "POST"])
@login_required
def request_page(quiz_id: int):
    """Ask for 缓考 (值班, 出警, 其他 with words) and see one's requests for the quiz."""
    now = utcnow()
    quiz = queries.get_member_quiz(current_user, quiz_id)  # 404 outside the audience
    form = RequestForm()
    if form.validate_on_submit():
        done = perform(
            lambda: services.request_deferral(
                current_user, quiz, form.reason.data, form.text.data, now
            ),
            "缓考申请已提交，审批结果会通过通知告诉您。",
        )
        if done is not FAILED:
            return redirect(url_for("deferrals.request_page", quiz_id=quiz_id))
    return render_template(
        "deferrals/request.html",
        quiz=quiz,
        form=form,
        mine=queries.list_mine(current_user, quiz),
        handed_in=queries.has_handed_in(quiz, current_user.id),
        refusals=services,
        action_form=ActionForm(),
        now=now,
    )


@bp.post("/deferrals/<int:exception_id>/withdraw")
@login_required
def withdraw(exception_id: int):
    """Withdraw one's own pending 缓考 request."""
    row = queries.get_own(current_user, exception_id)
    perform(lambda: services.withdraw_deferral(current_user, row, utcnow()), "缓考申请已撤回。")
    return redirect(url_for("deferrals.request_page", quiz_id=row.quiz_id))
