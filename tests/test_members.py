"""Member management: list, search, create, edit, move, deactivate, reset password, history."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
import time_machine
from sqlalchemy import func, select, update

from quizapp import db
from quizapp.clock import CHINA
from quizapp.errors import DomainError
from quizapp.members import logins, services
from quizapp.members.activation import activation_code, code_matches, new_nonce
from quizapp.members.models import Member, PoliticalStatus, Role
from quizapp.org import services as org_services
from quizapp.org.models import BranchKind
from tests.conftest import PASSWORD, TODAY
from tests.factories import fresh


def _ten_am(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=CHINA)


@pytest.fixture()
def clock(app):
    """Freeze time at 10:00 China time on TODAY; ``clock.move_to(_ten_am(day))`` goes on.

    Frozen before anyone logs in: a session cookie signed later than "now" is refused.
    """
    with time_machine.travel(_ten_am(TODAY), tick=False) as traveller:
        yield traveller


def _by_login(police_no: str) -> Member | None:
    db.session.expire_all()
    return db.session.scalar(select(Member).where(Member.police_no == police_no))


def _member_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Member))


def _stays(member: Member) -> list[tuple[int, date, date | None]]:
    member = fresh(member)
    return [(s.branch_id, s.started_on, s.ended_on) for s in member.memberships]


def _names(body: str) -> list[str]:
    """The member names listed on the members page, in order."""
    return re.findall(r'<span class="member-name">([^<]+?)(?: <span|</span>)', body)


def _login(app, login_id: str, password: str = PASSWORD):
    client = app.test_client()
    response = client.post("/login", data={"login_id": login_id, "password": password})
    return client, response


# Listing.


def test_list_is_paged_and_page_is_clamped(client, auth, org, make_member):
    for i in range(35):
        make_member(f"P{i:03d}", org.b12, name=f"分页{i:02d}")
    db.session.commit()
    auth.login("org1")

    first = client.get("/manage/members/").get_data(as_text=True)
    assert len(_names(first)) == 30
    assert "第 1 / 2 页，共 37 条" in first
    assert set(_names(first)[:2]) == {"一分局管理员", "普通党员"}  # B11 comes first

    second = client.get("/manage/members/?page=2").get_data(as_text=True)
    assert _names(second) == [f"分页{i:02d}" for i in range(28, 35)]
    assert "第 2 / 2 页，共 37 条" in second

    clamped = client.get("/manage/members/?page=999").get_data(as_text=True)
    assert _names(clamped) == _names(second)
    assert "第 2 / 2 页" in clamped
    assert _names(client.get("/manage/members/?page=0").get_data(as_text=True)) == _names(first)


def test_list_query_count_does_not_grow_with_members(client, auth, org, make_member, queries):
    auth.login("admin")
    with queries() as few:
        client.get("/manage/members/")
    branches = [
        org_services.create_branch(org.admin, org.u2, BranchKind.BRANCH, f"BQ{i}", f"新支部{i}")
        for i in range(5)
    ]
    for i in range(25):
        branch = branches[i % 5]
        make_member(
            f"Q{i:03d}",
            branch,
            role=Role.ORGANISER if i % 5 == 0 else Role.MEMBER,
            scope=branch if i % 5 == 0 else None,
        )
    db.session.commit()
    with queries() as many:
        client.get("/manage/members/")
    assert len(many) == len(few)


@pytest.fixture()
def people(org, make_member):
    """Members to search and filter: three in B12 and one in U2 (outside org1's scope)."""
    make_member("A1001", org.b12, name="张三")
    make_member(None, org.b12, name="李四", phone="13800001111", status=PoliticalStatus.ACTIVIST)
    make_member("A3003", org.b12, name="赵六", active=False)
    make_member("A2002", org.b21, name="王五", phone="13900002222")
    db.session.commit()


@pytest.mark.parametrize(
    "query,expected",
    [
        ("张三", ["张三"]),
        ("A100", ["张三"]),  # part of a 警号
        ("00001111", ["李四"]),  # part of a phone number
        ("A2002", []),  # someone outside the organiser's scope
        ("王五", []),
        ("%", ["一分局管理员", "普通党员", "张三", "李四"]),  # wildcards are taken literally
    ],
)
def test_search_by_name_police_no_or_phone(client, auth, people, query, expected):
    auth.login("org1")
    body = client.get("/manage/members/", query_string={"q": query}).get_data(as_text=True)
    assert sorted(_names(body)) == sorted(expected)
    if not expected:
        assert "没有符合条件的人员。" in body


def test_filter_by_branch_includes_descendants(client, auth, org, people):
    auth.login("org1")
    under_u1 = client.get(f"/manage/members/?branch={org.u1.id}").get_data(as_text=True)
    assert sorted(_names(under_u1)) == sorted(["一分局管理员", "普通党员", "张三", "李四"])
    in_b12 = client.get(f"/manage/members/?branch={org.b12.id}").get_data(as_text=True)
    assert sorted(_names(in_b12)) == ["张三", "李四"]
    auth.switch_to("admin")
    whole = client.get(f"/manage/members/?branch={org.bureau.id}").get_data(as_text=True)
    assert "王五" in _names(whole) and "张三" in _names(whole)


def test_filter_by_political_status(client, auth, people):
    auth.login("org1")
    body = client.get("/manage/members/?status=activist").get_data(as_text=True)
    assert _names(body) == ["李四"]
    # An unknown status is ignored rather than an error.
    assert len(_names(client.get("/manage/members/?status=bogus").get_data(as_text=True))) == 4


@pytest.mark.parametrize(
    "state,expected",
    [
        (None, ["一分局管理员", "普通党员", "张三", "李四"]),
        ("active", ["一分局管理员", "普通党员", "张三", "李四"]),
        ("inactive", ["赵六"]),
        ("all", ["一分局管理员", "普通党员", "张三", "李四", "赵六"]),
    ],
)
def test_filter_by_state(client, auth, people, state, expected):
    auth.login("org1")
    query = {"state": state} if state else {}
    body = client.get("/manage/members/", query_string=query).get_data(as_text=True)
    assert sorted(_names(body)) == sorted(expected)


# Creating.


def _member_form(name: str, police_no: str, branch, **fields) -> dict:
    """The member form for a full party member ``name`` of ``branch``; ``fields`` set others."""
    form = {
        "name": name,
        "police_no": police_no,
        "phone": "",
        "branch_id": branch.id,
        "political_status": "full",
        "joined_party_on": "",
        "role": "member",
        "scope_branch_id": "",
    }
    return form | fields


def _new_member(org, **overrides) -> dict:
    form = _member_form(
        "新同志",
        "N1001",
        org.b12,
        phone="138 0000 3333",
        political_status="probationary",
        joined_party_on="2026-01-01",
        initial_password="Start2026x",
    )
    return form | overrides


def test_create_member(clock, app, client, auth, org):
    auth.login("org1")
    response = client.post("/manage/members/new", data=_new_member(org))
    assert response.status_code == 302
    member = _by_login("N1001")
    assert response.headers["Location"] == f"/manage/members/{member.id}"
    assert (member.name, member.phone, member.branch_id) == ("新同志", "13800003333", org.b12.id)
    assert member.status == PoliticalStatus.PROBATIONARY
    assert member.joined_party_on == date(2026, 1, 1)
    assert member.role == Role.MEMBER and member.is_active
    assert member.must_change_password
    assert _stays(member) == [(org.b12.id, TODAY, None)]

    # The initial password works, by 警号 or phone, and forces a change first.
    for login_id in ("N1001", "13800003333"):
        newcomer, login = _login(app, login_id, "Start2026x")
        assert login.headers["Location"] == "/password"
        assert newcomer.get("/").headers["Location"] == "/password"


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"phone": "12345"}, "手机号「12345」格式不正确"),
        ({"police_no": "", "phone": ""}, "警号和手机号至少填写一项"),
        ({"police_no": "警号1"}, "警号「警号1」格式不正确"),
        ({"police_no": "org1"}, "警号「org1」已被其他账号使用。"),
        ({"police_no": "ORG1"}, "警号「ORG1」已被其他账号使用。"),
        ({"phone": "13912345678"}, "手机号「13912345678」已被其他账号使用。"),
        ({"political_status": "masses"}, "政治面貌为「群众」时不应填写入党时间"),
        ({"joined_party_on": "2026-12-01"}, "入党时间不能晚于今天"),
        ({"name": "  "}, "请填写姓名。"),
        ({"initial_password": "abc123"}, "密码至少需要 8 位。"),
        ({"initial_password": "abcdefghij"}, "密码需同时包含字母和数字。"),
    ],
)
def test_create_member_refusals(clock, client, auth, org, make_member, overrides, message):
    make_member("p100", org.b21, phone="13912345678")
    db.session.commit()
    before = _member_count()
    auth.login("org1")
    response = client.post("/manage/members/new", data=_new_member(org, **overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _member_count() == before
    assert _by_login("N1001") is None


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"name": "长" * 51}, "姓名不能超过 50 字。"),
        ({"police_no": "N" * 21}, "警号不能超过 20 字。"),
        ({"phone": "1" * 21}, "手机号不能超过 20 字。"),
    ],
)
def test_the_form_names_an_overlong_name_police_no_or_phone(client, auth, org, overrides, message):
    auth.login("org1")
    before = _member_count()
    response = client.post("/manage/members/new", data=_new_member(org, **overrides))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert message in text and "格式不正确" not in text
    assert _member_count() == before


def test_the_form_takes_the_longest_name_and_police_no_the_service_takes(clock, client, auth, org):
    auth.login("org1")
    name, police_no = "长" * 50, "N" * 20
    form = _new_member(org, name=name, police_no=police_no, phone="+86 138-0000-3333")
    assert client.post("/manage/members/new", data=form).status_code == 302
    assert _by_login(police_no).name == name


def test_the_service_says_the_name_and_police_no_limits_as_the_form_does(org):
    data = services.MemberData("长" * 51, "N" * 21, None, org.b11, PoliticalStatus.FULL, None)
    assert services.validate_member_data(data, TODAY) == [
        "姓名不能超过 50 字",
        f"警号「{'N' * 21}」格式不正确（应为 3–20 位字母或数字）",
    ]


@pytest.mark.parametrize(
    "overrides",
    [
        {"joined_party_on": "2026-13-45"},
        {"political_status": "comrade"},
        {"branch_id": "abc"},
    ],
)
def test_form_level_errors_are_in_chinese(client, auth, org, overrides):
    auth.login("org1")
    response = client.post("/manage/members/new", data=_new_member(org, **overrides))
    body = response.get_data(as_text=True)
    errors = re.findall(r'<p class="field-error">([^<]+)</p>', body)
    assert len(errors) == 1
    assert not re.search(r"[A-Za-z]{3}", errors[0]), errors[0]
    assert _by_login("N1001") is None


def test_organiser_can_make_an_organiser_within_scope(app, client, auth, org):
    auth.login("org1")
    response = client.post(
        "/manage/members/new", data=_new_member(org, role="organiser", scope_branch_id="")
    )
    assert response.status_code == 302
    member = _by_login("N1001")
    assert member.role == Role.ORGANISER
    assert member.scope_branch_id == org.b12.id  # defaults to their own branch
    # Beyond org1's scope the scope can't be chosen.
    response = client.post(
        "/manage/members/new",
        data=_new_member(
            org, police_no="N1002", phone="", role="organiser", scope_branch_id=org.u2.id
        ),
    )
    assert response.status_code == 404
    assert _by_login("N1002") is None


# Editing and moving.


@pytest.fixture()
def p2001(org, make_member):
    member = make_member("P2001", org.b11, name="待编辑")
    db.session.commit()
    return member


def _edit_form(org, **overrides) -> dict:
    return _member_form("待编辑", "P2001", org.b11) | overrides


def test_edit_member(clock, client, auth, org, p2001):
    auth.login("org1")
    page = client.get(f"/manage/members/{p2001.id}/edit").get_data(as_text=True)
    assert 'value="P2001"' in page
    response = client.post(
        f"/manage/members/{p2001.id}/edit",
        data=_edit_form(org, name="已编辑", phone="13700001234", political_status="activist"),
    )
    assert response.status_code == 302
    member = fresh(p2001)
    assert (member.name, member.phone, member.status) == (
        "已编辑",
        "13700001234",
        PoliticalStatus.ACTIVIST,
    )
    assert _stays(member) == [(org.b11.id, date(2025, 1, 1), None)]  # no move recorded


def test_edit_refuses_bad_data_in_chinese(client, auth, org, p2001):
    auth.login("org1")
    response = client.post(f"/manage/members/{p2001.id}/edit", data=_edit_form(org, police_no="m1"))
    assert "警号「m1」格式不正确" in response.get_data(as_text=True)
    assert fresh(p2001).police_no == "P2001"


def test_organiser_edits_own_details_without_losing_role(client, auth, org):
    auth.login("org1")
    page = client.get(f"/manage/members/{org.org1.id}/edit").get_data(as_text=True)
    assert 'name="role"' not in page
    response = client.post(
        f"/manage/members/{org.org1.id}/edit",
        data={
            "name": "一分局管理员",
            "police_no": "org1",
            "phone": "13600001111",
            "branch_id": org.b11.id,
            "political_status": "full",
        },
    )
    assert response.status_code == 302
    org1 = fresh(org.org1)
    assert org1.phone == "13600001111"
    assert (org1.role, org1.scope_branch_id) == (Role.ORGANISER, org.u1.id)


def test_move_records_history(clock, client, auth, org):
    auth.login("org1")
    response = client.post(
        f"/manage/members/{org.m1.id}/move", data={"branch_id": org.b12.id}, follow_redirects=True
    )
    assert "已将普通党员转入二所党支部。" in response.get_data(as_text=True)
    assert fresh(org.m1).branch_id == org.b12.id
    assert _stays(org.m1) == [
        (org.b11.id, date(2025, 1, 1), TODAY),
        (org.b12.id, TODAY, None),
    ]


def test_changing_branch_in_the_edit_form_is_a_move(clock, client, auth, org, p2001):
    auth.login("org1")
    response = client.post(
        f"/manage/members/{p2001.id}/edit", data=_edit_form(org, branch_id=org.b12.id)
    )
    assert response.status_code == 302
    assert _stays(p2001) == [
        (org.b11.id, date(2025, 1, 1), TODAY),
        (org.b12.id, TODAY, None),
    ]


def test_move_page_offers_only_other_active_branches_in_scope(client, auth, org):
    auth.login("org1")
    page = client.get(f"/manage/members/{org.m1.id}/move").get_data(as_text=True)
    options = re.findall(r'<option[^>]*value="(\d+)"', page)
    assert options == [str(org.b12.id)]


def test_moving_twice_on_one_day_leaves_no_empty_stay(clock, client, auth, org):
    b13 = org_services.create_branch(org.admin, org.u1, BranchKind.BRANCH, "B13", "四所党支部")
    db.session.commit()
    auth.login("org1")
    for target in (org.b12, b13):
        client.post(f"/manage/members/{org.m1.id}/move", data={"branch_id": target.id})
    assert _stays(org.m1) == [
        (org.b11.id, date(2025, 1, 1), TODAY),
        (b13.id, TODAY, None),
    ]
    # A move the next day closes the one-day stay normally.
    clock.move_to(_ten_am(date(2026, 11, 22)))
    auth.login("org1")  # sessions last 12 hours
    client.post(f"/manage/members/{org.m1.id}/move", data={"branch_id": org.b12.id})
    assert _stays(org.m1) == [
        (org.b11.id, date(2025, 1, 1), TODAY),
        (b13.id, TODAY, date(2026, 11, 22)),
        (org.b12.id, date(2026, 11, 22), None),
    ]


def test_move_refusals(org, make_member):
    gone = make_member("gone1", org.b11, active=False)
    with pytest.raises(services.DomainError, match="该党员已在此支部"):
        services.move_member(org.org1, org.m1, org.b11, TODAY)
    with pytest.raises(services.DomainError, match="只能转入您管理范围内的党支部"):
        services.move_member(org.org1, org.m1, org.b21, TODAY)
    with pytest.raises(services.DomainError, match="只能转入在用的党支部"):
        services.move_member(org.org1, org.m1, org.u1, TODAY)
    # Someone who left is in no branch: moving them changes only where they would come back,
    # and opens no stay in the new branch.
    stays_before = [(m.branch_id, m.started_on, m.ended_on) for m in gone.memberships]
    services.move_member(org.org1, gone, org.b12, TODAY)
    assert gone.branch_id == org.b12.id
    assert [(m.branch_id, m.started_on, m.ended_on) for m in gone.memberships] == stays_before


# Deactivating, reactivating, resetting passwords.


def _set_active(client, member, active: bool):
    return client.post(
        f"/manage/members/{member.id}/active",
        data={"active": "1" if active else "0"},
        follow_redirects=True,
    )


def test_deactivate_ends_the_stay_and_logs_the_member_out(clock, app, client, auth, org):
    m1_client, _ = _login(app, "m1")
    assert m1_client.get("/").status_code == 200

    auth.login("org1")
    response = _set_active(client, org.m1, False)
    assert "已停用普通党员的账号。" in response.get_data(as_text=True)
    m1 = fresh(org.m1)
    assert not m1.is_active
    assert _stays(m1) == [(org.b11.id, date(2025, 1, 1), TODAY)]

    after = m1_client.get("/")
    assert after.status_code == 302
    assert after.headers["Location"].startswith("/login")
    _, again = _login(app, "m1")
    assert again.status_code == 200
    assert "该账号已停用" in again.get_data(as_text=True)
    listing = client.get("/manage/members/").get_data(as_text=True)
    assert "普通党员" not in _names(listing)


def test_reactivate_opens_a_new_stay(clock, app, client, auth, org):
    auth.login("org1")
    _set_active(client, org.m1, False)
    clock.move_to(_ten_am(date(2026, 11, 25)))
    auth.login("org1")  # sessions last 12 hours
    response = _set_active(client, org.m1, True)
    assert "已恢复普通党员的账号。" in response.get_data(as_text=True)
    assert _stays(org.m1) == [
        (org.b11.id, date(2025, 1, 1), TODAY),
        (org.b11.id, date(2026, 11, 25), None),
    ]
    m1 = fresh(org.m1)
    assert m1.is_active
    assert services.membership_on(m1, date(2026, 11, 23)) is None
    assert _login(app, "m1")[1].status_code == 302


def test_sessions_from_before_deactivation_stay_dead_after_reactivation(app, client, auth, org):
    m1_client, _ = _login(app, "m1")
    auth.login("org1")
    _set_active(client, org.m1, False)
    _set_active(client, org.m1, True)
    assert fresh(org.m1).is_active
    assert m1_client.get("/").headers["Location"].startswith("/login")


def test_reactivation_is_refused_when_the_branch_was_deactivated(org):
    services.set_member_active(org.org1, org.m1, False, TODAY)
    services.move_member(org.admin, org.org1, org.b12, TODAY)  # B11 is now empty
    services.set_branch_active(org.admin, org.b11, False)
    with pytest.raises(services.DomainError, match="原所在支部已停用"):
        services.set_member_active(org.org1, org.m1, True, TODAY)


def test_deactivating_on_the_day_of_a_move_drops_the_new_stay(org):
    services.move_member(org.org1, org.m1, org.b12, TODAY)
    services.set_member_active(org.org1, org.m1, False, TODAY)
    assert [(s.branch_id, s.started_on, s.ended_on) for s in org.m1.memberships] == [
        (org.b11.id, date(2025, 1, 1), TODAY)
    ]


def test_reset_password_forces_change_and_ends_sessions(app, client, auth, org):
    m1_client, _ = _login(app, "m1")
    auth.login("org1")
    response = client.post(
        f"/manage/members/{org.m1.id}/password",
        data={"temporary_password": "Temp2026ab"},
        follow_redirects=True,
    )
    assert "已重置普通党员的密码" in response.get_data(as_text=True)
    assert fresh(org.m1).must_change_password

    assert m1_client.get("/").headers["Location"].startswith("/login")
    assert "账号或密码错误" in _login(app, "m1")[1].get_data(as_text=True)
    _, login = _login(app, "m1", "Temp2026ab")
    assert login.headers["Location"] == "/password"


def _reset_password(client, member, password: str) -> str:
    """Give ``member`` the temporary ``password``: the page the form answers with."""
    response = client.post(
        f"/manage/members/{member.id}/password", data={"temporary_password": password}
    )
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    "password,message",
    [
        ("short1", "密码至少需要 8 位。"),
        ("普通党员2026x", "密码不能包含姓名"),
        ("DEMO123456", "不能使用演示密码。"),
        ("a12345678", "密码过于常见"),
    ],
)
def test_reset_password_applies_the_members_rules(client, auth, org, password, message):
    auth.login("org1")
    assert message in _reset_password(client, org.m1, password)
    assert not fresh(org.m1).must_change_password


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"initial_password": "n1001Start9"}, "密码不能包含警号或手机号。"),
        ({"initial_password": "x13800003333"}, "密码不能包含警号或手机号。"),
        ({"initial_password": "新同志Start9"}, "密码不能包含姓名"),
        ({"initial_password": "gongan123456"}, "密码过于常见"),
    ],
)
def test_create_member_applies_the_members_rules(clock, client, auth, org, overrides, message):
    auth.login("org1")
    response = client.post("/manage/members/new", data=_new_member(org, **overrides))
    assert message in response.get_data(as_text=True)
    assert _by_login("N1001") is None


# Login pauses after wrong passwords: organisers see them and lift them.


def _paused(member, failures: int, until: datetime | None) -> None:
    member.failed_logins, member.login_blocked_until = failures, until
    db.session.commit()


def test_organiser_sees_and_lifts_a_login_pause(app, clock, client, auth, org):
    auth.login("org1")
    page = client.get(f"/manage/members/{org.m1.id}").get_data(as_text=True)
    assert "登录限制" not in page  # nothing to show, nothing to lift

    _paused(org.m1, 3, None)
    page = client.get(f"/manage/members/{org.m1.id}").get_data(as_text=True)
    assert "已连续输错 3 次" in page and "前不能登录" not in page and "解除登录限制" in page

    _paused(org.m1, 6, datetime(2026, 11, 21, 10, 1, tzinfo=CHINA))
    page = client.get(f"/manage/members/{org.m1.id}").get_data(as_text=True)
    assert "已连续输错 6 次，10:01 前不能登录" in page and "解除登录限制" in page
    assert _login(app, "m1")[1].status_code == 429

    response = client.post(f"/manage/members/{org.m1.id}/unlock", follow_redirects=True)
    assert "已解除普通党员的登录限制" in response.get_data(as_text=True)
    m1 = fresh(org.m1)
    assert (m1.failed_logins, m1.login_blocked_until) == (0, None)
    assert _login(app, "m1")[1].status_code == 302


def test_reset_password_also_lifts_the_pause(app, clock, client, auth, org):
    _paused(org.m1, 8, datetime(2026, 11, 21, 10, 4, tzinfo=CHINA))
    auth.login("org1")
    client.post(f"/manage/members/{org.m1.id}/password", data={"temporary_password": "Temp2026ab"})
    m1 = fresh(org.m1)
    assert (m1.failed_logins, m1.login_blocked_until) == (0, None)
    assert _login(app, "m1", "Temp2026ab")[1].headers["Location"] == "/password"


def test_service_refuses_to_unlock_someone_who_manages_more(org):
    org.admin.branch = org.b11
    _paused(org.admin, 6, None)
    with pytest.raises(services.DomainError, match="您无权解除该党员的登录限制"):
        logins.unlock_login(org.org1, org.admin)
    assert fresh(org.admin).failed_logins == 6


def test_organiser_cannot_deactivate_themselves(client, auth, org):
    auth.login("org1")
    page = client.get(f"/manage/members/{org.org1.id}").get_data(as_text=True)
    assert "停用账号" not in page and "重置密码" not in page
    response = _set_active(client, org.org1, False)
    assert "不能停用自己的账号。" in response.get_data(as_text=True)
    assert fresh(org.org1).is_active
    assert client.get("/manage/").status_code == 200  # still logged in


def test_organiser_cannot_reset_own_password_here(client, auth, org):
    auth.login("org1")
    assert "请在「我的」页面修改自己的密码。" in _reset_password(client, org.org1, "Temp2026ab")
    assert not fresh(org.org1).must_change_password


# One-time login codes (一次性登录码).


def _pending(make_member, login_id: str, branch, name: str) -> Member:
    """A member as a roster import leaves them: no password, a nonce of their own."""
    member = make_member(login_id, branch, name=name, must_change=True)
    member.password_hash = None
    member.activation_nonce = new_nonce()
    db.session.commit()
    return member


def _shown_code(body: str) -> str:
    match = re.search(r'<p class="login-code">([^<]+)</p>', body)
    assert match, "no code on the page"
    return match[1]


def test_a_new_code_ends_the_old_one(app, client, auth, org, make_member):
    member = _pending(make_member, "P3001", org.b12, "待登录")
    old_nonce, version = member.activation_nonce, member.session_version
    old_code = activation_code(member.id, old_nonce)
    auth.login("org1")
    page = client.get(f"/manage/members/{member.id}").get_data(as_text=True)
    assert "尚未用一次性登录码登录" in page and "重新生成一次性登录码" in page

    response = client.post(f"/manage/members/{member.id}/code")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data(as_text=True)
    assert "原登录码已失效" in body and "登录码只能使用一次" in body
    code = _shown_code(body)
    member = fresh(member)
    assert member.activation_nonce != old_nonce and member.session_version == version + 1
    assert code_matches(member.id, member.activation_nonce, code)
    assert not code_matches(member.id, member.activation_nonce, old_code)
    assert member.password_hash is None and member.must_change_password
    # The page shows it once; the member page never does.
    assert code not in client.get(f"/manage/members/{member.id}").get_data(as_text=True)


def test_a_code_instead_of_a_temporary_password_ends_the_password(app, client, auth, org):
    m1_client, _ = _login(app, "m1")
    auth.login("org1")
    body = client.post(f"/manage/members/{org.m1.id}/code").get_data(as_text=True)
    assert "原密码已失效" in body
    m1 = fresh(org.m1)
    assert code_matches(m1.id, m1.activation_nonce, _shown_code(body))
    assert m1.password_hash is None and m1.must_change_password
    assert m1_client.get("/").headers["Location"].startswith("/login")
    assert "账号或密码错误" in _login(app, "m1")[1].get_data(as_text=True)


def test_a_reset_password_ends_the_code(client, auth, org, make_member):
    member = _pending(make_member, "P3002", org.b12, "待登录")
    auth.login("org1")
    client.post(f"/manage/members/{member.id}/password", data={"temporary_password": "Temp2026ab"})
    member = fresh(member)
    assert member.activation_nonce is None and member.password_hash is not None
    body = client.get("/manage/members/credentials").get_data(as_text=True)
    assert "没有需要打印的登录凭条" in body


@pytest.mark.parametrize(
    "who,message",
    [
        ("self", "请在「我的」页面修改自己的密码。"),
        ("gone", "该账号已停用，请先恢复账号。"),
    ],
)
def test_code_refusals(client, auth, org, make_member, who, message):
    target = org.org1 if who == "self" else make_member("P3003", org.b12, active=False)
    db.session.commit()
    nonce, password_hash = target.activation_nonce, target.password_hash
    auth.login("org1")
    response = client.post(f"/manage/members/{target.id}/code", follow_redirects=True)
    assert message in response.get_data(as_text=True)
    target = fresh(target)
    assert (target.activation_nonce, target.password_hash) == (nonce, password_hash)


def test_service_refuses_a_code_for_someone_who_manages_more(org):
    org.admin.branch = org.b11
    db.session.flush()
    with pytest.raises(DomainError, match="您无权为该人员生成登录码"):
        logins.issue_login_code(org.org1, org.admin)
    assert org.admin.activation_nonce is None


def test_credentials_page_counts_the_pending_members_per_branch(client, auth, org, make_member):
    for i, branch in enumerate((org.b11, org.b12, org.b12, org.b21)):
        _pending(make_member, f"P40{i}", branch, f"待登录{i}")
    gone = _pending(make_member, "P409", org.b11, "已停用待登录")
    gone.is_active = False
    db.session.commit()
    auth.login("org1")
    listing = client.get("/manage/members/").get_data(as_text=True)
    assert 'href="/manage/members/credentials"' in listing
    body = client.get("/manage/members/credentials").get_data(as_text=True)
    assert "尚未登录 3 人" in body
    rows = re.findall(r'<tr><td>([^<]+)</td><td class="num">(\d+)</td>', body)
    assert rows == [("一所党支部", "1"), ("二所党支部", "2")]
    assert f"/manage/members/credentials.xlsx?branch={org.b12.id}" in body
    # Once nobody waits, the page says so and the download sends back to it.
    db.session.execute(update(Member).values(activation_nonce=None))
    db.session.commit()
    body = client.get("/manage/members/credentials").get_data(as_text=True)
    assert "没有需要打印的登录凭条" in body
    response = client.get("/manage/members/credentials.xlsx", follow_redirects=True)
    assert "没有可打印登录凭条的人员" in response.get_data(as_text=True)


# History.


def _history(body: str) -> list[tuple[str, str, str]]:
    return re.findall(r"<tr><td>([^<]+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", body)


def test_member_page_shows_the_history(clock, client, auth, org):
    auth.login("org1")
    client.post(f"/manage/members/{org.m1.id}/move", data={"branch_id": org.b12.id})
    body = client.get(f"/manage/members/{org.m1.id}").get_data(as_text=True)
    assert _history(body) == [
        ("二所党支部", "2026-11-21", "至今"),
        ("一所党支部", "2025-01-01", "2026-11-21"),
    ]


def test_membership_on_finds_the_stay_covering_a_day(org, make_member):
    member = make_member("mv1", org.b11, since=date(2026, 1, 1))
    services.move_member(org.org1, member, org.b12, date(2026, 6, 15))

    def branch_on(day):
        stay = services.membership_on(member, day)
        return stay.branch_id if stay else None

    assert branch_on(date(2025, 12, 31)) is None  # before joining
    assert branch_on(date(2026, 1, 1)) == org.b11.id
    assert branch_on(date(2026, 6, 14)) == org.b11.id  # last day in B11
    assert branch_on(date(2026, 6, 15)) == org.b12.id  # the day of the move counts for B12
    assert branch_on(date(2027, 3, 1)) == org.b12.id


def test_reactivating_a_bureau_account_records_no_stay(org, make_member):
    # The admin's record sits on the bureau; stays are kept for branches only.
    admin2 = make_member("admin2", org.bureau, name="第二管理员", role=Role.ADMIN)
    services.set_member_active(org.admin, admin2, False, TODAY)
    services.set_member_active(org.admin, admin2, True, date(2026, 11, 22))
    assert admin2.is_active
    assert admin2.memberships == []


def test_member_left_in_a_deactivated_branch_can_be_brought_back(clock, client, auth, org):
    services.set_member_active(org.org1, org.m1, False, date(2026, 11, 1))
    services.move_member(org.admin, org.org1, org.b12, date(2026, 11, 1))  # B11 is now empty
    services.set_branch_active(org.admin, org.b11, False)
    db.session.commit()
    auth.login("org1")
    # Reactivating first is refused and says to edit the member's branch...
    refused = _set_active(client, org.m1, True)
    assert "请先编辑其所属支部" in refused.get_data(as_text=True)
    # ...which must then work, and so must the reactivation.
    client.post(
        f"/manage/members/{org.m1.id}/edit",
        data=_edit_form(org, name="普通党员", police_no="m0001", branch_id=org.b12.id),
    )
    assert fresh(org.m1).branch_id == org.b12.id
    _set_active(client, org.m1, True)
    assert fresh(org.m1).is_active
    assert _stays(org.m1) == [
        (org.b11.id, date(2025, 1, 1), date(2026, 11, 1)),
        (org.b12.id, TODAY, None),
    ]


def test_the_database_allows_one_open_stay_per_member(org):
    from sqlalchemy.exc import IntegrityError

    from quizapp.members.models import Membership

    db.session.add(
        Membership(member_id=org.m1.id, branch_id=org.b12.id, started_on=date(2026, 1, 1))
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_concurrent_change_is_reported_not_crashed(app, client, auth, org, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    def clash(*args, **kwargs):
        raise IntegrityError("INSERT", {}, Exception("duplicate"))

    monkeypatch.setattr(services, "move_member", clash)
    auth.login("org1")
    response = client.post(
        f"/manage/members/{org.m1.id}/move", data={"branch_id": org.b12.id}, follow_redirects=True
    )
    assert "同时修改" in response.get_data(as_text=True)


def test_organisers_may_only_appoint_organisers_below_them(client, auth, org):
    auth.login("org1")
    form = {
        "name": "普通党员",
        "police_no": "m0001",
        "branch_id": org.b11.id,
        "political_status": "full",
        "role": "organiser",
        "scope_branch_id": org.u1.id,
    }
    response = client.post(f"/manage/members/{org.m1.id}/edit", data=form)
    assert "只能任命您下级组织的管理员" in response.get_data(as_text=True)
    assert fresh(org.m1).role == "member"
    form["scope_branch_id"] = org.b11.id
    assert client.post(f"/manage/members/{org.m1.id}/edit", data=form).status_code == 302
    assert fresh(org.m1).role == "organiser"
