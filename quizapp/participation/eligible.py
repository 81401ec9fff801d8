"""Who is eligible for a participation figure: the members of the period's branches (by their
membership history) in the actor's scope and, for a campaign or a quiz, in its audience."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, and_, exists, false, or_, select
from sqlalchemy.orm import aliased

from quizapp import access
from quizapp.audiences.models import Audience, AudienceMember
from quizapp.campaigns.models import Campaign
from quizapp.members.models import Member, Membership
from quizapp.org.models import Branch, BranchKind
from quizapp.quizzes.models import Quiz

#: Who an eligible member is, for the member lines of a detailed report.
WHO = (Member.name, Member.police_no, Member.phone, Member.political_status, Member.is_active)


def _overlaps(stay: type[Membership], first_day: date, last_day: date):
    """A stay with at least one day in [first_day, last_day] (stays are [started_on, ended_on))."""
    return and_(
        stay.started_on <= last_day,
        or_(
            stay.ended_on.is_(None),
            and_(stay.ended_on > first_day, stay.ended_on > stay.started_on),
        ),
    )


def eligible_members(
    actor: Member,
    subject: Campaign | Quiz | None,
    first_day: date,
    last_day: date,
    within: Branch | None = None,
    *,
    who: bool = False,
) -> Select:
    """Return a query of (member_id, branch_id): each eligible member and their branch.

    The branch is the one of the member's last stay overlapping the period, chosen among all
    their stays before the actor's scope and the audience are applied, so a member who moved
    out of the scope is counted by whoever manages where they went, never twice. With
    ``who``, each row goes on with who the member is: :data:`WHO`'s columns.
    """
    stay, later = Membership, aliased(Membership)
    query = (
        select(stay.member_id, stay.branch_id)
        .join(Branch, Branch.id == stay.branch_id)
        .where(
            _overlaps(stay, first_day, last_day),
            ~exists().where(
                later.member_id == stay.member_id,
                _overlaps(later, first_day, last_day),
                or_(
                    later.started_on > stay.started_on,
                    and_(later.started_on == stay.started_on, later.id > stay.id),
                ),
            ),
            Branch.kind == BranchKind.BRANCH.value,
            access.branch_scope(actor),
        )
    )
    if within is not None:
        query = query.where(Branch.path.startswith(within.path))
    if subject is not None or who:
        query = query.join(Member, Member.id == stay.member_id)
    if subject is not None:
        query = query.where(_in_audience(subject.audience))
    if who:
        query = query.add_columns(*WHO)
    return query


def _in_audience(audience: Audience):
    """A filter on Member and Branch (the branch of the period) for the audience.

    As :func:`quizapp.audiences.services.member_filter`, but on the branch of the period and
    without the "active now" condition: someone who left during the period was eligible.
    """
    on_roster = exists().where(
        AudienceMember.audience_id == audience.id, AudienceMember.member_id == Member.id
    )
    has_roster = exists().where(AudienceMember.audience_id == audience.id)
    by_branch = or_(*[Branch.path.startswith(b.path) for b in audience.branches], false())
    if audience.status_list:
        by_branch = and_(by_branch, Member.political_status.in_(audience.status_list))
    return or_(on_roster, and_(~has_roster, by_branch))
