"""Read-only lookups on the organisation tree, always within the actor's scope."""

from __future__ import annotations

from sqlalchemy import select

from quizapp import access, db
from quizapp.access import Actor
from quizapp.org.models import Branch, BranchKind


def get_branch(actor: Actor, branch_id: int) -> Branch:
    """Return a branch the actor manages, or 404."""
    return db.get_or_404(Branch, branch_id, lambda branch: access.can_manage_branch(actor, branch))


def find_branch(actor: Actor, branch_id: int | None) -> Branch | None:
    """Return the branch a filter names (404 if the actor doesn't manage it); None for none."""
    return get_branch(actor, branch_id) if branch_id else None


def list_branches(
    actor: Actor, *, kinds: tuple[BranchKind, ...] | None = None, active_only: bool = False
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
