"""Member pages: home (首页), study (学习) and me (我的); 答题 is quizapp.attempts."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from quizapp import access
from quizapp.members.forms import ActionForm

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    """The member's home page."""
    return render_template("home/index.html", managed_root=access.managed_root(current_user))


@bp.get("/study")
@login_required
def study():
    """Study materials assigned to the member (materials arrive with the study feature)."""
    return render_template("home/study.html")


@bp.get("/me")
@login_required
def me():
    """The member's profile, password and logout."""
    return render_template("home/me.html", logout_form=ActionForm(),
                           managed_root=access.managed_root(current_user))
