"""What members still lack in a campaign: the requirement filter of the organiser's progress
table (未完成, by item) and the table as an .xlsx file, one column per requirement."""

from __future__ import annotations

from datetime import datetime

from quizapp.campaigns.models import Campaign
from quizapp.campaigns.progress import Item, Progress
from quizapp.campaigns.queries import ProgressRow, ProgressTable
from quizapp.clock import china_today, to_china
from quizapp.org.labels import BranchNames
from quizapp.spreadsheets import UNSAFE_IN_NAMES, Book, Column


def item_key(item: Item) -> str:
    """Name a requirement in a URL: ``minutes``, ``material:12``, ``quiz:3``, ``offline``…"""
    return f"{item.kind}:{item.ref_id}" if item.ref_id is not None else item.kind


def requirements(table: ProgressTable) -> list[tuple[str, str]]:
    """Return (key, label) of each requirement, in the order of the members' checklists."""
    if not table.rows:
        return []
    kinds = {"material": "必学资料", "quiz": "必答测试"}
    return [
        (item_key(item), f"{kinds[item.kind]}：{item.label}" if item.kind in kinds else item.label)
        for item in table.rows[0].progress.items
    ]


def lacking(rows: list[ProgressRow], key: str) -> list[ProgressRow]:
    """Keep the rows whose member has not met the requirement ``key`` (all rows for "")."""
    if not key:
        return rows
    return [
        row
        for row in rows
        if any(item_key(item) == key and not item.met for item in row.progress.items)
    ]


def missing(progress: Progress) -> list[str]:
    """Say what a member still lacks, one text per unmet requirement."""
    return [f"{item.label}（{item.detail}）" for item in progress.items if not item.met]


def progress_xlsx(campaign: Campaign, table: ProgressTable, now: datetime) -> bytes:
    """Return everyone's checklist as .xlsx: who, done or not, each requirement, what is missing."""
    names = BranchNames.load()
    columns: list[Column[ProgressRow]] = [
        Column("姓名", lambda row: row.name, width=12),
        Column("警号/手机号", lambda row: row.login_id, width=14),
        Column("党支部", lambda row: names(row.branch_id), width=26),
        Column("是否完成", lambda row: row.progress.complete, width=9),
        Column("完成项数", lambda row: row.progress.met_count, width=9),
    ]
    for index, (_key, label) in enumerate(requirements(table)):
        columns.append(Column(label, _requirement(index), width=max(14, min(30, len(label) * 2))))
    columns.append(Column("未完成的项目", lambda row: "；".join(missing(row.progress)), width=60))
    book = Book()
    book.add_sheet("完成情况", columns, table.rows, autofilter=True)
    facts = [
        ("名称", campaign.title),
        ("时间", f"{campaign.starts_on.isoformat()} 至 {campaign.ends_on.isoformat()}"),
        ("导出时间（北京时间）", to_china(now).strftime("%Y-%m-%d %H:%M:%S")),
        ("统计范围", "当前所在支部属于导出人管理范围的参加人员"),
        ("各项要求", "已完成的项目写“已完成”，未完成的写进度（如“已学 12 / 30 分钟”）。"),
    ]
    book.add_sheet(
        "说明",
        [Column("项目", lambda fact: fact[0], width=22), Column("内容", lambda f: f[1], width=80)],
        facts,
        wrap=True,
    )
    return book.to_bytes()


def _requirement(index: int):
    def value(row: ProgressRow) -> str:
        item = row.progress.items[index]
        return "已完成" if item.met else item.detail

    return value


def export_filename(campaign: Campaign, now: datetime) -> str:
    """Return "<title>-完成情况-<China date>.xlsx", safe for every file system."""
    title = UNSAFE_IN_NAMES.sub("_", campaign.title).strip(" ._") or "学习任务"
    return f"{title[:80]}-完成情况-{china_today(now).isoformat()}.xlsx"
