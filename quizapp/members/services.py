"""Changes to members: create, edit, move branch, deactivate; deactivating a branch once no
active member is left in it. (Their logins: ``logins.py``.)"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from quizapp import access, db
from quizapp.errors import DomainError, refuse
from quizapp.members.models import NAME_MAX, Member, Membership, PoliticalStatus, Role
from quizapp.members.passwords import check_password_rules, hash_password
from quizapp.org.models import Branch, BranchKind

#: The longest 警号 an organiser or an import may give (the column is wider: LOGIN_ID_MAX).
POLICE_NO_MAX = 20
POLICE_NO_PATTERN = re.compile(rf"^[A-Za-z0-9]{{3,{POLICE_NO_MAX}}}$")
PHONE_PATTERN = re.compile(r"^1[3-9]\d{9}$")


@dataclass
class MemberData:
    """What an organiser fills in for a member."""

    name: str
    police_no: str | None
    phone: str | None
    branch: Branch
    status: PoliticalStatus
    joined_party_on: date | None
    role: Role = Role.MEMBER
    #: For organisers: the subtree they manage (defaults to their branch).
    scope_branch: Branch | None = None


def normalise_phone(raw: str | None) -> str | None:
    """Strip spaces, dashes and a +86 prefix from a phone number; empty becomes None."""
    if raw is None:
        return None
    phone = re.sub(r"[\s\-]", "", str(raw))
    if phone.startswith("+86"):
        phone = phone[3:]
    return phone or None


def validate_member_data(data: MemberData, today: date) -> list[str]:
    """Return the Chinese reasons why ``data`` can't be saved (empty when it can)."""
    problems = []
    if not data.name.strip():
        problems.append("姓名不能为空")
    elif len(data.name.strip()) > NAME_MAX:
        problems.append(f"姓名不能超过 {NAME_MAX} 字")
    if not data.police_no and not data.phone:
        problems.append("警号和手机号至少填写一项")
    if data.police_no and not POLICE_NO_PATTERN.match(data.police_no):
        problems.append(
            f"警号「{data.police_no}」格式不正确（应为 3–{POLICE_NO_MAX} 位字母或数字）"
        )
    if data.phone and "E+" in data.phone.upper():
        # Excel saved the number as displayed (1.39123E+10): the last digits are gone.
        problems.append("手机号被 Excel 显示成了科学计数法，请把该列设为文本格式后填写完整号码")
    elif data.phone and not PHONE_PATTERN.match(data.phone):
        problems.append(f"手机号「{data.phone}」格式不正确（应为 11 位手机号码）")
    if data.branch.kind != BranchKind.BRANCH:
        problems.append(f"「{data.branch.name}」不是党支部，党员只能编入党支部")
    elif not data.branch.is_active:
        problems.append(f"党支部「{data.branch.name}」已停用")
    if data.joined_party_on:
        if data.joined_party_on > today:
            problems.append("入党时间不能晚于今天")
        elif data.joined_party_on.year < 1921:
            problems.append("入党时间不正确")
        if not data.status.is_party_member:
            problems.append(f"政治面貌为「{data.status.label}」时不应填写入党时间")
    return problems


def _check_unique(data: MemberData, exclude_id: int | None) -> None:
    # Regardless of case: logging in matches a 警号 in any case (``auth.services``).
    for column, value, label in (
        (Member.police_no, data.police_no, "警号"),
        (Member.phone, data.phone, "手机号"),
        (Member.police_no, data.phone, "手机号"),
        (Member.phone, data.police_no, "警号"),
    ):
        if not value:
            continue
        owner = db.session.scalar(select(Member.id).where(func.lower(column) == value.lower()))
        if owner is not None and owner != exclude_id:
            raise DomainError(f"{label}「{value}」已被其他账号使用。")


def _check_role(actor: Member, data: MemberData) -> Branch | None:
    if not access.can_grant_role(actor, data.role):
        raise DomainError(f"您无权设置「{data.role.label}」角色。")
    if data.role != Role.ORGANISER:
        return None
    scope = data.scope_branch or data.branch
    if not access.can_delegate_scope(actor, scope):
        raise DomainError(
            "只能任命您下级组织的管理员：管理范围必须在您自己的管理范围之内，"
            "且不能与您的管理范围相同。"
        )
    return scope


def _raise_problems(data: MemberData, today: date) -> None:
    problems = validate_member_data(data, today)
    refuse(problems)


def create_member(actor: Member, data: MemberData, initial_password: str, today: date) -> Member:
    """Create a member who must set their own password at first login."""
    if not access.can_manage_branch(actor, data.branch):
        raise DomainError("您无权在该支部中添加党员。")
    _raise_problems(data, today)
    _check_unique(data, None)
    scope = _check_role(actor, data)
    check_password_rules(initial_password, (data.police_no, data.phone), data.name.strip())
    member = Member(
        name=data.name.strip(),
        police_no=data.police_no,
        phone=data.phone,
        branch=data.branch,
        political_status=data.status.value,
        joined_party_on=data.joined_party_on,
        role=data.role.value,
        scope_branch=scope,
        password_hash=hash_password(initial_password),
        must_change_password=True,
    )
    member.memberships.append(Membership(branch=data.branch, started_on=today))
    db.session.add(member)
    db.session.flush()
    return member


def update_member(actor: Member, member: Member, data: MemberData, today: date) -> None:
    """Edit a member's details; a change of branch is recorded as a move."""
    if not access.can_manage_member(actor, member):
        raise DomainError("您无权修改该党员的信息。")
    if member.id == actor.id and (
        data.role != member.role_enum
        or (data.scope_branch and data.scope_branch != member.scope_branch)
    ):
        raise DomainError("不能修改自己的角色或管理范围。")
    _raise_problems(data, today)
    _check_unique(data, member.id)
    scope = _check_role(actor, data) if member.id != actor.id else member.scope_branch
    if data.branch.id != member.branch_id:
        move_member(actor, member, data.branch, today)
    member.name = data.name.strip()
    member.police_no = data.police_no
    member.phone = data.phone
    member.political_status = data.status.value
    member.joined_party_on = data.joined_party_on
    if member.id != actor.id:
        member.role = data.role.value
        member.scope_branch = scope
    db.session.flush()


def move_member(actor: Member, member: Member, branch: Branch, today: date) -> None:
    """Move a member to another branch from ``today`` on, keeping the history."""
    if not access.can_manage_member(actor, member):
        raise DomainError("您无权转移该党员。")
    if not access.can_manage_branch(actor, branch):
        raise DomainError("只能转入您管理范围内的党支部；跨范围转接请联系上级管理员。")
    if branch.kind != BranchKind.BRANCH or not branch.is_active:
        raise DomainError("只能转入在用的党支部。")
    if branch.id == member.branch_id:
        raise DomainError("该党员已在此支部。")
    if not member.is_active:
        # Someone who left is in no branch now: only the branch they will come back to
        # changes, and reactivating opens their stay there.
        member.branch = branch
        db.session.flush()
        return
    _end_stay(member, today)
    member.memberships.append(Membership(branch=branch, started_on=today))
    member.branch = branch
    db.session.flush()


def _open_stay(member: Member) -> Membership | None:
    return next((m for m in member.memberships if m.ended_on is None), None)


def _end_stay(member: Member, today: date) -> None:
    stay = _open_stay(member)
    if stay is None:
        return
    if stay.started_on >= today:
        # A stay that began today leaves no trace in any report: drop it instead of
        # keeping an empty [today, today) period.
        member.memberships.remove(stay)
        db.session.delete(stay)
    else:
        stay.ended_on = today
    # Write it now: the unit of work would insert the next stay before this update or delete,
    # and the database allows only one open stay per member.
    db.session.flush()


def set_member_active(actor: Member, member: Member, active: bool, today: date) -> None:
    """Deactivate a member (they leave their branch today) or bring them back."""
    if not access.can_manage_member(actor, member):
        raise DomainError("您无权停用或恢复该党员。")
    if member.id == actor.id:
        raise DomainError("不能停用自己的账号。")
    if active == member.is_active:
        return
    if active:
        if not member.branch.is_active:
            raise DomainError("该党员原所在支部已停用，请先编辑其所属支部。")
        if member.branch.kind == BranchKind.BRANCH:  # bureau-level system accounts have no stays
            member.memberships.append(Membership(branch=member.branch, started_on=today))
    else:
        _end_stay(member, today)
        member.session_version += 1  # logs the member out everywhere
    member.is_active = active
    db.session.flush()


def membership_on(member: Member, day: date) -> Membership | None:
    """Return the stay that covers ``day``, if any."""
    return next((m for m in member.memberships if m.covers(day)), None)


def create_first_admin(
    root: Branch, police_no: str, name: str, password: str, *, check_rules: bool = True
) -> Member:
    """Create an administrator attached to the bureau itself (a system account).

    The administrator sits on the bureau node, not in a branch, so they are never counted
    as an eligible member in a branch's participation; memberships record stays in
    branches only, so this account has none. Only the demo passes ``check_rules=False``:
    its password is published, so the rules refuse it as anyone's real one.
    """
    if not POLICE_NO_PATTERN.match(police_no):
        raise DomainError(f"账号应为 3–{POLICE_NO_MAX} 位字母或数字。")
    if db.session.scalar(
        select(Member.id).where(func.lower(Member.police_no) == police_no.lower())
    ):
        raise DomainError(f"账号「{police_no}」已存在。")
    if check_rules:
        check_password_rules(password, (police_no,), name)
    admin = Member(
        name=name,
        police_no=police_no,
        branch=root,
        political_status=PoliticalStatus.FULL.value,
        role=Role.ADMIN.value,
        password_hash=hash_password(password),
        must_change_password=False,
    )
    db.session.add(admin)
    db.session.flush()
    return admin


def set_branch_active(actor: Member, branch: Branch, active: bool) -> None:
    """Deactivate a node (only when nothing active is left in it) or reactivate it."""
    if not access.can_restructure_branch(actor, branch):
        raise DomainError("您无权停用或启用该组织。")
    if active:
        if branch.parent is not None and not branch.parent.is_active:
            raise DomainError("上级组织已停用，请先启用上级组织。")
        branch.is_active = True
        db.session.flush()
        return
    active_children = db.session.scalar(
        select(func.count()).where(Branch.parent_id == branch.id, Branch.is_active.is_(True))
    )
    if active_children:
        raise DomainError(f"该组织下还有 {active_children} 个在用的下级组织，请先停用或移走它们。")
    active_members = db.session.scalar(
        select(func.count()).where(Member.branch_id == branch.id, Member.is_active.is_(True))
    )
    if active_members:
        raise DomainError(f"该支部还有 {active_members} 名在册党员，请先把他们转到其他支部。")
    branch.is_active = False
    db.session.flush()
