"""The .xlsx template: one row per question, the layout organisers download, fill in and export.

Columns: 题型, 题干, 选项A … 选项H, 答案, 解析, 分类, 难度, 出处, then 编号 (the key, so an
exported file imported again updates its questions) and 标签.
"""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from quizapp.bank.formats import check_size
from quizapp.bank.imports import MAX_QUESTIONS, QuestionDraft, Skipped
from quizapp.bank.services import QuestionData
from quizapp.bank.types import LETTERS, REGISTRY, type_from_label
from quizapp.errors import DomainError
from quizapp.spreadsheets import cell_text, read_table, unquote

OPTION_HEADERS = [f"选项{letter}" for letter in LETTERS]
HEADERS = ["题型", "题干", *OPTION_HEADERS, "答案", "解析", "分类", "难度", "出处", "编号", "标签"]
#: Columns a file must have; the others may be left out (their cells count as empty).
REQUIRED_HEADERS = ["题型", "题干", "答案"]
SHEET_TITLE = "题目"
#: How far down a title row or two above the header may push it.
HEADER_SEARCH_ROWS = 5
TYPE_NAMES = "、".join(t.label for t in REGISTRY.values())

WIDTHS = {
    "题型": 8,
    "题干": 50,
    "答案": 14,
    "解析": 40,
    "分类": 26,
    "难度": 6,
    "出处": 30,
    "编号": 16,
    "标签": 16,
} | dict.fromkeys(OPTION_HEADERS, 18)


def read(filename: str, content: bytes) -> tuple[list[QuestionDraft], list[Skipped]]:
    """Read the first sheet of an .xlsx file in the template's layout into drafts."""
    if not content.strip():
        raise DomainError(f"文件「{filename}」是空的。")
    check_size(content, filename)
    drafts: list[QuestionDraft] = []
    with read_table(
        filename,
        content,
        kind="xlsx",  # the organiser chose the format: any file name is read as .xlsx
        named=True,
        is_header=lambda names: "题型" in names or "题干" in names,
        search_rows=HEADER_SEARCH_ROWS,
    ) as table:
        index = table.columns(HEADERS, REQUIRED_HEADERS)
        for number, values in table.records(index, _text):
            if len(drafts) >= MAX_QUESTIONS:
                raise DomainError(
                    f"文件「{filename}」超过 {MAX_QUESTIONS} 道题，请拆分后分批导入。"
                )
            drafts.append(_draft(values, f"{filename} 第 {number} 行"))
    if not drafts:
        raise DomainError(f"文件「{filename}」中没有题目，请从表头下一行起每行填写一道题。")
    return drafts, []


def _text(value: Any) -> str:
    """A cell as its text, with the apostrophe the export put before a formula taken off."""
    return unquote(cell_text(value, keep_invisible=True))


def _draft(values: dict[str, str], location: str) -> QuestionDraft:
    label = values.get("题型", "")
    qtype = type_from_label(label) if label else None
    if qtype is None:
        reason = f"未知题型「{label}」" if label else "缺少题型"
        return QuestionDraft(location, None, [f"{reason}（应为 {TYPE_NAMES}）"])
    problems: list[str] = []
    stem = values.get("题干", "")
    cells = [values.get(column, "") for column in OPTION_HEADERS]
    filled = [i for i, cell in enumerate(cells) if cell]
    options = cells[: filled[-1] + 1] if filled else []
    if len(filled) != len(options):
        gap = OPTION_HEADERS[cells.index("")]
        problems.append(f"选项应从选项A起连续填写，{gap}为空但后面还有选项")
    answer = None
    raw_answer = values.get("答案", "")
    if qtype.has_options and not options:
        problems.append(f"{qtype.label}题缺少选项（选项A、选项B…）")
    elif not raw_answer:
        problems.append("缺少答案")
    else:
        try:
            answer = qtype.answer_from_text(raw_answer, options, stem)
        except ValueError as exc:
            problems.append(str(exc))
    difficulty = _difficulty(values.get("难度", ""), problems)
    tags = [t.strip() for t in re.split(r"[,，、]", values.get("标签", "")) if t.strip()]
    data = QuestionData(
        type=qtype.code,
        stem=stem,
        options=options,
        answer=answer,
        explanation=values.get("解析", ""),
        source=values.get("出处", ""),
        difficulty=difficulty,
        category_path=values.get("分类", ""),
        tags=tags,
        key=values.get("编号") or None,
    )
    return QuestionDraft(location, data, problems)


def _difficulty(text: str, problems: list[str]) -> int:
    if not text:
        return 2
    try:
        number: float | None = float(text)  # Excel gives 3.0 for 3
    except ValueError:
        number = None
    if number is None or not number.is_integer():
        problems.append(f"难度「{text}」应为 1 至 5 的整数")
        return 2
    return int(number)  # the range is checked with the rest of the question


def new_workbook() -> tuple[Workbook, Worksheet]:
    """Start a workbook in the template's layout: the 题目 sheet's header and 填写说明."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FDE9E7")
        cell.alignment = Alignment(horizontal="center")
    sheet.freeze_panes = "A2"
    for position, name in enumerate(HEADERS, start=1):
        column = sheet.column_dimensions[get_column_letter(position)]
        column.width = WIDTHS[name]
        if name in (*OPTION_HEADERS, "答案", "编号"):
            column.number_format = "@"  # text, so 1921 or 001 stay as typed
    _validate(
        sheet,
        "题型",
        DataValidation(
            type="list",
            formula1=f'"{",".join(t.label for t in REGISTRY.values())}"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="请从列表中选择",
            error=f"题型只能填写：{TYPE_NAMES}",
        ),
    )
    _validate(
        sheet,
        "难度",
        DataValidation(
            type="whole",
            operator="between",
            formula1="1",
            formula2="5",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="难度有误",
            error="难度应为 1 至 5 的整数",
        ),
    )
    _write_notes(workbook.create_sheet("填写说明"))
    return workbook, sheet


def _validate(sheet: Worksheet, column_name: str, validation: DataValidation) -> None:
    letter = get_column_letter(HEADERS.index(column_name) + 1)
    sheet.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}{MAX_QUESTIONS + 1}")


INSTRUCTIONS = [
    ("题型", "必填", f"{TYPE_NAMES}（也可写 单选题、多选题…）"),
    (
        "题干",
        "必填",
        (
            "题目内容，不超过 2000 字。填空题用三个或更多下划线 ___ 表示每个空；"
            "没有下划线时，空在题目末尾"
        ),
    ),
    (
        "选项A–选项H",
        "单选、多选必填",
        "2 至 8 个选项，从选项A起连续填写，不要跳过；判断题、填空题不填",
    ),
    (
        "答案",
        "必填",
        (
            "单选填一个字母，如 C；多选填两个或以上字母，如 ABD；判断填“对”或“错”；"
            "填空按空的顺序填写，多个空用“；”分隔，同一个空可接受的几种答案用“|”分隔，"
            "如 一年|1年；一年半|1年半"
        ),
    ),
    ("解析", "选填", "答题后显示的讲解"),
    ("分类", "选填", "所属专题，多级用“/”分隔，如 党内法规/纪律处分条例；没有的专题会自动建立"),
    ("难度", "选填", "1（最易）至 5（最难）的整数，不填时为 2"),
    ("出处", "选填", "如 《中国共产党纪律处分条例》第八条"),
    (
        "编号",
        "选填",
        (
            "题目的唯一编号，只能由字母、数字、下划线或短横线组成；"
            "再次导入同一编号会更新该题而不是新增。"
            "不填时自动生成；从题库导出的文件已带编号，请勿修改"
        ),
    ),
    ("标签", "选填", "多个标签用逗号分隔，如 处分种类,警告"),
]
RULES = [
    f"1. 在「{SHEET_TITLE}」工作表中从第 2 行起每行填写一道题，不要修改或删除表头。",
    (
        "2. 导入前会检查全部题目：任何一道题有误时整个文件都不会导入"
        "（也可选择“只导入无误的题目”），提示会列出每道错题的行号和原因。"
    ),
    "3. 题干和答案都与题库中已有题目相同的，视为重复题目，不会导入。",
    f"4. 单个文件不超过 5 MB、{MAX_QUESTIONS} 道题。",
]


def _example(
    type_: str,
    stem: str,
    options: list[str],
    answer: str,
    explanation: str,
    difficulty: int,
    source: str,
    key: str = "",
    tags: str = "",
) -> list:
    blanks = [""] * (len(OPTION_HEADERS) - len(options))
    return [
        type_,
        stem,
        *options,
        *blanks,
        answer,
        explanation,
        "党内法规/纪律处分条例",
        difficulty,
        source,
        key,
        tags,
    ]


EXAMPLES = [
    _example(
        "单选",
        "党员受到开除党籍处分，（  ）内不得重新入党。",
        ["二年", "三年", "四年", "五年"],
        "D",
        "第十三条规定，党员受到开除党籍处分，五年内不得重新入党。",
        1,
        "《中国共产党纪律处分条例》第十三条",
        "example-001",
        "处分影响期",
    ),
    _example(
        "多选",
        "对党员的纪律处分种类包括（  ）。",
        ["警告", "严重警告", "记过", "留党察看"],
        "ABD",
        "第八条规定的五种处分是警告、严重警告、撤销党内职务、留党察看、开除党籍，没有“记过”。",
        2,
        "《中国共产党纪律处分条例》第八条",
        tags="处分种类",
    ),
    _example(
        "判断",
        "留党察看期限最长不得超过二年。",
        [],
        "对",
        "第十二条规定，留党察看分为一年、二年，期限最长不得超过二年。",
        1,
        "《中国共产党纪律处分条例》第十二条",
    ),
    _example(
        "填空",
        "党员受到警告处分____内、受到严重警告处分____内，不得在党内提拔职务或者进一步使用。",
        [],
        "一年|1年；一年半|1年半",
        "",
        3,
        "《中国共产党纪律处分条例》第十条",
        tags="处分影响期",
    ),
]


def _write_notes(notes: Worksheet) -> None:
    notes.append(["列名", "是否必填", "填写说明"])
    for row in INSTRUCTIONS:
        notes.append(list(row))
    notes.append([])
    notes.append(["导入规则"])
    for rule in RULES:
        notes.append([rule])
    notes.append([])
    notes.append([f"示例（请在「{SHEET_TITLE}」工作表中填写，不要填在本页）"])
    notes.append(HEADERS)
    for example in EXAMPLES:
        notes.append(example)
    bold_rows = (
        1,
        len(INSTRUCTIONS) + 3,
        len(INSTRUCTIONS) + len(RULES) + 5,
        len(INSTRUCTIONS) + len(RULES) + 6,
    )
    for row_number in bold_rows:
        for cell in notes[row_number]:
            cell.font = Font(bold=True)
    for letter, width in (("A", 14), ("B", 20), ("C", 90)):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2, max_row=len(INSTRUCTIONS) + 1, min_col=3, max_col=3):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")


def template_xlsx() -> bytes:
    """Return the blank template: the header-only 题目 sheet and the 填写说明 sheet."""
    workbook, _ = new_workbook()
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
