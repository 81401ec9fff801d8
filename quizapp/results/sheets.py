"""One member's answer sheet (答卷) for organisers: each question, the member's answer, the
right answer and the points, read only.

Options are listed in the bank's order (A, B, C… as authored), the member's answer with
the same letters: the member saw them shuffled, the organiser compares with the bank.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from quizapp import access, db
from quizapp.bank.types import LETTERS, ChoiceType, find_type
from quizapp.members.models import Member
from quizapp.quizzes import queries as quiz_queries
from quizapp.quizzes.attempt_models import Attempt, AttemptAnswer
from quizapp.quizzes.models import Quiz


def can_read_attempt(actor: Member, attempt: Attempt) -> bool:
    """Tell whether ``actor`` may read ``attempt``'s answer sheet.

    The one rule for it: the actor reads the quiz's results (the quiz is theirs, or one a
    level above shares with their subtree, as on the results page) and sees the member (their
    current branch is in the actor's subtree). Widen it here, and only here.
    """
    if not access.can_view_member(actor, attempt.member):
        return False
    viewable = select(Quiz.id).where(Quiz.id == attempt.quiz_id, quiz_queries.in_view(actor))
    return db.session.scalar(viewable) is not None


def get_attempt(actor: Member, attempt_id: int) -> Attempt:
    """Return an attempt whose answer sheet ``actor`` may read, or 404."""
    return db.get_or_404(Attempt, attempt_id, lambda attempt: can_read_attempt(actor, attempt))


@dataclass(frozen=True)
class SheetLine:
    """One question of the sheet as the organiser reads it."""

    number: int
    type_label: str
    stem: str
    #: (letter, text, is_right) of each option in the bank's order; empty without options.
    options: list[tuple[str, str, bool]]
    response: str
    right_answer: str
    points: float
    #: None until the attempt is graded (still in progress).
    mark: float | None
    #: A marked written answer (简答): the marker's comment and who marked, else None.
    comment: str | None = None
    marked_by: str | None = None

    @property
    def state(self) -> str:
        """``right``, ``partial``, ``wrong`` or ``ungraded`` (for the marks' colours)."""
        if self.mark is None:
            return "ungraded"
        if self.mark >= self.points:
            return "right"
        return "partial" if self.mark > 0 else "wrong"


def _line(number: int, answer: AttemptAnswer) -> SheetLine:
    question = answer.question
    qtype = find_type(question.type)
    if qtype is None:  # a type no longer registered: the sheet still shows the rest
        gone = "（该题型已不再支持，无法显示）"
        return SheetLine(
            number, question.type, question.stem, [], gone, gone, answer.points, answer.mark
        )
    options = []
    if isinstance(qtype, ChoiceType):
        right = question.answer if isinstance(question.answer, list) else [question.answer]
        options = [(LETTERS[i], text, i in right) for i, text in enumerate(question.options or [])]
    return SheetLine(
        number=number,
        type_label=qtype.label,
        stem=question.stem,
        options=options,
        response=qtype.response_to_text(answer.response, question.options),
        right_answer="；".join(qtype.answer_lines(question.answer, question.options)),
        points=answer.points,
        mark=answer.mark,
        comment=answer.mark_comment,
        # The organiser reads the member's name as the sheet's subject; blind marking hides
        # it from markers, not the marker's name from organisers.
        marked_by=answer.marked_by.name if answer.marked_by_id else None,
    )


def answer_sheet(attempt: Attempt) -> list[SheetLine]:
    """Return the attempt's questions in the order of its paper, with answers and marks."""
    return [_line(number, answer) for number, answer in enumerate(attempt.answers, start=1)]
