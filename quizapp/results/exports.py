"""The results of a quiz as an .xlsx workbook: 成绩明细, 支部汇总, 题目分析 and 说明.

Every sheet is built as (columns, rows) and written in the house style of
:mod:`quizapp.spreadsheets` (bold frozen header, formats, neutralised texts).
"""

from __future__ import annotations

from datetime import datetime

from quizapp import access
from quizapp.clock import china_today, format_datetime, to_china
from quizapp.members.models import Member, Role
from quizapp.quizzes.models import QuizKind
from quizapp.results.items import ITEM_DEFINITIONS, ItemStat, item_statistics
from quizapp.results.queries import (
    RESULT_DEFINITIONS,
    BranchLine,
    QuizResults,
    ResultRow,
    branch_summary,
    rank_branches,
    rank_members,
)
from quizapp.spreadsheets import (
    DATETIME,
    PERCENT,
    UNSAFE_IN_NAMES,
    XLSX,
    Book,
    Column,
)

__all__ = ["XLSX", "export_filename", "results_xlsx"]


def export_filename(title: str, now: datetime) -> str:
    """Return "<title>-成绩-<China date>.xlsx" with characters file systems refuse replaced."""
    safe = UNSAFE_IN_NAMES.sub("_", title).strip(" ._") or "测试"
    return f"{safe[:80]}-成绩-{china_today(now).isoformat()}.xlsx"


def results_xlsx(actor: Member, results: QuizResults, now: datetime) -> bytes:
    """Return the quiz's results as it stands for ``actor`` at ``now``, as .xlsx bytes."""
    competition = results.quiz.kind == QuizKind.COMPETITION.value
    rows = rank_members(results.rows) if competition else results.rows
    summary = branch_summary(results.rows, results.branches)
    lines = rank_branches(summary.lines) if competition else summary.lines
    book = Book()
    book.add_sheet("成绩明细", *_member_sheet(rows, competition))
    book.add_sheet("支部汇总", *_branch_sheet([*lines, summary.total], competition))
    book.add_sheet("题目分析", *_item_sheet(item_statistics(results.quiz)))
    book.add_sheet("说明", *_notes_sheet(actor, results, now), wrap=True)
    return book.to_bytes()


def _member_sheet(rows: list[ResultRow], competition: bool) -> tuple[list[Column], list]:
    columns = [
        Column("姓名", 12),
        Column("警号/手机号", 14),
        Column("党支部", 20),
        Column("状态", 8),
        Column("答题次数", 9),
        Column("计分成绩", 9),
        Column("满分", 7),
        Column("是否及格", 9),
        Column("用时（秒）", 10),
        Column("用时", 10),
        Column("交卷时间", 20, DATETIME),
        Column("自动交卷", 9),
    ]
    table = [
        [
            row.name,
            row.login_id,
            row.branch.name,
            row.status_label,
            row.attempts,
            row.score,
            row.max_score,
            row.passed,
            row.seconds_used,
            row.time_text,
            row.submitted_at,
            row.auto_submitted,
        ]
        for row in rows
    ]
    if competition:
        columns.insert(0, Column("名次", 6))
        table = [[row.rank, *values] for row, values in zip(rows, table)]
    return columns, table


def _branch_sheet(lines: list[BranchLine], competition: bool) -> tuple[list[Column], list]:
    columns = [
        Column("党支部", 20),
        Column("应参加人数", 11),
        Column("参加人数", 10),
        Column("参与率", 9, PERCENT),
        Column("平均分", 9, "0.00"),
        Column("及格人数", 10),
        Column("及格率", 9, PERCENT),
    ]
    table = [
        [
            line.name,
            line.eligible,
            line.participants,
            line.participation_rate,
            line.average,
            line.passed,
            line.pass_rate,
        ]
        for line in lines
    ]
    if competition:
        columns.insert(0, Column("名次", 6))
        table = [[line.rank, *values] for line, values in zip(lines, table)]
    return columns, table


def _item_sheet(stats: list[ItemStat]) -> tuple[list[Column], list]:
    columns = [
        Column("序号", 6),
        Column("题型", 6),
        Column("题干", 50),
        Column("正确答案", 12),
        Column("答卷数", 8),
        Column("作答数", 8),
        Column("难度系数（得分率）", 12, "0.00"),
        Column("区分度", 9, "0.00"),
        Column("选项分布", 40),
        Column("出处", 30),
        Column("题目编号", 14),
    ]
    table = []
    for number, stat in enumerate(stats, start=1):
        q = stat.question
        shares = "；".join(
            f"{o.label} {o.share:.1%}{'（答案）' if o.is_answer else ''}" for o in stat.options
        )
        table.append(
            [
                number,
                stat.type_label,
                q.stem,
                stat.answer_text,
                stat.attempts,
                stat.answered,
                stat.facility,
                stat.discrimination,
                shares,
                q.source,
                q.key,
            ]
        )
    return columns, table


def _notes_sheet(actor: Member, results: QuizResults, now: datetime) -> tuple[list[Column], list]:
    quiz = results.quiz
    root = access.managed_root(actor)
    scope = "全局" if actor.role == Role.ADMIN else f"{root.name}及其下属组织"
    facts = [
        ("测试名称", quiz.title),
        ("类型", quiz.kind_enum.label),
        (
            "答题时间（北京时间）",
            f"{format_datetime(quiz.opens_at)} 至 {format_datetime(quiz.closes_at)}",
        ),
        ("计分方式", f"{quiz.counting_enum.label}（每人最多 {quiz.attempts_allowed} 次）"),
        ("及格线", f"满分的 {quiz.pass_percent}%"),
        ("导出时间（北京时间）", to_china(now).strftime("%Y-%m-%d %H:%M:%S")),
        ("导出人", actor.name),
        ("统计范围", f"{scope}：当前所在党支部属于该范围的人员"),
    ]
    return (
        [Column("项目", 22), Column("内容", 90)],
        [list(pair) for pair in [*facts, *RESULT_DEFINITIONS, *ITEM_DEFINITIONS]],
    )
