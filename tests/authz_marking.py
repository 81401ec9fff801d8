"""Authorisation matrix rows for the marking settings of a quiz (阅卷设置: blind marking and
the markers its organisers name). The marking pages themselves (/marking, for organisers and
named markers) are scoped in tests/test_marking.py.

Each row is a :class:`tests.authz_world.Case`; tests/test_authz_matrix.py runs them for every
kind of actor.
"""

from __future__ import annotations

from quizapp import db
from quizapp.marking.models import QuizMarker
from quizapp.quizzes.models import Quiz
from tests.authz_world import Case, World, _u1_quiz, post, quiz_url, url_of


def _marker(w: World) -> QuizMarker | None:
    return db.session.get(QuizMarker, (_u1_quiz(w).id, w.m1.id))


def _quiz_with_marker(w: World) -> Quiz:
    """U1's quiz with m1 named its marker, made on first use."""
    quiz = _u1_quiz(w)
    if _marker(w) is None:
        db.session.add(QuizMarker(quiz_id=quiz.id, member_id=w.m1.id, named_by_id=w.org1.id))
        db.session.commit()
    return quiz


CASES = [
    Case("marking.settings", "GET", quiz_url("/manage/marking/quizzes/{quiz}")),
    post(
        "marking.set_blind",
        quiz_url("/manage/marking/quizzes/{quiz}/blind"),
        form=lambda w: {"blind": "y"},
        done=lambda w: _u1_quiz(w).blind_marking,
    ),
    post(
        "marking.add_marker",
        quiz_url("/manage/marking/quizzes/{quiz}/markers"),
        form=lambda w: {"member_id": str(w.m1.id)},
        done=lambda w: _marker(w) is not None,
    ),
    post(
        "marking.remove_marker",
        url_of(
            "/manage/marking/quizzes/{quiz}/markers/{m1}/remove",
            lambda w: {"quiz": _quiz_with_marker(w).id, "m1": w.m1.id},
        ),
        done=lambda w: _marker(w) is None,
    ),
]
