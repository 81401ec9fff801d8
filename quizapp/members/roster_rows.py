"""The rows of a roster file (花名册), checked before anything is written: each row's cells
parsed, the branch it names found, the member it describes matched by 警号 or 手机号, and
what importing it would change worked out. Every problem is noted on its row, so
:func:`quizapp.members.imports.import_roster` can reject the file listing all of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from quizapp import access, db
from quizapp.members.models import STATUS_LABELS, Member, PoliticalStatus, Role
from quizapp.members.roster_files import RosterRow, parse_day
from quizapp.members.services import MemberData, normalise_phone, validate_member_data
from quizapp.org.models import Branch, BranchKind

#: Login ids per lookup query; two IN lists of this size stay under old SQLite's 999 parameters.
LOOKUP_CHUNK = 400
ROLE_BY_LABEL = {
    "党员": Role.MEMBER,
    "支部管理员": Role.ORGANISER,
    "管理员": Role.ORGANISER,
    "系统管理员": Role.ADMIN,
}
OUT_OF_SCOPE = "该人员属于您管理范围之外的组织，请联系上级管理员"


@dataclass
class Row:
    """One data row: what the file asks for, whom it matched, and what would change."""

    number: int
    problems: list[str] = field(default_factory=list)
    name: str = ""
    police_no: str | None = None
    phone: str | None = None
    branch: Branch | None = None
    status: PoliticalStatus | None = None
    joined_party_on: date | None = None
    has_joined_column: bool = True
    role: Role | None = None  # None: keep the member's role (新人员: 党员)
    in_duplicate: bool = False
    member: Member | None = None
    data: MemberData | None = None
    scope: Branch | None = None
    changes: dict[str, object] = field(default_factory=dict)
    moves: bool = False


class BranchFinder:
    """Find the branch a cell names, by code or full name, among those the actor manages."""

    def __init__(self, actor: Member) -> None:
        self.actor = actor
        self.by_code: dict[str, Branch] = {}
        self.by_name: dict[str, list[Branch]] = defaultdict(list)
        for branch in db.session.scalars(select(Branch)):
            self.by_code[branch.code.lower()] = branch
            self.by_name[branch.name].append(branch)
        self.found: dict[str, tuple[Branch | None, str | None]] = {}

    def __call__(self, text: str) -> tuple[Branch | None, str | None]:
        if text not in self.found:
            self.found[text] = self._find(text)
        return self.found[text]

    def _find(self, text: str) -> tuple[Branch | None, str | None]:
        by_code = self.by_code.get(text.lower())
        candidates = [by_code] if by_code else self.by_name.get(text, [])
        candidates = [b for b in candidates if access.can_manage_branch(self.actor, b)]
        if len(candidates) > 1:
            usable = [b for b in candidates if b.kind == BranchKind.BRANCH and b.is_active]
            candidates = usable or candidates
        if not candidates:
            return None, f"所属支部「{text}」不存在或不在您的管理范围内（请填写支部编码或支部全称）"
        if len(candidates) > 1:
            codes = "、".join(b.code for b in candidates)
            return None, f"有多个名为「{text}」的支部，请改填支部编码（{codes}）"
        return candidates[0], None


def parse_row(raw: RosterRow, find_branch: BranchFinder, actor: Member) -> Row:
    """Turn one row's cells into typed values, noting every cell that is wrong."""
    row = Row(raw.number, name=raw.text("姓名"), police_no=raw.text("警号") or None)
    row.phone = normalise_phone(raw.text("手机号"))  # "1.38E+10" is explained by the check

    branch_text = raw.text("所属支部")
    if branch_text:
        row.branch, problem = find_branch(branch_text)
        if problem:
            row.problems.append(problem)
    else:
        row.problems.append("所属支部不能为空")

    status_text = raw.text("政治面貌")
    row.status = PoliticalStatus.from_label(status_text) if status_text else None
    if not status_text:
        row.problems.append("政治面貌不能为空")
    elif row.status is None:
        labels = "、".join(STATUS_LABELS.values())
        row.problems.append(f"政治面貌「{status_text}」不正确（可填：{labels}）")

    row.has_joined_column = "入党时间" in raw.values
    joined = raw.values.get("入党时间", "")
    if joined != "":
        try:
            row.joined_party_on = parse_day(joined)
        except ValueError:
            row.problems.append(f"入党时间「{joined}」无法识别（请填写如 2020-07-01 的日期）")

    role_text = raw.text("角色")
    if role_text:
        row.role = ROLE_BY_LABEL.get(role_text)
        if row.role is None:
            row.problems.append(
                f"角色「{role_text}」不正确（可填：党员、支部管理员、系统管理员，或留空）"
            )
        elif not access.can_grant_role(actor, row.role):
            row.problems.append(f"您无权设置「{row.role.label}」角色")
    return row


def flag_duplicates(rows: list[Row]) -> None:
    """Flag every row whose 警号 or 手机号 also appears on another row of the file."""
    holders: dict[str, dict[int, tuple[Row, str]]] = defaultdict(dict)
    for row in rows:
        for value, label in ((row.police_no, "警号"), (row.phone, "手机号")):
            if value:
                # Regardless of case, as logging in matches a 警号 (``auth.services``).
                holders[value.lower()].setdefault(row.number, (row, label))
    for by_number in holders.values():
        if len(by_number) > 1:
            listed = "、".join(str(number) for number in by_number)
            for row, label in by_number.values():
                value = row.police_no if label == "警号" else row.phone
                row.problems.append(f"{label}「{value}」在文件中重复出现（第 {listed} 行）")
                row.in_duplicate = True


def load_owners(rows: list[Row]) -> tuple[dict[str, Member], dict[str, Member]]:
    """Load the members holding any of the file's login ids, in either column, in any case.

    Both maps are keyed by the lower-cased id (``match_row`` looks them up that way).
    """
    ids = sorted({value.lower() for row in rows for value in (row.police_no, row.phone) if value})
    by_police: dict[str, Member] = {}
    by_phone: dict[str, Member] = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = ids[start : start + LOOKUP_CHUNK]
        query = (
            select(Member)
            .where(or_(func.lower(Member.police_no).in_(chunk), Member.phone.in_(chunk)))
            .options(selectinload(Member.memberships))  # move_member ends the open stay
        )
        for member in db.session.scalars(query):
            if member.police_no:
                by_police[member.police_no.lower()] = member
            if member.phone:
                by_phone[member.phone.lower()] = member
    return by_police, by_phone


def match_row(row: Row, by_police: dict[str, Member], by_phone: dict[str, Member]) -> None:
    """Find the member the row describes and flag login ids that belong to someone else."""
    police_no, phone = (row.police_no or "").lower(), (row.phone or "").lower()
    member = by_police.get(police_no) if police_no else by_phone.get(phone)
    if member is None and police_no and phone:
        holder = by_phone.get(phone)
        if holder is not None and holder.police_no is None:
            member = holder  # the file gives a 警号 to someone known by phone only
    for value, label in ((row.police_no, "警号"), (row.phone, "手机号")):
        if value and any(
            holder is not None and holder is not member
            for holder in (by_police.get(value.lower()), by_phone.get(value.lower()))
        ):
            row.problems.append(f"{label}「{value}」已被系统中的其他账号使用")
    row.member = member


def check_row(
    row: Row, actor: Member, today: date, can_manage: Callable[[Member], bool], no_branch: Branch
) -> None:
    """Validate the row as the member it would make, and work out what would change."""
    member = row.member
    if member is not None and not can_manage(member):
        row.problems.append(OUT_OF_SCOPE)
        return
    old_role = member.role_enum if member is not None else None
    role = row.role or old_role or Role.MEMBER
    if member is not None and member.id == actor.id and role != old_role:
        row.problems.append("不能修改自己的角色")
    status = row.status or PoliticalStatus.FULL
    joined = row.joined_party_on
    if not row.has_joined_column and member is not None and status.is_party_member:
        joined = member.joined_party_on  # the file has no 入党时间 column: keep it
    police_no = row.police_no
    if (
        member is not None
        and member.police_no
        and (police_no or "").lower() in ("", member.police_no.lower())
    ):
        police_no = member.police_no  # the file's 警号 in another case changes nothing
    data = MemberData(
        name=row.name,
        police_no=police_no,
        phone=row.phone or (member.phone if member else None),
        branch=row.branch or no_branch,
        status=status,
        joined_party_on=joined,
        role=role,
    )
    row.problems.extend(validate_member_data(data, today))
    row.data = data
    if role == old_role:
        row.scope = member.scope_branch  # an organiser keeps the subtree they were given
    elif role == Role.ORGANISER:
        row.scope = data.branch
        if row.branch is not None and not access.can_delegate_scope(actor, data.branch):
            row.problems.append("只能任命您下级组织的管理员")
    if member is None or row.problems:
        return
    wanted = {
        "name": data.name.strip(),
        "police_no": data.police_no,
        "phone": data.phone,
        "political_status": status.value,
        "joined_party_on": joined,
        "role": role.value,
        "scope_branch": row.scope,
    }
    row.changes = {key: value for key, value in wanted.items() if getattr(member, key) != value}
    row.moves = data.branch.id != member.branch_id
    if not member.is_active and (row.changes or row.moves):
        row.problems.append("该人员已停用，请先在系统中恢复")


def flag_same_member(rows: list[Row]) -> None:
    """Flag rows that reach one member through different ids (警号 on one, phone on another)."""
    by_member: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        if row.member is not None and not row.in_duplicate:
            by_member[row.member.id].append(row)
    for group in by_member.values():
        if len(group) > 1:
            listed = "、".join(str(row.number) for row in group)
            for row in group:
                row.problems.append(f"第 {listed} 行是系统中的同一人员，请合并为一行")
