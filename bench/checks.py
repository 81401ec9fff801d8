"""After an exam-day run: compare what the server acknowledged with what the database holds.

- lost answer: the stored ``seq`` of a question is lower than one the server acknowledged;
- changed answer: the stored response is not the one the client sent with the stored ``seq``;
- submitted twice: an acknowledged submit whose stored time or score differs from what the
  server answered, or a member with more than one attempt at the exam;
- overdue in progress: an attempt past its deadline (and the grace) not yet submitted.

Every count must be 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from bench.scenario import Taker
from quizapp import db
from quizapp.attempts.services import GRACE
from quizapp.quizzes.attempt_models import Attempt, AttemptAnswer


@dataclass
class Verdict:
    answers_checked: int = 0
    lost: int = 0
    changed: int = 0
    submits_checked: int = 0
    submitted_twice: int = 0
    overdue_in_progress: int = 0
    auto_submitted: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.changed or self.submitted_twice or self.overdue_in_progress)

    def note(self, text: str) -> None:
        if len(self.examples) < 10:
            self.examples.append(text)

    def lines(self) -> list[str]:
        return [
            f"answers acknowledged and checked: {self.answers_checked}",
            f"lost answers: {self.lost}",
            f"changed answers: {self.changed}",
            f"acknowledged submits checked: {self.submits_checked}",
            f"submitted twice / changed after submit: {self.submitted_twice}",
            f"attempts past their deadline still in progress: {self.overdue_in_progress}",
            f"attempts submitted by the deadline job or on a later request: {self.auto_submitted}",
            *[f"  e.g. {e}" for e in self.examples],
        ]


def _same(a: object, b: object) -> bool:
    return a == b or (
        isinstance(a, list | tuple) and isinstance(b, list | tuple) and list(a) == list(b)
    )


def verify(takers: list[Taker], quiz_id: int, now: datetime) -> Verdict:
    """Check every acknowledged answer and submit against the database (an app context)."""
    verdict = Verdict()
    by_attempt = {t.attempt_id: t for t in takers if t.attempt_id is not None}
    stored: dict[tuple[int, int], tuple[int, object]] = {}
    for attempt_id, question_id, seq, response in db.session.execute(
        select(
            AttemptAnswer.attempt_id,
            AttemptAnswer.question_id,
            AttemptAnswer.seq,
            AttemptAnswer.response,
        )
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .where(Attempt.quiz_id == quiz_id)
    ):
        stored[(attempt_id, question_id)] = (seq, response)
    for attempt_id, taker in by_attempt.items():
        for qid, acked_seq in taker.acked.items():
            verdict.answers_checked += 1
            seq, response = stored.get((attempt_id, qid), (0, None))
            if seq < acked_seq:
                verdict.lost += 1
                verdict.note(
                    f"attempt {attempt_id} question {qid}: acknowledged seq "
                    f"{acked_seq}, stored {seq}"
                )
            elif not _same(taker.sent.get((qid, seq), object()), response):
                verdict.changed += 1
                verdict.note(
                    f"attempt {attempt_id} question {qid} seq {seq}: stored "
                    f"{response!r}, sent {taker.sent.get((qid, seq))!r}"
                )

    attempts = {
        a.id: a for a in db.session.scalars(select(Attempt).where(Attempt.quiz_id == quiz_id))
    }
    for attempt_id, taker in by_attempt.items():
        if taker.submitted is None:
            continue
        verdict.submits_checked += 1
        attempt = attempts[attempt_id]
        submitted_at, score = taker.submitted
        if (
            attempt.status != "submitted"
            or attempt.submitted_at != datetime.fromisoformat(submitted_at)
            or (score is not None and attempt.score != score)
        ):
            verdict.submitted_twice += 1
            verdict.note(
                f"attempt {attempt_id}: acknowledged {taker.submitted}, stored "
                f"{attempt.status} {attempt.submitted_at} {attempt.score}"
            )
    verdict.submitted_twice += db.session.scalar(
        select(func.count()).select_from(
            select(Attempt.member_id)
            .where(Attempt.quiz_id == quiz_id)
            .group_by(Attempt.member_id)
            .having(func.count() > 1)
            .subquery()
        )
    )
    for attempt in attempts.values():
        if attempt.status == "in_progress" and attempt.deadline_at + GRACE < now:
            verdict.overdue_in_progress += 1
            verdict.note(f"attempt {attempt.id}: deadline {attempt.deadline_at}, in progress")
        verdict.auto_submitted += bool(attempt.auto_submitted)
    return verdict
