"""Participation reports as files: an .xlsx workbook and a .csv table.

The workbook has four sheets: 汇总 (one row per node in tree order, rollups bold, rates as
real percentages, with a native bar chart of the rates), 人员明细 (every eligible member and
what they still lack), 统计口径 (subject, period, scope, time of export and every definition)
and 图表数据 (the bars of the chart, which the chart reads: the summary interleaves units and
branches, and Excel charts read one contiguous range). The chart shows every party branch
when there are at most :data:`MAX_BARS`; above that, a bar per unit under the top of the
scope (the per-branch rates stay in the table, where they can be sorted and filtered).

The .csv is the summary table (header on the first line, so Excel, WPS and other tools read
it as a table), then a blank line, the same 统计口径 lines as the workbook, and (when the
report has them) a blank line, "人员明细" and the member lines of the 人员明细 sheet: UTF-8
with a BOM so Excel detects the encoding, every text formula-guarded. Figures are rounded
四舍五入 by :mod:`quizapp.numbers`; member minutes carry one decimal so rows add up.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any

from quizapp.clock import china_today, to_china
from quizapp.members.models import STATUS_LABELS, PoliticalStatus
from quizapp.numbers import NOT_APPLICABLE, minutes
from quizapp.org.labels import BranchNames
from quizapp.org.models import Branch, BranchKind
from quizapp.participation.definitions import PLACES, figure_text
from quizapp.participation.queries import MemberLine, Report, Row
from quizapp.participation.xlsx_chart import CHART_SHEET, bar_chart
from quizapp.spreadsheets import (
    PERCENT,
    UNSAFE_IN_NAMES,
    Book,
    Column,
    Style,
    csv_bytes,
    csv_table,
    display_width,
)

#: Above this many branches the chart shows one bar per unit instead.
MAX_BARS = 60
#: Number formats of the figures (counts keep the default).
FORMATS = {
    "participation_rate": PERCENT,
    "completion_rate": PERCENT,
    "pass_rate": PERCENT,
    **{name: f"0.{'0' * places}" for name, places in PLACES.items()},
}
#: The 统计口径 sheet's columns; its rows are (项目, 内容) pairs.
FACT_COLUMNS = [Column("项目", itemgetter(0), width=22), Column("内容", itemgetter(1), width=100)]


def xlsx_report(report: Report) -> bytes:
    """Return the report as an .xlsx workbook (summary with chart, members, definitions)."""
    top_depth = report.top.branch.depth if report.top is not None else 0
    names = BranchNames.load()
    book = Book()
    summary = book.add_sheet(
        "汇总",
        _summary_columns(report, _figure, names),
        report.rows,
        style=lambda row: Style(row.is_rollup, row.branch.depth - top_depth),
        autofilter=True,
    )
    people = _member_columns(report, names)
    book.add_sheet("人员明细", people, report.members or [], autofilter=True)
    book.add_sheet("统计口径", FACT_COLUMNS, [*_facts(report), *report.definitions], wrap=True)
    bars, title = chart_bars(report)
    if bars:
        rate = report.headings["participation_rate"]
        book.add_sheet(
            CHART_SHEET,
            [
                Column("组织", lambda row: names(row.branch), width=30),
                Column(rate, lambda row: row.participation_rate, width=12, number_format=PERCENT),
            ],
            bars,
        )
        summary.insert_chart(
            1,
            len(report.headings) + 3,  # a column right of the table
            bar_chart(book.workbook, len(bars), title, rate),
        )
    return book.to_bytes()


def csv_report(report: Report) -> bytes:
    """Return the summary, the 统计口径 lines and the member lines as UTF-8 CSV with BOM.

    One file (a zip of two CSVs must be unpacked before Excel or WPS opens anything)."""
    names = BranchNames.load()
    people = []
    if report.members is not None:  # minutes are already rounded to one decimal
        people = [[], ["人员明细"], *csv_table(_member_columns(report, names), report.members)]
    return csv_bytes(
        [
            *csv_table(_summary_columns(report, _csv_figure, names), report.rows),
            [],
            ["统计口径"],
            *_facts(report),
            *report.definitions,
            *people,
        ]
    )


def file_name(report: Report, extension: str) -> str:
    """Return e.g. "参学统计_<subject or period>_<scope>_<China date YYYYMMDD>.xlsx", safe
    for every file system (forbidden and control characters removed, parts capped)."""
    word = report.headings["participation_rate"].removesuffix("率")
    subject = (
        report.subject.title
        if report.subject is not None
        else f"{report.first_day.isoformat()}至{report.last_day.isoformat()}"
    )
    scope = report.top.branch.name if report.top is not None else ""
    parts = [
        f"{word}统计",
        _name_part(subject, 30),
        _name_part(scope, 20),
        china_today(report.generated_at).strftime("%Y%m%d"),
    ]
    return "_".join(part for part in parts if part) + "." + extension.lstrip(".")


def chart_bars(report: Report) -> tuple[list[Row], str]:
    """Return the rows the chart shows and its title: the branches, or the units if many."""
    rate = report.headings["participation_rate"]
    branches = [row for row in report.rows if not row.is_rollup]
    if len(branches) <= MAX_BARS or report.top is None:
        return branches, f"各党支部{rate}"
    depth = report.top.branch.depth + 1
    units = [row for row in report.rows if row.is_rollup and row.branch.depth == depth]
    if len(units) < 2:
        return branches, f"各党支部{rate}"
    return units, f"各单位{rate}（共 {len(branches)} 个党支部，各支部见“汇总”表）"


# Sheets


def _summary_columns(
    report: Report, figure: Callable[[str, Any], Any], names: BranchNames
) -> list[Column[Row]]:
    """The summary's columns: 组织, 层级, then each figure as ``figure(name, value)`` gives it."""
    top_depth = report.top.branch.depth if report.top is not None else 0
    widest = max(
        (
            display_width(names(row.branch)) + 2 * (row.branch.depth - top_depth)
            for row in report.rows
        ),
        default=10,
    )
    return [
        Column("组织", lambda row: names(row.branch), width=min(48, max(12, widest + 2))),
        Column("层级", lambda row: _level(report, row), width=8),
        *(
            Column(heading, _getter(name, figure), width=12, number_format=FORMATS.get(name))
            for name, heading in report.headings.items()
        ),
    ]


def _getter(name: str, figure: Callable[[str, Any], Any]) -> Callable[[Row], Any]:
    return lambda row: figure(name, getattr(row, name))


def _member_columns(report: Report, labels: BranchNames) -> list[Column[MemberLine]]:
    """The 人员明细 sheet's columns: who, where, and what they did or still lack."""
    kind, names = report.kind, report.headings
    places = _places(report, labels)
    done = {"campaign": "是否参与", "quiz": "是否参考", "range": "是否参学"}[kind]
    columns: list[Column[MemberLine]] = [
        Column("党支部", lambda line: places[line.branch_id][0], width=22),
        Column("单位", lambda line: places[line.branch_id][1], width=18),
        Column("姓名", lambda line: line.name, width=10),
        Column("警号/手机号", lambda line: line.login_id, width=14),
        Column("政治面貌", lambda line: _status_label(line.political_status), width=12),
        Column("账号状态", lambda line: "正常" if line.is_active else "已停用", width=9),
        Column(done, lambda line: line.participated, width=9),
    ]
    if kind == "campaign":
        columns.append(Column("是否完成", lambda line: bool(line.completed), width=9))
    minute = Column("学习时长（分钟）", lambda line: minutes(line.study_seconds), 10, "0.0")
    columns.append(minute)
    if kind == "quiz":
        columns.append(Column("计分成绩", lambda line: line.score, width=9))
    if "deferred" in names:
        columns.append(Column("缓考/补考", lambda line: line.state or "", width=9))
    if "passed" in names:
        # "—" for a campaign's member not complete: 及格 is judged among 完成人员 only.
        passed = Column("是否及格", lambda line: _figure("passed", line.passed), width=9)
        columns.append(passed)
    missing = "未完成的项目" if kind == "campaign" else "未参加原因"
    columns.append(Column(names["times"], lambda line: line.times, width=9))
    columns.append(Column(missing, lambda line: "；".join(line.missing), width=60))
    return columns


def _facts(report: Report) -> list[list[str]]:
    """The subject, period, scope and time of the report, as (项目, 内容) rows."""
    kind = report.kind
    if kind == "campaign":
        what = "培训班" if report.subject.is_training_class else "学习任务"
        subject = report.subject.title
    elif kind == "quiz":
        what, subject = report.subject.kind_enum.label, report.subject.title
    else:
        what, subject = "自选时段", "统计期内的全部学习活动（不限学习任务或测试）"
    scope = f"{report.top.branch.name}及其下属组织" if report.top is not None else "（无）"
    generated = to_china(report.generated_at).strftime("%Y-%m-%d %H:%M:%S")
    bars, title = chart_bars(report)
    return [
        ["统计对象", subject],
        ["对象类型", what],
        [
            "统计日期",
            f"{report.first_day.isoformat()} 至 {report.last_day.isoformat()}"
            "（北京时间，首尾两天都包括）",
        ],
        ["统计组织", scope],
        ["人员明细", f"{len(report.members)} 人" if report.members is not None else "未导出"],
        ["图表", f"{title}，共 {len(bars)} 项" if bars else "无"],
        ["导出时间（北京时间）", generated],
    ]


# Cells


def _level(report: Report, row: Row) -> str:
    if row is report.top and row.is_rollup:
        return "合计"
    return BranchKind(row.branch.kind).label if row.is_rollup else "党支部"


def _figure(name: str, value: Any) -> Any:
    """A figure as the workbook holds it: numbers stay numbers; "—" where it has no value."""
    return NOT_APPLICABLE if value is None else value


def _csv_figure(name: str, value: Any) -> Any:
    """A figure as CSV text Excel reads back as a number: "66.7%", "12.5", "3"."""
    return figure_text(name, value, fixed=True)


def _status_label(status: str) -> str:
    try:
        return STATUS_LABELS[PoliticalStatus(status)]
    except ValueError:
        return status


def _places(report: Report, labels: BranchNames) -> dict[int, tuple[str, str]]:
    """Map each branch of the report to (its label, name of the unit above it)."""
    nodes: dict[int, Branch] = {row.branch.id: row.branch for row in report.rows}
    places = {}
    for branch in nodes.values():
        above = (nodes[i] for i in reversed(branch.ancestor_ids[:-1]) if i in nodes)
        unit = next((node for node in above if node.kind == BranchKind.UNIT.value), None)
        if unit is None and branch.parent is not None and branch.parent.kind == "unit":
            unit = branch.parent  # the scope starts below the unit: one lookup at most
        places[branch.id] = (labels(branch), labels(unit))
    return places


def _name_part(text: str, limit: int) -> str:
    return "".join(UNSAFE_IN_NAMES.sub("", text).split())[:limit].strip("._")
