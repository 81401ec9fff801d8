"""Regrading (复核改分) a question's answers on the submitted attempts of chosen quizzes.

After the owner corrects a question's key, :func:`plan_regrade` works out what the current
key gives each submitted answer (the preview), and :func:`apply_regrade` writes it: the
answer's mark, the attempt's score and pass/fail, one audit row per changed attempt, the
points of a pass won or lost (quizapp.points), and a notice to each member whose score
changed. Rankings, results, participation and campaign progress read the attempts, so they
follow. Attempts in progress are never touched: they grade with the current key at submit.

By default a regrade never lowers: an answer the new key marks lower keeps its old mark.

Both walk the answers in batches of BATCH attempts (keyset on the attempt id): per batch one
read and, when applying, three bulk writes, whatever the number of attempts; points and
notices add a fixed number of statements per batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, select, update

from quizapp import access, db
from quizapp.bank import versions
from quizapp.bank.models import Question
from quizapp.bank.services import can_edit_question
from quizapp.bank.types import get_type
from quizapp.errors import DomainError, NotFound, Stale
from quizapp.members.models import Member
from quizapp.quizzes.attempt_models import Attempt, AttemptAnswer, AttemptStatus
from quizapp.quizzes.models import Quiz
from quizapp.regrade import rewards
from quizapp.regrade.models import Regrade, RegradeChange

BATCH = 500


@dataclass
class Change:
    """What the current key does to one submitted attempt."""

    attempt_id: int
    member_id: int
    quiz_id: int
    old_mark: float
    new_mark: float
    old_score: float
    new_score: float
    old_passed: bool
    new_passed: bool


@dataclass
class Effect:
    """What a regrade does to one quiz's submitted attempts with the question."""

    quiz: Quiz
    attempts: int = 0
    raised: int = 0
    lowered: int = 0
    #: Answers the new key marks lower, kept at their old mark (不降分).
    kept: int = 0
    passes_won: int = 0
    passes_lost: int = 0
    #: Handed in, waiting to be marked by hand: left for a later regrade.
    waiting: int = 0

    @property
    def changed(self) -> int:
        return self.raised + self.lowered


@dataclass
class Plan:
    """The preview of a regrade."""

    question: Question
    version: int
    may_lower: bool
    effects: list[Effect] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(e.changed for e in self.effects)


def quiz_scope(actor: Member):
    """SQL condition on Quiz: the actor manages it (its owner is in their subtree)."""
    return access.owned_within(actor, Quiz.owner_branch_id)


def check_question(actor: Member, question: Question) -> None:
    """Refuse a question the actor may not correct (404, as if missing) or not grade again."""
    if not can_edit_question(actor, question):
        raise NotFound("没有找到该题目。")
    # A type marked by hand (auto_graded False, the 简答 type) has no key to grade with.
    if not getattr(get_type(question.type), "auto_graded", True):
        raise DomainError("人工阅卷的题目不能自动重新评分，请在阅卷中修改。")


def _chosen_quizzes(actor: Member, question: Question, quiz_ids: list[int]) -> list[Quiz]:
    """Return the chosen quizzes the actor manages that used the question; refuse others."""
    if not quiz_ids:
        raise DomainError("请至少选择一项测试。")
    used = (
        select(Attempt.quiz_id).join(AttemptAnswer).where(AttemptAnswer.question_id == question.id)
    )
    quizzes = list(
        db.session.scalars(
            select(Quiz)
            .where(Quiz.id.in_(quiz_ids), quiz_scope(actor), Quiz.id.in_(used))
            .order_by(Quiz.opens_at.desc(), Quiz.id)
        )
    )
    if len(quizzes) != len(set(quiz_ids)):
        raise DomainError("所选测试中有的不存在、未用到这道题或不由您管理，请重新选择。")
    return quizzes


def _batches(question: Question, quizzes: list[Quiz]):
    """Yield the handed-in answers to the question in the quizzes, BATCH attempts at a time."""
    last = 0
    while True:
        rows = db.session.execute(
            select(
                Attempt.id,
                Attempt.member_id,
                Attempt.quiz_id,
                Attempt.score,
                Attempt.max_score,
                Attempt.passed,
                AttemptAnswer.response,
                AttemptAnswer.points,
                AttemptAnswer.mark,
            )
            .join(AttemptAnswer, AttemptAnswer.attempt_id == Attempt.id)
            .where(
                AttemptAnswer.question_id == question.id,
                Attempt.quiz_id.in_([q.id for q in quizzes]),
                Attempt.status != AttemptStatus.IN_PROGRESS.value,
                Attempt.id > last,
            )
            .order_by(Attempt.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _changes(question: Question, quizzes: dict[int, Quiz], rows, may_lower: bool, effects):
    """Grade each row with the current key; return the changes, counting them in ``effects``."""
    qtype = get_type(question.type)
    changes = []
    for row in rows:
        quiz = quizzes[row.quiz_id]
        effect = effects[row.quiz_id]
        if row.score is None:
            # Handed in but still being marked by hand (待阅卷): no score to correct yet. A
            # regrade run after the marking ends finds it (a run changes only what differs).
            effect.waiting += 1
            continue
        effect.attempts += 1
        old = row.mark or 0.0
        new = qtype.grade(question.answer, row.response, row.points, quiz.partial_credit)
        if new < old and not may_lower:
            effect.kept += 1
            continue
        if new == old:
            continue
        score = round(row.score - old + new, 2)
        passed = quiz.passes(score, row.max_score)
        change = Change(
            row.id, row.member_id, row.quiz_id, old, new, row.score, score, bool(row.passed), passed
        )
        changes.append(change)
        if new > old:
            effect.raised += 1
        else:
            effect.lowered += 1
        effect.passes_won += passed and not change.old_passed
        effect.passes_lost += change.old_passed and not passed
    return changes


def plan_regrade(actor: Member, question: Question, quiz_ids: list[int], may_lower: bool) -> Plan:
    """Work out, without writing, what regrading the chosen quizzes would change."""
    check_question(actor, question)
    quizzes = _chosen_quizzes(actor, question, quiz_ids)
    plan = Plan(question, versions.current_number(question.id), may_lower)
    effects = {q.id: Effect(q) for q in quizzes}
    by_id = {q.id: q for q in quizzes}
    for rows in _batches(question, quizzes):
        _changes(question, by_id, rows, may_lower, effects)
    plan.effects = list(effects.values())
    return plan


def apply_regrade(
    actor: Member,
    question: Question,
    quiz_ids: list[int],
    may_lower: bool,
    version: int,
    now: datetime,
) -> Regrade | None:
    """Regrade the chosen quizzes with the question's current key (``version``, the one the
    organiser previewed); return the audit record, or None when nothing changed (idempotent:
    a second run finds every mark already right)."""
    check_question(actor, question)
    # Two organisers (or a double tap) regrading at once: the second waits, then finds the
    # marks written (PostgreSQL row lock; SQLite writes one transaction at a time anyway).
    db.session.execute(select(Question.id).where(Question.id == question.id).with_for_update())
    if versions.current_number(question.id) != version:
        raise Stale("预览之后题目又被修改过，请重新预览。")
    quizzes = _chosen_quizzes(actor, question, quiz_ids)
    by_id = {q.id: q for q in quizzes}
    effects = {q.id: Effect(q) for q in quizzes}
    regrade = None
    for rows in _batches(question, quizzes):
        changes = _changes(question, by_id, rows, may_lower, effects)
        if not changes:
            continue
        if regrade is None:
            regrade = Regrade(
                question_id=question.id,
                version=version,
                quiz_ids=[q.id for q in quizzes],
                may_lower=may_lower,
                created_by_id=actor.id,
                created_at=now,
                raised=0,
                lowered=0,
            )
            db.session.add(regrade)
            db.session.flush()
        _write(regrade, question, changes)
        rewards.follow(regrade, by_id, changes, now)
    if regrade is not None:
        regrade.raised = sum(e.raised for e in effects.values())
        regrade.lowered = sum(e.lowered for e in effects.values())
        db.session.flush()
    return regrade


def _write(regrade: Regrade, question: Question, changes: list[Change]) -> None:
    """Write one batch: the marks, the attempts' scores and pass/fail, the audit rows."""
    db.session.execute(
        update(AttemptAnswer),
        [
            {"attempt_id": c.attempt_id, "question_id": question.id, "mark": c.new_mark}
            for c in changes
        ],
    )
    db.session.execute(
        update(Attempt),
        [{"id": c.attempt_id, "score": c.new_score, "passed": c.new_passed} for c in changes],
    )
    db.session.execute(
        insert(RegradeChange),
        [
            {
                "regrade_id": regrade.id,
                "attempt_id": c.attempt_id,
                "old_mark": c.old_mark,
                "new_mark": c.new_mark,
                "old_score": c.old_score,
                "new_score": c.new_score,
                "old_passed": c.old_passed,
                "new_passed": c.new_passed,
            }
            for c in changes
        ],
    )
