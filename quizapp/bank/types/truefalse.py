"""判断 (truefalse): a statement that is right or wrong. Answer and response: ``true``/``false``."""

from __future__ import annotations

import random
from typing import Any

from quizapp.bank.types.base import AnswerFormatError, QuestionType, normalise_text

TRUE_WORDS = {"对", "正确", "是", "√", "✓", "t", "true", "y", "yes", "1"}
FALSE_WORDS = {"错", "错误", "否", "×", "✗", "x", "f", "false", "n", "no", "0"}


class TrueFalse(QuestionType):
    code = "truefalse"
    label = "判断"
    default_points = 1
    form_parts = ("truth",)

    def answer_problems(self, stem: str, options: list[str], answer: Any) -> list[str]:
        return [] if isinstance(answer, bool) else ["判断题的答案应为“对”或“错”"]

    def answer_from_text(self, text: str, options: list[str], stem: str) -> bool:
        word = normalise_text(text)
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(f"判断题的答案「{text}」应为“对”或“错”")

    def answer_from_data(self, raw: Any, options: list[str], stem: str) -> bool:
        return raw if isinstance(raw, bool) else super().answer_from_data(raw, options, stem)

    def answer_to_text(self, answer: bool, options: list[str]) -> str:
        return "对" if answer else "错"

    def answer_to_form(self, answer: bool, options: list[str]) -> str:
        return "true" if answer else "false"  # the values of the form's 对/错 radios

    def parse_response(self, raw: Any, options: list[str], stem: str) -> bool:
        if not isinstance(raw, bool):
            raise AnswerFormatError("判断题请选择“对”或“错”。")
        return raw

    def grade(self, answer: bool, response: Any, points: float, partial: bool = False) -> float:
        return float(points) if response is answer else 0.0

    def choices(self, options: list[str]) -> list[tuple[Any, str, str]]:
        return [(True, "对", ""), (False, "错", "")]

    def sample_response(
        self, answer: bool, options: list[str], *, correct: bool, rng: random.Random
    ) -> bool:
        return answer if correct else not answer
