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

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert

from quizapp import access, db
from quizapp.errors import DomainError
from quizapp.members.activation import new_nonce
from quizapp.members.models import Member, Membership
from quizapp.members.roster_files import read_roster
from quizapp.members.roster_rows import (
    BranchFinder,
    Row,
    check_row,
    flag_duplicates,
    flag_same_member,
    load_owners,
    match_row,
    parse_row,
)
from quizapp.members.services import move_member
from quizapp.org.models import Branch, BranchKind


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
    find_branch = BranchFinder(actor)
    rows = [parse_row(raw, find_branch, actor) for raw in roster.rows]
    flag_duplicates(rows)
    by_police, by_phone = load_owners(rows)
    can_manage = access.member_checker(actor)
    # Stands in (unsaved) for a branch the file names wrongly, so the other checks still run.
    no_branch = Branch(kind=BranchKind.BRANCH.value, is_active=True, name="")
    for row in rows:
        match_row(row, by_police, by_phone)
        check_row(row, actor, today, can_manage, no_branch)
    flag_same_member(rows)

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


def _apply(actor: Member, rows: list[Row], new_rows: list[Row], today: date) -> list[int]:
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


def _insert_members(new_rows: list[Row], today: date) -> list[int]:
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
