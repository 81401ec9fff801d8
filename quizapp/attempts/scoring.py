"""An attempt's score and pass/fail from its marks: at submit, or once the last written
answer is marked (quizapp.marking)."""

from __future__ import annotations

from quizapp.quizzes.attempt_models import Attempt, AttemptStatus
from quizapp.quizzes.models import Quiz


def score_values(attempt: Attempt, quiz: Quiz, marks: list[float | None]) -> dict:
    """Return the attempt's new status, score and pass/fail: 待阅卷 (MARKING, no score)
    while a mark is None (an answer a person must mark), else submitted with its score."""
    if any(mark is None for mark in marks):
        return {"status": AttemptStatus.MARKING.value, "score": None, "passed": None}
    score = round(sum(marks), 2)
    passed = quiz.passes(score, attempt.max_score)
    return {"status": AttemptStatus.SUBMITTED.value, "score": score, "passed": passed}
