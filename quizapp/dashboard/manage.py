"""The management area's front page."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from quizapp import access, windows
from quizapp.clock import china_today, utcnow
from quizapp.dashboard import queries, trend
from quizapp.deferrals.queries import count_pending
from quizapp.participation.charts import bar
from quizapp.quizzes import queries as quiz_queries
from quizapp.quizzes.services import can_manage_quiz, status_of

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@access.organiser_required
def index():
    """Show the organiser's subtree: headcounts, running campaigns, recent tests with their
    results, minutes per week and the branches that lag."""
    now = utcnow()
    running = queries.list_running_campaigns(current_user, china_today(now))
    shown = running[: queries.CAMPAIGNS_SHOWN]
    weeks = trend.weekly_minutes(current_user, china_today(now))
    return render_template(
        "dashboard/index.html",
        root=access.managed_root(current_user),
        counts=queries.count_headcounts(current_user),
        pending_deferrals=count_pending(current_user),
        campaigns=queries.campaign_bars(current_user, shown, now),
        more_campaigns=len(running) - len(shown),
        weeks=weeks,
        trend=trend.trend_chart(weeks),
        lagging=queries.lagging_branches(current_user, now),
        quizzes=quiz_queries.list_recent_quizzes(
            current_user, now, days=queries.QUIZ_DAYS, limit=queries.QUIZZES_SHOWN
        ),
        quiz_state=lambda quiz: status_of(quiz, now),
        phases=windows.PHASE_LABELS,
        editable=lambda quiz: can_manage_quiz(current_user, quiz),
        bar=bar,
    )
