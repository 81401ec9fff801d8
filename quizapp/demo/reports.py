"""Error reports (题目有误) in the demo: two members of the finished competition report one
of its questions, so 题库 → 题目错误报告 has something to read and close."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from quizapp import db
from quizapp.members.models import Member
from quizapp.quizzes.attempt_models import Attempt, AttemptAnswer, AttemptStatus
from quizapp.quizzes.models import Quiz, QuizKind
from quizapp.reports.services import ReportData, file_report

REPORTS = [
    ReportData("answer", "题目依据的条款已修订，答案是否需要更新？", "review"),
    ReportData("stem", "题干中“（  ）”位置有误，读起来不通顺。", "review"),
]


def build_report_demo(now: datetime, suspend_at: int) -> str:
    """File the demo's reports: the competition's first question, by its first two takers."""
    contest = db.session.scalar(select(Quiz).where(Quiz.kind == QuizKind.COMPETITION.value))
    if contest is None:
        return "no reports"
    rows = db.session.execute(
        select(Attempt.member_id, AttemptAnswer.question_id)
        .join(AttemptAnswer, AttemptAnswer.attempt_id == Attempt.id)
        .where(Attempt.quiz_id == contest.id, Attempt.status == AttemptStatus.SUBMITTED.value)
        .order_by(AttemptAnswer.question_id, Attempt.id)
        .limit(len(REPORTS))
    ).all()
    for (member_id, question_id), data in zip(rows, REPORTS, strict=False):
        file_report(db.session.get(Member, member_id), question_id, data, now, suspend_at)
    return f"{len(rows)} error reports"
