"""Asking for 缓考, deciding on it, and granting 补考 or extra time (flush only).

Members ask for themselves (the quiz is theirs to sit, not yet handed in, not yet over);
organisers who manage the quiz's owner branch (the owner and every level above it,
``access.can_manage_branch``) decide, and are recorded with the time and their reason.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from quizapp import access, db
from quizapp.audiences.services import is_in_audience
from quizapp.clock import format_datetime
from quizapp.deferrals.models import (
    DeferralReason,
    ExceptionKind,
    ExceptionStatus,
    QuizException,
)
from quizapp.deferrals.queries import has_handed_in
from quizapp.deferrals.terms import lapsed
from quizapp.errors import DomainError, NotFound, refuse
from quizapp.members.models import Member
from quizapp.notices.models import NoticeKind
from quizapp.notices.services import NoticeDraft, app_path, send_notices
from quizapp.quizzes.attempt_models import Attempt, AttemptStatus
from quizapp.quizzes.models import Quiz
from quizapp.windows import window_problems

TEXT_MAX = 200
#: A personal window may last at most this long.
LONGEST_WINDOW = timedelta(days=60)
MOST_EXTRA_ATTEMPTS = 10
MOST_EXTRA_MINUTES = 600
#: A member whose approved 缓考 lapsed (terms.lapsed) has sat: no second request.
LAPSED_REFUSAL = "批准前您已开始答题，本次缓考未生效，不能再申请缓考。"
#: Why a member may not ask: also what the request page says in place of its form.
ENDED_REFUSAL = "该测试已经结束，不能再申请缓考。"
HANDED_IN_REFUSAL = "您已交卷，不能再申请缓考。"
#: A decision on a request no longer pending (withdrawn, or decided by another organiser).
ALREADY_DECIDED = "该申请已经处理。"


def _attempts(quiz: Quiz, member_id: int, status: AttemptStatus) -> int:
    return db.session.scalar(
        select(func.count()).where(
            Attempt.quiz_id == quiz.id,
            Attempt.member_id == member_id,
            Attempt.status == status.value,
        )
    )


def _text(value: str | None, what: str, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"请填写{what}。")
    if len(value) > TEXT_MAX:
        raise DomainError(f"{what}不能超过 {TEXT_MAX} 字。")
    return value


def _check_window(
    quiz: Quiz, opens_at: datetime | None, closes_at: datetime | None, now: datetime
) -> None:
    """Refuse a personal window that is missing a bound, empty, over or too long, or that
    opens before the quiz does: a 缓考 or 补考 is a later sitting, never an earlier one."""
    if opens_at is None or closes_at is None:
        raise DomainError("请填写个人考试的开始和结束时间。")
    opening = (quiz.opens_at, f"本{quiz.kind_enum.label}的开始时间")
    problems = window_problems(opens_at, closes_at, now=now, not_before=opening)
    if closes_at - opens_at > LONGEST_WINDOW:
        problems.append(f"个人考试时间最长 {LONGEST_WINDOW.days} 天")
    refuse(problems)


# The member


def request_deferral(
    member: Member, quiz: Quiz, reason: str, text: str | None, now: datetime
) -> QuizException:
    """Ask for 缓考: before or during the quiz's window, not after handing in a paper."""
    if not quiz.is_published or not is_in_audience(member, quiz.audience_id):
        raise NotFound("没有找到该测试，或您不在参加范围内。")
    if reason not in {r.value for r in DeferralReason}:
        raise DomainError("请选择缓考原因。")
    words = _text(text, "缓考原因说明", required=reason == DeferralReason.OTHER)
    if now >= quiz.closes_at:
        raise DomainError(ENDED_REFUSAL)
    if has_handed_in(quiz, member.id):
        raise DomainError(HANDED_IN_REFUSAL)
    mine = db.session.execute(
        select(QuizException.status, lapsed()).where(
            QuizException.quiz_id == quiz.id,
            QuizException.member_id == member.id,
            QuizException.kind == ExceptionKind.DEFERRAL.value,
            QuizException.status.in_(
                [ExceptionStatus.PENDING.value, ExceptionStatus.APPROVED.value]
            ),
        )
    ).first()
    if mine is not None:
        status, was_lapsed = mine
        if status == ExceptionStatus.PENDING:
            raise DomainError("您的缓考申请正在审批中。")
        raise DomainError(LAPSED_REFUSAL if was_lapsed else "您的缓考申请已获批准。")
    row = QuizException(
        quiz_id=quiz.id,
        member_id=member.id,
        kind=ExceptionKind.DEFERRAL.value,
        status=ExceptionStatus.PENDING.value,
        reason=reason,
        reason_text=words,
        requested_at=now,
    )
    db.session.add(row)
    db.session.flush()  # a second pending request meets the unique index (409)
    return row


def withdraw_deferral(member: Member, row: QuizException, now: datetime) -> QuizException:
    """Withdraw one's own pending 缓考 request."""
    if row.member_id != member.id or row.kind != ExceptionKind.DEFERRAL:
        raise NotFound("没有找到该缓考申请。")
    if not row.is_pending:
        raise DomainError("该申请已经处理，不能撤回。")
    row.status = ExceptionStatus.WITHDRAWN.value
    row.decided_at = now
    db.session.flush()
    return row


# The organiser


def _check_manager(actor: Member, quiz: Quiz) -> None:
    if not access.can_manage_branch(actor, quiz.owner_branch):
        raise NotFound("没有找到该测试。")


def _tell(row: QuizException, title: str, body: str, now: datetime) -> None:
    send_notices(
        [
            NoticeDraft(
                member_id=row.member_id,
                kind=NoticeKind.EXAM_EXCEPTION,
                title=title,
                body=body,
                dedupe_key=f"exception:{row.id}:{row.status}",
                link=app_path("attempts.quiz", quiz_id=row.quiz_id),
            )
        ],
        now,
    )


def approve_deferral(
    actor: Member,
    row: QuizException,
    opens_at: datetime | None,
    closes_at: datetime | None,
    note: str | None,
    now: datetime,
) -> QuizException:
    """Approve a pending 缓考 with a personal window (it may start after the quiz closed)."""
    quiz = row.quiz
    _check_manager(actor, quiz)
    if not row.is_pending or row.kind != ExceptionKind.DEFERRAL:
        raise DomainError(ALREADY_DECIDED)
    _check_window(quiz, opens_at, closes_at, now)
    note = _text(note, "备注", required=False)
    # These checks only read: a start committing meanwhile makes the 缓考 lapse instead
    # (terms.lapsed), without costing every exam start a lock.
    if has_handed_in(quiz, row.member_id):
        raise DomainError("该党员已经交卷，不能再批准缓考；如需重考请使用补考。")
    if _attempts(quiz, row.member_id, AttemptStatus.IN_PROGRESS):
        raise DomainError("该党员正在答题，不能批准缓考；交卷后如需重考请使用补考。")
    row.status = ExceptionStatus.APPROVED.value
    row.window_opens_at, row.window_closes_at = opens_at, closes_at
    row.decided_by_id, row.decided_at, row.decision_note = actor.id, now, note
    quiz.has_member_exceptions = True
    db.session.flush()
    window = f"{format_datetime(opens_at)} 至 {format_datetime(closes_at)}"
    _tell(row, f"缓考申请已批准：{quiz.title}", f"请在 {window}（北京时间）参加考试。", now)
    return row


def refuse_deferral(
    actor: Member, row: QuizException, note: str | None, now: datetime
) -> QuizException:
    """Refuse a pending 缓考, with the reason the member is told."""
    _check_manager(actor, row.quiz)
    if not row.is_pending or row.kind != ExceptionKind.DEFERRAL:
        raise DomainError(ALREADY_DECIDED)
    row.decision_note = _text(note, "不批准的理由", required=True)
    row.status = ExceptionStatus.REFUSED.value
    row.decided_by_id, row.decided_at = actor.id, now
    db.session.flush()
    body = f"理由：{row.decision_note}。请按测试原定时间参加。"
    _tell(row, f"缓考申请未获批准：{row.quiz.title}", body, now)
    return row


def grant_extra(
    actor: Member,
    quiz: Quiz,
    member: Member,
    *,
    attempts: int | None,
    minutes: int | None,
    opens_at: datetime | None,
    closes_at: datetime | None,
    reason: str | None,
    now: datetime,
) -> list[QuizException]:
    """Grant one member 补考 (extra attempts, optionally in a window of its own) and/or extra
    minutes on the time limit; who, when and why are recorded."""
    _check_manager(actor, quiz)
    if not quiz.is_published or not is_in_audience(member, quiz.audience_id):
        raise DomainError("该党员不在本测试的参加范围内。")
    words = _text(reason, "原因", required=True)
    problems = []
    if not attempts and not minutes:
        problems.append("请填写补考次数或延长的分钟数")
    if attempts is not None and not 1 <= attempts <= MOST_EXTRA_ATTEMPTS:
        problems.append(f"补考次数应为 1 至 {MOST_EXTRA_ATTEMPTS}")
    if minutes is not None and not 1 <= minutes <= MOST_EXTRA_MINUTES:
        problems.append(f"延长时间应为 1 至 {MOST_EXTRA_MINUTES} 分钟")
    if minutes and not quiz.time_limit_minutes:
        problems.append("本测试不限答题时长，无需延长时间")
    if (opens_at or closes_at) and not attempts:
        problems.append("个人考试时间只用于补考，请同时填写补考次数")
    refuse(problems)
    if opens_at or closes_at:
        _check_window(quiz, opens_at, closes_at, now)
    rows = []
    base = dict(
        quiz_id=quiz.id,
        member_id=member.id,
        status=ExceptionStatus.APPROVED.value,
        reason_text=words,
        requested_at=now,
        decided_by_id=actor.id,
        decided_at=now,
    )
    if attempts:
        rows.append(
            QuizException(
                **base,
                kind=ExceptionKind.MAKEUP.value,
                extra_attempts=attempts,
                window_opens_at=opens_at,
                window_closes_at=closes_at,
            )
        )
    if minutes:
        rows.append(
            QuizException(**base, kind=ExceptionKind.EXTRA_TIME.value, extra_minutes=minutes)
        )
    db.session.add_all(rows)
    quiz.has_member_exceptions = True
    db.session.flush()
    for row in rows:
        if row.kind == ExceptionKind.MAKEUP:
            when = (
                f"，时间 {format_datetime(opens_at)} 至 {format_datetime(closes_at)}（北京时间）"
                if opens_at
                else ""
            )
            body = f"增加 {attempts} 次答题机会{when}。原因：{words}"
        else:
            body = f"答题时长延长 {minutes} 分钟。原因：{words}"
        _tell(row, f"{row.kind_enum.label}：{quiz.title}", body, now)
    return rows
