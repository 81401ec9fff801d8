"""Recording offline sessions and who attended them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import joinedload

from quizapp import access, db
from quizapp.errors import DomainError
from quizapp.members.models import Member
from quizapp.offline.models import OfflineAttendance, OfflineKind, OfflineSession
from quizapp.org.models import Branch, BranchKind

#: kind -> label, in the order the form offers them.
KINDS = {kind: kind.label for kind in OfflineKind}
MAX_DURATION = 1440
MAX_NOTES = 2000


@dataclass
class SessionData:
    """What an organiser fills in for an offline session."""

    title: str
    kind: str
    held_on: date
    duration_minutes: int
    branch: Branch
    notes: str = ""
    attendees: list[Member] = field(default_factory=list)


def _check(actor: Member, data: SessionData, today: date, session: OfflineSession | None) -> None:
    title = data.title.strip()
    if not title:
        raise DomainError("请填写标题。")
    if len(title) > 100:
        raise DomainError("标题不能超过 100 字。")
    if data.kind not in KINDS:
        raise DomainError("请选择形式：专题讲座、学习研讨或主题党日。")
    if data.held_on > today:
        raise DomainError("举办日期不能晚于今天：请在活动结束后再登记。")
    if not 1 <= data.duration_minutes <= MAX_DURATION:
        raise DomainError(f"时长应为 1 至 {MAX_DURATION} 分钟。")
    if len(data.notes) > MAX_NOTES:
        raise DomainError(f"备注不能超过 {MAX_NOTES} 字。")
    branch = data.branch
    if not access.can_manage_branch(actor, branch):
        raise DomainError("所选支部不存在或不在您的管理范围内。")
    if branch.kind != BranchKind.BRANCH:
        raise DomainError(f"「{branch.name}」不是党支部，请选择举办活动的党支部。")
    if not branch.is_active and (session is None or session.branch_id != branch.id):
        raise DomainError(f"「{branch.name}」已停用，不能再登记活动。")
    outside = [m.name for m in data.attendees if not access.can_view_member(actor, m)]
    if outside:
        raise DomainError(f"这些人员不在您的管理范围内：{'、'.join(outside)}。")


def _set_attendance(actor: Member, session: OfflineSession, attendees: list[Member]) -> None:
    """Make ``attendees`` the session's attendance, keeping those the actor can't see.

    Members who moved out of the actor's subtree since are not on the form, so leaving them
    out is not a decision to remove them.
    """
    current = {
        m.id: m
        for m in db.session.scalars(
            select(Member)
            .join(OfflineAttendance, OfflineAttendance.member_id == Member.id)
            .where(OfflineAttendance.session_id == session.id)
            .options(joinedload(Member.branch))
        )
    }
    wanted = {m.id for m in attendees}
    kept = {member_id for member_id, m in current.items() if not access.can_view_member(actor, m)}
    removed = set(current) - wanted - kept
    added = wanted - set(current)
    if removed:
        db.session.execute(
            delete(OfflineAttendance).where(
                OfflineAttendance.session_id == session.id, OfflineAttendance.member_id.in_(removed)
            )
        )
    if added:
        db.session.execute(
            insert(OfflineAttendance),
            [{"session_id": session.id, "member_id": i} for i in sorted(added)],
        )
    db.session.expire(session, ["attendees"])


def _apply(session: OfflineSession, data: SessionData) -> None:
    session.title = data.title.strip()
    session.kind = data.kind
    session.held_on = data.held_on
    session.duration_minutes = data.duration_minutes
    session.branch = data.branch
    session.notes = data.notes.strip()


def create_session(actor: Member, data: SessionData, today: date) -> OfflineSession:
    """Record a session held by one of the actor's branches, with its attendees."""
    _check(actor, data, today, None)
    session = OfflineSession(recorded_by_id=actor.id)
    _apply(session, data)
    db.session.add(session)
    db.session.flush()
    _set_attendance(actor, session, data.attendees)
    db.session.flush()
    return session


def update_session(
    actor: Member, session: OfflineSession, data: SessionData, today: date
) -> OfflineSession:
    """Change a session's details and attendance."""
    if not access.can_manage_branch(actor, session.branch):
        raise DomainError("该活动不在您的管理范围内。")
    _check(actor, data, today, session)
    _apply(session, data)
    db.session.flush()
    _set_attendance(actor, session, data.attendees)
    db.session.flush()
    return session


def delete_session(actor: Member, session: OfflineSession) -> None:
    """Delete a session recorded by mistake, with its attendance."""
    if not access.can_manage_branch(actor, session.branch):
        raise DomainError("该活动不在您的管理范围内。")
    db.session.execute(delete(OfflineAttendance).where(OfflineAttendance.session_id == session.id))
    db.session.expire(session, ["attendees"])  # so the delete below finds none left to remove
    db.session.delete(session)
    db.session.flush()
