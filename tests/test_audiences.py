"""Audiences reaching into a subtree: the Python rule and its SQL form agree."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quizapp import db
from quizapp.audiences.models import Audience
from quizapp.audiences.services import (
    audiences_including,
    build_audience,
    describe,
    includes,
    is_in_audience,
    reaches,
    reaching,
)
from quizapp.members.models import PoliticalStatus
from quizapp.study.models import Material
from tests.test_materials import _form, _post


@pytest.mark.parametrize(
    "branches,roster,reached",
    [
        (["bureau"], [], {"bureau", "u1", "u2", "b11"}),  # above: reaches every subtree below
        (["u1"], [], {"bureau", "u1", "b11"}),  # below the bureau, inside U1
        (["b12"], [], {"bureau", "u1"}),  # B11's subtree holds nobody of B12
        ([], ["m1"], {"bureau", "u1", "b11"}),  # a roster reaches where its people are now
        ([], ["org2"], {"bureau", "u2"}),
    ],
)
def test_reaching_matches_reaches(org, branches, roster, reached):
    audience = build_audience(
        org.admin, [getattr(org, b) for b in branches], [], [getattr(org, m) for m in roster]
    )
    db.session.flush()
    for name in ("bureau", "u1", "u2", "b11"):
        root = getattr(org, name)
        in_sql = (
            db.session.scalar(
                select(Audience.id).where(Audience.id == audience.id, reaching(Audience.id, root))
            )
            is not None
        )
        assert reaches(audience, root) == in_sql == (name in reached), name


@pytest.mark.parametrize(
    "branches,statuses,roster,inside",
    [
        (["bureau"], [], [], {"m1", "org1", "org2", "prob"}),
        (["u1"], [], [], {"m1", "org1", "prob"}),
        (["b12"], [], [], set()),  # nobody placed in B12
        (["u1", "u2"], ["probationary"], [], {"prob"}),
        (["bureau"], [], ["m1", "org2"], {"m1", "org2"}),  # a roster decides alone
        ([], [], ["prob", "gone"], {"prob"}),  # deactivated members are in no audience
    ],
)
def test_one_query_membership_agrees_with_the_python_rule(
    org, make_member, branches, statuses, roster, inside
):
    people = {
        "m1": org.m1,
        "org1": org.org1,
        "org2": org.org2,
        "prob": make_member("prob", org.b11, status=PoliticalStatus.PROBATIONARY),
        "gone": make_member("gone", org.b21, active=False),
    }
    audience = build_audience(
        org.admin, [getattr(org, b) for b in branches], statuses, [people[m] for m in roster]
    )
    db.session.flush()
    for name, member in people.items():
        in_python = includes(audience, member)
        in_sql = is_in_audience(member, audience.id)
        in_batch = audience.id in audiences_including(member, [audience.id])
        assert in_python == in_sql == in_batch == (name in inside), name


def test_an_overlong_typed_roster_is_named_and_nothing_is_saved(client, auth, org):
    """The roster field of the quiz and material forms says how long a roster may be."""
    auth.login("org1")
    form = _form(org, branch_ids=None, roster="m1\n" * 6_666 + "m1x")
    response = _post(client, "/manage/materials/new", form)
    assert response.status_code == 200
    assert "指定名单不能超过 20000 字。" in response.get_data(as_text=True)
    assert db.session.scalar(select(Material.id)) is None
    form["roster"] = form["roster"][:-1]  # 20000 characters: taken
    assert _post(client, "/manage/materials/new", form).status_code == 302


@pytest.mark.parametrize("form", ["quizzes", "materials", "campaigns"])
def test_every_new_audience_form_starts_with_no_branch_ticked(client, auth, org, form):
    auth.login("org1")
    page = client.get(f"/manage/{form}/new").get_data(as_text=True)
    boxes = [line for line in page.splitlines() if 'name="branch_ids"' in line]
    assert len(boxes) == 3 and not [box for box in boxes if " checked>" in box]


def test_a_branch_under_another_chosen_one_is_dropped(org):
    # 第一分局 already holds 一所党支部: the audience names the unit alone, reaching the same people.
    audience = build_audience(org.admin, [org.b11, org.u1, org.b21, org.b11], [], [])
    assert [b.id for b in audience.branches] == [org.u1.id, org.b21.id]
    assert describe(audience) == "第一分局、三所党支部的全体人员"
