"""Demo certificates: a training class of party members that finished last week and issued
its 结业证书 to the members who completed it (m0001 among them, so the demo login sees one
on 我的)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from quizapp import db
from quizapp.audiences.services import build_audience
from quizapp.campaigns.models import Campaign, CampaignKind
from quizapp.certificates import services
from quizapp.clock import china_today
from quizapp.demo.quizzes import PARTY
from quizapp.members.models import Member
from quizapp.org.models import Branch


def build_certificate_demo(admin: Member, root: Branch, now: datetime) -> str:
    """Create the finished class, turn its certificates on and issue them; return a summary."""
    today = china_today(now)
    members = list(
        db.session.scalars(select(Member).where(Member.is_active.is_(True)).order_by(Member.id))
    )
    # Party members, m0001 (the demo member, a 正式党员) among them.
    roster = [m for m in members if m.police_no == "m0001"] + [
        m for m in members if m.political_status in PARTY and m.police_no != "m0001"
    ][:20]
    training = Campaign(
        title="2026年第一期党员轮训班",
        kind=CampaignKind.TRAINING_CLASS.value,
        description="线上学习党章和党内法规，累计学习60分钟即可结业。",
        starts_on=today - timedelta(days=28),
        ends_on=today - timedelta(days=8),
        audience=build_audience(admin, [], [], roster),
        owner_branch_id=root.id,
        minute_target=60,
        is_published=True,
        created_by_id=admin.id,
    )
    db.session.add(training)
    db.session.flush()
    plan = services.default_plan(training)
    plan.issuer_name = "示范市公安局机关党委"
    plan.auto_issue = True
    services.save_plan(admin, training, plan, now)
    issued = services.issue_certificates(admin, training, now)
    return f"a finished training class of {len(roster)} with {issued} certificates"
