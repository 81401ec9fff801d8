"""The registry of question types: each is registered once, everything else asks here."""

from __future__ import annotations

from typing import Any

from quizapp.bank.types.base import QuestionType
from quizapp.errors import NotFound

_TYPES: dict[str, QuestionType] = {}


class UnknownQuestionType(NotFound):
    """A stored question's type is no longer registered (answered as 404, code not_found)."""

    def __init__(self, type_code: str) -> None:
        super().__init__(f"题型「{type_code}」已不再支持，请联系管理员。")
        self.type_code = type_code


def register(qtype: QuestionType) -> QuestionType:
    """Add a type; its code must be new (the column holds at most 16 characters)."""
    if qtype.code in _TYPES:
        raise ValueError(f"question type {qtype.code!r} is registered already")
    if not 0 < len(qtype.code) <= 16:
        raise ValueError(f"question type code {qtype.code!r} must have 1 to 16 characters")
    _TYPES[qtype.code] = qtype
    return qtype


def unregister(code: str) -> None:
    """Remove a type (tests; a deployment drops a type by no longer registering it)."""
    del _TYPES[code]


def get_type(code: str) -> QuestionType:
    """Return the type registered under ``code``; raise UnknownQuestionType if none is."""
    try:
        return _TYPES[code]
    except KeyError:
        raise UnknownQuestionType(code) from None


def find_type(code: Any) -> QuestionType | None:
    """Return the type registered under ``code``, or None."""
    return _TYPES.get(code) if isinstance(code, str) else None


def all_types() -> list[QuestionType]:
    """Return the registered types in the order they were registered."""
    return list(_TYPES.values())


def type_choices(suffix: str = "") -> list[tuple[str, str]]:
    """Return (code, label + suffix) of every type, for a form's choices."""
    return [(t.code, f"{t.label}{suffix}") for t in _TYPES.values()]


def marked_type_codes() -> list[str]:
    """Return the codes of the types a person marks (not ``auto_graded``)."""
    return [t.code for t in _TYPES.values() if not t.auto_graded]


def type_names() -> str:
    """Name every type for a message: "单选、多选、判断、填空"."""
    return "、".join(t.label for t in _TYPES.values())


def default_points() -> dict[str, float]:
    """Return the points per question of each type on a new quiz."""
    return {t.code: t.default_points for t in _TYPES.values()}


def type_from_label(label: str) -> QuestionType | None:
    """Find a type by its Chinese name (单选, 多选题...), an alias or its code."""
    label = label.strip()
    for qtype in _TYPES.values():
        if label in (qtype.label, f"{qtype.label}题", *qtype.aliases):
            return qtype
    return _TYPES.get(label.lower())


def display_text(code: str, value: Any, options: list[str], order: list[int] | None = None) -> str:
    """Show an answer or response with the letters the member saw (options may be shuffled)."""
    if value is None:
        return "未作答"
    return get_type(code).display_text(value, options, order)


def answer_text(question: Any, order: list[int] | None = None) -> str:
    """Write a question's right answer as a member reads it: "B", "对", "一年 或 1年"."""
    return get_type(question.type).display_answer(question.answer, question.options, order)


def response_text(question: Any, response: Any, order: list[int] | None = None) -> str:
    """Write a member's response to a question as they read it ("未作答" for none)."""
    return display_text(question.type, response, question.options, order)


def graded(question: Any, response: Any, answer_shown: bool = True) -> dict:
    """What the pages' script colours a graded question by (``Q.mark``): the right answer
    (None when it may not be shown) and, per part (a blank), whether the response got it."""
    qtype = get_type(question.type)
    return {
        "right": question.answer if answer_shown else None,
        "blanks": qtype.part_marks(question.answer, response),
    }
