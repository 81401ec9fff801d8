"""The bank's own format: one YAML file per topic (documented in questions/README.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

try:
    from yaml.cyaml import CParser
except ImportError:  # PyYAML built without LibYAML: the pure Python loader does the same
    CParser = None

from quizapp.bank.formats import check_size, decode_text
from quizapp.bank.imports import MAX_QUESTIONS, QuestionDraft, Skipped
from quizapp.bank.services import QuestionData
from quizapp.bank.types import LETTERS, SURROGATES, type_from_label, type_names
from quizapp.errors import DomainError

#: How deeply lists and mappings may nest (a question needs 5: file, questions, question,
#: answer, blank).
MAX_DEPTH = 20
#: Values in one file: about 28 per question in the starter bank, so room for MAX_QUESTIONS.
MAX_NODES = 40 * MAX_QUESTIONS
#: Digits of a number: Python's int() of a long one is slow or refused.
MAX_NUMBER_LENGTH = 30


class RefusedYAML(yaml.MarkedYAMLError):
    """A file uses what the bank's format never needs; ``reason`` is in Chinese."""

    def __init__(self, reason: str, mark: yaml.Mark | None) -> None:
        super().__init__(problem=reason, problem_mark=mark)
        self.reason = reason


class _Guard:
    """Refuse, while composing (so before anything is built or expanded), what the bank's
    format never needs: anchors and aliases (an 800-byte "billion laughs" file expands to
    gigabytes), nesting deeper than MAX_DEPTH, more than MAX_NODES values, over-long numbers
    and code points UTF-8 can't encode."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)  # type: ignore[call-arg]
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
            raise RefusedYAML(
                "使用了锚点或别名（& 或 *），题库文件不支持，请把内容完整写出", event.start_mark
            )
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise RefusedYAML(
                f"内容过多（超过 {MAX_NODES} 项），请拆分后分批导入", event.start_mark
            )
        if isinstance(event, yaml.ScalarEvent):
            if SURROGATES.search(event.value):
                raise RefusedYAML("含有无法识别的字符，请删除", event.start_mark)
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise RefusedYAML(f"嵌套超过 {MAX_DEPTH} 层，题库文件不需要这么多层", event.start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_int(self, node):
        if len(node.value) > MAX_NUMBER_LENGTH:  # int() of 5,000 digits: ValueError or slow
            raise RefusedYAML(f"数字「{node.value[:20]}…」过长", node.start_mark)
        return super().construct_yaml_int(node)


class BankLoader(_Guard, yaml.SafeLoader):
    """yaml.SafeLoader with the guard."""


BankLoader.add_constructor("tag:yaml.org,2002:int", _Guard.construct_yaml_int)


if CParser is not None:

    class FastBankLoader(_Guard, Composer, CParser, SafeConstructor, Resolver):
        """The same in pure Python composition over LibYAML's parser (about 6 times faster).

        Python's Composer comes before CParser so that every node passes the guard (CParser
        composes whole documents in C otherwise).
        """

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._depth = 0
            self._nodes = 0

    FastBankLoader.add_constructor("tag:yaml.org,2002:int", _Guard.construct_yaml_int)
#: The loader read() uses: the fast one where PyYAML was built with LibYAML.
LOADER = BankLoader if CParser is None else FastBankLoader


def load(text: str, filename: str, loader: type | None = None) -> Any:
    """Parse the text of a bank file; raise DomainError in Chinese naming the line."""
    loader = loader or LOADER
    try:
        return yaml.load(text, Loader=loader)
    except RefusedYAML as exc:
        raise DomainError(f"文件「{filename}」{_line(exc.problem_mark)}{exc.reason}。") from exc
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        # ValueError: a date such as 2024-02-30, which the constructor builds with date().
        mark = getattr(exc, "problem_mark", None)
        raise DomainError(
            f"文件「{filename}」{_line(mark)}不是有效的 YAML 格式，请检查缩进和冒号。"
        ) from exc


def _line(mark: yaml.Mark | None) -> str:
    return f"第 {mark.line + 1} 行" if mark is not None else ""


def read(filename: str, content: bytes) -> tuple[list[QuestionDraft], list[Skipped]]:
    """Read one topic file into drafts."""
    check_size(content, filename)
    text = decode_text(content, filename)
    document = load(text, filename)
    if not isinstance(document, dict) or not isinstance(document.get("questions"), list):
        raise DomainError(
            f"文件「{filename}」应包含 questions: 列表（格式见 questions/README.md）。"
        )
    if len(document["questions"]) > MAX_QUESTIONS:
        raise DomainError(f"文件「{filename}」超过 {MAX_QUESTIONS} 道题，请拆分后分批导入。")
    category_problems: list[str] = []
    default_category = _text(document.get("category"), "category（分类）", category_problems)
    if category_problems:
        raise DomainError(f"文件「{filename}」的 {category_problems[0]}。")
    drafts = []
    for number, item in enumerate(document["questions"], start=1):
        location = f"{filename} 第 {number} 题"
        if isinstance(item, dict) and item.get("key"):
            location += f"（{item['key']}）"
        drafts.append(_draft(item, location, default_category))
    return drafts, []


#: What YAML builds from a plain value (a number, true/false or a date reads as its text).
SCALARS = (str, int, float, date)


def _text(value: Any, label: str = "", problems: list[str] | None = None) -> str:
    """Return a plain value as stripped text; a list, a mapping or binary data is the
    problem "``label``应为文字" (when ``problems`` is given) and reads as ""."""
    if value is None:
        return ""
    if not isinstance(value, SCALARS):
        if problems is not None and f"{label}应为文字" not in problems:  # once per list
            problems.append(f"{label}应为文字")
        return ""
    return str(value).strip()


def _draft(item: Any, location: str, default_category: str) -> QuestionDraft:
    if not isinstance(item, dict):
        return QuestionDraft(location, None, ["格式不正确，每道题应是一组“键: 值”"])
    problems = []
    qtype = type_from_label(_text(item.get("type")))
    if qtype is None:
        return QuestionDraft(
            location,
            None,
            [f"未知题型「{_text(item.get('type'))}」（应为 {type_names()}）"],
        )
    stem = _text(item.get("stem"), "题干（stem）", problems)
    options = _options(item.get("options"), problems) if qtype.has_options else []
    if not qtype.has_options and item.get("options"):
        problems.append(f"{qtype.label}题不应有选项")
    answer = _answer(qtype, item.get("answer"), options, stem, problems)
    difficulty = item.get("difficulty", 2)
    if not isinstance(difficulty, int) or isinstance(difficulty, bool):
        problems.append(f"难度「{difficulty}」应为 1 至 5 的整数")
        difficulty = 2
    data = QuestionData(
        type=qtype.code,
        stem=stem,
        options=options,
        answer=answer,
        explanation=_text(item.get("explanation"), "解析（explanation）", problems),
        source=_text(item.get("source"), "出处（source）", problems),
        difficulty=difficulty,
        category_path=_text(item.get("category"), "分类（category）", problems) or default_category,
        tags=_tags(item.get("tags"), problems),
        key=_text(item.get("key"), "编号（key）", problems) or None,
    )
    return QuestionDraft(location, data, problems)


def _tags(raw: Any, problems: list[str]) -> list[str]:
    """Read tags: a list, or one text with commas (either width); empty ones dropped."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        raw = raw.replace("，", ",").split(",")
    elif not isinstance(raw, list):
        problems.append(f"标签（tags）「{raw}」应为列表或用逗号分隔的文字")
        return []
    tags = [_text(t, "每个标签（tags）", problems) for t in raw]
    return [t for t in tags if t]


def _options(raw: Any, problems: list[str]) -> list[str]:
    if isinstance(raw, list):
        return [_text(o, "每个选项（options）", problems) for o in raw]
    if not isinstance(raw, dict) or not raw:
        problems.append("缺少选项（options）")
        return []
    letters = [str(k).strip().upper() for k in raw]
    if letters != list(LETTERS[: len(letters)]):
        problems.append("选项应按 A、B、C… 顺序排列且不跳号")
    return [_text(v, "每个选项（options）", problems) for v in raw.values()]


def _answer(qtype, raw: Any, options: list[str], stem: str, problems: list[str]) -> Any:
    if raw is None or raw == "":
        problems.append("缺少答案（answer）")
        return None
    try:
        return qtype.answer_from_data(raw, options, stem)
    except ValueError as exc:
        problems.append(str(exc))
        return None
