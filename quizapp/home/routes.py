"""Member pages: home (首页) and me (我的); 学习 is quizapp.study, 答题 quizapp.attempts."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from quizapp import access, clock
from quizapp.campaigns.queries import list_running_progress
from quizapp.campaigns.services import KINDS
from quizapp.members.forms import ActionForm
from quizapp.study.queries import member_minutes_summary

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    """The member's home page: today's and this week's study minutes, running campaigns."""
    now = clock.utcnow()
    today = clock.china_today(now)
    today_seconds, week_seconds = member_minutes_summary(current_user.id, today)
    return render_template(
        "home/index.html", managed_root=access.managed_root(current_user),
        today_minutes=today_seconds // 60, week_minutes=week_seconds // 60,
        campaigns=list_running_progress(current_user, today, now), kinds=KINDS)


@bp.get("/me")
@login_required
def me():
    """The member's profile, password and logout."""
    return render_template("home/me.html", logout_form=ActionForm(),
                           managed_root=access.managed_root(current_user))
