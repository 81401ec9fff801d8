"""The slip sheet (登录凭条): members' one-time login codes as an .xlsx to print and cut.

A code is derived from its member's nonce (:mod:`quizapp.members.activation`) and never stored,
so a slip sheet can be printed again at any time until the member sets a password. The
download link of one import names its members as id ranges ("120-10119,10200"), which stay
short however many members a file created.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from quizapp.members.activation import activation_code
from quizapp.members.models import Member
from quizapp.org.labels import BranchNames
from quizapp.spreadsheets import UNSAFE_IN_NAMES, XLSX, Book, Column, cell_value

__all__ = ["USAGE", "XLSX", "decode_ids", "encode_ids", "slip_filename", "slip_xlsx"]

USAGE = (
    "使用方法：登录账号填警号或手机号，密码栏填一次性登录码，登录后设置自己的密码；"
    "登录码只能使用一次。"
)


def _columns(names: BranchNames) -> list[Column[Member]]:
    return [
        Column("姓名", lambda member: member.name, width=12),
        Column("警号", lambda member: member.police_no, width=14),
        Column("手机号", lambda member: member.phone, width=14),
        Column("所属支部", lambda member: names(member.branch), width=30),
        Column(
            "一次性登录码",
            lambda member: activation_code(member.id, member.activation_nonce),
            width=16,
        ),
    ]


#: Members one link may name: a roster file has at most 10,000 rows.
MAX_IDS = 10_000
#: Ranges one link may hold; an import's ids are nearly always one range.
MAX_PARTS = 500
_PART = re.compile(r"^(\d{1,9})(?:-(\d{1,9}))?$")


def encode_ids(ids: Iterable[int]) -> str:
    """Write member ids as sorted ranges: ``[3, 1, 2, 7]`` -> ``"1-3,7"``."""
    parts: list[str] = []
    ordered = sorted(set(ids))
    start = 0
    for position in range(1, len(ordered) + 1):
        if position == len(ordered) or ordered[position] != ordered[position - 1] + 1:
            first, last = ordered[start], ordered[position - 1]
            parts.append(str(first) if first == last else f"{first}-{last}")
            start = position
    return ",".join(parts)


def decode_ids(text: str) -> set[int]:
    """Read the ids :func:`encode_ids` wrote; raise ValueError for anything else or too many."""
    parts = text.split(",")
    if len(parts) > MAX_PARTS:
        raise ValueError("too many ranges")
    ranges = []
    total = 0
    for part in parts:
        match = _PART.match(part.strip())
        if match is None:
            raise ValueError(f"not an id range: {part!r}")
        first = int(match[1])
        last = int(match[2]) if match[2] else first
        if last < first:
            raise ValueError(f"reversed range: {part!r}")
        total += last - first + 1
        if total > MAX_IDS:
            raise ValueError("too many ids")
        ranges.append(range(first, last + 1))
    return {member_id for ids in ranges for member_id in ids}


def slip_xlsx(members: list[Member]) -> bytes:
    """Return the slip sheet of ``members`` (who all have a nonce) as .xlsx bytes.

    One row per member, with the usage line under the table and at the top of every printed
    page; printed A4 upright, one page wide, the header row repeated and grid lines kept to
    cut along.
    """
    book = Book()
    columns = _columns(BranchNames.load())
    sheet = book.add_sheet("登录凭条", columns, members)
    note = book.workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    below = len(members) + 2
    sheet.merge_range(below, 0, below, len(columns) - 1, cell_value(USAGE), note)
    sheet.set_row(below, 36)
    sheet.set_header(f"&L{USAGE}")
    sheet.repeat_rows(0)
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.hide_gridlines(0)  # printed too
    return book.to_bytes()


def slip_filename(scope_name: str, today: date) -> str:
    """Return "登录凭条-<scope>-<China date>.xlsx" with characters file systems refuse replaced."""
    safe = UNSAFE_IN_NAMES.sub("_", scope_name).strip(" ._") or "人员"
    return f"登录凭条-{safe[:60]}-{today.isoformat()}.xlsx"
