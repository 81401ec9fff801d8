"""What every question type provides, and the text helpers the types share.

A type is one class (a module of this package) registered once in ``__init__``, one
template of input macros (``templates/questions/types/<code>.html``) and one script
(``static/js/types/<code>.js``). Everything else asks the registry (``registry.py``).
"""

from __future__ import annotations

import random
import re
import string
import unicodedata
from typing import Any, ClassVar

from quizapp.errors import DomainError

LETTERS = string.ascii_uppercase[:8]
MAX_OPTIONS = 8
#: Code points UTF-8 can't encode: a lone surrogate ("\ud800") breaks any page showing it.
SURROGATES = re.compile("[\ud800-\udfff]")

#: The inputs of the bank's question form a type may use (``QuestionType.form_parts``):
#: "options" (A–H), "answer" (a text), "truth" (对/错), "blanks" (the help on ___ blanks),
#: "essay" (a reference answer and 评分要点, a line each: ``answer_from_parts``/``answer_parts``).
FORM_PARTS = ("options", "answer", "truth", "blanks", "essay")


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


class QuestionType:
    """The behaviour every question type provides.

    ``answer`` is the right answer as stored in ``Question.answer``; ``response`` is what a
    member gave, as :meth:`parse_response` returns it (None: unanswered).
    """

    code: ClassVar[str]
    label: ClassVar[str]
    has_options: ClassVar[bool] = False
    #: False for a type a person marks (简答): :meth:`grade` returns None for an answer that
    #: waits for a marker, and practice, daily questions and the wrong-answer book leave it out.
    auto_graded: ClassVar[bool] = True
    #: Points per question of this type on a new quiz.
    default_points: ClassVar[float] = 1
    #: Other names imports accept besides the label, "<label>题" and the code.
    aliases: ClassVar[tuple[str, ...]] = ()
    #: The inputs of the bank's question form this type uses (see FORM_PARTS).
    form_parts: ClassVar[tuple[str, ...]] = ("answer",)

    @property
    def template(self) -> str:
        """The template holding this type's ``inputs`` macro."""
        return f"questions/types/{self.code}.html"

    @property
    def script(self) -> str:
        """The script (under static/) that reads and restores this type's inputs."""
        return f"js/types/{self.code}.js"

    # Authoring: checking a question, reading and writing its answer

    def check(self, stem: str, options: list[str], answer: Any) -> list[str]:
        """Return the Chinese reasons why this question is malformed (empty: it is fine): its
        stem, its options (:meth:`option_problems`), then its answer (:meth:`answer_problems`).
        """
        problems = [] if stem.strip() else ["题干不能为空"]
        problems += self.option_problems(options)
        return problems + self.answer_problems(stem, options, answer)

    def option_problems(self, options: list[str]) -> list[str]:
        """Return what is wrong with the options: a type without options takes none."""
        return [f"{self.label}题不应有选项"] if options else []

    def answer_problems(self, stem: str, options: list[str], answer: Any) -> list[str]:
        """Return what is wrong with the answer as stored (``Question.answer``), in Chinese."""
        return []

    def answer_from_text(self, text: str, options: list[str], stem: str) -> Any:
        """Read an answer as people write it ("ABD", "对"); raise ValueError in Chinese."""
        raise NotImplementedError

    def answer_from_data(self, raw: Any, options: list[str], stem: str) -> Any:
        """Read an answer from a structured file (YAML): by default, as its text."""
        return self.answer_from_text(str(raw).strip(), options, stem)

    def answer_to_text(self, answer: Any, options: list[str]) -> str:
        """Write an answer as people write it; the inverse of :meth:`answer_from_text`."""
        raise NotImplementedError

    def answer_to_form(self, answer: Any, options: list[str]) -> str:
        """Write an answer as the bank's question form shows it."""
        return self.answer_to_text(answer, options)

    # Answering: a member's response, its grade and how it is shown

    def parse_response(self, raw: Any, options: list[str], stem: str) -> Any:
        """Validate a client's response and return it normalised; raise AnswerFormatError."""
        raise NotImplementedError

    def grade(
        self, answer: Any, response: Any, points: float, partial: bool = False
    ) -> float | None:
        """Return the mark for ``response`` (None: unanswered) out of ``points``; a type that
        is not ``auto_graded`` returns None for a response a person must mark."""
        raise NotImplementedError

    def part_marks(self, answer: Any, response: Any) -> list[bool] | None:
        """Tell, per part of the answer (a blank), whether the response got it right."""
        return None

    def response_to_text(self, response: Any, options: list[str]) -> str:
        """Show a member's response, e.g. for the review page and exports."""
        if response is None:
            return "未作答"
        return self.answer_to_text(response, options)

    def display_answer(
        self, answer: Any, options: list[str], order: list[int] | None = None
    ) -> str:
        """Write the right answer as a member reads it after answering (with the letters of
        ``order``, the options as the member saw them)."""
        return self.display_text(answer, options, order)

    def display_text(self, value: Any, options: list[str], order: list[int] | None = None) -> str:
        """Show an answer or a response with the letters the member saw (``order``)."""
        return self.response_to_text(value, options)

    def answer_lines(self, answer: Any, options: list[str]) -> list[str]:
        """Show the right answer on the bank's preview page, a line per part."""
        return [self.answer_to_text(answer, options)]

    def choices(self, options: list[str]) -> list[tuple[Any, str, str]] | None:
        """Return what a response picks among, as (value, label, text); None: free text.

        Item statistics count the papers choosing each.
        """
        return None

    def sample_response(
        self, answer: Any, options: list[str], *, correct: bool, rng: random.Random
    ) -> Any:
        """Return a response a member might give, right or wrong (demo data)."""
        raise NotImplementedError


def letters_to_indexes(text: str, options: list[str]) -> list[int]:
    """Read option letters ("A", "a d", "A，B") as sorted option indexes."""
    letters = re.sub(r"[\s,，、;；]", "", unicodedata.normalize("NFKC", text)).upper()
    if not letters or any(ch not in LETTERS for ch in letters):
        raise ValueError(f"答案「{text}」应为选项字母，如 A 或 ABD")
    indexes = sorted({LETTERS.index(ch) for ch in letters})
    if indexes[-1] >= len(options):
        raise ValueError(f"答案「{text}」不在选项中（共 {len(options)} 个选项）")
    return indexes


def option_index(raw: Any, options: list[str]) -> int:
    """Check that a response names an existing option (its authored index)."""
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw < len(options):
        raise AnswerFormatError("所选选项不存在，请刷新页面后重新作答。")
    return raw


class ChoiceType(QuestionType):
    """A type whose response picks among the question's options (A–H)."""

    has_options = True
    form_parts = ("options", "answer")

    def option_problems(self, options: list[str]) -> list[str]:
        problems = []
        if not 2 <= len(options) <= MAX_OPTIONS:
            problems.append(f"选项应为 2 至 {MAX_OPTIONS} 个")
        if any(not option.strip() for option in options):
            problems.append("选项内容不能为空")
        if len({normalise_text(o) for o in options}) != len(options):
            problems.append("选项有重复")
        return problems

    def display_text(self, value: Any, options: list[str], order: list[int] | None = None) -> str:
        if value is None:
            return "未作答"
        order = order or list(range(len(options)))
        chosen = value if isinstance(value, list) else [value]
        letters = sorted(LETTERS[order.index(i)] for i in chosen if i in order)
        return "".join(letters) or "未作答"

    def answer_lines(self, answer: Any, options: list[str]) -> list[str]:
        chosen = answer if isinstance(answer, list) else [answer]
        return [f"{LETTERS[i]}．{options[i]}" for i in chosen]

    def choices(self, options: list[str]) -> list[tuple[Any, str, str]]:
        return [(i, LETTERS[i], text) for i, text in enumerate(options)]
