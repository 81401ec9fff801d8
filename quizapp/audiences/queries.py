"""Read-only lookups for audiences: the members an organiser names by 警号 or 手机号, and the
audience loaded with the lists that show it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from quizapp import access, db
from quizapp.audiences.models import Audience
from quizapp.members.models import Member
from quizapp.members.services import normalise_phone


@dataclass
class RosterLookup:
    """Members found for typed 警号/手机号, and the entries that matched no one visible."""

    members: list[Member]
    unknown: list[str]
    inactive: list[str]


def find_roster(actor: Member, entries: list[str]) -> RosterLookup:
    """Resolve each 警号 or 手机号 to a member the actor may see (one query).

    Someone outside the actor's scope counts as unknown, as the rest of the management
    pages never reveal who exists elsewhere.
    """
    phones = {e: normalise_phone(e) for e in entries}
    candidates = (
        list(
            db.session.scalars(
                select(Member)
                .options(joinedload(Member.branch))
                .where(
                    or_(
                        Member.police_no.in_(entries),
                        Member.phone.in_([p for p in phones.values() if p]),
                    )
                )
            )
        )
        if entries
        else []
    )
    by_police_no = {m.police_no: m for m in candidates if m.police_no}
    by_phone = {m.phone: m for m in candidates if m.phone}
    members, unknown, inactive = [], [], []
    for entry in entries:
        member = by_police_no.get(entry) or by_phone.get(phones[entry])
        if member is None or not access.can_view_member(actor, member):
            unknown.append(entry)
        elif not member.is_active:
            inactive.append(entry)
        else:
            members.append(member)
    return RosterLookup(members, unknown, inactive)


def with_audience(owner: Any) -> tuple:
    """Return the loader options that fetch ``owner.audience`` (a Quiz or Material column)
    with its branches and roster, for lists that describe each row's audience."""
    audience = selectinload(owner.audience)
    return audience.selectinload(Audience.branches), audience.selectinload(Audience.roster)
