"""Which campaigns and quizzes an organiser may count: those they may read
(``campaigns.queries.in_view``, ``quizzes.queries.in_view``): their own, and the published
ones of levels above them that reach into their subtree (a bureau-wide campaign, say).

Counting is read-only and always limited to the organiser's own subtree by the report
itself, so a unit organiser sees their unit's figures of the bureau's campaign without
being able to edit it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import selectinload

from quizapp import db
from quizapp.audiences.models import Audience
from quizapp.campaigns import queries as campaign_queries
from quizapp.campaigns.models import Campaign, CampaignQuiz
from quizapp.members.models import Member
from quizapp.pagination import Page, paginate
from quizapp.quizzes import queries as quiz_queries
from quizapp.quizzes.models import Quiz


def _in_view(model: type[Campaign] | type[Quiz], actor: Member) -> ColumnElement[bool]:
    return campaign_queries.in_view(actor) if model is Campaign else quiz_queries.in_view(actor)


def _campaigns() -> Select:
    return select(Campaign).options(
        selectinload(Campaign.materials),
        selectinload(Campaign.owner_branch),
        selectinload(Campaign.quizzes).joinedload(CampaignQuiz.quiz),
        selectinload(Campaign.audience).selectinload(Audience.branches),
        selectinload(Campaign.audience).selectinload(Audience.roster),
    )


def _quizzes() -> Select:
    return select(Quiz).options(
        selectinload(Quiz.owner_branch),
        selectinload(Quiz.audience).selectinload(Audience.branches),
        selectinload(Quiz.audience).selectinload(Audience.roster),
    )


def get_campaign(actor: Member, campaign_id: int) -> Campaign:
    """Return a campaign the actor may count, or 404."""
    return db.scalar_or_404(
        _campaigns().where(Campaign.id == campaign_id, _in_view(Campaign, actor))
    )


def get_quiz(actor: Member, quiz_id: int) -> Quiz:
    """Return a quiz the actor may count, or 404."""
    return db.scalar_or_404(_quizzes().where(Quiz.id == quiz_id, _in_view(Quiz, actor)))


def list_campaigns(actor: Member, *, page: int = 1, per_page: int = 20) -> Page:
    """Return a page of the campaigns the actor may count, latest first."""
    return paginate(
        _campaigns()
        .where(_in_view(Campaign, actor))
        .order_by(Campaign.starts_on.desc(), Campaign.id.desc()),
        page,
        per_page,
    )


def list_quizzes(actor: Member, *, page: int = 1, per_page: int = 20) -> Page:
    """Return a page of the quizzes the actor may count, latest window first."""
    return paginate(
        _quizzes().where(_in_view(Quiz, actor)).order_by(Quiz.opens_at.desc(), Quiz.id.desc()),
        page,
        per_page,
    )
