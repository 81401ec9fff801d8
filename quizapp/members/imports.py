"""Roster import (花名册导入): create, update and move members from an Excel or CSV file.

Every row is checked before anything is written: a file with a bad row is rejected as a
whole, listing every bad row, so the organiser fixes the file and uploads it again. A good
file is applied in one go. Members are matched by 警号 (else 手机号) and only the fields
that differ are assigned, so importing the same file twice changes nothing the second time.

New members get no password: each gets a random ``activation_nonce`` of their own, behind
the one-time login code on the organiser's slip sheet (``quizapp.members.activation``,
``members/exports.py``), and sets a password at first login. No two members share a stored
secret, and the import hashes nothing (10,000 Argon2 hashes would take minutes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import selectinload

from quizapp import access, db
from quizapp.errors import DomainError
from quizapp.members.activation import new_nonce
from quizapp.members.models import STATUS_LABELS, Member, Membership, PoliticalStatus, Role
from quizapp.members.roster_files import (
    TEMPLATE_HEADERS,
    RosterRow,
    parse_day,
    read_roster,
    roster_template_csv,
    roster_template_xlsx,
)
from quizapp.members.services import MemberData, move_member, normalise_phone, validate_member_data
from quizapp.org.models import Branch, BranchKind

# The routes use this module alone; the file helpers are re-exported for them.
__all__ = [
    "TEMPLATE_HEADERS",
    "ImportResult",
    "RosterRejected",
    "RowError",
    "import_roster",
    "roster_template_csv",
    "roster_template_xlsx",
]

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
class RowError:
    """Why one row of the file can't be imported; ``row`` is the number Excel shows."""

    row: int
    message: str


class RosterRejected(DomainError):
    """The file has bad rows, all listed in ``errors``; nothing was imported."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(
            f"花名册中有 {len(errors)} 行存在问题，本次未导入任何人员。请按提示修改后重新上传。"
        )
        self.errors = errors


@dataclass
class ImportResult:
    """How many members the file created, changed or left as they were.

    ``moved`` counts the changed members whose branch changed: they are part of ``updated``.
    ``created_ids`` holds the ids of the members created (empty for a dry run), for the slip
    sheet of their one-time login codes.
    """

    created: int
    updated: int
    moved: int
    unchanged: int
    dry_run: bool
    created_ids: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class _Row:
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


def import_roster(
    actor: Member, filename: str, content: bytes, today: date, *, dry_run: bool = False
) -> ImportResult:
    """Check every row of a roster file, then create, update and move members in one go.

    New members get no password but a one-time login code each (see the module's docstring).
    Raise DomainError when the file can't be read and RosterRejected when any row is bad.
    Only flushes: the caller commits (or, for ``dry_run``, nothing is written at all).
    """
    if access.managed_root(actor) is None:
        raise DomainError("只有管理员可以导入花名册。")
    roster = read_roster(filename, content)
    if not roster.rows:
        raise DomainError("文件中没有数据行，请在表头下方逐行填写人员信息后再上传。")
    find_branch = _BranchFinder(actor)
    rows = [_parse(raw, find_branch, actor) for raw in roster.rows]
    _flag_duplicates(rows)
    by_police, by_phone = _load_owners(rows)
    can_manage = access.member_checker(actor)
    # Stands in (unsaved) for a branch the file names wrongly, so the other checks still run.
    no_branch = Branch(kind=BranchKind.BRANCH.value, is_active=True, name="")
    for row in rows:
        _match(row, by_police, by_phone)
        _check(row, actor, today, can_manage, no_branch)
    _flag_same_member(rows)

    errors = [RowError(row.number, "；".join(row.problems)) for row in rows if row.problems]
    if errors:
        raise RosterRejected(errors)
    new_rows = [row for row in rows if row.member is None]
    result = ImportResult(
        created=len(new_rows),
        updated=sum(1 for row in rows if row.changes or row.moves),
        moved=sum(1 for row in rows if row.moves),
        unchanged=sum(1 for row in rows if row.member and not row.changes and not row.moves),
        dry_run=dry_run,
    )
    if not dry_run:
        result.created_ids = _apply(actor, rows, new_rows, today)
    return result


class _BranchFinder:
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


def _parse(raw: RosterRow, find_branch: _BranchFinder, actor: Member) -> _Row:
    """Turn one row's cells into typed values, noting every cell that is wrong."""
    row = _Row(raw.number, name=raw.text("姓名"), police_no=raw.text("警号") or None)
    row.phone = normalise_phone(raw.text("手机号"))
    if row.phone and "E+" in row.phone.upper():
        # Excel saved the number as displayed (1.39123E+10): the last digits are gone.
        row.problems.append("手机号被 Excel 显示成了科学计数法，请把该列设为文本格式后填写完整号码")

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


def _flag_duplicates(rows: list[_Row]) -> None:
    """Flag every row whose 警号 or 手机号 also appears on another row of the file."""
    holders: dict[str, dict[int, tuple[_Row, str]]] = defaultdict(dict)
    for row in rows:
        for value, label in ((row.police_no, "警号"), (row.phone, "手机号")):
            if value:
                holders[value].setdefault(row.number, (row, label))
    for value, by_number in holders.items():
        if len(by_number) > 1:
            listed = "、".join(str(number) for number in by_number)
            for row, label in by_number.values():
                row.problems.append(f"{label}「{value}」在文件中重复出现（第 {listed} 行）")
                row.in_duplicate = True


def _load_owners(rows: list[_Row]) -> tuple[dict[str, Member], dict[str, Member]]:
    """Load the members holding any of the file's login ids, in either column."""
    ids = sorted({value for row in rows for value in (row.police_no, row.phone) if value})
    by_police: dict[str, Member] = {}
    by_phone: dict[str, Member] = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = ids[start : start + LOOKUP_CHUNK]
        query = (
            select(Member)
            .where(or_(Member.police_no.in_(chunk), Member.phone.in_(chunk)))
            .options(selectinload(Member.memberships))  # move_member ends the open stay
        )
        for member in db.session.scalars(query):
            if member.police_no:
                by_police[member.police_no] = member
            if member.phone:
                by_phone[member.phone] = member
    return by_police, by_phone


def _match(row: _Row, by_police: dict[str, Member], by_phone: dict[str, Member]) -> None:
    """Find the member the row describes and flag login ids that belong to someone else."""
    member = by_police.get(row.police_no) if row.police_no else by_phone.get(row.phone or "")
    if member is None and row.police_no and row.phone:
        holder = by_phone.get(row.phone)
        if holder is not None and holder.police_no is None:
            member = holder  # the file gives a 警号 to someone known by phone only
    for value, label in ((row.police_no, "警号"), (row.phone, "手机号")):
        if value and any(
            holder is not None and holder is not member
            for holder in (by_police.get(value), by_phone.get(value))
        ):
            row.problems.append(f"{label}「{value}」已被系统中的其他账号使用")
    row.member = member


def _check(
    row: _Row, actor: Member, today: date, can_manage: Callable[[Member], bool], no_branch: Branch
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
    data = MemberData(
        name=row.name,
        police_no=row.police_no or (member.police_no if member else None),
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


def _flag_same_member(rows: list[_Row]) -> None:
    """Flag rows that reach one member through different ids (警号 on one, phone on another)."""
    by_member: dict[int, list[_Row]] = defaultdict(list)
    for row in rows:
        if row.member is not None and not row.in_duplicate:
            by_member[row.member.id].append(row)
    for group in by_member.values():
        if len(group) > 1:
            listed = "、".join(str(row.number) for row in group)
            for row in group:
                row.problems.append(f"第 {listed} 行是系统中的同一人员，请合并为一行")


def _apply(actor: Member, rows: list[_Row], new_rows: list[_Row], today: date) -> list[int]:
    """Write the checked rows: insert the new members, move and update the others.

    Return the ids of the members inserted.
    """
    created_ids = _insert_members(new_rows, today) if new_rows else []
    for row in rows:
        if row.member is None:
            continue
        if row.moves:
            move_member(actor, row.member, row.data.branch, today)
        for attribute, value in row.changes.items():
            setattr(row.member, attribute, value)
    db.session.flush()
    return created_ids


def _insert_members(new_rows: list[_Row], today: date) -> list[int]:
    """Insert the new members and their first stays with a few multi-row statements.

    Each member gets a nonce of their own and no password (see the module's docstring).
    session.add_all() would send one INSERT per member on SQLite, which can't report the ids of
    a multi-row INSERT in order; asking for the login ids back makes the order irrelevant.
    Return the new members' ids in the order of the rows.
    """
    values = [
        {
            "name": row.data.name.strip(),
            "police_no": row.data.police_no,
            "phone": row.data.phone,
            "branch_id": row.data.branch.id,
            "political_status": row.data.status.value,
            "joined_party_on": row.data.joined_party_on,
            "role": row.data.role.value,
            "scope_branch_id": row.scope.id if row.scope else None,
            "password_hash": None,
            "must_change_password": True,
            "activation_nonce": new_nonce(),
        }
        for row in new_rows
    ]
    inserted = db.session.execute(
        insert(Member).returning(Member.id, Member.police_no, Member.phone), values
    )
    ids = {police_no or phone: member_id for member_id, police_no, phone in inserted}
    db.session.execute(
        insert(Membership),
        [
            {
                "member_id": ids[row.data.police_no or row.data.phone],
                "branch_id": row.data.branch.id,
                "started_on": today,
            }
            for row in new_rows
        ],
    )
    return [ids[row.data.police_no or row.data.phone] for row in new_rows]
