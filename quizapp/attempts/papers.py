"""Papers: drawn ahead of a quiz for each member of its audience, claimed at the start.

When a bureau sets one exam for everyone at the same hour, two thousand members start it
within a minute. Drawing a paper then (one query per draw rule over the bank) made each
start the costliest request of the day. The scheduler's ``prepare_papers`` job draws every
audience member's paper while the quiz is upcoming, in one query per rule for all of them;
a start claims its member's paper with one statement and falls back to drawing one when
there is none (a member added to the audience since, a second attempt, a quiz published
minutes before it opens).
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, insert, select

from quizapp import db
from quizapp.audiences.services import member_filter
from quizapp.bank.models import Question
from quizapp.errors import DomainError
from quizapp.members.models import Member
from quizapp.org.models import Branch
from quizapp.quizzes import reservations
from quizapp.quizzes.attempt_models import Attempt, PreparedPaper
from quizapp.quizzes.draw import draw_question_ids
from quizapp.quizzes.models import Quiz, QuizStatus

log = logging.getLogger(__name__)

#: Papers are drawn for the quizzes open now and those opening within this time.
AHEAD = timedelta(days=2)
#: Papers drawn in one run of the job at most (one transaction per quiz); the next run
#: draws the rest, so one run never keeps the scheduler busy for long.
BATCH = 20_000

_papers = PreparedPaper.__table__
_questions = Question.__table__


@dataclass(frozen=True)
class PaperQuestion:
    """What a start needs to know of a question on the paper."""

    id: int
    type: str
    option_count: int


def load_paper(question_ids: list[int]) -> list[PaperQuestion] | None:
    """Return the paper's questions in order, or None if one is gone, deactivated or
    suspended by error reports (暂停抽题)."""
    rows = {
        row.id: row
        for row in db.session.connection().execute(
            select(
                _questions.c.id,
                _questions.c.type,
                _questions.c.options,
                _questions.c.is_active,
                _questions.c.suspended_at,
            ).where(_questions.c.id.in_(question_ids))
        )
    }
    if len(rows) != len(set(question_ids)) or not all(
        r.is_active and r.suspended_at is None for r in rows.values()
    ):
        return None
    return [PaperQuestion(i, rows[i].type, len(rows[i].options or [])) for i in question_ids]


def claim_paper(quiz: Quiz, member_id: int) -> list[PaperQuestion] | None:
    """Take the member's prepared paper (one statement), or None when there is none usable.

    The claim is part of the start's transaction: a start that fails gives the paper back.
    """
    question_ids = (
        db.session.connection()
        .execute(
            delete(_papers)
            .where(_papers.c.quiz_id == quiz.id, _papers.c.member_id == member_id)
            .returning(_papers.c.question_ids)
        )
        .scalar()
    )
    if not question_ids:
        return None
    return load_paper(question_ids)


def paper_for(
    quiz: Quiz, member_id: int, rng: random.Random, *, fresh: bool = False
) -> list[PaperQuestion]:
    """Return the member's prepared paper, or one drawn now; ``fresh`` (a 缓考 or 补考
    sitting, quizapp.deferrals) always draws, leaving any prepared paper unclaimed."""
    return (None if fresh else claim_paper(quiz, member_id)) or draw_now(quiz, rng)


def draw_now(quiz: Quiz, rng: random.Random) -> list[PaperQuestion]:
    """Draw a paper at the start, when none was prepared (an exam's paper is reserved)."""
    paper = load_paper(draw_question_ids(quiz, rng)[0])
    if paper is None:  # a question was deactivated between the two reads: draw again
        paper = load_paper(draw_question_ids(quiz, rng)[0])
    if paper is None:
        raise DomainError("题库正在调整，请稍后重试。")
    reservations.reserve(quiz, [q.id for q in paper])
    return paper


def members_without_paper(quiz: Quiz, limit: int) -> list[int]:
    """Return ids of the quiz's audience members with neither a prepared paper nor an attempt."""
    return list(
        db.session.scalars(
            select(Member.id)
            .join(Branch, Branch.id == Member.branch_id)
            .where(
                member_filter(quiz.audience),
                ~exists().where(
                    and_(PreparedPaper.quiz_id == quiz.id, PreparedPaper.member_id == Member.id)
                ),
                ~exists().where(and_(Attempt.quiz_id == quiz.id, Attempt.member_id == Member.id)),
            )
            .order_by(Member.id)
            .limit(limit)
        )
    )


def prepare_papers(now: datetime, limit: int = BATCH, rng: random.Random | None = None) -> str:
    """Draw a paper for every audience member of each quiz open now or opening soon.

    Idempotent: members who have a paper or have started are left alone. A quiz whose bank
    can no longer fill its rules is skipped (its members see the error when they start).
    """
    rng = rng or random.SystemRandom()
    removed = discard_closed(now)
    db.session.commit()
    quizzes = list(
        db.session.scalars(
            select(Quiz)
            .where(
                Quiz.status == QuizStatus.PUBLISHED.value,
                Quiz.closes_at > now,
                Quiz.opens_at <= now + AHEAD,
            )
            .order_by(Quiz.opens_at, Quiz.id)
        )
    )
    drawn, skipped = 0, []
    for quiz in quizzes:
        if drawn >= limit:
            break
        member_ids = members_without_paper(quiz, limit - drawn)
        if not member_ids:
            continue
        try:
            papers = draw_question_ids(quiz, rng, len(member_ids))
        except DomainError:
            log.warning("quiz %s: the bank cannot fill its draw rules; no papers drawn", quiz.id)
            skipped.append(quiz.id)
            continue
        db.session.execute(
            insert(_papers),
            [
                {"quiz_id": quiz.id, "member_id": member_id, "question_ids": paper, "drawn_at": now}
                for member_id, paper in zip(member_ids, papers)
            ],
        )
        reservations.reserve(quiz, {q for paper in papers for q in paper})
        db.session.commit()
        drawn += len(member_ids)
    summary = (
        f"{drawn} papers drawn ahead for {len(quizzes)} open or upcoming quizzes; "
        f"{removed} unclaimed papers of closed quizzes removed"
    )
    if skipped:
        summary += f"; skipped (bank too small): quizzes {', '.join(map(str, skipped))}"
    return summary


def discard_closed(now: datetime) -> int:
    """Delete the unclaimed papers of quizzes that have closed; return how many."""
    closed = select(Quiz.id).where(Quiz.closes_at <= now).scalar_subquery()
    return db.session.execute(
        delete(PreparedPaper)
        .where(PreparedPaper.quiz_id.in_(closed))
        .execution_options(synchronize_session=False)
    ).rowcount
