"""Audiences reaching into a subtree: the Python rule and its SQL form agree."""

from __future__ import annotations

import re

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
    member_filter,
    reaches,
    reaching,
)
from quizapp.members.models import Member, PoliticalStatus
from quizapp.org.models import Branch
from quizapp.org.services import move_branch
from quizapp.study.models import Material
from tests.factories import fresh
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


def test_every_ticked_branch_is_kept_and_the_description_names_the_outermost(org):
    # 第一分局 holds 一所党支部: both stay stored, the description names the unit alone.
    audience = build_audience(org.admin, [org.b11, org.u1, org.b21, org.b11], [], [])
    assert [b.id for b in audience.branches] == [org.b11.id, org.u1.id, org.b21.id]
    assert describe(audience) == "第一分局、三所党支部的全体人员"


def test_a_branch_hidden_from_the_viewer_is_counted_once_with_its_unit(org):
    # The bureau's audience: 第二分局 and its 三所党支部 are one organisation to 第一分局's organiser.
    audience = build_audience(org.admin, [org.u2, org.b21, org.u1], [], [])
    assert describe(audience, org.org1) == "第一分局及其他 1 个组织的全体人员"


def _named(audience) -> set[str]:
    return set(describe(audience).removesuffix("的全体人员").split("、"))


def test_a_ticked_branch_moved_out_of_a_ticked_unit_stays_in_the_audience(org, make_member):
    # The organiser ticked 第一分局 and, explicitly, 一所党支部; then 一所党支部 moves to 第二分局.
    audience = build_audience(org.admin, [org.u1, org.b11], [], [])
    moved = make_member("m11x", org.b11)
    db.session.commit()
    assert _named(fresh(audience)) == {"第一分局"}
    move_branch(org.admin, fresh(org.b11), fresh(org.u2))
    db.session.commit()
    audience, moved = fresh(audience), db.session.get(Member, moved.id)
    assert moved.branch.path.startswith(org.u2.path)
    assert includes(audience, moved) and is_in_audience(moved, audience.id)
    assert audience.id in audiences_including(moved, [audience.id])
    in_sql = select(Member.id).join(Branch, Branch.id == Member.branch_id)
    assert moved.id in db.session.scalars(in_sql.where(member_filter(audience))).all()
    assert _named(audience) == {"第一分局", "一所党支部"}


def test_the_edit_form_ticks_what_was_stored_and_saving_it_keeps_it(client, auth, org):
    auth.login("org1")
    ticked = [org.u1.id, org.b11.id]
    assert _post(client, "/manage/materials/new", _form(org, branch_ids=ticked)).status_code == 302
    material = db.session.scalars(select(Material)).one()
    assert "第一分局的全体人员" in client.get(f"/manage/materials/{material.id}").text
    edit = client.get(f"/manage/materials/{material.id}/edit").text
    checked = re.findall(r'name="branch_ids" value="(\d+)" checked>', edit)
    assert sorted(map(int, checked)) == sorted(ticked)
    response = _post(
        client, f"/manage/materials/{material.id}/edit", _form(org, branch_ids=checked)
    )
    assert response.status_code == 302
    assert sorted(b.id for b in fresh(material).audience.branches) == sorted(ticked)
