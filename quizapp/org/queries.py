"""Read-only lookups on the organisation tree, always within the actor's scope."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import func, select

from quizapp import access, db
from quizapp.members.models import Member
from quizapp.org.models import Branch, BranchKind


def get_branch(actor: Member, branch_id: int) -> Branch:
    """Return a branch the actor manages, or 404."""
    branch = db.session.get(Branch, branch_id)
    if branch is None or not access.can_manage_branch(actor, branch):
        abort(404)
    return branch


def list_branches(
    actor: Member, *, kinds: tuple[BranchKind, ...] | None = None, active_only: bool = False
) -> list[Branch]:
    """Return the nodes the actor manages in tree order (parents before children)."""
    query = select(Branch).where(access.branch_scope(actor))
    if kinds:
        query = query.where(Branch.kind.in_([kind.value for kind in kinds]))
    if active_only:
        query = query.where(Branch.is_active.is_(True))
    branches = list(db.session.scalars(query))
    return sort_as_tree(branches)


def sort_as_tree(branches: list[Branch]) -> list[Branch]:
    """Order nodes depth-first, siblings by sort_order then id."""
    by_id = {branch.id: branch for branch in branches}

    def key(branch: Branch) -> list[tuple[int, int]]:
        return [(by_id[i].sort_order, i) if i in by_id else (0, i) for i in branch.ancestor_ids]

    return sorted(branches, key=key)


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
    counts = dict(
        db.session.execute(
            select(Member.branch_id, func.count())
            .join(Branch, Branch.id == Member.branch_id)
            .where(
                access.branch_scope(actor),
                Member.is_active.is_(True),
                Branch.kind == BranchKind.BRANCH.value,
            )  # not bureau-level system accounts
            .group_by(Member.branch_id)
        ).all()
    )
    nodes = {b.id: TreeNode(b, counts.get(b.id, 0)) for b in branches}
    roots = []
    for branch in branches:
        node = nodes[branch.id]
        parent = nodes.get(branch.parent_id) if branch.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def branch_label(branch: Branch) -> str:
    """Return an indented label for choice lists."""
    return (
        "　" * max(branch.depth, 0) + branch.name + ("（已停用）" if not branch.is_active else "")
    )
