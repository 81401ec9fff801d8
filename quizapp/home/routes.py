"""Member pages: home (首页) and me (我的); 学习 is quizapp.study, 答题 quizapp.attempts."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from quizapp import access, clock
from quizapp.campaigns.queries import list_running_progress
from quizapp.campaigns.services import KINDS
from quizapp.certificates.queries import list_member_certificates
from quizapp.forms import ActionForm
from quizapp.notices import queries as notice_queries
from quizapp.points.queries import member_sums
from quizapp.study.queries import member_minutes_summary

bp = Blueprint("home", __name__)

#: Unread notices shown at the top of the home page (the rest are on /notices).
NOTICES_SHOWN = 3


@bp.get("/")
@login_required
def index():
    """The member's home page: unread notices, study minutes, points, running campaigns."""
    now = clock.utcnow()
    today = clock.china_today(now)
    today_seconds, week_seconds = member_minutes_summary(current_user.id, today)
    month_points, total_points = member_sums(
        current_user.id, today.replace(day=1), today
    )  # days after today hold no entries
    notices = notice_queries.list_unread(current_user, NOTICES_SHOWN)
    unread = (
        len(notices) if len(notices) < NOTICES_SHOWN else notice_queries.count_unread(current_user)
    )
    return render_template(
        "home/index.html",
        managed_root=access.managed_root(current_user),
        today_minutes=today_seconds // 60,
        week_minutes=week_seconds // 60,
        campaigns=list_running_progress(current_user, today, now),
        kinds=KINDS,
        notices=notices,
        unread_notices=unread,
        month_points=month_points,
        total_points=total_points,
    )


@bp.get("/me")
@login_required
def me():
    """The member's profile, password and logout."""
    return render_template(
        "home/me.html",
        logout_form=ActionForm(),
        managed_root=access.managed_root(current_user),
        certificates=list_member_certificates(current_user),
    )
