"""The .xlsx template read back: one row per question, in the layout of :mod:`.xlsx_template`.

The header may sit below a title row or two; its columns may come in any order, and those
that are not required may be left out (their cells count as empty).
"""

from __future__ import annotations

import re
from typing import Any

from quizapp.bank.formats import check_size
from quizapp.bank.formats.xlsx_template import (
    HEADERS,
    OPTION_HEADERS,
    questions_xlsx,
)
from quizapp.bank.imports import MAX_QUESTIONS, QuestionDraft, Skipped
from quizapp.bank.services import QuestionData
from quizapp.bank.types import type_from_label, type_names
from quizapp.errors import DomainError
from quizapp.spreadsheets import cell_text, read_table, unquote

__all__ = ["HEADERS", "REQUIRED_HEADERS", "read", "template_xlsx"]

#: Columns a file must have; the others may be left out (their cells count as empty).
REQUIRED_HEADERS = ["题型", "题干", "答案"]
#: How far down a title row or two above the header may push it.
HEADER_SEARCH_ROWS = 5


def template_xlsx() -> bytes:
    """Return the blank template: the header-only 题目 sheet and the 填写说明 sheet."""
    return questions_xlsx()


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
        return QuestionDraft(location, None, [f"{reason}（应为 {type_names()}）"])
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
