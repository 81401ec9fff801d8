"""Member pages: home (首页) and 我的 with the member's results; 学习 is quizapp.study,
答题 quizapp.attempts."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from quizapp import access, clock
from quizapp.campaigns.queries import list_running_progress
from quizapp.campaigns.services import KINDS
from quizapp.certificates.queries import list_member_certificates
from quizapp.forms import ActionForm
from quizapp.home import queries
from quizapp.home.tasks import list_tasks
from quizapp.notices import queries as notice_queries
from quizapp.pagination import page_number
from quizapp.points.queries import member_sums
from quizapp.study.totals import member_minutes_summary

bp = Blueprint("home", __name__)

#: Unread notices shown at the top of the home page (the rest are on /notices).
NOTICES_SHOWN = 3
#: Tasks shown on the home page, most urgent first (the rest: the campaign and quiz lists).
TASKS_SHOWN = 8
#: Latest results on 我的; all of them on /me/results.
RESULTS_SHOWN = 5
RESULTS_PER_PAGE = 20


@bp.get("/")
@login_required
def index():
    """The member's home page: 今日任务, unread notices, minutes, points, running campaigns."""
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
    campaigns = list_running_progress(current_user, today, now)
    tasks = list_tasks(current_user, campaigns, today, now)
    return render_template(
        "home/index.html",
        managed_root=access.managed_root(current_user),
        tasks=tasks[:TASKS_SHOWN],
        more_tasks=len(tasks) - TASKS_SHOWN,
        now=now,
        today_seconds=today_seconds,
        week_seconds=week_seconds,
        campaigns=campaigns,
        kinds=KINDS,
        notices=notices,
        unread_notices=unread,
        month_points=month_points,
        total_points=total_points,
    )


@bp.get("/me")
@login_required
def me():
    """我的: profile, study history by week, latest results, points; password and logout.

    Each section is a partial of templates/home/ (``_me_*.html``) included by me.html: a new
    section is one include there and its figures added here.
    """
    now = clock.utcnow()
    today = clock.china_today(now)
    month_points, total_points = member_sums(current_user.id, today.replace(day=1), today)
    return render_template(
        "home/me.html",
        logout_form=ActionForm(),
        managed_root=access.managed_root(current_user),
        certificates=list_member_certificates(current_user),
        weeks=queries.list_study_weeks(current_user.id, today),
        results=queries.list_results(current_user, now, 1, RESULTS_SHOWN),
        month_points=month_points,
        total_points=total_points,
    )


@bp.get("/me/results")
@login_required
def results():
    """Every result of the member, latest first, with a link to each review it may see."""
    page = queries.list_results(current_user, clock.utcnow(), page_number(), RESULTS_PER_PAGE)
    return render_template("home/results.html", page=page)
