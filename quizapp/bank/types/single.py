"""单选 (single): one right option. Answer and response: the option's index, e.g. ``2``."""

from __future__ import annotations

import random
from typing import Any

from quizapp.bank.types.base import LETTERS, ChoiceType, letters_to_indexes, option_index


class SingleChoice(ChoiceType):
    code = "single"
    label = "单选"
    default_points = 2

    def answer_problems(self, stem: str, options: list[str], answer: Any) -> list[str]:
        valid = (
            isinstance(answer, int) and not isinstance(answer, bool) and 0 <= answer < len(options)
        )
        return [] if valid else ["答案不在选项中"]

    def answer_from_text(self, text: str, options: list[str], stem: str) -> int:
        indexes = letters_to_indexes(text, options)
        if len(indexes) != 1:
            raise ValueError(f"单选题只能有一个答案，「{text}」有 {len(indexes)} 个")
        return indexes[0]

    def answer_to_text(self, answer: int, options: list[str]) -> str:
        return LETTERS[answer]

    def parse_response(self, raw: Any, options: list[str], stem: str) -> int:
        return option_index(raw, options)

    def grade(self, answer: int, response: Any, points: float, partial: bool = False) -> float:
        return float(points) if response == answer else 0.0

    def sample_response(
        self, answer: int, options: list[str], *, correct: bool, rng: random.Random
    ) -> int:
        if correct:
            return answer
        return rng.choice([i for i in range(len(options)) if i != answer])
