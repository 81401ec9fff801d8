"""A question read from a Word file, checked and turned into a draft (see :mod:`.word`)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from quizapp.bank.imports import QuestionDraft
from quizapp.bank.services import QuestionData
from quizapp.bank.types import QuestionType, count_blanks, get_type
from quizapp.bank.types.truefalse import FALSE_WORDS, TRUE_WORDS

DIFFICULTY_WORDS = {"容易": 1, "简单": 1, "易": 1, "较易": 2, "中等": 3, "一般": 3, "中": 3}
DIFFICULTY_WORDS |= {"较难": 4, "困难": 5, "难": 5}
#: An answer in the stem's brackets: "（B）", "（ABD）", "（√）".
IN_BRACKETS = re.compile(r"[（(]\s*([A-HＡ-Ｈ]{1,8}|[√×✓✗对错])\s*[)）]")
#: A 填空 blank as Word banks type it: empty brackets or a run of underscores.
BLANK = re.compile(r"[（(][\s\u3000]*[)）]|[_＿]{2,}")


@dataclass
class WordSection:
    label: str  # as written: "单项选择题"
    qtype: QuestionType | None  # None: a type the bank doesn't have


@dataclass
class WordQuestion:
    number: int
    line: int
    section: WordSection | None
    stem: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    values: dict[str, list[str]] = field(default_factory=dict)  # answer, explanation...
    answer_line: int = 0
    within: str = "stem"  # where a plain line goes: stem, option or a field's name
    problems: list[str] = field(default_factory=list)


def draft(question: WordQuestion, location: str) -> QuestionDraft:
    """Check what was read of one question and build its draft."""
    problems = list(question.problems)
    values = {name: "\n".join(texts).strip() for name, texts in question.values.items()}
    stem = "\n".join(question.stem).strip()
    raw = values.get("answer")
    options = question.options
    qtype = question.section.qtype if question.section else None
    in_brackets = list(IN_BRACKETS.finditer(stem))
    if in_brackets and (qtype is None or qtype.has_options or qtype.code == "truefalse"):
        # "……（B）。": the answer, and the gap the member fills; never left in the stem.
        last = in_brackets[-1]
        stem = f"{stem[: last.start()]}（  ）{stem[last.end() :]}"
        if raw is None:
            raw = last[1]
        elif not _same_answer(raw, last[1]):
            problems.append(f"题干括号中的答案「{last[1]}」与答案行「{raw}」不一致")
    if question.section is None:
        qtype = _guess(options, raw, stem)
    if qtype is None:
        problems.append("无法判断题型，请在题目前加上“一、单选题”这样的题型标题")
        return QuestionDraft(location, None, problems)
    if not stem:
        problems.append("缺少题干")
    if qtype.code == "fill":
        stem = BLANK.sub("____", stem)
    answer = None
    if qtype.has_options and len(options) < 2:
        problems.append(f"{qtype.label}题至少需要 2 个选项（如“A. 选项内容”）")
    elif not qtype.has_options and options:
        problems.append(f"{qtype.label}题不应有选项 A、B…，请检查题型标题")
    elif raw is None:
        problems.append(
            "缺少答案（如“答案：B”）"
            if qtype.code != "fill"
            else "缺少答案（在题后另起一行写“答案：……”，题干中的空用（  ）或 ____ 表示）"
        )
    elif not raw:
        problems.append(f"第 {question.answer_line} 行：答案是空的")
    else:
        if qtype.code == "fill":
            raw = _blank_answers(raw, count_blanks(stem))
        try:
            answer = qtype.answer_from_text(raw, options, stem)
        except ValueError as exc:
            line = f"第 {question.answer_line} 行：" if question.answer_line else ""
            problems.append(f"{line}{exc}")
    difficulty = 2
    if values.get("difficulty"):
        difficulty = _difficulty(values["difficulty"], problems)
    data = QuestionData(
        type=qtype.code,
        stem=stem,
        options=options,
        answer=answer,
        explanation=values.get("explanation", ""),
        source=values.get("source", ""),
        difficulty=difficulty,
        category_path=values.get("category", ""),
    )
    return QuestionDraft(location, data, problems)


def _guess(options: list[str], raw: str | None, stem: str) -> QuestionType | None:
    """The type of a question outside any section, from its options and answer."""
    if raw is None:
        return None
    letters = re.sub(r"[\s,，、;；]", "", raw)
    if options:
        return get_type("multiple" if len(letters) > 1 else "single")
    if raw.strip().casefold() in TRUE_WORDS | FALSE_WORDS:
        return get_type("truefalse")
    return get_type("fill") if BLANK.search(stem) else None


def _same_answer(one: str, other: str) -> bool:
    """Whether two answers written in letters ("A、B" = "AB") or as 对/错 ("√" = "对") agree."""

    def compact(answer: str) -> str:
        return unicodedata.normalize("NFKC", re.sub(r"[\s,，、;；]", "", answer)).casefold()

    def truth(answer: str) -> bool | None:
        return True if answer in TRUE_WORDS else False if answer in FALSE_WORDS else None

    one, other = compact(one), compact(other)
    return one == other or (truth(one) is not None and truth(one) == truth(other))


def _blank_answers(raw: str, blanks: int) -> str:
    """Several blanks' answers written "惩前毖后、治病救人" or with spaces: split them when
    "；" does not give the count and another separator does."""
    if blanks < 2 or len(re.split(r"[;；]", raw)) == blanks:
        return raw
    parts = [p for p in re.split(r"[、，,\s]+", raw) if p]
    return "；".join(parts) if len(parts) == blanks else raw


def _difficulty(text: str, problems: list[str]) -> int:
    text = text.strip().rstrip("级")
    if text in DIFFICULTY_WORDS:
        return DIFFICULTY_WORDS[text]
    if text.isdigit() and 1 <= int(text) <= 5:
        return int(text)
    problems.append(f"难度「{text}」应为 1 至 5 的整数，或 容易、较易、中等、较难、困难")
    return 2


def long_answer(question: WordQuestion) -> bool:
    """Whether the answer may take several lines: a type without options, blanks or 对/错
    (a 简答's reference answer)."""
    qtype = question.section.qtype if question.section else None
    return qtype is not None and not qtype.has_options and qtype.code not in ("fill", "truefalse")
