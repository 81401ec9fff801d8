"""The 台账 as a Word document (python-docx), typeset as a secretary hands it in.

宋体 body and 黑体 headings set for East Asian text (``w:eastAsia``), the branch and the
period in the page header, each table's rows kept whole across page breaks (``cantSplit``)
and its heading row repeated on every page. The page (templates/ledger/page.html) shows the
same tables: both take their rows from :func:`tables`.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from quizapp.clock import format_datetime
from quizapp.ledger.queries import Ledger, Section
from quizapp.members.models import STATUS_LABELS
from quizapp.points.rules import one_decimal
from quizapp.study.models import ReflectionStatus

BODY_FONT, HEADING_FONT = "宋体", "黑体"


def minutes(seconds: int) -> str:
    """Seconds as minutes with one decimal, halves up."""
    return str(one_decimal(seconds / 60))


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{one_decimal(rate * 100)}%"


def _figure(row, key: str) -> str:
    """A count as it is, a rate as a percentage with one decimal."""
    value = getattr(row, key)
    if key.endswith("_rate"):
        return _percent(value)
    return "—" if value is None else str(value)


def _day(value) -> str:
    return value.isoformat() if value else "至今"


@dataclass
class Table:
    """One table of a section: its title, heading row and rows of text."""

    title: str
    heads: list[str]
    rows: list[list[str]]


def period_text(book: Ledger) -> str:
    return f"{book.first_day.isoformat()} 至 {book.last_day.isoformat()}"


def tables(section: Section) -> list[Table]:
    """The section's tables, in the order of the page and the document."""
    shown = [
        Table(
            "一、成员在册情况",
            ["姓名", "警号/账号", "调入日期", "调出日期"],
            [
                [s.name, s.login_id or "—", _day(s.started_on), _day(s.ended_on)]
                for s in section.stays
            ],
        ),
        Table(
            "二、在线学习时长",
            ["姓名", "政治面貌", "学习时长（分钟）", "是否参学"],
            [
                [
                    line.name,
                    STATUS_LABELS.get(line.political_status, line.political_status),
                    minutes(line.study_seconds),
                    "是" if line.participated else "否",
                ]
                for line in section.study.members or []
            ],
        ),
    ]
    quiz_rows = []
    for sitting in section.quizzes:
        for line in sitting.lines:
            score = "—" if line.score is None else f"{line.score:g}"
            passed = "—" if line.passed is None else ("合格" if line.passed else "不合格")
            quiz_rows.append(
                [
                    sitting.subject.title,
                    line.name,
                    score if line.participated else ("缓考" if line.deferred else "未参加"),
                    passed if line.participated else "；".join(line.missing) or "未交卷",
                ]
            )
    shown.append(Table("三、测试考试", ["测试", "姓名", "成绩", "结果/未参加原因"], quiz_rows))
    shown.append(
        Table(
            "四、线下学习",
            ["日期", "名称", "时长（分钟）", "出席人数", "出席人员"],
            [
                [
                    session.held_on.isoformat(),
                    session.title
                    if session.branch_id == section.branch.id
                    else f"{session.title}（{session.branch.name}举办）",
                    str(session.duration_minutes),
                    str(len(people)),
                    "、".join(p.name for p in people) or "—",
                ]
                for session, people in section.sessions
            ],
        )
    )
    shown.append(
        Table(
            "五、心得体会",
            ["提交时间", "姓名", "标题", "状态"],
            [
                [
                    format_datetime(r.submitted_at),
                    r.member.name,
                    r.title,
                    ReflectionStatus(r.status).label,
                ]
                for r in section.reflections
            ],
        )
    )
    #: The campaign report's own figures and headings (as on the participation page).
    keys = ["eligible", "participants", "participation_rate", "completed", "completion_rate"]
    heads = section.campaigns[0].report.headings if section.campaigns else {}
    campaign_rows = [
        [sitting.subject.title, *(_figure(sitting.report.top, key) for key in keys)]
        for sitting in section.campaigns
    ]
    shown.append(
        Table(
            "六、学习任务完成情况",
            ["学习任务", *(heads.get(key, key) for key in keys)] if heads else ["学习任务"],
            campaign_rows,
        )
    )
    points = section.points
    shown.append(
        Table(
            "七、积分与等次",
            ["人数", "积分合计", "人均积分", "等次", "排名"],
            [
                [
                    str(points.members),
                    str(points.points),
                    str(points.per_member),
                    points.tier.label,
                    str(points.rank),
                ]
            ]
            if points
            else [],
        )
    )
    return shown


def file_name(book: Ledger) -> str:
    return f"台账-{book.node.name}-{book.first_day.isoformat()}至{book.last_day.isoformat()}.docx"


def _east_asian(style, font: str) -> None:
    """Set a style's fonts, East Asian text included (python-docx sets only the Latin one)."""
    style.font.name = font
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), font)
    fonts.set(qn("w:hAnsi"), font)
    fonts.set(qn("w:eastAsia"), font)


def _keep_rows_whole(table) -> None:
    """No row splits across pages; the heading row repeats on every page."""
    for index, row in enumerate(table.rows):
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        if index == 0:
            properties.append(OxmlElement("w:tblHeader"))


def _add_table(document, table: Table) -> None:
    document.add_heading(table.title, level=2)
    if not table.rows:
        document.add_paragraph("无。")
        return
    grid = document.add_table(rows=1 + len(table.rows), cols=len(table.heads))
    grid.style = "Table Grid"
    for column, text in enumerate(table.heads):
        cell = grid.cell(0, column)
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for index, row in enumerate(table.rows, start=1):
        for column, text in enumerate(row):
            grid.cell(index, column).text = text
    _keep_rows_whole(grid)


def render(book: Ledger) -> bytes:
    """Return the .docx of the 台账."""
    document = Document()
    _east_asian(document.styles["Normal"], BODY_FONT)
    document.styles["Normal"].font.size = Pt(10.5)
    for name in ("Title", "Heading 1", "Heading 2"):
        _east_asian(document.styles[name], HEADING_FONT)
    header = document.sections[0].header.paragraphs[0]
    header.text = f"{book.node.name} · 党员学习台账 · {period_text(book)}"
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = document.add_heading(f"{book.node.name}党员学习台账", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta = document.add_paragraph(
        f"统计期：{period_text(book)}　生成时间：{format_datetime(book.generated_at)}"
    )
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for section in book.sections:
        document.add_heading(section.branch.name, level=1)
        for table in tables(section):
            _add_table(document, table)
    document.add_heading("口径说明", level=1)
    for term, text in book.definitions:
        document.add_paragraph(f"{term}：{text}")
    out = BytesIO()
    document.save(out)
    return out.getvalue()
