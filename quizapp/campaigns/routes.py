"""Campaign and training-class pages for members (/campaigns)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from quizapp import clock
from quizapp.campaigns import queries, services
from quizapp.campaigns.progress import progress

bp = Blueprint("campaigns", __name__)


# Members


@bp.get("/campaigns/")
@login_required
def index():
    """List the member's campaigns and classes: running, upcoming and finished."""
    now = clock.utcnow()
    return render_template(
        "campaigns/index.html",
        groups=queries.list_member_campaigns(current_user, clock.china_today(now), now),
        kinds=services.KINDS,
    )


@bp.get("/campaigns/<int:campaign_id>")
@login_required
def show(campaign_id: int):
    """Show a campaign's checklist: each requirement with its progress and a link to it."""
    campaign = queries.get_member_campaign(current_user, campaign_id)
    now = clock.utcnow()
    return render_template(
        "campaigns/show.html",
        campaign=campaign,
        kinds=services.KINDS,
        progress=progress(current_user, campaign, clock.china_today(now), now),
        phases=services.PHASES,
        materials={m.id: m for m in campaign.materials},
        quizzes={cq.quiz_id: cq.quiz for cq in campaign.quizzes},
    )
