"""Read-only lookups for offline sessions: scoped pages for organisers, figures for campaigns."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from quizapp import access, db
from quizapp.members.models import Member
from quizapp.members.queries import in_scope, matching
from quizapp.offline.models import OfflineAttendance, OfflineSession
from quizapp.org.models import Branch
from quizapp.pagination import Page, paginate

#: At most this many people are listed for one search on the session form.
SEARCH_LIMIT = 20


def get_offline_session(actor: Member, session_id: int) -> OfflineSession:
    """Return a session held by a branch the actor manages, or 404."""
    return db.get_or_404(
        OfflineSession, session_id, lambda session: access.can_manage_branch(actor, session.branch)
    )


def list_offline_sessions(
    actor: Member,
    *,
    branch: Branch | None = None,
    month: tuple[date, date] | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """Return a page of the sessions held in the actor's subtree, latest first.

    ``branch`` keeps that node and everything under it; ``month`` is (first day, last day).
    """
    query = (
        select(OfflineSession)
        .join(Branch, Branch.id == OfflineSession.branch_id)
        .where(access.branch_scope(actor))
        .options(joinedload(OfflineSession.branch))
        .order_by(OfflineSession.held_on.desc(), OfflineSession.id.desc())
    )
    if branch is not None:
        query = query.where(Branch.path.startswith(branch.path))
    if month is not None:
        query = query.where(OfflineSession.held_on.between(*month))
    return paginate(query, page, per_page)


def count_attendees(session_ids: list[int]) -> dict[int, int]:
    """Return how many members attended each session, in one query."""
    return db.count_by(OfflineAttendance.session_id, session_ids)


def list_attendees(session: OfflineSession) -> list[Member]:
    """Return the session's attendees by branch and name, their branches loaded."""
    return list(
        db.session.scalars(
            select(Member)
            .join(OfflineAttendance, OfflineAttendance.member_id == Member.id)
            .join(Branch, Branch.id == Member.branch_id)
            .where(OfflineAttendance.session_id == session.id)
            .options(joinedload(Member.branch))
            .order_by(Branch.path, Member.name, Member.id)
        )
    )


def list_roster(branch: Branch) -> list[Member]:
    """Return the active members whose current branch is ``branch``, by name."""
    return list(
        db.session.scalars(
            select(Member)
            .where(Member.branch_id == branch.id, Member.is_active.is_(True))
            .order_by(Member.name, Member.id)
        )
    )


def search_members(
    actor: Member, text: str, *, exclude: Iterable[int] = (), limit: int = SEARCH_LIMIT
) -> list[Member]:
    """Find active members in the actor's scope by name, 警号 or phone number."""
    found = matching(text)
    if found is None:
        return []
    query = (
        in_scope(actor)
        .where(Member.is_active.is_(True), found)
        .options(joinedload(Member.branch))
        .order_by(Branch.path, Member.name, Member.id)
        .limit(limit)
    )
    excluded = set(exclude)
    if excluded:
        query = query.where(Member.id.not_in(excluded))
    return list(db.session.scalars(query))


def attended_minutes(
    member_ids: Iterable[int], first_day: date, last_day: date
) -> dict[int, tuple[int, int]]:
    """Return each member's (sessions attended, minutes) over the China days [first, last].

    One grouped query; every member asked about is in the answer, with (0, 0) if they
    attended nothing. Campaigns count offline study with it.
    """
    ids = list(dict.fromkeys(member_ids))
    result = dict.fromkeys(ids, (0, 0))
    if not ids:
        return result
    rows = db.session.execute(
        select(
            OfflineAttendance.member_id,
            func.count(),
            func.coalesce(func.sum(OfflineSession.duration_minutes), 0),
        )
        .join(OfflineSession, OfflineSession.id == OfflineAttendance.session_id)
        .where(
            OfflineAttendance.member_id.in_(ids),
            OfflineSession.held_on.between(first_day, last_day),
        )
        .group_by(OfflineAttendance.member_id)
    )
    for member_id, count, minutes in rows:
        result[member_id] = (int(count), int(minutes))
    return result


def attendee_ids(session: OfflineSession) -> list[int]:
    """Return the ids of the session's attendees."""
    return list(
        db.session.scalars(
            select(OfflineAttendance.member_id).where(OfflineAttendance.session_id == session.id)
        )
    )
