"""Authorisation matrix rows for the evidence pages: an attempt's answer sheet, the results as
.csv, who studied a material, and a campaign's checklist export.

Each row is a :class:`tests.authz_world.Case`; tests/test_authz_matrix.py runs them for every
kind of actor (org2, organiser of U2, gets 404 for U1's quiz, material, campaign and m1).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from quizapp import db
from quizapp.quizzes.attempt_models import Attempt
from quizapp.study.models import StudyMinute
from tests.authz_world import (
    Case,
    World,
    _u1_material,
    _u1_quiz,
    campaign_url,
    material_url,
    quiz_url,
    url_of,
)
from tests.conftest import TODAY
from tests.factories import add_attempt, add_study


def _m1_attempt(w: World) -> Attempt:
    """m1's attempt at U1's quiz (ended by the 切屏 limit), made on first use."""
    quiz = _u1_quiz(w)
    attempt = db.session.scalar(
        select(Attempt).where(Attempt.quiz_id == quiz.id, Attempt.member_id == w.m1.id)
    )
    if attempt is None:
        attempt = add_attempt(w.m1, quiz, 1, 0, False, end_reason="leave_limit", leave_count=3)
        db.session.commit()
    return attempt


def attempt_url(template: str) -> Callable[[World], str]:
    """Build the URL from ``template`` formatted with the id of m1's attempt at U1's quiz."""
    return url_of(template, lambda w: {"attempt": _m1_attempt(w).id})


def _studied_material(w: World) -> dict:
    """U1's material, with ten minutes of m1's study on it (the learners page lists m1)."""
    material = _u1_material(w)
    if db.session.get(StudyMinute, (w.m1.id, material.id, TODAY)) is None:
        add_study(w.m1, material, TODAY, 600)
        db.session.commit()
    return {"material": material.id}


CASES = [
    Case("results.attempt", "GET", attempt_url("/manage/results/attempts/{attempt}")),
    Case("results.export_csv", "GET", quiz_url("/manage/results/quizzes/{quiz}/export.csv")),
    Case("materials.learners", "GET", material_url("/manage/materials/{material}/learners")),
    Case(
        "materials.learners",
        "GET",
        url_of("/manage/materials/{material}/learners?page=1", _studied_material),
    ),
    Case(
        "materials.learners_export",
        "GET",
        material_url("/manage/materials/{material}/learners.xlsx"),
    ),
    Case(
        "campaigns.progress_export",
        "GET",
        campaign_url("/manage/campaigns/{campaign}/progress.xlsx"),
    ),
    Case(
        "campaigns.manage_show",
        "GET",
        campaign_url("/manage/campaigns/{campaign}?show=todo&lack=minutes"),
    ),
]
