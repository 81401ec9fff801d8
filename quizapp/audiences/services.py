"""Building audiences and deciding who is in them."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, bindparam, exists, false, literal, or_, select
from sqlalchemy.orm import aliased

from quizapp import access, db
from quizapp.audiences.models import Audience, AudienceBranch, AudienceMember
from quizapp.errors import DomainError
from quizapp.members.models import Member, PoliticalStatus
from quizapp.org.models import Branch


def check_roster_scope(actor: Member, roster: list[Member]) -> None:
    """Refuse a roster with anyone the actor may not see (the services' last word on what the
    forms' roster lookup already checked)."""
    if any(not access.can_view_member(actor, m) for m in roster):
        raise DomainError("名单中有人员不在您的管理范围内。")


def build_audience(
    actor: Member,
    branches: list[Branch],
    statuses: list[str],
    roster: list[Member],
    audience: Audience | None = None,
) -> Audience:
    """Create or replace an audience; everything in it must be within the actor's scope.

    Every ticked branch is kept, even one under another ticked one: membership follows the
    branches' current places, so a ticked branch later moved out of its unit stays in the
    audience (:func:`describe` names only the outermost ones).
    """
    if any(not access.can_manage_branch(actor, b) for b in branches):
        raise DomainError("所选组织超出了您的管理范围。")
    check_roster_scope(actor, roster)
    unknown = [s for s in statuses if s not in PoliticalStatus._value2member_map_]
    if unknown:
        raise DomainError("政治面貌选择有误。")
    if not roster and not branches:
        raise DomainError("请选择参加的组织，或填写参加人员名单。")
    audience = audience or Audience()
    audience.statuses = ",".join(sorted(set(statuses)))
    audience.branches = list({b.id: b for b in branches}.values())
    audience.roster = list({m.id: m for m in roster}.values())
    db.session.add(audience)
    db.session.flush()
    return audience


def reaches(audience: Audience, root: Branch) -> bool:
    """Tell whether anyone in ``root``'s subtree can be in ``audience`` now."""
    if audience.roster:
        return any(root.contains(member.branch) for member in audience.roster)
    return any(root.contains(b) or b.contains(root) for b in audience.branches)


def reaching(audience_id: ColumnElement[int], root: Branch) -> ColumnElement[bool]:
    """Return a filter: the audience ``audience_id`` can include someone in ``root``'s subtree
    (the SQL form of :func:`reaches`, for lists)."""
    chosen = Branch.__table__.alias("chosen")
    placed = Branch.__table__.alias("placed")
    by_branch = exists().where(
        AudienceBranch.audience_id == audience_id,
        chosen.c.id == AudienceBranch.branch_id,
        or_(chosen.c.path.startswith(root.path), literal(root.path).startswith(chosen.c.path)),
    )
    by_roster = exists().where(
        AudienceMember.audience_id == audience_id,
        Member.id == AudienceMember.member_id,
        placed.c.id == Member.branch_id,
        placed.c.path.startswith(root.path),
    )
    has_roster = exists().where(AudienceMember.audience_id == audience_id)
    return or_(by_roster, and_(~has_roster, by_branch))


def shared_with(
    actor: access.Actor,
    owner_branch_id: ColumnElement[int],
    audience_id: ColumnElement[int],
    published: ColumnElement[bool],
) -> ColumnElement[bool]:
    """Return a filter on a quiz, material or campaign: the actor may read it
    (:func:`quizapp.access.owned_in_view`): owned within their scope, or owned above it,
    ``published`` and for an audience that reaches into their subtree."""
    return access.owned_in_view(
        actor, owner_branch_id, lambda root: and_(published, reaching(audience_id, root))
    )


def is_shared_with(
    actor: Member, owner_branch: Branch, audience: Audience, published: bool
) -> bool:
    """Tell whether the actor may read one such thing (the Python form of :func:`shared_with`)."""
    if access.can_manage_branch(actor, owner_branch):
        return True
    root = access.managed_root(actor)
    return (
        published
        and root is not None
        and access.can_view_owned_by(actor, owner_branch)
        and reaches(audience, root)
    )


def member_filter(audience: Audience) -> ColumnElement[bool]:
    """Return a filter on Member (joined to its current Branch) for the audience's members."""
    if audience.roster:
        return and_(
            Member.is_active.is_(True),
            exists().where(
                AudienceMember.audience_id == audience.id, AudienceMember.member_id == Member.id
            ),
        )
    if not audience.branches:
        return false()
    clause = and_(
        Member.is_active.is_(True),
        or_(*[Branch.path.startswith(b.path) for b in audience.branches]),
    )
    if audience.status_list:
        clause = and_(clause, Member.political_status.in_(audience.status_list))
    return clause


def includes(audience: Audience, member: Member) -> bool:
    """Tell whether ``member`` is in ``audience`` now."""
    if not member.is_active:
        return False
    roster_ids = [m.id for m in audience.roster]
    if roster_ids:
        return member.id in roster_ids
    if audience.status_list and member.political_status not in audience.status_list:
        return False
    return any(b.contains(member.branch) for b in audience.branches)


def _audience_check():
    listed, placed = aliased(Branch), aliased(Branch)
    audience_id, branch_id = bindparam("audience_id"), bindparam("branch_id")
    return select(
        Audience.statuses,
        exists().where(AudienceMember.audience_id == audience_id).label("has_roster"),
        exists()
        .where(
            AudienceMember.audience_id == audience_id,
            AudienceMember.member_id == bindparam("member_id"),
        )
        .label("on_roster"),
        exists()
        .where(
            AudienceBranch.audience_id == audience_id,
            listed.id == AudienceBranch.branch_id,
            placed.id == branch_id,
            placed.path.startswith(listed.path),
        )
        .label("under_branch"),
    ).where(Audience.id == audience_id)


#: Built once (bound parameters only): a start runs it, and building it cost more than running it.
_AUDIENCE_CHECK = _audience_check()


def is_in_audience(member: Member, audience_id: int) -> bool:
    """Tell whether ``member`` is in one audience now, in one query (a quiz's start).

    The same rule as :func:`includes`: a roster, when there is one, decides alone;
    otherwise the member's branch lies under a listed branch and their political status
    is listed (when statuses are).
    """
    if not member.is_active:
        return False
    row = db.session.execute(
        _AUDIENCE_CHECK,
        {
            "audience_id": audience_id,
            "member_id": member.id,
            "branch_id": member.branch_id,
        },
    ).one_or_none()
    if row is None:
        return False
    if row.has_roster:
        return row.on_roster
    if row.statuses and member.political_status not in row.statuses.split(","):
        return False
    return row.under_branch


def audiences_including(member: Member, audience_ids: list[int]) -> set[int]:
    """Return which of ``audience_ids`` include ``member``, in three queries whatever the count."""
    if not member.is_active or not audience_ids:
        return set()
    on_roster = set(
        db.session.scalars(
            select(AudienceMember.audience_id).where(
                AudienceMember.audience_id.in_(audience_ids), AudienceMember.member_id == member.id
            )
        )
    )
    with_roster = set(
        db.session.scalars(
            select(AudienceMember.audience_id)
            .where(AudienceMember.audience_id.in_(audience_ids))
            .distinct()
        )
    )
    rows = db.session.execute(
        select(Audience.id, Audience.statuses, Branch.path)
        .join(AudienceBranch, AudienceBranch.audience_id == Audience.id)
        .join(Branch, Branch.id == AudienceBranch.branch_id)
        .where(Audience.id.in_(audience_ids))
    ).all()
    result = set(on_roster)
    for audience_id, statuses, path in rows:
        if audience_id in with_roster:
            continue
        if statuses and member.political_status not in statuses.split(","):
            continue
        if member.branch.path.startswith(path):
            result.add(audience_id)
    return result


def covers(outer: Audience, inner: Audience) -> bool:
    """Tell whether everyone who can be in ``inner`` is also in ``outer`` (conservative).

    A roster is covered when each of its members is in ``outer`` now; a branch audience is
    covered by branches that contain each of its branches, with no status ``outer`` leaves out.
    """
    if inner.roster:
        return all(includes(outer, member) for member in inner.roster if member.is_active)
    if outer.roster:
        return False
    if not all(any(o.contains(i) for o in outer.branches) for i in inner.branches):
        return False
    if not outer.status_list:
        return True
    return bool(inner.status_list) and set(inner.status_list) <= set(outer.status_list)


def describe(audience: Audience, viewer: Member | None = None) -> str:
    """Say in Chinese who the audience is, e.g. "城关分局、交警支队的正式党员、预备党员".

    A branch under another of the audience's branches *now* is left out: its unit already
    holds it, and naming both would read as if it narrowed the unit (once moved out, it is
    named again). With a ``viewer``, branches they may not know of (another unit's, on an
    audience of a level above theirs) are only counted, as the management pages never name them.
    """
    if audience.roster:
        return f"指定名单（{len(audience.roster)} 人）"
    outermost = [
        b
        for b in audience.branches
        if not any(o.id != b.id and o.contains(b) for o in audience.branches)
    ]
    named = [b for b in outermost if viewer is None or access.can_view_owned_by(viewer, b)]
    names = "、".join(b.name for b in named)
    others = len(outermost) - len(named)
    if others:
        names = f"{names}及其他 {others} 个组织" if names else f"其他 {others} 个组织"
    if audience.status_list:
        labels = "、".join(PoliticalStatus(s).label for s in audience.status_list)
        return f"{names}的{labels}"
    return f"{names}的全体人员"
