"""Authorisation matrix rows for one-time login codes: the 登录凭条 page, its .xlsx and
issuing a member a new code.

Each row is a :class:`tests.authz_world.Case`; tests/test_authz_matrix.py runs them for every
kind of actor. The organiser of U2 has nobody waiting for a code, so the downloads send them
back to the page (302) where U1's organiser and the admin get U1's slip sheet.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from quizapp import db
from quizapp.members.activation import new_nonce
from quizapp.members.models import Member, Membership
from tests.authz_world import Case, World, post, url, url_of
from tests.conftest import TODAY
from tests.factories import fresh

#: A member of B11 imported and not logged in yet, made on first use by the rows below.
PENDING = "x9100"


def _pending(w: World) -> Member:
    member = db.session.scalar(select(Member).where(Member.police_no == PENDING))
    if member is None:
        member = Member(
            police_no=PENDING,
            name="待登录党员",
            branch=w.b11,
            password_hash=None,
            must_change_password=True,
            activation_nonce=new_nonce(),
        )
        member.memberships.append(Membership(branch=w.b11, started_on=TODAY))
        db.session.add(member)
        db.session.commit()
    return member


def pending_url(template: str) -> Callable[[World], str]:
    """Build the URL from ``template`` with the ids of the pending member and of B11."""
    return url_of(template, lambda w: {"pending": _pending(w).id, "b11": w.b11.id})


CASES = [
    # The page lists U1's branch for org1; org2 sees a page without it.
    Case("members.credentials", "GET", pending_url("/manage/members/credentials"), outsider=200),
    Case(
        "members.credentials_xlsx",
        "GET",
        pending_url("/manage/members/credentials.xlsx"),
        outsider=302,
    ),
    Case(
        "members.credentials_xlsx",
        "GET",
        pending_url("/manage/members/credentials.xlsx?ids={pending}"),
        outsider=302,
    ),
    Case(
        "members.credentials_xlsx",
        "GET",
        pending_url("/manage/members/credentials.xlsx?branch={b11}"),
    ),
    post(
        "members.issue_code",
        url("/manage/members/{m1}/code"),
        done=lambda w: fresh(w.m1).activation_nonce is not None,
        allowed=200,
    ),
]
