"""Question types: each validates, reads, grades and shows its own answers.

Adding a type means one class here (and its tests); everything else asks the registry.

Forms of the answer (stored in ``Question.answer``) and of a member's response:

============  ==========================  ======================================
type          answer                      response (what a client sends)
============  ==========================  ======================================
single        option index, e.g. ``2``    option index
multiple      sorted indexes ``[0, 2]``   indexes, any order (``[]``: none chosen)
truefalse     ``true`` / ``false``        ``true`` / ``false``
fill          per blank, accepted texts   per blank, a text: ``["惩前毖后"]``
              ``[["惩前毖后"]]``
============  ==========================  ======================================

Option indexes always refer to the authored order; shuffling changes only the display.
"""

from __future__ import annotations

import re
import string
import unicodedata
from typing import Any, ClassVar

from quizapp.errors import DomainError

LETTERS = string.ascii_uppercase[:8]
BLANK = re.compile(r"_{3,}")
MAX_OPTIONS = 8
#: Code points UTF-8 can't encode: a lone surrogate ("\ud800") breaks any page showing it.
SURROGATES = re.compile("[\ud800-\udfff]")


class AnswerFormatError(DomainError):
    """A response that does not fit the question's type."""


def normalise_text(text: str) -> str:
    """Fold full-width forms to half-width, trim and collapse spaces, ignore case."""
    folded = unicodedata.normalize("NFKC", text)
    return " ".join(folded.split()).casefold()


def printable(text: Any) -> str:
    """Return ``text`` safe to show: code points UTF-8 can't encode become U+FFFD."""
    text = "" if text is None else str(text)
    return SURROGATES.sub("\ufffd", text)


def split_blanks(stem: str) -> list[str]:
    """Split a fill-in stem at its blanks; a stem without one gets a blank at the end."""
    parts = BLANK.split(stem)
    return parts if len(parts) > 1 else [stem, ""]


def count_blanks(stem: str) -> int:
    """Return the number of blanks (runs of 3+ underscores) in a fill-in stem, at least 1."""
    return max(1, len(BLANK.findall(stem)))


class QuestionType:
    """The behaviour every question type provides."""

    code: ClassVar[str]
    label: ClassVar[str]
    has_options: ClassVar[bool] = False

    def check(self, stem: str, options: list[str], answer: Any) -> list[str]:
        """Return the Chinese reasons why this question is malformed (empty: it is fine)."""
        problems = []
        if not stem.strip():
            problems.append("题干不能为空")
        if self.has_options:
            if not 2 <= len(options) <= MAX_OPTIONS:
                problems.append(f"选项应为 2 至 {MAX_OPTIONS} 个")
            if any(not option.strip() for option in options):
                problems.append("选项内容不能为空")
            if len({normalise_text(o) for o in options}) != len(options):
                problems.append("选项有重复")
        elif options:
            problems.append(f"{self.label}题不应有选项")
        return problems

    def answer_from_text(self, text: str, options: list[str], stem: str) -> Any:
        """Read an answer as people write it ("ABD", "对"); raise ValueError in Chinese."""
        raise NotImplementedError

    def answer_to_text(self, answer: Any, options: list[str]) -> str:
        """Write an answer as people read it; the inverse of :meth:`answer_from_text`."""
        raise NotImplementedError

    def parse_response(self, raw: Any, options: list[str], stem: str) -> Any:
        """Validate a client's response and return it normalised; raise AnswerFormatError."""
        raise NotImplementedError

    def grade(self, answer: Any, response: Any, points: float, partial: bool = False) -> float:
        """Return the mark for ``response`` (None: unanswered) out of ``points``."""
        raise NotImplementedError

    def response_to_text(self, response: Any, options: list[str]) -> str:
        """Show a member's response, e.g. for the review page and exports."""
        if response is None:
            return "未作答"
        return self.answer_to_text(response, options)


def _letters_to_indexes(text: str, options: list[str]) -> list[int]:
    letters = re.sub(r"[\s,，、;；]", "", unicodedata.normalize("NFKC", text)).upper()
    if not letters or any(ch not in LETTERS for ch in letters):
        raise ValueError(f"答案「{text}」应为选项字母，如 A 或 ABD")
    indexes = sorted({LETTERS.index(ch) for ch in letters})
    if indexes[-1] >= len(options):
        raise ValueError(f"答案「{text}」不在选项中（共 {len(options)} 个选项）")
    return indexes


def _option_index(raw: Any, options: list[str]) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw < len(options):
        raise AnswerFormatError("所选选项不存在，请刷新页面后重新作答。")
    return raw


class SingleChoice(QuestionType):
    code = "single"
    label = "单选"
    has_options = True

    def check(self, stem: str, options: list[str], answer: Any) -> list[str]:
        problems = super().check(stem, options, answer)
        if not (
            isinstance(answer, int) and not isinstance(answer, bool) and 0 <= answer < len(options)
        ):
            problems.append("答案不在选项中")
        return problems

    def answer_from_text(self, text: str, options: list[str], stem: str) -> int:
        indexes = _letters_to_indexes(text, options)
        if len(indexes) != 1:
            raise ValueError(f"单选题只能有一个答案，「{text}」有 {len(indexes)} 个")
        return indexes[0]

    def answer_to_text(self, answer: int, options: list[str]) -> str:
        return LETTERS[answer]

    def parse_response(self, raw: Any, options: list[str], stem: str) -> int:
        return _option_index(raw, options)

    def grade(self, answer: int, response: Any, points: float, partial: bool = False) -> float:
        return float(points) if response == answer else 0.0


class MultipleChoice(QuestionType):
    code = "multiple"
    label = "多选"
    has_options = True

    def check(self, stem: str, options: list[str], answer: Any) -> list[str]:
        problems = super().check(stem, options, answer)
        valid = (
            isinstance(answer, list)
            and len(answer) >= 2
            and all(isinstance(i, int) and 0 <= i < len(options) for i in answer)
            and len(set(answer)) == len(answer)
        )
        if not valid:
            problems.append("多选题的答案应为至少两个不同的选项")
        return problems

    def answer_from_text(self, text: str, options: list[str], stem: str) -> list[int]:
        indexes = _letters_to_indexes(text, options)
        if len(indexes) < 2:
            raise ValueError(f"多选题至少应有两个答案，「{text}」只有一个")
        return indexes

    def answer_to_text(self, answer: list[int], options: list[str]) -> str:
        return "".join(LETTERS[i] for i in sorted(answer))

    def parse_response(self, raw: Any, options: list[str], stem: str) -> list[int]:
        if not isinstance(raw, list):
            raise AnswerFormatError("多选题的答案格式不正确，请刷新页面后重新作答。")
        return sorted({_option_index(item, options) for item in raw})

    def grade(
        self, answer: list[int], response: Any, points: float, partial: bool = False
    ) -> float:
        if not response:
            return 0.0
        chosen, right = set(response), set(answer)
        if chosen == right:
            return float(points)
        if partial and chosen < right:  # only right choices, some missing: a share
            return round(points * len(chosen) / len(right), 2)
        return 0.0


TRUE_WORDS = {"对", "正确", "是", "√", "✓", "t", "true", "y", "yes", "1"}
FALSE_WORDS = {"错", "错误", "否", "×", "✗", "x", "f", "false", "n", "no", "0"}


class TrueFalse(QuestionType):
    code = "truefalse"
    label = "判断"

    def check(self, stem: str, options: list[str], answer: Any) -> list[str]:
        problems = super().check(stem, options, answer)
        if not isinstance(answer, bool):
            problems.append("判断题的答案应为“对”或“错”")
        return problems

    def answer_from_text(self, text: str, options: list[str], stem: str) -> bool:
        word = normalise_text(text)
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(f"判断题的答案「{text}」应为“对”或“错”")

    def answer_to_text(self, answer: bool, options: list[str]) -> str:
        return "对" if answer else "错"

    def parse_response(self, raw: Any, options: list[str], stem: str) -> bool:
        if not isinstance(raw, bool):
            raise AnswerFormatError("判断题请选择“对”或“错”。")
        return raw

    def grade(self, answer: bool, response: Any, points: float, partial: bool = False) -> float:
        return float(points) if response is answer else 0.0


class FillInBlank(QuestionType):
    """One or more blanks; each blank accepts several texts and earns an equal share."""

    code = "fill"
    label = "填空"

    def check(self, stem: str, options: list[str], answer: Any) -> list[str]:
        problems = super().check(stem, options, answer)
        valid = (
            isinstance(answer, list)
            and answer
            and all(
                isinstance(accepted, list)
                and accepted
                and all(isinstance(t, str) and t.strip() for t in accepted)
                for accepted in answer
            )
        )
        if not valid:
            problems.append("填空题每个空至少要有一个答案")
        elif len(answer) != count_blanks(stem):
            problems.append(
                f"题干有 {count_blanks(stem)} 个空（用 ___ 表示），答案有 {len(answer)} 个"
            )
        return problems

    def answer_from_text(self, text: str, options: list[str], stem: str) -> list[list[str]]:
        """Blanks are separated by ";" (or "；"), accepted alternatives by "|"."""
        blanks = list(re.split(r"[;；]", text))
        answer = [[alt.strip() for alt in blank.split("|") if alt.strip()] for blank in blanks]
        if not all(answer):
            raise ValueError(f"填空题的答案「{text}」有空白项")
        return answer

    def answer_to_text(self, answer: list[Any], options: list[str]) -> str:
        return printable("；".join("|".join(a) if isinstance(a, list) else str(a) for a in answer))

    def parse_response(self, raw: Any, options: list[str], stem: str) -> list[str]:
        blanks = count_blanks(stem)
        if (
            not isinstance(raw, list)
            or len(raw) != blanks
            or not all(isinstance(t, str) for t in raw)
        ):
            raise AnswerFormatError(f"本题有 {blanks} 个空，请逐空填写。")
        if any(len(t) > 200 for t in raw):
            raise AnswerFormatError("每个空最多填写 200 个字。")
        if any(SURROGATES.search(t) for t in raw):
            raise AnswerFormatError("答案中有无法识别的字符，请删除后重新填写。")
        return [t.strip() for t in raw]

    def grade(
        self, answer: list[list[str]], response: Any, points: float, partial: bool = False
    ) -> float:
        if not response:
            return 0.0
        right = sum(
            1
            for accepted, given in zip(answer, response)
            if normalise_text(given) in {normalise_text(a) for a in accepted}
        )
        return round(points * right / len(answer), 2)

    def response_to_text(self, response: Any, options: list[str]) -> str:
        if response is None:
            return "未作答"
        # Stored responses are shown whatever they hold (older rows may not be clean text).
        items = response if isinstance(response, list) else [response]
        return "；".join(printable(t) or "（空）" for t in items)


def display_text(
    question_type: str, value: Any, options: list[str], order: list[int] | None = None
) -> str:
    """Show an answer or response with the letters the member saw (options may be shuffled)."""
    if value is None:
        return "未作答"
    qtype = get_type(question_type)
    if not qtype.has_options:
        is_answer = question_type == "fill" and value and isinstance(value[0], list)
        return (qtype.answer_to_text if is_answer else qtype.response_to_text)(value, options)
    order = order or list(range(len(options)))
    chosen = value if isinstance(value, list) else [value]
    letters = sorted(LETTERS[order.index(i)] for i in chosen if i in order)
    return "".join(letters) or "未作答"


REGISTRY: dict[str, QuestionType] = {
    t.code: t for t in (SingleChoice(), MultipleChoice(), TrueFalse(), FillInBlank())
}
BY_LABEL: dict[str, QuestionType] = {t.label: t for t in REGISTRY.values()} | {
    "单选题": REGISTRY["single"],
    "多选题": REGISTRY["multiple"],
    "判断题": REGISTRY["truefalse"],
    "填空题": REGISTRY["fill"],
}


def get_type(code: str) -> QuestionType:
    """Return the type registered under ``code``."""
    return REGISTRY[code]


def type_from_label(label: str) -> QuestionType | None:
    """Find a type by its Chinese name (单选, 多选题...) or its code."""
    label = label.strip()
    return BY_LABEL.get(label) or REGISTRY.get(label.lower())
