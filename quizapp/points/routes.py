"""Points pages for members: their own points (/points)."""

from __future__ import annotations

from calendar import monthrange
from datetime import date

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from quizapp import access, clock
from quizapp.pagination import page_number
from quizapp.points import corrections, queries
from quizapp.points.rules import (
    CORRECTION,
    LABELS,
    effective_rules,
    effective_thresholds,
)
from quizapp.points.services import LOOKBACK_DAYS

bp = Blueprint("points", __name__)

PER_PAGE = 20


def month_bounds(day: date) -> tuple[date, date]:
    """Return the first and last day of the month of ``day``."""
    return day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1])


def ledger(member_id: int) -> dict:
    """What the ledger partial needs: a page of entries and which corrections were undone."""
    page = queries.list_entries(member_id, page_number(), PER_PAGE)
    return {
        "page": page,
        "undone": queries.reversed_ids(page.items),
        "labels": LABELS,
        "correction": CORRECTION,
        "correction_label": corrections.correction_label,
        "is_reversal": corrections.is_reversal,
    }


# The member's page


@bp.get("/points")
@login_required
def index():
    """The member's points: this month, in all, how they are earned, and the ledger."""
    today = clock.china_today()
    month, total = queries.member_sums(current_user.id, *month_bounds(today))
    thresholds = effective_thresholds()
    lines = queries.ranking(access.WHOLE_BUREAU, *month_bounds(today), thresholds)
    return render_template(
        "points/index.html",
        month_points=month,
        total_points=total,
        lines=lines,
        mine=queries.find_member_line(lines, current_user.id),
        thresholds=thresholds,
        rules=effective_rules().values(),
        lookback=LOOKBACK_DAYS,
        **ledger(current_user.id),
    )
