"""Authorisation matrix rows for error reports, question versions and regrades (issue 16,
part 4): U1's question q1, reported by m1, answered on U1's quiz and regraded.

Each row is a :class:`tests.authz_world.Case`; tests/test_authz_matrix.py runs them for every
kind of actor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from quizapp import db
from quizapp.attempts import autosave
from quizapp.attempts import services as attempts
from quizapp.auth.session_ref import SessionRef
from quizapp.bank import versions
from quizapp.bank.services import QuestionData, save_question
from quizapp.clock import utcnow
from quizapp.quizzes.models import Quiz
from quizapp.regrade import services as regrade_services
from quizapp.regrade.models import Regrade
from quizapp.reports import services as report_services
from quizapp.reports.models import QuestionReport, ReportStatus
from tests.authz_world import Case, World, form_page, post, url, url_of
from tests.factories import fresh, make_quiz

REGRADE_QUIZ = "矩阵测试：复核的测试"


def _m1_report(w: World) -> QuestionReport:
    """m1's open report of q1, made on first use."""
    report = report_services.open_report_of(w.m1, w.q1.id)
    if report is None:
        report = report_services.file_report(
            w.m1, w.q1.id, report_services.ReportData("answer", "矩阵", "practice"), utcnow(), 3
        )
        db.session.commit()
    return report


def _close_form(w: World) -> dict:
    _m1_report(w)
    return {"outcome": "dismissed", "note": "矩阵测试：题目无误。"}


def _report_closed(w: World) -> bool:
    status = db.session.scalar(
        select(QuestionReport.status).where(QuestionReport.question_id == w.q1.id)
    )
    return status == ReportStatus.DISMISSED.value


def _sat_and_corrected(w: World) -> int:
    """U1's quiz with q1, sat by m1 with answer 乙 (wrong by the key 甲), then the key
    corrected to 乙; made on first use. Return the quiz's id."""
    if versions.current_number(w.q1.id):
        return db.session.scalar(select(Quiz.id).where(Quiz.title == REGRADE_QUIZ))
    quiz = make_quiz(w.org1, [w.u1], questions=[w.q1], title=REGRADE_QUIZ, now=utcnow())
    attempt, _ = attempts.start_attempt(w.m1, quiz, utcnow())
    db.session.commit()
    ref = SessionRef(w.m1.id, w.m1.session_version)
    autosave.save_answer(ref, attempt.id, w.q1.id, 1, 1, utcnow())
    attempts.submit_attempt(attempt, utcnow() + timedelta(minutes=1))
    q1 = fresh(w.q1)
    data = QuestionData(type="single", stem=q1.stem, options=list(q1.options), answer=1, key=q1.key)
    save_question(w.org1, replace(data, category_path="党内法规"), q1)
    db.session.commit()
    return quiz.id


def _apply_form(w: World) -> dict:
    quiz_id = _sat_and_corrected(w)
    return {"action": "apply", "quiz_ids": str(quiz_id), "version": "2"}


def _regraded(w: World) -> bool:
    return db.session.scalar(select(Regrade.id).where(Regrade.question_id == w.q1.id)) is not None


def _regrade(w: World) -> Regrade:
    """The regrade of q1 on U1's quiz, made on first use."""
    found = db.session.scalar(select(Regrade).where(Regrade.question_id == w.q1.id))
    if found is None:
        quiz_id = _sat_and_corrected(w)
        found = regrade_services.apply_regrade(w.org1, fresh(w.q1), [quiz_id], False, 2, utcnow())
        db.session.commit()
    return found


def regrade_url(template: str) -> Callable[[World], str]:
    """Build the URL from ``template`` formatted with the id of q1's regrade."""
    return url_of(template, lambda w: {"regrade": _regrade(w).id})


def report_url(template: str) -> Callable[[World], str]:
    """Build the URL from ``template`` with q1's id, once m1 reported it."""
    return url_of(template, lambda w: {"q1": _m1_report(w).question_id})


CASES = [
    # Reports: the list is the organiser's banks only; a question elsewhere is 404.
    Case("reports.index", "GET", report_url("/manage/question-reports/?state=all"), outsider=200),
    Case("reports.question", "GET", report_url("/manage/question-reports/{q1}")),
    post(
        "reports.question",
        url("/manage/question-reports/{q1}"),
        form=_close_form,
        done=_report_closed,
    ),
    # Versions: the bank is read bureau-wide, so is a question's history.
    Case("bank.versions", "GET", url("/manage/bank/{q1}/versions"), outsider=200),
    # Regrades: only the question's owner subtree.
    *form_page(
        "regrade.choose", url("/manage/regrade/questions/{q1}"), form=_apply_form, done=_regraded
    ),
    Case("regrade.show", "GET", regrade_url("/manage/regrade/{regrade}")),
]
