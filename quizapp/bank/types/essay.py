"""简答 (essay): the member writes a text that a person marks (quizapp.marking).

Answer: ``{"reference": "参考答案…", "points": ["评分要点一", …]}``; response: the text the
member wrote (at most MAX_LENGTH characters). It is never graded automatically: grading an
answered essay returns None (to be marked), an empty one 0.
"""

from __future__ import annotations

import random
import re
from typing import Any

from quizapp.bank.types.base import SURROGATES, AnswerFormatError, QuestionType, printable

#: The most a member may write in one answer (the page counts down to it).
MAX_LENGTH = 2000
#: The longest reference answer an author may give, and key points (a line each).
MAX_REFERENCE, MAX_POINTS = 4000, 2000
#: The line that starts the key points when an answer is written as one text.
POINTS_LINE = re.compile(r"^\s*[【\[]?评分要点[】\]]?\s*[：:]?\s*", re.M)
POINT_SEPARATORS = re.compile(r"[\n;；]+")


def split_points(text: str) -> list[str]:
    """Split key points written one a line or separated by "；"; drop numbering like "1."."""
    points = (
        re.sub(r"^\s*(\d+|[一二三四五六七八九十]+)\s*[.、．)）]\s*", "", p)
        for p in POINT_SEPARATORS.split(text)
    )
    return [p.strip() for p in points if p.strip()]


class Essay(QuestionType):
    code = "essay"
    label = "简答"
    aliases = ("论述", "论述题")
    default_points = 10
    form_parts = ("essay",)
    #: A person marks it: never in practice, daily questions or the wrong-answer book.
    auto_graded = False
    #: The input macro's limit (the server checks MAX_LENGTH).
    max_length = MAX_LENGTH

    def answer_problems(self, stem: str, options: list[str], answer: Any) -> list[str]:
        valid = (
            isinstance(answer, dict)
            and isinstance(answer.get("reference"), str)
            and answer["reference"].strip()
            and isinstance(answer.get("points", []), list)
            and all(isinstance(p, str) and p.strip() for p in answer.get("points", []))
        )
        if not valid:
            return ["简答题应有参考答案"]
        problems = []
        if len(answer["reference"]) > MAX_REFERENCE:
            problems.append(f"参考答案不能超过 {MAX_REFERENCE} 字")
        if len("\n".join(answer.get("points", []))) > MAX_POINTS:
            problems.append(f"评分要点不能超过 {MAX_POINTS} 字")
        return problems

    def answer_from_text(self, text: str, options: list[str], stem: str) -> dict:
        """The reference answer, then optionally a line "评分要点：" with points (；or lines)."""
        found = POINTS_LINE.search(text)
        reference, points = (text[: found.start()], text[found.end() :]) if found else (text, "")
        return self.answer_from_parts(reference, points)

    def answer_from_parts(self, reference: str, points: str) -> dict:
        """Build the answer from the form's two inputs: the reference and the key points."""
        reference = (reference or "").strip()
        if not reference:
            raise ValueError("简答题请填写参考答案")
        return {"reference": reference, "points": split_points(points or "")}

    def answer_from_data(self, raw: Any, options: list[str], stem: str) -> dict:
        """A mapping {reference|参考答案, points|评分要点} (points a list or a text), or a text."""
        if isinstance(raw, dict):
            reference = raw.get("reference", raw.get("参考答案", ""))
            points = raw.get("points", raw.get("评分要点", []))
            if isinstance(points, list):
                points = "\n".join("" if p is None else str(p) for p in points)
            return self.answer_from_parts(str(reference or ""), str(points or ""))
        return super().answer_from_data(raw, options, stem)

    def answer_to_text(self, answer: Any, options: list[str]) -> str:
        if not isinstance(answer, dict):  # a response: the member's text
            return printable(answer)
        text = answer.get("reference", "")
        if answer.get("points"):
            text += "\n评分要点：" + "；".join(answer["points"])
        return printable(text)

    def answer_parts(self, answer: Any) -> tuple[str, str]:
        """Return the form's two inputs for an answer: the reference, the points a line each."""
        return printable(answer.get("reference", "")), printable(
            "\n".join(answer.get("points", []))
        )

    def parse_response(self, raw: Any, options: list[str], stem: str) -> str:
        if not isinstance(raw, str):
            raise AnswerFormatError("简答题的答案格式不正确，请刷新页面后重新作答。")
        if len(raw) > MAX_LENGTH:
            raise AnswerFormatError(f"简答题最多写 {MAX_LENGTH} 个字，请删减后再保存。")
        if SURROGATES.search(raw):
            raise AnswerFormatError("答案中有无法识别的字符，请删除后重新填写。")
        return raw.strip()

    def grade(
        self, answer: Any, response: Any, points: float, partial: bool = False
    ) -> float | None:
        """Nothing written earns 0 at once; a written answer waits for a marker (None)."""
        return None if response else 0.0

    def response_to_text(self, response: Any, options: list[str]) -> str:
        return printable(response) if response else "未作答"

    def display_answer(
        self, answer: Any, options: list[str], order: list[int] | None = None
    ) -> str:
        return self.answer_to_text(answer, options)

    def display_text(self, value: Any, options: list[str], order: list[int] | None = None) -> str:
        if isinstance(value, dict):
            return self.display_answer(value, options)
        return self.response_to_text(value, options)

    def answer_lines(self, answer: Any, options: list[str]) -> list[str]:
        lines = [f"参考答案：{printable(answer.get('reference', ''))}"]
        lines += [
            f"评分要点 {n}：{printable(p)}" for n, p in enumerate(answer.get("points", []), 1)
        ]
        return lines

    def sample_response(
        self, answer: Any, options: list[str], *, correct: bool, rng: random.Random
    ) -> str:
        if correct:
            return answer["reference"][:MAX_LENGTH]
        return "；".join(answer.get("points", [])[:1]) or "记不清了。"
