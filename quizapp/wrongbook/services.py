"""Booking answers in the wrong-answer book: practice, daily questions and attempt grading
all write here; practice reads the book (quizapp.practice.queries).

Every function flushes but never commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update

from quizapp import db
from quizapp.wrongbook.models import Origin, WrongAnswer

#: Right answers in a row that take a question out of the wrong-answer book.
RESOLVE_STREAK = 2


def record_result(
    member_id: int, question_id: int, correct: bool, origin: Origin, now: datetime
) -> WrongAnswer | None:
    """Update the wrong-answer book after an answer; return the member's entry, if any.

    A wrong answer opens the entry (or reopens a resolved one) and resets the streak; a right
    answer to an open entry lengthens the streak, and two in a row resolve it. Attempt grading
    calls this too (``Origin.ATTEMPT``).
    """
    origin = Origin(origin)  # ValueError for an unknown origin
    entry = db.session.get(WrongAnswer, (member_id, question_id))
    if correct:
        if entry is not None and entry.resolved_at is None:
            entry.streak += 1
            if entry.streak >= RESOLVE_STREAK:
                entry.resolved_at = now
            db.session.flush()
        return entry
    if entry is None:
        entry = WrongAnswer(member_id=member_id, question_id=question_id, wrong_count=0)
        db.session.add(entry)
    entry.origin = origin.value
    entry.wrong_count += 1
    entry.streak = 0
    entry.resolved_at = None
    entry.last_wrong_at = now
    db.session.flush()
    return entry


def record_wrong_answers(
    member_id: int, question_ids: list[int], origin: Origin, now: datetime
) -> None:
    """Open (or reopen) wrong-answer entries for several questions at once.

    Attempt grading calls this: one read of the existing entries, then one bulk insert and
    one bulk update, whatever the number of wrong answers.
    """
    origin = Origin(origin)  # ValueError for an unknown origin
    if not question_ids:
        return
    existing = dict(
        db.session.execute(
            select(WrongAnswer.question_id, WrongAnswer.wrong_count).where(
                WrongAnswer.member_id == member_id, WrongAnswer.question_id.in_(question_ids)
            )
        ).all()
    )
    fresh = [
        {
            "member_id": member_id,
            "question_id": q,
            "origin": origin.value,
            "wrong_count": 1,
            "streak": 0,
            "last_wrong_at": now,
            "resolved_at": None,
        }
        for q in dict.fromkeys(question_ids)
        if q not in existing
    ]
    again = [
        {
            "member_id": member_id,
            "question_id": q,
            "origin": origin.value,
            "wrong_count": count + 1,
            "streak": 0,
            "last_wrong_at": now,
            "resolved_at": None,
        }
        for q, count in existing.items()
    ]
    if fresh:
        db.session.execute(insert(WrongAnswer), fresh)
    if again:
        db.session.execute(update(WrongAnswer), again)
