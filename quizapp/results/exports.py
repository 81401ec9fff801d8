"""The results of a quiz as an .xlsx workbook: 成绩明细, 支部汇总, 答卷明细, 题目分析 and 说明;
and 成绩明细 with the definitions as a .csv table.

Every sheet is built as (columns, rows) and written in the house style of
:mod:`quizapp.spreadsheets` (bold frozen header, formats; the CSV's texts formula-guarded).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from operator import itemgetter
from typing import Any

from quizapp import access
from quizapp.attempts.standings import BranchLine, branch_summary, rank_branches, rank_members
from quizapp.clock import china_today, format_datetime, to_china
from quizapp.members.models import Member, Role
from quizapp.numbers import percent_text
from quizapp.org.labels import BranchNames
from quizapp.quizzes.attempt_models import Attempt
from quizapp.results.items import ITEM_DEFINITIONS, ItemStat, item_statistics
from quizapp.results.queries import (
    RESULT_DEFINITIONS,
    QuizResults,
    ResultRow,
    duration_text,
    end_reason_label,
)
from quizapp.spreadsheets import (
    DATETIME,
    PERCENT,
    UNSAFE_IN_NAMES,
    XLSX,
    Book,
    Column,
    csv_bytes,
    csv_table,
)

__all__ = ["XLSX", "export_filename", "results_csv", "results_xlsx"]


def export_filename(title: str, now: datetime, extension: str = "xlsx") -> str:
    """Return "<title>-成绩-<China date>.xlsx" with characters file systems refuse replaced."""
    safe = UNSAFE_IN_NAMES.sub("_", title).strip(" ._") or "测试"
    return f"{safe[:80]}-成绩-{china_today(now).isoformat()}.{extension}"


def results_xlsx(actor: Member, results: QuizResults, now: datetime) -> bytes:
    """Return the quiz's results as it stands for ``actor`` at ``now``, as .xlsx bytes."""
    competition = results.quiz.is_ranked
    rows = rank_members(results.rows) if competition else results.rows
    summary = branch_summary(results.rows, results.branches)
    lines = rank_branches(summary.lines) if competition else summary.lines
    names = BranchNames.load()
    book = Book()
    book.add_sheet("成绩明细", _member_columns(competition, names), rows)
    book.add_sheet("支部汇总", _branch_columns(competition, names), [*lines, summary.total])
    book.add_sheet(
        "答卷明细",
        _attempt_columns(names),
        [(row, a) for row in results.rows for a in row.sittings],
    )
    book.add_sheet(
        "题目分析", ITEM_COLUMNS, enumerate(item_statistics(results.quiz, actor), start=1)
    )
    book.add_sheet("说明", *_notes_sheet(actor, results, now), wrap=True)
    return book.to_bytes()


def results_csv(actor: Member, results: QuizResults, now: datetime) -> bytes:
    """Return 成绩明细 (one row per member), a blank line and the 说明 lines as UTF-8 CSV."""
    competition = results.quiz.is_ranked
    rows = rank_members(results.rows) if competition else results.rows
    columns = _member_columns(competition, BranchNames.load())
    return csv_bytes(
        [
            *csv_table(columns, rows),
            [],
            ["说明"],
            *_notes_sheet(actor, results, now)[1],
        ]
    )


def _ranked(competition: bool) -> list[Column]:
    """The 名次 column first in a competition; nothing otherwise."""
    return [Column("名次", lambda row: row.rank, width=6)] if competition else []


def _member_columns(competition: bool, names: BranchNames) -> list[Column[ResultRow]]:
    return [
        *_ranked(competition),
        Column("姓名", lambda row: row.name, width=12),
        Column("警号/手机号", lambda row: row.login_id, width=14),
        Column("党支部", lambda row: names(row.branch), width=26),
        Column("状态", lambda row: row.status_label, width=8),
        Column("答题次数", lambda row: row.attempts, width=9),
        Column("计分成绩", lambda row: row.score, width=9),
        Column("满分", lambda row: row.max_score, width=7),
        Column("是否及格", lambda row: row.passed, width=9),
        Column("用时（秒）", lambda row: row.seconds_used, width=10),
        Column("用时", lambda row: row.time_text, width=10),
        Column("交卷时间", lambda row: row.submitted_at, width=20, number_format=DATETIME),
        Column("结束方式", lambda row: row.end_reason_label, width=14),
        Column("切屏次数", lambda row: row.leave_count, width=9),
        Column("缓考/补考", lambda row: row.exception.detail if row.exception else "", width=40),
    ]


def _sitting(value: Callable[[Attempt], Any]) -> Callable[[tuple[ResultRow, Attempt]], Any]:
    """Read a value of the attempt in a (member's row, attempt) pair."""
    return lambda pair: value(pair[1])


def _attempt_columns(names: BranchNames) -> list[Column[tuple[ResultRow, Attempt]]]:
    """The 答卷明细 sheet's columns: every attempt, counted or not; its rows are (row, attempt)."""
    return [
        Column("姓名", lambda pair: pair[0].name, width=12),
        Column("警号/手机号", lambda pair: pair[0].login_id, width=14),
        Column("党支部", lambda pair: names(pair[0].branch), width=26),
        Column("第几次", _sitting(lambda a: a.number), width=7),
        Column("是否计分", lambda pair: pair[1] is pair[0].counted, width=9),
        Column("得分", _sitting(lambda a: a.score), width=8),
        Column("满分", _sitting(lambda a: a.max_score), width=7),
        Column("开始时间", _sitting(lambda a: a.started_at), width=20, number_format=DATETIME),
        Column("交卷时间", _sitting(lambda a: a.submitted_at), width=20, number_format=DATETIME),
        Column("用时", _sitting(lambda a: duration_text(a.seconds_used)), width=10),
        Column("结束方式", _sitting(end_reason_label), width=14),
        Column("切屏次数", _sitting(lambda a: a.leave_count), width=9),
    ]


def _branch_columns(competition: bool, names: BranchNames) -> list[Column[BranchLine]]:
    return [
        *_ranked(competition),
        Column("党支部", lambda line: names(line.branch) or line.name, width=26),
        Column("应参加人数", lambda line: line.eligible, width=11),
        Column("参加人数", lambda line: line.participants, width=10),
        Column("参考率", lambda line: line.participation_rate, width=9, number_format=PERCENT),
        Column("人均得分", lambda line: line.per_eligible, width=9, number_format="0.00"),
        Column("平均分", lambda line: line.average, width=9, number_format="0.00"),
        Column("及格人数", lambda line: line.passed, width=10),
        Column("及格率", lambda line: line.pass_rate, width=9, number_format=PERCENT),
    ]


def _shares(stat: ItemStat) -> str:
    """Each option's share of the responses, the answer marked: "A 12.5%（答案）；B …"."""
    return "；".join(
        f"{o.label} {percent_text(o.share)}{'（答案）' if o.is_answer else ''}"
        for o in stat.options
    )


def _stat(value: Callable[[ItemStat], Any]) -> Callable[[tuple[int, ItemStat]], Any]:
    """Read a value of the statistic in a numbered row (number, stat)."""
    return lambda numbered: value(numbered[1])


#: The 题目分析 sheet's columns; its rows are (序号, statistic).
ITEM_COLUMNS: list[Column[tuple[int, ItemStat]]] = [
    Column("序号", itemgetter(0), width=6),
    Column("题型", _stat(lambda stat: stat.type_label), width=6),
    Column("题干", _stat(lambda stat: stat.question.stem), width=50),
    Column("正确答案", _stat(lambda stat: stat.answer_text), width=12),
    Column("答卷数", _stat(lambda stat: stat.attempts), width=8),
    Column("作答数", _stat(lambda stat: stat.answered), width=8),
    Column("难度系数（得分率）", _stat(lambda stat: stat.facility), width=12, number_format="0.00"),
    Column("区分度", _stat(lambda stat: stat.discrimination), width=9, number_format="0.00"),
    Column("选项分布", _stat(_shares), width=40),
    Column("出处", _stat(lambda stat: stat.question.source), width=30),
    Column("题目编号", _stat(lambda stat: stat.question.key), width=14),
]


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
        [Column("项目", itemgetter(0), width=22), Column("内容", itemgetter(1), width=90)],
        [*facts, *RESULT_DEFINITIONS, *ITEM_DEFINITIONS],
    )
