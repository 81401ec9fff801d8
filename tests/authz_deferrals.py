"""Authorisation matrix rows for 缓考 and 补考: the pending list, a quiz's exceptions,
approving, refusing and granting.

Each row is a :class:`tests.authz_world.Case`; tests/test_authz_matrix.py runs them for every
kind of actor. The quiz is U1's, open now; m1 (of B11) asked for 缓考.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from quizapp import db
from quizapp.clock import to_china, utcnow
from quizapp.deferrals import services
from quizapp.deferrals.models import ExceptionKind, QuizException
from quizapp.quizzes.models import Quiz
from tests.authz_world import Case, World, _u1_quiz_of, post, url_of

TITLE = "矩阵测试：可缓考的测试"


def _quiz(w: World) -> Quiz:
    now = utcnow().replace(microsecond=0)
    return _u1_quiz_of(w, TITLE, now - timedelta(hours=1), timedelta(days=30))


def _request(w: World) -> QuizException:
    """m1's pending 缓考 of U1's quiz, made on first use."""
    quiz = _quiz(w)
    row = db.session.scalar(select(QuizException).where(QuizException.quiz_id == quiz.id))
    if row is None:
        row = services.request_deferral(w.m1, quiz, "duty", "", utcnow())
        db.session.commit()
    return row


def request_url(template: str) -> Callable[[World], str]:
    """Build the URL from ``template`` with the ids of the quiz and m1's request."""
    return url_of(template, lambda w: {"quiz": _quiz(w).id, "row": _request(w).id})


def _window(w: World) -> dict:
    start = to_china(utcnow() + timedelta(days=1))
    return {
        "opens_at": start.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (start + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
    }


def _status(w: World) -> str:
    db.session.expire_all()
    return _request(w).status


def _granted(w: World) -> bool:
    return (
        db.session.scalar(
            select(QuizException).where(QuizException.kind == ExceptionKind.MAKEUP.value)
        )
        is not None
    )


CASES = [
    # The pending list of another subtree shows nothing of U1.
    Case("deferrals.pending", "GET", request_url("/manage/deferrals/?_={row}"), outsider=200),
    Case("deferrals.quiz", "GET", request_url("/manage/deferrals/quizzes/{quiz}")),
    post(
        "deferrals.approve",
        request_url("/manage/deferrals/{row}/approve"),
        form=_window,
        done=lambda w: _status(w) == "approved",
    ),
    post(
        "deferrals.refuse",
        request_url("/manage/deferrals/{row}/refuse"),
        form=lambda w: {"note": "矩阵测试：当天不值班"},
        done=lambda w: _status(w) == "refused",
    ),
    post(
        "deferrals.grant",
        request_url("/manage/deferrals/quizzes/{quiz}/grant"),
        form=lambda w: {"login_id": "m1", "attempts": "1", "reason": "矩阵测试：补考"},
        done=_granted,
    ),
]
