"""Reporting an error in a question, and closing reports; the suspension they cause.

What a report may reveal: the page answers 404 for any question the member could not read
(never "this question exists"), and a member may report only

- a question they may practise now (practice, daily questions and the wrong-answer book
  offer nothing else: quizapp.practice.queries.practisable), or
- a question on one of their submitted attempts whose review is open,

never one on the paper of an attempt they have in progress: a running exam's question can't
be reported (so no page or notice about it reaches the member) until they hand it in.

A report filed earlier may be closed while its question is on such a paper, and the
organiser's note often names the key ("正确答案应为B"). So the notice carries the verdict and
a link, never the note; 我的纠错 shows the note only while the member may see the question's
answer (``attempts.review.answer_shown``: practice offers it, or a review of theirs shows it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from quizapp import db
from quizapp.attempts.review import on_reviewed_attempt, running_paper_ids
from quizapp.bank.models import Question
from quizapp.clock import china_day_start, china_today
from quizapp.errors import Conflict, DomainError, NotFound, refuse
from quizapp.members.models import Member
from quizapp.notices.models import NoticeKind
from quizapp.notices.services import NoticeDraft, app_path, send_notices
from quizapp.practice.queries import practisable
from quizapp.reports.models import QuestionReport, ReportOrigin, ReportReason, ReportStatus

MAX_TEXT = 500
MAX_NOTE = 500
#: What a notice says of the note: it may name the key, and a notice can't be taken back
#: when the question lands on a paper later, so only 我的纠错 shows it (when it may).
NOTE_ON_MINE = "\n处理说明请在“我的纠错”中查看。"
#: Reports one member may file per China day (a sane limit against flooding the organisers).
DAILY_LIMIT = 10


@dataclass(frozen=True)
class ReportData:
    """What the member's form says."""

    reason: str
    text: str
    origin: str


def get_reportable_question(member: Member, question_id: int, now: datetime) -> Question:
    """Return the question if ``member`` may report it now; else NotFound, as if missing."""
    question = db.session.scalar(
        select(Question).where(
            Question.id == question_id,
            Question.id.not_in(running_paper_ids(member.id)),
            or_(practisable(member), on_reviewed_attempt(member, now)),
        )
    )
    if question is None:
        raise NotFound("没有找到该题目。")
    return question


def report_problems(data: ReportData) -> list[str]:
    """Return the Chinese reasons why the report can't be filed as written."""
    problems = []
    if data.reason not in {r.value for r in ReportReason}:
        problems.append("请选择问题类型。")
    if data.origin not in {o.value for o in ReportOrigin}:
        problems.append("来源无效。")
    if len(data.text) > MAX_TEXT:
        problems.append(f"说明不能超过 {MAX_TEXT} 字。")
    if data.reason == ReportReason.OTHER and not data.text.strip():
        problems.append("选择“其他”时请写明问题。")
    return problems


def open_report_of(member: Member, question_id: int) -> QuestionReport | None:
    """Return the member's open report of the question, if any."""
    return db.session.scalar(
        select(QuestionReport).where(
            QuestionReport.question_id == question_id,
            QuestionReport.member_id == member.id,
            QuestionReport.status == ReportStatus.OPEN.value,
        )
    )


def file_report(
    member: Member, question_id: int, data: ReportData, now: datetime, suspend_at: int
) -> QuestionReport:
    """File the member's report; suspend the question from draws at ``suspend_at`` open
    reports (0: never)."""
    question = get_reportable_question(member, question_id, now)
    refuse(report_problems(data))
    if open_report_of(member, question.id) is not None:
        raise DomainError("您已报告过这道题，管理员处理后会通知您。")
    today = db.session.scalar(
        select(func.count()).where(
            QuestionReport.member_id == member.id,
            QuestionReport.created_at >= china_day_start(china_today(now)),
        )
    )
    if today >= DAILY_LIMIT:
        raise DomainError(f"每天最多报告 {DAILY_LIMIT} 道题，请明天再来。")
    report = QuestionReport(
        question_id=question.id,
        member_id=member.id,
        reason=data.reason,
        text=data.text.strip(),
        origin=data.origin,
        status=ReportStatus.OPEN.value,
        created_at=now,
        note="",
    )
    try:
        with db.savepoint():
            db.session.add(report)
            db.session.flush()
    except IntegrityError as exc:  # the one open report: a double tap raced this one
        raise Conflict("您已报告过这道题，管理员处理后会通知您。") from exc
    update_suspension(question, now, suspend_at)
    return report


def count_open(question_id: int) -> int:
    """Count the question's open reports."""
    return db.session.scalar(
        select(func.count()).where(
            QuestionReport.question_id == question_id,
            QuestionReport.status == ReportStatus.OPEN.value,
        )
    )


def update_suspension(question: Question, now: datetime, suspend_at: int) -> None:
    """Suspend the question at ``suspend_at`` open reports, lift the suspension below it."""
    reached = suspend_at > 0 and count_open(question.id) >= suspend_at
    if reached and question.suspended_at is None:
        question.suspended_at = now
    elif not reached and question.suspended_at is not None:
        question.suspended_at = None
    db.session.flush()


def close_reports(
    actor: Member,
    question: Question,
    outcome: ReportStatus,
    note: str,
    now: datetime,
    suspend_at: int,
) -> int:
    """Resolve (更正) or dismiss every open report of ``question`` with ``note``; tell each
    reporter the outcome; return how many were closed. The caller checked the actor's scope."""
    from quizapp.bank.services import can_edit_question

    if not can_edit_question(actor, question):
        raise NotFound("没有找到该题目。")
    if outcome not in (ReportStatus.RESOLVED, ReportStatus.DISMISSED):
        raise DomainError("请选择处理结果。")
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise DomainError(f"处理说明不能超过 {MAX_NOTE} 字。")
    if outcome == ReportStatus.DISMISSED and not note:
        raise DomainError("不采纳时请填写处理说明，告诉报告人原因。")
    reports = list(
        db.session.scalars(
            select(QuestionReport).where(
                QuestionReport.question_id == question.id,
                QuestionReport.status == ReportStatus.OPEN.value,
            )
        )
    )
    if not reports:
        raise DomainError("这道题没有待处理的报告。")
    ids = [r.id for r in reports]
    db.session.execute(
        update(QuestionReport)
        .where(QuestionReport.id.in_(ids), QuestionReport.status == ReportStatus.OPEN.value)
        .values(status=outcome.value, closed_at=now, closed_by_id=actor.id, note=note)
        .execution_options(synchronize_session=False)
    )
    stem = question.stem if len(question.stem) <= 30 else question.stem[:29] + "…"
    verdict = "已更正" if outcome == ReportStatus.RESOLVED else "未采纳"
    send_notices(
        [
            NoticeDraft(
                member_id=r.member_id,
                kind=NoticeKind.QUESTION_REPORT,
                title=f"您报告的题目有误：{verdict}",
                body=f"题目：{stem}\n处理结果：{verdict}" + (NOTE_ON_MINE if note else ""),
                dedupe_key=f"question-report:{r.id}",
                link=app_path("reports.mine"),
            )
            for r in reports
        ],
        now,
    )
    db.session.expire_all()
    update_suspension(db.session.get(Question, question.id), now, suspend_at)
    return len(reports)
