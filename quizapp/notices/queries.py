"""Read-only lookups of a member's own notices."""

from __future__ import annotations

from sqlalchemy import func, select

from quizapp import db
from quizapp.members.models import Member
from quizapp.notices.models import Notice
from quizapp.pagination import Page, paginate


def get_own_notice(member: Member, notice_id: int) -> Notice:
    """Return one of the member's notices, or 404 (also for another member's)."""
    return db.get_or_404(Notice, notice_id, lambda notice: notice.member_id == member.id)


def list_notices(member: Member, *, page: int = 1, per_page: int = 20) -> Page:
    """Return a page of the member's notices, newest first."""
    return paginate(
        select(Notice)
        .where(Notice.member_id == member.id)
        .order_by(Notice.created_at.desc(), Notice.id.desc()),
        page,
        per_page,
    )


def list_unread(member: Member, limit: int) -> list[Notice]:
    """Return the member's newest unread notices, at most ``limit``."""
    return list(
        db.session.scalars(
            select(Notice)
            .where(Notice.member_id == member.id, Notice.read_at.is_(None))
            .order_by(Notice.created_at.desc(), Notice.id.desc())
            .limit(limit)
        )
    )


def count_unread(member: Member) -> int:
    """Count the member's unread notices."""
    return db.session.scalar(
        select(func.count()).where(Notice.member_id == member.id, Notice.read_at.is_(None))
    )
