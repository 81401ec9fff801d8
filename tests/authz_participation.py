"""Authorisation matrix rows for participation pages: participation reports, drill-down, reminders and exports.

Each row is a :class:`tests.authz_world.Case`; tests/test_authz_matrix.py runs them for every
kind of actor.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from quizapp import db
from quizapp.notices.models import Notice
from tests.authz_world import Case, World, _u1_campaign, _u1_quiz, post, url

BASE = "/manage/participation"
NOVEMBER = "first=2026-11-01&last=2026-11-30"


def subject_url(template: str) -> Callable[[World], str]:
    """Build the URL from ``template`` with U1's training class, U1's quiz and the nodes."""

    def build(w: World) -> str:
        return template.format(
            campaign=_u1_campaign(w).id, quiz=_u1_quiz(w).id, b11=w.b11.id, u1=w.u1.id
        )

    build.__doc__ = template
    return build


def _m1_reminded(w: World) -> bool:
    return (
        db.session.scalar(
            select(Notice.id).where(Notice.member_id == w.m1.id, Notice.kind == "reminder")
        )
        is not None
    )


CASES: list[Case] = [
    # The chooser lists only subjects owned within the actor's subtree.
    Case("participation.index", "GET", subject_url(BASE + "/"), outsider=200),
    Case("participation.index", "GET", subject_url(BASE + "/?cpage=2&qpage=2"), outsider=200),
    # A free range covers the actor's own subtree: org2 sees U2's rows only.
    Case("participation.report", "GET", url(BASE + "/range"), outsider=200),
    Case("participation.report", "GET", url(BASE + "/range?" + NOVEMBER), outsider=200),
    # U1's campaign and quiz: 404 for org2, as on their own pages.
    Case("participation.report", "GET", subject_url(BASE + "/campaigns/{campaign}")),
    Case("participation.report", "GET", subject_url(BASE + "/quizzes/{quiz}?" + NOVEMBER)),
    Case("participation.drilldown", "GET", url(BASE + "/range/branches/{b11}")),
    Case("participation.drilldown", "GET", url(BASE + "/range/branches/{u1}?show=done")),
    Case(
        "participation.drilldown", "GET", subject_url(BASE + "/campaigns/{campaign}/branches/{b11}")
    ),
    Case(
        "participation.drilldown",
        "GET",
        subject_url(BASE + "/quizzes/{quiz}/branches/{u1}?" + NOVEMBER),
    ),
    # m1 did nothing this month: the range reminder reaches them.
    post("participation.remind", url(BASE + "/range/branches/{b11}/remind"), done=_m1_reminded),
    # U1's class and quiz are drafts: the reminder is refused with a message (and a redirect).
    post("participation.remind", subject_url(BASE + "/campaigns/{campaign}/branches/{b11}/remind")),
    post("participation.remind", subject_url(BASE + "/quizzes/{quiz}/branches/{u1}/remind")),
    Case("participation.export", "GET", url(BASE + "/range/export.xlsx?" + NOVEMBER), outsider=200),
    Case("participation.export", "GET", url(BASE + "/range/export.csv"), outsider=200),
    Case("participation.export", "GET", subject_url(BASE + "/campaigns/{campaign}/export.xlsx")),
    Case("participation.export", "GET", subject_url(BASE + "/quizzes/{quiz}/export.csv")),
    # The 台账 of a node of U1: the pages and the .docx; org2 (U2) gets 404.
    Case("ledger.page", "GET", url("/manage/ledger/branches/{b11}")),
    Case("ledger.page", "GET", url("/manage/ledger/branches/{u1}?" + NOVEMBER)),
    Case("ledger.download", "GET", url("/manage/ledger/branches/{b11}.docx?" + NOVEMBER)),
    Case("ledger.download", "GET", url("/manage/ledger/branches/{u1}.docx")),
]
