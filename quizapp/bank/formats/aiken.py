"""Moodle's Aiken text format: single-choice questions only.

    党员受到开除党籍处分，（  ）内不得重新入党。
    A. 二年
    B. 三年
    C. 五年
    ANSWER: C

The stem may take several lines; options are "A. text" or "A) text" (also "A、" and full-width
"．" "）"); the ANSWER line ends the question. Blank lines are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from quizapp.bank.formats import check_size, decode_text
from quizapp.bank.imports import MAX_QUESTIONS, QuestionDraft, Skipped
from quizapp.bank.services import QuestionData
from quizapp.bank.types import LETTERS, get_type
from quizapp.errors import DomainError

OPTION = re.compile(r"^([A-Z])\s*[.．)）、]\s*(.*)$")
ANSWER = re.compile(r"^ANSWER\s*[:：]\s*(.*)$", re.IGNORECASE)
SINGLE = get_type("single")


@dataclass
class _Question:
    start: int  # line numbers, as an editor shows them
    end: int
    stem: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read(filename: str, content: bytes) -> tuple[list[QuestionDraft], list[Skipped]]:
    """Read an Aiken file into drafts."""
    check_size(content, filename)
    text = decode_text(content, filename)
    drafts: list[QuestionDraft] = []

    def finish(question: _Question, answer: str | None, line: int) -> None:
        if len(drafts) >= MAX_QUESTIONS:
            raise DomainError(f"文件「{filename}」超过 {MAX_QUESTIONS} 道题，请拆分后分批导入。")
        location = f"{filename} 第 {len(drafts) + 1} 题（第 {question.start} 行）"
        drafts.append(_draft(question, answer, line, location))

    current: _Question | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        answer = ANSWER.match(line)
        if answer:
            finish(current or _Question(number, number), answer[1], number)
            current = None
            continue
        option = OPTION.match(line)
        if option and (current is None or not current.options) and option[1] != "A":
            option = None  # a stem line that happens to start like "B." or "C、"
        if option:
            current = current or _Question(number, number)
            expected = LETTERS[len(current.options)] if len(current.options) < len(LETTERS) else ""
            if option[1] != expected:
                current.problems.append(
                    f"第 {number} 行：选项字母应为 {expected or 'A 至 H'}，而不是 {option[1]}"
                )
            current.options.append(option[2].strip())
        elif current is not None and current.options:
            finish(current, None, current.end)  # the next stem began: no ANSWER line
            current = _Question(number, number, [line])
        else:
            current = current or _Question(number, number)
            current.stem.append(line)
        current.end = number
    if current is not None:
        finish(current, None, current.end)
    if not drafts:
        raise DomainError(f"文件「{filename}」中没有找到题目，请检查是否为 Aiken 格式。")
    return drafts, []


def _draft(question: _Question, raw: str | None, line: int, location: str) -> QuestionDraft:
    problems = list(question.problems)
    stem = "\n".join(question.stem)
    options = question.options
    if len(options) < 2:
        problems.append(f"只有 {len(options)} 个选项，至少需要 2 个（如“A. 选项内容”）")
    answer = None
    if raw is None:
        problems.append(f"第 {line} 行之后缺少答案行（如“ANSWER: B”）")
    elif not raw.strip():
        problems.append(f"第 {line} 行：ANSWER 后没有写答案字母")
    elif options:
        try:
            answer = SINGLE.answer_from_text(raw, options, stem)
        except ValueError as exc:
            problems.append(f"第 {line} 行：{exc}")
    data = QuestionData(type="single", stem=stem, options=options, answer=answer)
    return QuestionDraft(location, data, problems)
