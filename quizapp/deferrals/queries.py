"""What members and organisers read of exceptions (read only)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, with_expression

from quizapp import access, db
from quizapp.audiences.services import is_in_audience
from quizapp.auth.services import find_by_login_id
from quizapp.clock import format_datetime
from quizapp.deferrals.models import ExceptionKind, ExceptionStatus, QuizException
from quizapp.deferrals.terms import in_force, lapsed
from quizapp.members.models import Member
from quizapp.quizzes.attempt_models import Attempt, AttemptAnswer, AttemptStatus
from quizapp.quizzes.models import Quiz, QuizQuestion


def _managed() -> Select:
    return select(QuizException).join(Quiz, Quiz.id == QuizException.quiz_id)


def get_managed(actor: Member, exception_id: int) -> QuizException:
    """Return an exception of a quiz the actor manages, or 404."""
    return db.get_or_404(
        QuizException,
        exception_id,
        lambda row: access.can_manage_branch(actor, row.quiz.owner_branch),
    )


def get_own(member: Member, exception_id: int) -> QuizException:
    """Return the member's own exception, or 404."""
    return db.get_or_404(QuizException, exception_id, lambda row: row.member_id == member.id)


def list_for_quiz(quiz: Quiz) -> list[QuizException]:
    """Return every exception of the quiz (the caller checked the quiz), pending first."""
    return list(
        db.session.scalars(
            select(QuizException)
            .where(QuizException.quiz_id == quiz.id)
            .options(
                joinedload(QuizException.member),
                joinedload(QuizException.decided_by),
                with_expression(QuizException.is_lapsed, lapsed()),
            )
            .execution_options(populate_existing=True)
            .order_by(
                (QuizException.status != ExceptionStatus.PENDING.value),
                QuizException.requested_at.desc(),
                QuizException.id.desc(),
            )
        ).unique()
    )


def list_pending(actor: Member) -> list[QuizException]:
    """Return the pending 缓考 requests of the quizzes the actor manages, oldest first."""
    return list(
        db.session.scalars(
            _managed()
            .where(
                QuizException.status == ExceptionStatus.PENDING.value,
                access.owned_within(actor, Quiz.owner_branch_id),
            )
            .options(joinedload(QuizException.member), joinedload(QuizException.quiz))
            .order_by(QuizException.requested_at, QuizException.id)
        ).unique()
    )


def count_pending(actor: Member) -> int:
    """Count the pending 缓考 requests the actor may decide on (the navigation's badge)."""
    if access.managed_root(actor) is None:
        return 0
    return db.session.scalar(
        select(func.count())
        .select_from(QuizException)
        .join(Quiz, Quiz.id == QuizException.quiz_id)
        .where(
            QuizException.status == ExceptionStatus.PENDING.value,
            access.owned_within(actor, Quiz.owner_branch_id),
        )
    )


def get_member_quiz(member: Member, quiz_id: int) -> Quiz:
    """Return a published quiz whose audience includes the member, or 404."""
    return db.get_or_404(
        Quiz, quiz_id, lambda quiz: quiz.is_published and is_in_audience(member, quiz.audience_id)
    )


def has_handed_in(quiz: Quiz, member_id: int) -> bool:
    """Tell whether the member handed in a paper of the quiz: scored, or 待阅卷 (a 简答 waiting
    for a mark). No 缓考 is asked for or approved then (``attempts.queries.QuizCard.handed_in``
    says it of the attempts a card holds)."""
    handed_in = select(Attempt.id).where(
        Attempt.quiz_id == quiz.id,
        Attempt.member_id == member_id,
        Attempt.status != AttemptStatus.IN_PROGRESS.value,
    )
    return db.session.scalar(select(handed_in.exists()))


def find_member(actor: Member, login_id: str) -> Member | None:
    """Return the active member whose 警号 or 手机号 is ``login_id``, if ``actor`` may see them
    (someone outside their subtree is "not found", never told apart)."""
    member = find_by_login_id(login_id)
    if member is None or not member.is_active or not access.can_view_member(actor, member):
        return None
    return member


def list_mine(member: Member, quiz: Quiz) -> list[QuizException]:
    """Return the member's exceptions to the quiz, newest first."""
    return list(
        db.session.scalars(
            select(QuizException)
            .where(QuizException.quiz_id == quiz.id, QuizException.member_id == member.id)
            .options(with_expression(QuizException.is_lapsed, lapsed()))
            .execution_options(populate_existing=True)
            .order_by(QuizException.id.desc())
        )
    )


@dataclass(frozen=True)
class MemberState:
    """How a report shows a member's exceptions to a quiz: 缓考 (with reason and window) or
    补考; ``deferred`` while an approved 缓考's window has not ended."""

    label: str
    detail: str
    deferred: bool


def states(quiz_ids: Collection[int], member_ids: Select | Collection[int], now: datetime):
    """Return {(quiz id, member id): MemberState} of the exceptions in force (one query)."""
    found: dict[tuple[int, int], MemberState] = {}
    if not quiz_ids:
        return found
    rows = db.session.scalars(
        select(QuizException)
        .where(
            QuizException.quiz_id.in_(list(quiz_ids)),
            QuizException.member_id.in_(member_ids),
            in_force(),
            QuizException.kind != ExceptionKind.EXTRA_TIME.value,
        )
        .order_by(QuizException.id)
    )
    for row in rows:
        key = (row.quiz_id, row.member_id)
        if row.kind == ExceptionKind.DEFERRAL:
            window = (
                f"{format_datetime(row.window_opens_at)} 至 {format_datetime(row.window_closes_at)}"
            )
            found[key] = MemberState(
                "缓考",
                f"缓考（{row.reason_label}），个人考试时间 {window}",
                now < row.window_closes_at,
            )
        elif key not in found:
            found[key] = MemberState(
                "补考", f"补考 {row.extra_attempts} 次（{row.reason_text}）", False
            )
    return found


def withheld_from_practice(member: Member) -> Select:
    """Return the ids of questions the member may not practise while a 缓考 is pending or
    approved and not yet sat: the quiz's fixed questions and every question on a paper of it
    (what those who sat it saw). Time-independent, so practice needs no clock: a member who
    let the window pass keeps those questions out until an organiser refuses or they sit."""
    waiting = select(QuizException.quiz_id).where(
        QuizException.member_id == member.id,
        QuizException.kind == ExceptionKind.DEFERRAL.value,
        QuizException.status.in_([ExceptionStatus.PENDING.value, ExceptionStatus.APPROVED.value]),
        ~select(Attempt.id)
        .where(
            Attempt.quiz_id == QuizException.quiz_id,
            Attempt.member_id == member.id,
            Attempt.status == AttemptStatus.SUBMITTED.value,
        )
        .exists(),
    )
    on_papers = (
        select(AttemptAnswer.question_id)
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .where(Attempt.quiz_id.in_(waiting))
    )
    fixed = select(QuizQuestion.question_id).where(QuizQuestion.quiz_id.in_(waiting))
    return on_papers.union(fixed)
