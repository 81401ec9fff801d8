"""Authorisation: the one module that decides who may see and change what.

Members see their own things. Organisers manage the branch subtree they were given
(``Member.scope_branch``); admins manage the whole bureau. Every management query is
filtered through :func:`branch_scope` so that a typed URL can never reach outside it:
objects out of scope answer 404, as if they did not exist.

Work owned above an organiser's subtree (the bureau's quizzes, campaigns and materials, or
a parent unit's) is theirs to read, never to change: :func:`can_view_owned_by` and its SQL
form :func:`owned_in_view`. Whatever they read of it counts only the members of their own
subtree, and its write pages answer 404 to them as to anyone outside the owner's subtree.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import aliased

from quizapp import db
from quizapp.errors import DomainError
from quizapp.members.models import Member, Role
from quizapp.org.models import Branch


def root_branch() -> Branch | None:
    """Return the bureau, the root of the tree (looked up once per request)."""
    if g.get("root_branch") is None:
        g.root_branch = db.session.scalar(select(Branch).where(Branch.parent_id.is_(None)))
    return g.root_branch


def managed_root(actor: Member) -> Branch | None:
    """Return the top of the subtree ``actor`` manages, or None for plain members."""
    if not actor.is_active:
        return None
    if actor.role == Role.ADMIN:
        return root_branch()
    if actor.role == Role.ORGANISER:
        return actor.scope_branch
    return None


class WholeBureau:
    """The whole bureau as the "actor" of a read-only job that no member runs (the nightly
    participation snapshots): :func:`branch_scope` lets it see every node.

    It is not a Member: it has no id and no role, can't log in and is never
    ``current_user``, so no request acts as it, and every ``can_*`` check refuses it.
    """

    id = None
    role = None
    is_active = False
    scope_branch = None


#: Pass as ``actor`` to read-only queries that must cover the whole bureau (scheduler jobs).
WHOLE_BUREAU = WholeBureau()

#: Whoever the rules here are asked about: a member, or WHOLE_BUREAU. The organisation tree
#: (quizapp.org), which sits below the members, names its actors so.
Actor = Member | WholeBureau


def branch_scope(actor: Actor) -> ColumnElement[bool]:
    """Return a filter on Branch that keeps only the nodes ``actor`` manages."""
    if actor is WHOLE_BUREAU or (actor.role == Role.ADMIN and actor.is_active):
        return true()
    root = managed_root(actor)
    if root is None:
        return false()
    return Branch.path.startswith(root.path)


def owned_within(actor: Actor, owner_branch_id: ColumnElement[int]) -> ColumnElement[bool]:
    """Return the SQL form of :func:`can_manage_branch` on a column of owner branch ids: the
    owner lies in ``actor``'s subtree."""
    return owner_branch_id.in_(select(Branch.id).where(branch_scope(actor)))


def owner_root(actor: Member, owned: Any | None, *, refused: str, not_yours: str) -> Branch:
    """Return the top of ``actor``'s subtree, which owns the quiz, material or campaign they
    save; raise ``refused`` for a member who manages nothing, ``not_yours`` when an existing
    ``owned`` row belongs outside the subtree."""
    root = managed_root(actor)
    if root is None:
        raise DomainError(refused)
    if owned is not None and not can_manage_branch(actor, owned.owner_branch):
        raise DomainError(not_yours)
    return root


def can_manage_branch(actor: Member, branch: Branch) -> bool:
    """Tell whether ``actor`` may see and change ``branch``."""
    root = managed_root(actor)
    return root is not None and root.contains(branch)


def can_view_owned_by(actor: Member, owner_branch: Branch) -> bool:
    """Tell whether ``actor`` may read work owned by ``owner_branch``: the owner is in their
    scope (theirs to manage), or is the top of their scope's branch line above it (the bureau,
    a parent unit: read-only). Never a sibling's or another subtree's."""
    root = managed_root(actor)
    return root is not None and (root.contains(owner_branch) or owner_branch.contains(root))


def owned_in_view(
    actor: Actor,
    owner_branch_id: ColumnElement[int],
    shared: Callable[[Branch], ColumnElement[bool]],
) -> ColumnElement[bool]:
    """Return the SQL form of :func:`can_view_owned_by` on a column of owner branch ids.

    Work owned within the scope always passes; work owned above it passes only where
    ``shared(root)`` holds too (the caller says what that is: published, and for an audience
    reaching into the subtree of ``root``), so nobody reads a draft of the level above.
    """
    if actor is WHOLE_BUREAU or (actor.role == Role.ADMIN and actor.is_active):
        return true()
    root = managed_root(actor)
    if root is None:
        return false()
    owner = aliased(Branch)
    within = exists().where(owner.id == owner_branch_id, owner.path.startswith(root.path))
    above = [branch_id for branch_id in root.ancestor_ids if branch_id != root.id]
    if not above:
        return within
    return or_(within, and_(owner_branch_id.in_(above), shared(root)))


def can_restructure_branch(actor: Member, branch: Branch) -> bool:
    """Tell whether ``actor`` may move or deactivate ``branch`` (not the top of their scope)."""
    root = managed_root(actor)
    return root is not None and root.contains(branch) and root.id != branch.id


def can_view_member(actor: Member, member: Member) -> bool:
    """Tell whether ``actor`` may see ``member``: the member's current branch is in scope."""
    return can_manage_branch(actor, member.branch)


def can_manage_member(actor: Member, member: Member) -> bool:
    """Tell whether ``actor`` may see and change ``member``.

    The member's current branch must be in the actor's subtree, and so must whatever the
    member manages: an organiser can't reset the password of an admin or of an organiser
    above them who happens to sit in one of their branches.
    """
    if not can_view_member(actor, member):
        return False
    if member.id == actor.id:
        return True  # own details; the services refuse changing one's own role or state
    if member.role == Role.ADMIN:
        return actor.role == Role.ADMIN
    if member.role == Role.ORGANISER and member.scope_branch is not None:
        return can_delegate_scope(actor, member.scope_branch)
    return True


def member_checker(actor: Member) -> Callable[[Member], bool]:
    """Return :func:`can_manage_member` for ``actor``, asked once per kind of member.

    managed_root() queries the bureau for an admin on every call: for thousands of members
    (an import, a slip sheet) the answer is kept per (branch, role, managed subtree). Not for
    the actor themself, whose answer differs from that of others like them.
    """
    answers: dict[tuple, bool] = {}

    def can_manage(member: Member) -> bool:
        if member.id is not None and member.id == actor.id:
            return can_manage_member(actor, member)
        key = (member.branch_id, member.role, member.scope_branch_id)
        if key not in answers:
            answers[key] = can_manage_member(actor, member)
        return answers[key]

    return can_manage


def can_delegate_scope(actor: Member, scope: Branch) -> bool:
    """Tell whether ``actor`` may make (or manage) an organiser of ``scope``.

    Admins may delegate any subtree; organisers only subtrees strictly inside their own, so
    two organisers of the same subtree can never lock each other out.
    """
    if actor.role == Role.ADMIN and actor.is_active:
        return True
    root = managed_root(actor)
    return root is not None and root.contains(scope) and root.id != scope.id


def can_grant_role(actor: Member, role: Role) -> bool:
    """Tell whether ``actor`` may give a member ``role``; only admins make admins."""
    if role == Role.ADMIN:
        return actor.role == Role.ADMIN and actor.is_active
    return managed_root(actor) is not None


def organiser_required(view: Callable) -> Callable:
    """Let organisers and admins in; others get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if managed_root(current_user) is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def admin_required(view: Callable) -> Callable:
    """Let admins in; others get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not (current_user.role == Role.ADMIN and current_user.is_active):
            abort(403)
        return view(*args, **kwargs)

    return wrapped
