"""Rules of practice and daily questions (每日答题); answers are booked in the wrong-answer
book (:mod:`quizapp.wrongbook.services`).

Every function takes the member and ``now``, flushes but never commits, and raises
DomainError (AnswerFormatError for a response that does not fit the question) in Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from quizapp import db
from quizapp.bank.models import Question
from quizapp.bank.types import AnswerFormatError, get_type
from quizapp.clock import china_today
from quizapp.errors import Conflict, DomainError, NotFound
from quizapp.members.models import Member
from quizapp.practice.models import DailyQuestion
from quizapp.practice.queries import (
    get_practisable_question,
    list_daily_questions,
    practisable,
)
from quizapp.wrongbook.models import Origin, WrongAnswer
from quizapp.wrongbook.services import record_result

#: Daily questions per member per China day.
DAILY_COUNT = 5


class NotTodaysQuestion(NotFound):
    """The question is not among the member's daily questions of today (404)."""


class AlreadyAnswered(Conflict):
    """Today's daily question was answered already (409)."""


@dataclass
class Graded:
    """A member's response to one question, read and graded."""

    question: Question
    response: Any
    is_correct: bool
    #: Per part of the answer, whether it was right (fill-in questions: per blank).
    blanks: list[bool] | None = None


@dataclass
class Result:
    """What the member sees after answering: the grading and the wrong-answer book's state."""

    graded: Graded
    #: The member's entry for this question after the answer (None: never got it wrong).
    entry: WrongAnswer | None


def _is_blank(response: Any) -> bool:
    if response is None:
        return True
    if isinstance(response, list):
        return all(
            item is None or (isinstance(item, str) and not item.strip()) for item in response
        )
    return False


def grade_response(question: Question, raw: Any) -> Graded:
    """Read ``raw`` as a response to ``question`` and grade it (full marks: correct)."""
    if _is_blank(raw):
        raise AnswerFormatError("请先作答再提交。")
    qtype = get_type(question.type)
    response = qtype.parse_response(raw, question.options, question.stem)
    is_correct = qtype.grade(question.answer, response, 1) >= 1
    return Graded(question, response, is_correct, blank_marks(question, response))


def blank_marks(question: Question, response: Any) -> list[bool] | None:
    """Tell, per blank of a fill-in question (part of the answer), whether it was right."""
    return get_type(question.type).part_marks(question.answer, response)


def answer_practice(member: Member, question: Question, raw: Any, now: datetime) -> Result:
    """Grade a practice answer (by category or from the wrong-answer book) and book it."""
    if not question.is_active:
        raise DomainError("这道题已停用，请换一题。")
    graded = grade_response(question, raw)
    entry = record_result(member.id, question.id, graded.is_correct, Origin.PRACTICE, now)
    return Result(graded, entry)


# --- daily questions ---------------------------------------------------------------------


def _random_practisable_ids(member: Member, limit: int, exclude: Select | list[int]) -> list[int]:
    """Pick up to ``limit`` ids of questions the member may practise, leaving out ``exclude``."""
    if limit <= 0:
        return []
    query = select(Question.id).where(practisable(member), Question.id.not_in(exclude))
    return list(db.session.scalars(query.order_by(func.random()).limit(limit)))


def _draw(member: Member) -> list[tuple[int, int]]:
    """Choose today's (question id, cycle) pairs: none repeats until every one was drawn."""
    cycle = (
        db.session.scalar(
            select(func.max(DailyQuestion.cycle)).where(DailyQuestion.member_id == member.id)
        )
        or 1
    )
    drawn_in_cycle = select(DailyQuestion.question_id).where(
        DailyQuestion.member_id == member.id, DailyQuestion.cycle == cycle
    )
    chosen = [(qid, cycle) for qid in _random_practisable_ids(member, DAILY_COUNT, drawn_in_cycle)]
    if len(chosen) < DAILY_COUNT:
        # The bank runs out in this cycle: start the next one for the rest of today's draw,
        # without repeating a question within the day.
        taken = [qid for qid, _ in chosen]
        chosen += [
            (qid, cycle + 1)
            for qid in _random_practisable_ids(member, DAILY_COUNT - len(chosen), taken)
        ]
    return chosen


def draw_daily_questions(member: Member, now: datetime) -> list[DailyQuestion]:
    """Return the member's questions of the China day at ``now``, drawing them once.

    The same questions come back on a refresh or another device. Two requests drawing at
    once collide on the primary key; the loser's insert is undone (a savepoint, so nothing
    else in the transaction is) and it reads the winner's draw.
    """
    day = china_today(now)
    rows = list_daily_questions(member.id, day)
    if rows:
        return rows
    rows = [
        DailyQuestion(member_id=member.id, day=day, position=position, question_id=qid, cycle=cycle)
        for position, (qid, cycle) in enumerate(_draw(member), start=1)
    ]
    if not rows:
        return []  # an empty bank: nothing to draw today, try again on the next visit
    try:
        with db.savepoint():
            db.session.add_all(rows)
    except IntegrityError:
        # A double tap or a second device drew first: keep that draw.
        return list_daily_questions(member.id, day)
    return rows


def answer_daily_question(member: Member, question_id: int, raw: Any, now: datetime) -> Result:
    """Grade the member's answer to one of today's questions; each is answered once."""
    day = china_today(now)
    row = db.session.scalar(
        select(DailyQuestion)
        .where(
            DailyQuestion.member_id == member.id,
            DailyQuestion.day == day,
            DailyQuestion.question_id == question_id,
        )
        .options(joinedload(DailyQuestion.question))
    )
    if row is None:
        raise NotTodaysQuestion("这道题不在您今天的每日答题中，请刷新页面。")
    if row.answered_at is not None:
        raise AlreadyAnswered("这道题今天已经答过了，不能重复作答。")
    if get_practisable_question(member, question_id) is None:
        # Drawn this morning, used by an exam since (or on the member's running paper).
        raise NotTodaysQuestion("这道题目前用于考试，暂时不能作答，请明天再来。")
    graded = grade_response(row.question, raw)
    # Conditional update: of two requests racing with the same answer, only one counts.
    done = db.session.execute(
        update(DailyQuestion)
        .where(
            DailyQuestion.member_id == member.id,
            DailyQuestion.day == day,
            DailyQuestion.position == row.position,
            DailyQuestion.answered_at.is_(None),
        )
        .values(response=graded.response, is_correct=graded.is_correct, answered_at=now)
    )
    if done.rowcount != 1:
        raise AlreadyAnswered("这道题今天已经答过了，不能重复作答。")
    entry = record_result(member.id, question_id, graded.is_correct, Origin.DAILY, now)
    return Result(graded, entry)
