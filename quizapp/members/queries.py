"""Read-only member lookups, always within the actor's scope."""

from __future__ import annotations

from flask import abort
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from quizapp import access, db
from quizapp.members.models import Member, PoliticalStatus
from quizapp.org.models import Branch
from quizapp.pagination import Page, paginate


def get_member(actor: Member, member_id: int) -> Member:
    """Return a member the actor may see, or 404."""
    member = db.session.get(Member, member_id)
    if member is None or not access.can_view_member(actor, member):
        abort(404)
    return member


def list_members(
    actor: Member,
    *,
    search: str = "",
    branch: Branch | None = None,
    status: PoliticalStatus | None = None,
    active: bool | None = True,
    page: int = 1,
    per_page: int = 30,
) -> Page:
    """Return a page of the members the actor may see, filtered, by branch code and name."""
    query = (
        select(Member)
        .join(Branch, Branch.id == Member.branch_id)
        .where(access.branch_scope(actor))
        .options(joinedload(Member.branch))
        .order_by(Branch.code, Member.name, Member.id)
    )
    if branch is not None:
        query = query.where(Branch.path.startswith(branch.path))
    if status is not None:
        query = query.where(Member.political_status == status.value)
    if active is not None:
        query = query.where(Member.is_active.is_(active))
    search = search.strip()
    if search:
        cleaned = "".join(ch for ch in search if ch not in "\\%_")
        like = f"%{cleaned}%"
        query = query.where(
            or_(Member.name.ilike(like), Member.police_no.ilike(like), Member.phone.ilike(like))
        )
    return paginate(query, page, per_page)
