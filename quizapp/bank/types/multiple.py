"""多选 (multiple): two or more right options.

Answer: the sorted indexes, e.g. ``[0, 2]``; response: indexes in any order (``[]``: none).
"""

from __future__ import annotations

import random
from typing import Any

from quizapp.bank.types.base import (
    LETTERS,
    AnswerFormatError,
    ChoiceType,
    letters_to_indexes,
    option_index,
)


class MultipleChoice(ChoiceType):
    code = "multiple"
    label = "多选"
    default_points = 3

    def answer_problems(self, stem: str, options: list[str], answer: Any) -> list[str]:
        valid = (
            isinstance(answer, list)
            and len(answer) >= 2
            and all(isinstance(i, int) and 0 <= i < len(options) for i in answer)
            and len(set(answer)) == len(answer)
        )
        return [] if valid else ["多选题的答案应为至少两个不同的选项"]

    def answer_from_text(self, text: str, options: list[str], stem: str) -> list[int]:
        indexes = letters_to_indexes(text, options)
        if len(indexes) < 2:
            raise ValueError(f"多选题至少应有两个答案，「{text}」只有一个")
        return indexes

    def answer_to_text(self, answer: list[int], options: list[str]) -> str:
        return "".join(LETTERS[i] for i in sorted(answer))

    def parse_response(self, raw: Any, options: list[str], stem: str) -> list[int]:
        if not isinstance(raw, list):
            raise AnswerFormatError("多选题的答案格式不正确，请刷新页面后重新作答。")
        return sorted({option_index(item, options) for item in raw})

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

    def sample_response(
        self, answer: list[int], options: list[str], *, correct: bool, rng: random.Random
    ) -> list[int]:
        return answer if correct else [answer[0]]
