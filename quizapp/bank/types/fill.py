"""填空 (fill): one or more blanks (runs of 3+ underscores) in the stem.

Answer: per blank, the accepted texts, e.g. ``[["惩前毖后"]]``; response: per blank, a
text, e.g. ``["惩前毖后"]``. Each blank earns an equal share of the points. A blank is right
when its text and an accepted one have the same :func:`.fill_match.comparison_key` (spaces,
quotes, separators, numerals, width and traditional characters folded); the response is kept
as typed.
"""

from __future__ import annotations

import random
import re
from typing import Any

from quizapp.bank.types.base import (
    SURROGATES,
    AnswerFormatError,
    QuestionType,
    printable,
)
from quizapp.bank.types.fill_match import comparison_key

BLANK = re.compile(r"_{3,}")


def split_blanks(stem: str) -> list[str]:
    """Split a fill-in stem at its blanks; a stem without one gets a blank at the end."""
    parts = BLANK.split(stem)
    return parts if len(parts) > 1 else [stem, ""]


def count_blanks(stem: str) -> int:
    """Return the number of blanks (runs of 3+ underscores) in a fill-in stem, at least 1."""
    return max(1, len(BLANK.findall(stem)))


def _matches(given: str, accepted: list[str]) -> bool:
    """Whether a typed blank means one of the accepted texts (a blank that folds to nothing,
    "。" or "“”", never does)."""
    key = comparison_key(given)
    return bool(key) and key in {comparison_key(a) for a in accepted}


class FillInBlank(QuestionType):
    code = "fill"
    label = "填空"
    default_points = 2
    form_parts = ("answer", "blanks")

    def answer_problems(self, stem: str, options: list[str], answer: Any) -> list[str]:
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
            return ["填空题每个空至少要有一个答案"]
        if len(answer) != count_blanks(stem):
            return [f"题干有 {count_blanks(stem)} 个空（用 ___ 表示），答案有 {len(answer)} 个"]
        return []

    def answer_from_text(self, text: str, options: list[str], stem: str) -> list[list[str]]:
        """Blanks are separated by ";" (or "；"), accepted alternatives by "|"."""
        blanks = list(re.split(r"[;；]", text))
        answer = [[alt.strip() for alt in blank.split("|") if alt.strip()] for blank in blanks]
        if not all(answer):
            raise ValueError(f"填空题的答案「{text}」有空白项")
        return answer

    def answer_from_data(self, raw: Any, options: list[str], stem: str) -> list[list[str]]:
        """A list of blanks, each a text or a list of accepted texts."""
        blanks = raw if isinstance(raw, list) else [raw]
        answer = []
        for blank in blanks:
            accepted = blank if isinstance(blank, list) else [blank]
            texts = ("" if a is None else str(a).strip() for a in accepted)
            answer.append([t for t in texts if t])
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
        right = sum(self.part_marks(answer, response))
        return round(points * right / len(answer), 2)

    def part_marks(self, answer: list[list[str]], response: Any) -> list[bool] | None:
        if response is None:
            return None
        return [_matches(given, accepted) for accepted, given in zip(answer, response)]

    def response_to_text(self, response: Any, options: list[str]) -> str:
        if response is None:
            return "未作答"
        # Stored responses are shown whatever they hold (older rows may not be clean text).
        items = response if isinstance(response, list) else [response]
        return "；".join(printable(t) or "（空）" for t in items)

    def display_answer(
        self, answer: list[list[str]], options: list[str], order: list[int] | None = None
    ) -> str:
        """Each blank's accepted texts as people read them: "一年 或 1年 或 12个月"."""
        return printable("；".join(" 或 ".join(accepted) for accepted in answer))

    def display_text(self, value: Any, options: list[str], order: list[int] | None = None) -> str:
        is_answer = value and isinstance(value, list) and isinstance(value[0], list)
        return (self.display_answer if is_answer else self.response_to_text)(value, options)

    def answer_lines(self, answer: list[list[str]], options: list[str]) -> list[str]:
        if len(answer) == 1:
            return ["　或　".join(answer[0])]
        return [f"第 {n} 空：{'　或　'.join(a)}" for n, a in enumerate(answer, start=1)]

    def sample_response(
        self, answer: list[list[str]], options: list[str], *, correct: bool, rng: random.Random
    ) -> list[str]:
        return [accepted[0] for accepted in answer] if correct else ["不知道"] * len(answer)
