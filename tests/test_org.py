"""The organisation tree: create, rename, move and deactivate nodes; tree and dashboard counts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from quizapp import db
from quizapp.errors import DomainError
from quizapp.members import queries as member_queries
from quizapp.members import services as member_services
from quizapp.members.models import PoliticalStatus, Role
from quizapp.org import queries, services
from quizapp.org.models import Branch, BranchKind
from tests.factories import fresh


def _by_code(code: str) -> Branch | None:
    db.session.expire_all()
    return db.session.scalar(select(Branch).where(Branch.code == code))


def _branch_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Branch))


def _add(actor, parent, kind, code, name) -> Branch:
    branch = services.create_branch(actor, parent, kind, code, name)
    db.session.commit()
    return branch


def _create(client, parent, code: str, name: str, kind: str = "branch", **fields):
    """Post the form for a new node under ``parent``."""
    data = {"kind": kind, "code": code, "name": name} | fields
    return client.post(f"/manage/branches/new?parent={parent.id}", data=data)


def _edit(client, branch, code: str, name: str, sort_order: int):
    """Post ``branch``'s edit form."""
    data = {"code": code, "name": name, "sort_order": str(sort_order)}
    return client.post(f"/manage/branches/{branch.id}/edit", data=data)


# Creating nodes.


def test_organiser_creates_a_unit_and_a_branch_in_it(client, auth, org):
    auth.login("org1")
    response = _create(client, org.u1, "U1A", "机关", kind="unit", sort_order="5")
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage/branches"
    unit = _by_code("U1A")
    assert (unit.kind, unit.parent_id, unit.sort_order) == ("unit", org.u1.id, 5)
    assert unit.path == f"{org.u1.path}{unit.id}/"

    response = _create(client, unit, "B1A1", "机关第一党支部")
    assert response.status_code == 302
    branch = _by_code("B1A1")
    assert (branch.kind, branch.parent_id) == ("branch", unit.id)
    assert branch.path == f"{unit.path}{branch.id}/"
    tree = client.get("/manage/branches").get_data(as_text=True)
    assert "机关第一党支部" in tree and "B1A1" in tree


def test_nothing_can_be_created_under_a_branch(client, auth, org):
    auth.login("org1")
    before = _branch_count()
    assert client.get(f"/manage/branches/new?parent={org.b11.id}").status_code == 404
    response = _create(client, org.b11, "B111", "支部下的支部")
    assert response.status_code == 404
    assert _branch_count() == before
    # The tree page offers no 新建下级 link on a branch.
    tree = client.get("/manage/branches").get_data(as_text=True)
    assert f"/manage/branches/new?parent={org.b11.id}" not in tree
    assert f"/manage/branches/new?parent={org.u1.id}" in tree


@pytest.mark.parametrize(
    "kind,message",
    [
        (BranchKind.BRANCH, "党支部下不能再建立党支部。"),
        (BranchKind.UNIT, "党支部下不能再建立单位。"),
    ],
)
def test_service_refuses_children_of_a_branch(org, kind, message):
    with pytest.raises(DomainError, match=message):
        services.create_branch(org.admin, org.b11, kind, "X1", "不可能")


def test_service_refuses_a_parent_out_of_scope(org):
    with pytest.raises(DomainError, match="您无权在该组织下创建下级组织"):
        services.create_branch(org.org1, org.u2, BranchKind.BRANCH, "X1", "越权")


@pytest.mark.parametrize("code", ["b11", "B11", " u2 ", "ju"])
def test_duplicate_code_is_refused_whatever_its_case(client, auth, org, code):
    auth.login("admin")
    before = _branch_count()
    response = _create(client, org.u1, code, "重复编码支部")
    assert response.status_code == 200
    assert f"编码「{code.strip()}」已被其他组织使用。" in response.get_data(as_text=True)
    assert _branch_count() == before


def test_changing_a_code_to_another_nodes_code_is_refused(client, auth, org):
    auth.login("org1")
    response = _edit(client, org.b12, "b11", "二所党支部", 2)
    assert "编码「b11」已被其他组织使用。" in response.get_data(as_text=True)
    assert fresh(org.b12).code == "B12"


def test_invalid_code_is_refused(client, auth, org):
    auth.login("org1")
    response = _create(client, org.u1, "B 13", "四所党支部")
    assert "编码只能由字母、数字、下划线或短横线组成" in response.get_data(as_text=True)
    assert _by_code("B 13") is None


@pytest.mark.parametrize(
    "code,name,message",
    [
        ("B13", " ", "请填写名称。"),
        ("", "四所党支部", "请填写编码。"),
        ("B13", "长" * 101, "名称不能超过 100 字。"),
        ("B" * 33, "四所党支部", "编码不能超过 32 字。"),
    ],
)
def test_the_form_names_a_missing_or_overlong_name_or_code(client, auth, org, code, name, message):
    auth.login("org1")
    before = _branch_count()
    response = _create(client, org.u1, code, name)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _branch_count() == before


def test_the_service_says_the_name_limit_as_the_form_does(org):
    with pytest.raises(DomainError, match=r"^名称不能超过 100 字。$"):
        services.create_branch(org.admin, org.u1, BranchKind.BRANCH, "X1", "长" * 101)
    services.create_branch(org.admin, org.u1, BranchKind.BRANCH, "X" * 32, "长" * 100)


# Renaming.


def test_rename_keeps_code_and_place(client, auth, org):
    auth.login("org1")
    response = _edit(client, org.b12, "B12", "二所第一党支部", 7)
    assert response.status_code == 302
    b12 = fresh(org.b12)
    assert (b12.name, b12.code, b12.sort_order, b12.parent_id) == (
        "二所第一党支部",
        "B12",
        7,
        org.u1.id,
    )


def test_organiser_may_rename_the_top_of_their_scope(client, auth, org):
    auth.login("org1")
    response = _edit(client, org.u1, "U1", "第一分局党委", 1)
    assert response.status_code == 302
    assert fresh(org.u1).name == "第一分局党委"


def test_duplicate_sibling_name_is_refused(client, auth, org):
    auth.login("org1")
    before = _branch_count()
    response = _create(client, org.u1, "B13", "一所党支部")
    assert "同一上级下已有名为「一所党支部」的组织。" in response.get_data(as_text=True)
    assert _branch_count() == before

    response = _edit(client, org.b12, "B12", "一所党支部", 2)
    assert "同一上级下已有名为「一所党支部」的组织。" in response.get_data(as_text=True)
    assert fresh(org.b12).name == "二所党支部"


def test_same_name_under_another_parent_is_fine(org):
    branch = _add(org.admin, org.u2, BranchKind.BRANCH, "B22", "一所党支部")
    assert branch.parent_id == org.u2.id


# Moving.


@pytest.fixture()
def subtree(org, make_member):
    """U1 ── U1A (organiser orgA) ── B1A1 (member ma)
    └─ U1AA ── B1AA1 (member mb)"""
    u1a = _add(org.admin, org.u1, BranchKind.UNIT, "U1A", "机关")
    b1a1 = _add(org.admin, u1a, BranchKind.BRANCH, "B1A1", "机关第一党支部")
    u1aa = _add(org.admin, u1a, BranchKind.UNIT, "U1AA", "机关直属")
    b1aa1 = _add(org.admin, u1aa, BranchKind.BRANCH, "B1AA1", "直属党支部")
    org_a = make_member("orgA", b1a1, name="机关管理员", role=Role.ORGANISER, scope=u1a)
    ma = make_member("ma01", b1a1, name="机关党员")
    mb = make_member("mb01", b1aa1, name="直属党员")
    db.session.commit()
    return u1a, b1a1, u1aa, b1aa1, org_a, ma, mb


def test_moving_a_unit_carries_its_subtree(client, auth, org, subtree):
    u1a, b1a1, u1aa, b1aa1, org_a, ma, mb = subtree
    auth.login("admin")
    response = client.post(f"/manage/branches/{u1a.id}/move", data={"parent_id": org.u2.id})
    assert response.status_code == 302

    u2 = fresh(org.u2)
    u1a, b1a1, u1aa, b1aa1 = (fresh(b) for b in (u1a, b1a1, u1aa, b1aa1))
    assert u1a.parent_id == u2.id
    assert u1a.path == f"{u2.path}{u1a.id}/"
    assert b1a1.path == f"{u1a.path}{b1a1.id}/"
    assert u1aa.path == f"{u1a.path}{u1aa.id}/"
    assert b1aa1.path == f"{u1aa.path}{b1aa1.id}/"
    # Nothing else moved.
    assert fresh(org.b11).path == f"{org.u1.path}{org.b11.id}/"
    # Members stay in their branch, with their stay untouched.
    ma, mb = fresh(ma), fresh(mb)
    assert (ma.branch_id, mb.branch_id) == (b1a1.id, b1aa1.id)
    assert [(s.branch_id, s.ended_on) for s in ma.memberships] == [(b1a1.id, None)]


def test_organiser_whose_scope_moved_still_manages_it(app, org, subtree):
    u1a, b1a1, u1aa, b1aa1, org_a, ma, mb = subtree
    services.move_branch(org.admin, u1a, org.u2)
    db.session.commit()

    def status(login_id, path):
        client = app.test_client()
        client.post("/login", data={"login_id": login_id, "password": "Passw0rd!"})
        return client.get(path).status_code

    for path in (f"/manage/branches/{b1aa1.id}/edit", f"/manage/members/{mb.id}"):
        assert status("orgA", path) == 200
        assert status("org2", path) == 200  # now inside U2
        assert status("org1", path) == 404  # no longer inside U1
    client = app.test_client()
    client.post("/login", data={"login_id": "orgA", "password": "Passw0rd!"})
    listing = client.get("/manage/members/").get_data(as_text=True)
    assert "机关党员" in listing and "直属党员" in listing


def test_cannot_move_under_itself_or_a_descendant(org, subtree):
    u1a, b1a1, u1aa, b1aa1, *_ = subtree
    for target in (u1a, u1aa):
        with pytest.raises(DomainError, match="不能把组织移到它自己或它的下级组织下"):
            services.move_branch(org.admin, u1a, target)
    with pytest.raises(DomainError, match="不能把组织移到它自己或它的下级组织下"):
        services.move_branch(org.admin, org.u1, u1aa)
    assert fresh(u1a).parent_id == org.u1.id


def test_move_page_offers_no_descendant(client, auth, org, subtree):
    u1a, b1a1, u1aa, b1aa1, *_ = subtree
    auth.login("admin")
    page = client.get(f"/manage/branches/{u1a.id}/move").get_data(as_text=True)
    assert f'value="{org.u2.id}"' in page
    for own in (u1a, u1aa, org.u1):  # itself, a descendant, the current parent
        assert f'value="{own.id}"' not in page
    response = client.post(f"/manage/branches/{u1a.id}/move", data={"parent_id": u1aa.id})
    assert response.status_code == 200
    error = re.search(r'<p class="field-error">([^<]+)</p>', response.get_data(as_text=True))
    assert error and "Not a valid" not in error.group(1)
    assert fresh(u1a).parent_id == org.u1.id


def test_branch_cannot_be_moved_under_a_branch(org):
    with pytest.raises(DomainError, match="党支部下不能放党支部"):
        services.move_branch(org.admin, org.b12, org.b21)


def test_organiser_cannot_move_into_another_subtree(org):
    with pytest.raises(DomainError, match="您无权把组织移到该上级下"):
        services.move_branch(org.org1, org.b12, org.u2)
    assert fresh(org.b12).parent_id == org.u1.id


# Deactivating and reactivating.


def _set_active(client, branch, active: bool):
    return client.post(
        f"/manage/branches/{branch.id}/active",
        data={"active": "1" if active else "0"},
        follow_redirects=True,
    )


def test_deactivation_is_refused_while_active_children_exist(client, auth, org):
    auth.login("admin")
    response = _set_active(client, org.u1, False)
    assert "该组织下还有 2 个在用的下级组织，请先停用或移走它们。" in response.get_data(
        as_text=True
    )
    assert fresh(org.u1).is_active


def test_deactivation_is_refused_while_active_members_exist(client, auth, org, make_member):
    make_member("gone1", org.b11, active=False)  # an inactive member does not block
    db.session.commit()
    auth.login("org1")
    response = _set_active(client, org.b11, False)
    assert "该支部还有 2 名在册党员，请先把他们转到其他支部。" in response.get_data(as_text=True)
    assert fresh(org.b11).is_active


def test_deactivating_an_empty_branch_hides_it_from_choices(client, auth, org):
    auth.login("org1")
    response = _set_active(client, org.b12, False)
    assert "已停用二所党支部。" in response.get_data(as_text=True)
    assert not fresh(org.b12).is_active

    tree = client.get("/manage/branches").get_data(as_text=True)
    assert "二所党支部" in tree and "已停用" in tree  # still on the tree, marked
    assert "二所党支部" not in client.get("/manage/members/new").get_data(as_text=True)
    move_page = client.get(f"/manage/members/{org.m1.id}/move").get_data(as_text=True)
    assert f'value="{org.b12.id}"' not in move_page
    # Nor can a member be put there by posting its id.
    response = client.post(f"/manage/members/{org.m1.id}/move", data={"branch_id": org.b12.id})
    assert response.status_code == 200
    assert fresh(org.m1).branch_id == org.b11.id


def test_deactivated_unit_is_no_longer_a_move_target(client, auth, org):
    unit = _add(org.admin, org.u1, BranchKind.UNIT, "U1X", "空单位")
    auth.login("org1")
    page = client.get(f"/manage/branches/{org.b12.id}/move").get_data(as_text=True)
    assert f'value="{unit.id}"' in page
    _set_active(client, unit, False)
    page = client.get(f"/manage/branches/{org.b12.id}/move").get_data(as_text=True)
    assert f'value="{unit.id}"' not in page
    with pytest.raises(DomainError, match="目标上级组织已停用"):
        services.move_branch(org.org1, fresh(org.b12), fresh(unit))


def test_nothing_can_be_created_under_an_inactive_unit(org):
    unit = _add(org.admin, org.u1, BranchKind.UNIT, "U1X", "空单位")
    member_services.set_branch_active(org.admin, unit, False)
    with pytest.raises(DomainError, match="上级组织已停用"):
        services.create_branch(org.admin, unit, BranchKind.BRANCH, "BX1", "新支部")


def test_reactivation_is_refused_while_the_parent_is_inactive(client, auth, org):
    unit = _add(org.admin, org.u1, BranchKind.UNIT, "U1X", "空单位")
    branch = _add(org.admin, unit, BranchKind.BRANCH, "BX1", "空支部")
    auth.login("org1")
    _set_active(client, branch, False)
    _set_active(client, unit, False)
    assert not fresh(unit).is_active and not fresh(branch).is_active

    response = _set_active(client, branch, True)
    assert "上级组织已停用，请先启用上级组织。" in response.get_data(as_text=True)
    assert not fresh(branch).is_active

    _set_active(client, unit, True)
    response = _set_active(client, branch, True)
    assert "已启用空支部。" in response.get_data(as_text=True)
    assert fresh(branch).is_active


# Tree page and dashboard.


def _tree_counts(body: str) -> dict[int, int]:
    """Map branch id -> the member count the tree page links to it."""
    return {
        int(branch_id): int(count)
        for branch_id, count in re.findall(
            r'href="/manage/members/\?branch=(\d+)">(\d+) 人</a>', body
        )
    }


def test_tree_counts_active_members_including_descendants(client, auth, org, make_member):
    for i in range(3):
        make_member(f"b12m{i}", org.b12)
    make_member("b12gone", org.b12, active=False)
    sub = _add(org.admin, org.u1, BranchKind.UNIT, "U1A", "机关")
    deep = _add(org.admin, sub, BranchKind.BRANCH, "B1A1", "机关第一党支部")
    make_member("deep1", deep)
    db.session.commit()

    auth.login("org1")
    counts = _tree_counts(client.get("/manage/branches").get_data(as_text=True))
    assert counts == {
        org.u1.id: 6,  # org1 and m1 in B11, three in B12, one in the sub-unit
        org.b11.id: 2,
        org.b12.id: 3,
        sub.id: 1,
        deep.id: 1,
    }
    auth.switch_to("org2")
    assert _tree_counts(client.get("/manage/branches").get_data(as_text=True)) == {
        org.u2.id: 1,
        org.b21.id: 1,
    }


def test_tree_page_query_count_does_not_grow_with_the_tree(client, auth, org, make_member, queries):
    auth.login("admin")
    with queries() as small:
        client.get("/manage/branches")
    for i in range(5):
        unit = _add(org.admin, org.u2, BranchKind.UNIT, f"UX{i}", f"单位{i}")
        branch = _add(org.admin, unit, BranchKind.BRANCH, f"BX{i}", f"支部{i}")
        make_member(f"X{i:03d}", branch)
    db.session.commit()
    with queries() as large:
        client.get("/manage/branches")
    assert len(large) == len(small)


def test_get_tree_nests_children_in_order(org):
    tree = member_queries.get_tree(org.org1)
    assert [node.branch.code for node in tree] == ["U1"]
    assert [child.branch.code for child in tree[0].children] == ["B11", "B12"]
    assert tree[0].total_members == 2


def _dashboard_numbers(body: str) -> tuple[dict[str, int], dict[str, int]]:
    stats = {
        label: int(value)
        for value, label in re.findall(
            r'<span class="stat-value">(\d+)</span><span class="stat-label">([^<]+)</span>', body
        )
    }
    by_status = dict(re.findall(r'status=(\w+)">[^<]+</a></td><td class="num">(\d+)</td>', body))
    return stats, {status: int(count) for status, count in by_status.items()}


def test_dashboard_counts_by_status_within_scope(client, auth, org, make_member):
    make_member("p1", org.b12, status=PoliticalStatus.PROBATIONARY)
    make_member("a1", org.b12, status=PoliticalStatus.ACTIVIST, must_change=True)
    make_member("gone1", org.b12, status=PoliticalStatus.MASSES, active=False)
    make_member("c2", org.b21, status=PoliticalStatus.CANDIDATE, must_change=True)
    make_member("c3", org.b21, status=PoliticalStatus.CANDIDATE)
    db.session.commit()

    auth.login("org1")
    body = client.get("/manage/").get_data(as_text=True)
    assert "第一分局" in body
    stats, by_status = _dashboard_numbers(body)
    assert stats == {"党支部": 2, "在册人员": 4, "尚未首次登录": 1}
    assert by_status == {"full": 2, "probationary": 1, "candidate": 0, "activist": 1, "masses": 0}

    auth.switch_to("org2")
    stats, by_status = _dashboard_numbers(client.get("/manage/").get_data(as_text=True))
    assert stats == {"党支部": 1, "在册人员": 3, "尚未首次登录": 1}
    assert by_status == {"full": 1, "probationary": 0, "candidate": 2, "activist": 0, "masses": 0}


def test_bureau_level_system_accounts_are_not_counted(client, auth, org):
    auth.login("admin")
    stats, by_status = _dashboard_numbers(client.get("/manage/").get_data(as_text=True))
    assert stats["在册人员"] == 3  # org1, m1, org2: people in branches
    assert by_status["full"] == 3
    counts = _tree_counts(client.get("/manage/branches").get_data(as_text=True))
    assert counts[org.bureau.id] == 3


def test_dashboard_ignores_inactive_branches(client, auth, org):
    member_services.set_branch_active(org.admin, org.b12, False)
    db.session.commit()
    auth.login("org1")
    stats, _ = _dashboard_numbers(client.get("/manage/").get_data(as_text=True))
    assert stats["党支部"] == 1


def test_list_branches_is_scoped_and_active_only_filters(org):
    member_services.set_branch_active(org.admin, org.b12, False)
    codes = [b.code for b in queries.list_branches(org.org1)]
    assert codes == ["U1", "B11", "B12"]
    assert [b.code for b in queries.list_branches(org.org1, active_only=True)] == ["U1", "B11"]
    assert [b.code for b in queries.list_branches(org.m1)] == []
    assert len(queries.list_branches(org.admin)) == 6
