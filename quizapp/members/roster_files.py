"""Roster files: read an uploaded .xlsx or .csv into rows, and build the blank templates.

Only the shape of the file is checked here (columns, header, size); the rules about members
live in :mod:`quizapp.members.imports`. Reading is :func:`quizapp.spreadsheets.read_table`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from quizapp.errors import DomainError
from quizapp.members.models import STATUS_LABELS
from quizapp.spreadsheets import TEXT, Column, cell_text, csv_bytes, read_table
from quizapp.spreadsheets.templates import Notes, choice, template_xlsx

#: Columns a file must have; 入党时间 and 角色 may be left out (existing values are kept).
REQUIRED_HEADERS = ["姓名", "警号", "手机号", "所属支部", "政治面貌"]
ROLE_LABELS = ["党员", "支部管理员", "系统管理员"]
#: Data rows per file; a bigger roster is imported in parts.
MAX_ROWS = 10_000
#: How far down a title row or two above the header may push it.
HEADER_SEARCH_ROWS = 10

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)

Cell = str | date


@dataclass
class RosterRow:
    """One non-blank data row; ``number`` is the row number Excel shows."""

    number: int
    #: The file's cells by template column; a column missing from the file has no key.
    values: dict[str, Cell]

    def text(self, column: str) -> str:
        """Return the cell as text ('' when blank or when the file has no such column)."""
        value = self.values.get(column, "")
        return value.isoformat() if isinstance(value, date) else value


@dataclass
class Roster:
    """The rows of a roster file and which template columns it has."""

    columns: set[str]
    rows: list[RosterRow]


def _column(header: str, width: int, number_format: str | None = None) -> Column[RosterRow]:
    return Column(header, lambda row: row.text(header), width=width, number_format=number_format)


#: The template's columns; 警号 and 手机号 are text columns, so long numbers keep every digit.
TEMPLATE_COLUMNS = [
    _column("姓名", 12),
    _column("警号", 14, TEXT),
    _column("手机号", 16, TEXT),
    _column("所属支部", 24),
    _column("政治面貌", 14),
    _column("入党时间", 14),
    _column("角色", 12),
]
TEMPLATE_HEADERS = [column.header for column in TEMPLATE_COLUMNS]


def read_roster(filename: str, content: bytes) -> Roster:
    """Read the first sheet of an .xlsx or a .csv file; raise DomainError if it can't be read."""
    rows: list[RosterRow] = []
    with read_table(
        filename,
        content,
        # The header is the first row with 姓名, so a title row above it does no harm.
        is_header=lambda names: "姓名" in names,
        search_rows=HEADER_SEARCH_ROWS,
    ) as table:
        index = table.columns(TEMPLATE_HEADERS, REQUIRED_HEADERS)
        for number, values in table.records(index, _cell):
            if len(rows) >= MAX_ROWS:
                raise DomainError(f"单个文件最多导入 {MAX_ROWS} 行，请拆分后分批导入。")
            rows.append(RosterRow(number, values))
    return Roster(set(index), rows)


def parse_day(value: Cell) -> date:
    """Turn an Excel date cell or a text such as 2020-07-01 / 2020年7月1日 into a date."""
    if isinstance(value, date):
        return value
    for pattern in _DATE_PATTERNS:
        match = pattern.match(value)
        if match:
            return date(*(int(part) for part in match.groups()))  # ValueError for 2020-02-30
    raise ValueError(value)


def _cell(value: Any) -> Cell:
    """Normalise a cell: dates stay dates, numbers typed into Excel become their digits."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return cell_text(value)


def roster_template_csv() -> bytes:
    """Return the blank CSV template: the header row, UTF-8 with a BOM so Excel reads it."""
    return csv_bytes([TEMPLATE_HEADERS])


INSTRUCTIONS = [
    ("姓名", "必填", "人员姓名，不超过 50 个字"),
    ("警号", "与手机号至少填一项", "3–20 位字母或数字；没有警号的（如辅警、积极分子）留空"),
    ("手机号", "与警号至少填一项", "11 位手机号码；请保持文本格式，避免被 Excel 显示为科学计数法"),
    ("所属支部", "必填", "支部编码或支部全称；有重名支部时请填写支部编码"),
    ("政治面貌", "必填", "、".join(STATUS_LABELS.values())),
    (
        "入党时间",
        "选填",
        "正式党员、预备党员填写，如 2020-07-01、2020/7/1、2020年7月1日；其他人员留空",
    ),
    ("角色", "选填", "党员、支部管理员、系统管理员；留空时新人员为党员，已有人员保持原角色"),
]
RULES = [
    "1. 已有人员按警号识别，没有警号时按手机号识别；所属支部变化时记为组织关系转接，保留历史。",
    "2. 新人员没有初始密码：导入后下载登录凭条，每人一个一次性登录码，首次登录后设置本人密码；"
    "已有人员的密码不受影响。",
    "3. 任何一行有误时整个文件都不会导入，请按提示逐行修改后重新上传。",
    "4. 文件中没有列出的人员保持不变；同一个文件重复导入不会产生重复人员。",
]
EXAMPLE = RosterRow(
    0,
    {
        "姓名": "张三",
        "警号": "J10086",
        "手机号": "13800138000",
        "所属支部": "ZD01",
        "政治面貌": "正式党员",
        "入党时间": "2015-07-01",
        "角色": "党员",
    },
)


def roster_template_xlsx() -> bytes:
    """Return the blank Excel template: a header-only first sheet and a 填写说明 sheet."""
    return template_xlsx(
        "花名册",
        TEMPLATE_COLUMNS,
        [],
        checks={
            "政治面貌": choice("政治面貌", list(STATUS_LABELS.values())),
            "角色": choice("角色", ROLE_LABELS),
        },
        notes=Notes(INSTRUCTIONS, RULES, [EXAMPLE], width=80),
        max_rows=MAX_ROWS,
    )
