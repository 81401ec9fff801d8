"""Read-only member lookups, always within the actor's scope; the tree with its members."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, joinedload

from quizapp import access, db
from quizapp.members.models import Member, PoliticalStatus
from quizapp.org.models import Branch, BranchKind
from quizapp.org.queries import list_branches
from quizapp.pagination import Page, paginate


def get_member(actor: Member, member_id: int) -> Member:
    """Return a member the actor may see, or 404."""
    return db.get_or_404(Member, member_id, lambda member: access.can_view_member(actor, member))


def in_scope(actor: Member) -> Select:
    """Select the members whose current branch is in the actor's subtree (Branch joined)."""
    return (
        select(Member).join(Branch, Branch.id == Member.branch_id).where(access.branch_scope(actor))
    )


def matching(text: str) -> ColumnElement[bool] | None:
    """Return the filter on members whose name, 警号 or phone contains ``text`` (None if blank).

    LIKE's wildcards and escape are dropped from ``text``: a search finds what was typed.
    """
    cleaned = "".join(ch for ch in text.strip() if ch not in "\\%_")
    if not cleaned:
        return None
    like = f"%{cleaned}%"
    return or_(Member.name.ilike(like), Member.police_no.ilike(like), Member.phone.ilike(like))


def find_members(actor: Member, member_ids: Iterable[int]) -> list[Member]:
    """Return those of ``member_ids`` the actor may see (others are left out), by branch, name."""
    ids = set(member_ids)
    if not ids:
        return []
    return list(
        db.session.scalars(
            in_scope(actor)
            .where(Member.id.in_(ids))
            .options(joinedload(Member.branch))
            .order_by(Branch.path, Member.name, Member.id)
        )
    )


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
        in_scope(actor)
        .options(joinedload(Member.branch))
        .order_by(Branch.code, Member.name, Member.id)
    )
    if branch is not None:
        query = query.where(Branch.path.startswith(branch.path))
    if status is not None:
        query = query.where(Member.political_status == status.value)
    if active is not None:
        query = query.where(Member.is_active.is_(active))
    found = matching(search)
    if found is not None:
        query = query.where(found)
    return paginate(query, page, per_page)


def list_unactivated(
    actor: Member, *, branch: Branch | None = None, ids: set[int] | None = None
) -> list[Member]:
    """Return the members waiting to log in with a one-time code whom the actor may manage.

    Active members with an ``activation_nonce`` whose branch is in the actor's subtree (or in
    ``branch``'s), and who manage nothing above the actor (``access.can_manage_member``): a
    code logs in as its member. ``ids`` keeps only those members. By branch code, then name.
    """
    query = (
        in_scope(actor)
        .where(Member.activation_nonce.is_not(None), Member.is_active.is_(True))
        .options(joinedload(Member.branch))
        .order_by(Branch.code, Member.name, Member.id)
    )
    if branch is not None:
        query = query.where(Branch.path.startswith(branch.path))
    if ids is not None:
        if not ids:
            return []
        query = query.where(Member.id.between(min(ids), max(ids)))
    can_manage = access.member_checker(actor)
    return [
        member
        for member in db.session.scalars(query)
        if (ids is None or member.id in ids) and can_manage(member)
    ]


def counted_in_scope(actor: Member) -> tuple[ColumnElement[bool], ...]:
    """Filter on Member joined to its current Branch: the active members of the party
    branches in the actor's scope (not the bureau-level system accounts)."""
    return (
        access.branch_scope(actor),
        Member.is_active.is_(True),
        Branch.kind == BranchKind.BRANCH.value,
    )


def count_members_by(actor: Member, column: InstrumentedAttribute) -> dict[Any, int]:
    """Count the members of :func:`counted_in_scope` per value of a Member column (one query)."""
    return dict(
        db.session.execute(
            select(column, func.count())
            .join(Branch, Branch.id == Member.branch_id)
            .where(*counted_in_scope(actor))
            .group_by(column)
        ).all()
    )


@dataclass
class TreeNode:
    """A node of the tree with its member counts, for the tree page."""

    branch: Branch
    active_members: int = 0
    children: list[TreeNode] = field(default_factory=list)

    @property
    def total_members(self) -> int:
        return self.active_members + sum(child.total_members for child in self.children)


def get_tree(actor: Member) -> list[TreeNode]:
    """Return the actor's subtree as nested nodes with active-member counts (two queries)."""
    branches = list_branches(actor)
    counts = count_members_by(actor, Member.branch_id)
    nodes = {b.id: TreeNode(b, counts.get(b.id, 0)) for b in branches}
    roots = []
    for branch in branches:
        node = nodes[branch.id]
        parent = nodes.get(branch.parent_id) if branch.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots
