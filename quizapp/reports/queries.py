"""What organisers read of error reports: the questions reported, each question's reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import contains_eager

from quizapp import access, db
from quizapp.attempts.review import answer_shown
from quizapp.bank.models import Question
from quizapp.members.models import Member
from quizapp.pagination import Page, page_of
from quizapp.reports.models import QuestionReport, ReportStatus

#: How many of a question's reports its bank page shows (the reports page shows all).
PANEL_REPORTS = 5


@dataclass(frozen=True)
class ReportedQuestion:
    """A question with reports, as the list shows it."""

    question: Question
    open_count: int
    total_count: int
    last_at: datetime


def in_scope(actor: Member):
    """SQL condition on Question: its owner branch is in the actor's subtree (who may fix it)."""
    return access.owned_within(actor, Question.owner_branch_id)


def list_reported_questions(actor: Member, only_open: bool, number: int, per_page: int) -> Page:
    """Page through the reported questions the actor may fix, most open reports first."""
    open_count = func.sum(case((QuestionReport.status == ReportStatus.OPEN.value, 1), else_=0))
    rows = db.session.execute(
        select(
            Question,
            open_count.label("open_count"),
            func.count().label("total_count"),
            func.max(QuestionReport.created_at).label("last_at"),
        )
        .join(QuestionReport, QuestionReport.question_id == Question.id)
        .where(in_scope(actor))
        .group_by(Question.id)
        .having(open_count > 0 if only_open else func.count() > 0)
        .order_by(open_count.desc(), func.max(QuestionReport.created_at).desc(), Question.id)
    ).all()
    items = [ReportedQuestion(r[0], int(r.open_count or 0), r.total_count, r.last_at) for r in rows]
    return page_of(items, number, per_page)


def get_question_in_scope(actor: Member, question_id: int) -> Question:
    """Return a question the actor may fix (its reports are theirs to close); else 404."""
    from quizapp.bank.services import can_edit_question

    return db.get_or_404(Question, question_id, lambda q: can_edit_question(actor, q))


def list_reports(question_id: int, limit: int | None = None) -> list[QuestionReport]:
    """Return the question's reports: open ones first, newest first."""
    query = (
        select(QuestionReport)
        .where(QuestionReport.question_id == question_id)
        .order_by(
            case((QuestionReport.status == ReportStatus.OPEN.value, 0), else_=1),
            QuestionReport.created_at.desc(),
        )
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def count_reports(question_id: int) -> tuple[int, int]:
    """Return (open, all) reports of a question."""
    row = db.session.execute(
        select(
            func.coalesce(
                func.sum(case((QuestionReport.status == ReportStatus.OPEN.value, 1), else_=0)), 0
            ),
            func.count(),
        ).where(QuestionReport.question_id == question_id)
    ).one()
    return int(row[0]), int(row[1])


@dataclass(frozen=True)
class OwnReport:
    """One of the member's reports, as 我的纠错 shows it."""

    report: QuestionReport
    #: Whether the organiser's note may be shown: it may name the key, so only while the
    #: member may see the question's answer (not on a running paper or while an exam keeps
    #: it, unless the review of their own attempt of that exam shows it).
    note_shown: bool


def list_own_reports(member: Member, now: datetime, number: int, per_page: int) -> Page:
    """Page through the member's own reports, newest first."""
    rows = db.session.execute(
        select(QuestionReport, answer_shown(member, now).label("note_shown"))
        .join(Question, Question.id == QuestionReport.question_id)
        .options(contains_eager(QuestionReport.question))
        .where(QuestionReport.member_id == member.id)
        .order_by(QuestionReport.created_at.desc())
        .limit(200)
    ).all()
    return page_of([OwnReport(r[0], bool(r.note_shown)) for r in rows], number, per_page)
