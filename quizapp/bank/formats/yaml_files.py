"""The bank's own format: one YAML file per topic (documented in questions/README.md)."""

from __future__ import annotations

from typing import Any

import yaml

from quizapp.bank.formats import check_size, decode_text
from quizapp.bank.imports import MAX_QUESTIONS, QuestionDraft, Skipped
from quizapp.bank.services import QuestionData
from quizapp.bank.types import LETTERS, type_from_label
from quizapp.errors import DomainError


def read(filename: str, content: bytes) -> tuple[list[QuestionDraft], list[Skipped]]:
    """Read one topic file into drafts."""
    check_size(content, filename)
    text = decode_text(content, filename)
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else ""
        raise DomainError(f"文件「{filename}」{where}不是有效的 YAML 格式，请检查缩进和冒号。"
                          ) from exc
    if not isinstance(document, dict) or not isinstance(document.get("questions"), list):
        raise DomainError(f"文件「{filename}」应包含 questions: 列表（格式见 questions/README.md）。")
    if len(document["questions"]) > MAX_QUESTIONS:
        raise DomainError(f"文件「{filename}」超过 {MAX_QUESTIONS} 道题，请拆分后分批导入。")
    default_category = _text(document.get("category"))
    drafts = []
    for number, item in enumerate(document["questions"], start=1):
        location = f"{filename} 第 {number} 题"
        if isinstance(item, dict) and item.get("key"):
            location += f"（{item['key']}）"
        drafts.append(_draft(item, location, default_category))
    return drafts, []


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _draft(item: Any, location: str, default_category: str) -> QuestionDraft:
    if not isinstance(item, dict):
        return QuestionDraft(location, None, ["格式不正确，每道题应是一组“键: 值”"])
    problems = []
    qtype = type_from_label(_text(item.get("type")))
    if qtype is None:
        return QuestionDraft(location, None, [f"未知题型「{_text(item.get('type'))}」（应为 单选、多选、判断 或 填空）"])
    stem = _text(item.get("stem"))
    options = _options(item.get("options"), problems) if qtype.has_options else []
    if not qtype.has_options and item.get("options"):
        problems.append(f"{qtype.label}题不应有选项")
    answer = _answer(qtype, item.get("answer"), options, stem, problems)
    difficulty = item.get("difficulty", 2)
    if not isinstance(difficulty, int) or isinstance(difficulty, bool):
        problems.append(f"难度「{difficulty}」应为 1 至 5 的整数")
        difficulty = 2
    tags = item.get("tags") or []
    if isinstance(tags, str):
        tags = [t for t in tags.replace("，", ",").split(",")]
    data = QuestionData(
        type=qtype.code, stem=stem, options=options, answer=answer,
        explanation=_text(item.get("explanation")), source=_text(item.get("source")),
        difficulty=difficulty, category_path=_text(item.get("category")) or default_category,
        tags=[_text(t) for t in tags if _text(t)], key=_text(item.get("key")) or None,
    )
    return QuestionDraft(location, data, problems)


def _options(raw: Any, problems: list[str]) -> list[str]:
    if isinstance(raw, list):
        return [_text(o) for o in raw]
    if not isinstance(raw, dict) or not raw:
        problems.append("缺少选项（options）")
        return []
    letters = [str(k).strip().upper() for k in raw]
    if letters != list(LETTERS[: len(letters)]):
        problems.append("选项应按 A、B、C… 顺序排列且不跳号")
    return [_text(v) for v in raw.values()]


def _answer(qtype, raw: Any, options: list[str], stem: str, problems: list[str]) -> Any:  # noqa: ANN001
    if raw is None or raw == "":
        problems.append("缺少答案（answer）")
        return None
    if qtype.code == "truefalse" and isinstance(raw, bool):
        return raw
    if qtype.code == "fill":
        blanks = raw if isinstance(raw, list) else [raw]
        answer = []
        for blank in blanks:
            accepted = blank if isinstance(blank, list) else [blank]
            answer.append([_text(a) for a in accepted if _text(a)])
        return answer
    try:
        return qtype.answer_from_text(_text(raw), options, stem)
    except ValueError as exc:
        problems.append(str(exc))
        return None
