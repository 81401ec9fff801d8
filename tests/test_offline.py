"""Offline sessions (线下学习): recording, attendance, scope, and the figures campaigns use."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from quizapp import db
from quizapp.clock import CHINA
from quizapp.errors import DomainError
from quizapp.offline import queries as offline_queries
from quizapp.offline.models import OfflineAttendance, OfflineSession
from tests.conftest import TODAY
from tests.factories import make_session

YESTERDAY = TODAY - timedelta(days=1)


@pytest.fixture()
def clock(app):
    """Freeze time at 10:00 China time on TODAY (before anyone logs in)."""
    with time_machine.travel(datetime(2026, 11, 21, 10, 0, tzinfo=CHINA), tick=False) as t:
        yield t


@pytest.fixture()
def people(org, make_member):
    """A second member of B11, one of B12 (U1) and one of B21 (U2, outside org1's scope)."""
    people = {
        "b11": make_member("p011", org.b11, name="王小明"),
        "b12": make_member("p012", org.b12, name="李二所"),
        "b21": make_member("p021", org.b21, name="赵三所"),
    }
    db.session.commit()
    return people


def _form(org, **values) -> dict:
    form = {
        "title": "学习《中国共产党纪律处分条例》专题讲座",
        "kind": "lecture",
        "held_on": YESTERDAY.isoformat(),
        "duration_minutes": "90",
        "branch_id": str(org.b11.id),
        "notes": "主讲：支部书记",
        "action": "save",
    }
    return form | values


def _attendance(session_id: int) -> set[int]:
    db.session.expire_all()
    return set(
        db.session.scalars(
            select(OfflineAttendance.member_id).where(OfflineAttendance.session_id == session_id)
        )
    )


def _sessions() -> list[OfflineSession]:
    db.session.expire_all()
    return list(db.session.scalars(select(OfflineSession).order_by(OfflineSession.id)))


def _checkbox(body: str, member_id: int) -> str | None:
    """The attendee checkbox of ``member_id`` on the form, or None."""
    match = re.search(rf'<input type="checkbox" name="member_ids" value="{member_id}"[^>]*>', body)
    return match[0] if match else None


def _make(org, attendees, *, branch=None, actor=None, **values):
    session = make_session(actor or org.org1, branch or org.b11, attendees, **values)
    db.session.commit()
    return session


# Recording a session.


def test_form_lists_the_organisers_branch_roster_to_tick(client, auth, org, people, clock):
    auth.login("org1")
    body = client.get("/manage/offline/new").get_data(as_text=True)
    for member in (org.m1, org.org1, people["b11"]):
        assert _checkbox(body, member.id) is not None
        assert "checked" not in _checkbox(body, member.id)
    assert _checkbox(body, people["b12"].id) is None  # another branch: found by search
    assert 'max="2026-11-21"' in body and 'value="2026-11-21"' in body
    assert "全选" in body and "全不选" in body and "js/offline.js" in body


def test_create_with_ticked_and_searched_attendees(client, auth, org, people, clock):
    auth.login("org1")
    form = _form(org, member_ids=[str(org.m1.id), str(people["b11"].id)])

    # Searching keeps what was typed and ticked, and offers people of other branches in scope.
    page = client.post("/manage/offline/new", data=form | {"action": "search", "q": "李二"})
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and _sessions() == []
    assert "学习《中国共产党纪律处分条例》专题讲座" in body
    assert "checked" in _checkbox(body, org.m1.id)
    assert "checked" not in _checkbox(body, org.org1.id)
    assert "checked" not in _checkbox(body, people["b12"].id)
    assert "二所党支部" in body
    # People outside the organiser's subtree are never found.
    body = client.post(
        "/manage/offline/new", data=form | {"action": "search", "q": "赵三所"}
    ).get_data(as_text=True)
    assert _checkbox(body, people["b21"].id) is None and "没有找到" in body

    # A searched member once ticked stays listed (ticked) through later searches.
    ticked = form | {"member_ids": form["member_ids"] + [str(people["b12"].id)]}
    body = client.post(
        "/manage/offline/new", data=ticked | {"action": "search", "q": "无此人"}
    ).get_data(as_text=True)
    assert "checked" in _checkbox(body, people["b12"].id)
    assert "已选 3 人" in body

    response = client.post("/manage/offline/new", data=ticked)
    assert response.status_code == 302
    (session,) = _sessions()
    assert response.headers["Location"] == f"/manage/offline/{session.id}"
    assert (
        session.title,
        session.kind,
        session.held_on,
        session.duration_minutes,
        session.branch_id,
        session.notes,
        session.recorded_by_id,
    ) == (
        "学习《中国共产党纪律处分条例》专题讲座",
        "lecture",
        YESTERDAY,
        90,
        org.b11.id,
        "主讲：支部书记",
        org.org1.id,
    )
    assert _attendance(session.id) == {org.m1.id, people["b11"].id, people["b12"].id}

    show = client.get(f"/manage/offline/{session.id}").get_data(as_text=True)
    assert "参加 3 人" in client.get("/manage/offline/").get_data(as_text=True)
    for name in ("普通党员", "王小明", "李二所"):
        assert name in show
    assert "一分局管理员" not in show


def test_choosing_another_branch_shows_its_roster_and_keeps_the_ticks(
    client, auth, org, people, clock
):
    auth.login("org1")
    body = client.get(f"/manage/offline/new?branch={org.b12.id}").get_data(as_text=True)
    assert _checkbox(body, people["b12"].id) is not None and _checkbox(body, org.m1.id) is None

    body = client.post(
        "/manage/offline/new",
        data=_form(org, action="roster", branch_id=str(org.b12.id), member_ids=[str(org.m1.id)]),
    ).get_data(as_text=True)
    assert _checkbox(body, people["b12"].id) is not None
    assert "checked" in _checkbox(body, org.m1.id)  # B11's tick is kept, listed with others
    assert _sessions() == []


def test_form_refuses_a_future_date_in_china_time(client, auth, org, clock):
    auth.login("org1")
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    response = client.post("/manage/offline/new", data=_form(org, held_on=tomorrow))
    assert response.status_code == 200
    assert "举办日期不能晚于今天" in response.get_data(as_text=True)
    assert _sessions() == []
    assert (
        client.post("/manage/offline/new", data=_form(org, held_on=TODAY.isoformat())).status_code
        == 302
    )


def test_today_is_the_china_day(client, auth, org):
    # 16:30 UTC on the 21st is 00:30 on the 22nd in China: the 22nd has begun there.
    with time_machine.travel(datetime(2026, 11, 21, 16, 30, tzinfo=UTC), tick=False):
        auth.login("org1")
        response = client.post("/manage/offline/new", data=_form(org, held_on="2026-11-23"))
        assert "举办日期不能晚于今天" in response.get_data(as_text=True)
        response = client.post("/manage/offline/new", data=_form(org, held_on="2026-11-22"))
        assert response.status_code == 302
    assert [s.held_on for s in _sessions()] == [date(2026, 11, 22)]


@pytest.mark.parametrize(
    "minutes,ok", [("0", False), ("1", True), ("1440", True), ("1441", False), ("", False)]
)
def test_duration_is_one_minute_to_a_day(client, auth, org, clock, minutes, ok):
    auth.login("org1")
    response = client.post("/manage/offline/new", data=_form(org, duration_minutes=minutes))
    assert (response.status_code == 302) is ok
    assert len(_sessions()) == (1 if ok else 0)


def test_service_refuses_bad_kind_and_duration(org):
    for kind, minutes in (("meeting", 60), ("lecture", 0), ("lecture", 1441)):
        with pytest.raises(DomainError):
            make_session(org.org1, org.b11, title="讲座", kind=kind, minutes=minutes)


# Scope.


def test_branch_outside_the_subtree_is_refused(client, auth, org, clock):
    auth.login("org1")
    response = client.post("/manage/offline/new", data=_form(org, branch_id=str(org.b21.id)))
    assert response.status_code == 200
    assert "所选支部不存在或不在您的管理范围内" in response.get_data(as_text=True)
    assert client.get(f"/manage/offline/new?branch={org.b21.id}").status_code == 404
    assert _sessions() == []
    with pytest.raises(DomainError, match="不在您的管理范围内"):
        make_session(org.org1, org.b21, title="越权", kind="lecture", minutes=60)
    with pytest.raises(DomainError, match="不是党支部"):
        make_session(org.org1, org.u1, title="单位", kind="lecture", minutes=60)


def test_attendee_outside_the_subtree_is_refused(client, auth, org, people, clock):
    auth.login("org1")
    response = client.post(
        "/manage/offline/new", data=_form(org, member_ids=[str(org.m1.id), str(people["b21"].id)])
    )
    assert response.status_code == 200
    assert "不在您的管理范围内" in response.get_data(as_text=True)
    assert _sessions() == []
    with pytest.raises(DomainError, match="赵三所"):
        make_session(
            org.org1, org.b11, [org.m1, people["b21"]], title="越权", kind="lecture", minutes=60
        )


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/manage/offline/{id}"),
        ("GET", "/manage/offline/{id}/edit"),
        ("POST", "/manage/offline/{id}/edit"),
        ("POST", "/manage/offline/{id}/delete"),
    ],
)
def test_other_subtrees_sessions_answer_404(client, auth, org, clock, method, path):
    session = _make(org, [org.m1])
    auth.login("org2")
    response = client.open(
        path.format(id=session.id), method=method, data=_form(org, branch_id=str(org.b21.id))
    )
    assert response.status_code == 404
    assert len(_sessions()) == 1 and _attendance(session.id) == {org.m1.id}


def test_list_shows_the_subtree_by_branch_and_month(client, auth, org, people, clock):
    _make(org, [org.m1], title="十一月一所", held_on=date(2026, 11, 3))
    _make(org, [people["b12"]], title="十月二所", held_on=date(2026, 10, 30), branch=org.b12)
    _make(org, [people["b21"]], title="三所活动", branch=org.b21, actor=org.org2)
    auth.login("org1")
    body = client.get("/manage/offline/").get_data(as_text=True)
    assert "十一月一所" in body and "十月二所" in body and "三所活动" not in body
    body = client.get(f"/manage/offline/?branch={org.b12.id}").get_data(as_text=True)
    assert "十一月一所" not in body and "十月二所" in body
    body = client.get("/manage/offline/?month=2026-11").get_data(as_text=True)
    assert "十一月一所" in body and "十月二所" not in body
    body = client.get(f"/manage/offline/?month=2026-10&branch={org.u1.id}").get_data(as_text=True)
    assert "十一月一所" not in body and "十月二所" in body
    assert client.get(f"/manage/offline/?branch={org.b21.id}").status_code == 404
    auth.switch_to("org2")
    body = client.get("/manage/offline/").get_data(as_text=True)
    assert "三所活动" in body and "十一月一所" not in body


# Editing attendance.


def test_edit_changes_details_and_attendance(client, auth, org, people, clock):
    session = _make(org, [org.m1, people["b11"]])
    auth.login("org1")
    body = client.get(f"/manage/offline/{session.id}/edit").get_data(as_text=True)
    assert "checked" in _checkbox(body, org.m1.id)
    assert "checked" in _checkbox(body, people["b11"].id)
    assert "checked" not in _checkbox(body, org.org1.id)

    response = client.post(
        f"/manage/offline/{session.id}/edit",
        data=_form(
            org,
            title="改过的标题",
            duration_minutes="45",
            member_ids=[str(org.org1.id), str(people["b11"].id), str(people["b12"].id)],
        ),
    )
    assert response.status_code == 302
    assert _attendance(session.id) == {org.org1.id, people["b11"].id, people["b12"].id}
    session = _sessions()[0]
    assert (session.title, session.duration_minutes) == ("改过的标题", 45)

    # Nobody ticked: the attendance is emptied, the session kept.
    assert client.post(f"/manage/offline/{session.id}/edit", data=_form(org)).status_code == 302
    assert _attendance(session.id) == set() and len(_sessions()) == 1


def test_edit_keeps_attendees_who_moved_out_of_scope(client, auth, org, people, clock):
    session = _make(org, [org.m1, people["b11"]])
    people["b11"].branch = org.b21  # moved to U2 after the session
    db.session.commit()
    auth.login("org1")
    body = client.get(f"/manage/offline/{session.id}/edit").get_data(as_text=True)
    assert _checkbox(body, people["b11"].id) is None
    assert "另有 1 名参加人员已转出您的管理范围" in body
    show = client.get(f"/manage/offline/{session.id}").get_data(as_text=True)
    assert "已转出您的管理范围" in show and "三所党支部" not in show
    client.post(f"/manage/offline/{session.id}/edit", data=_form(org, member_ids=[]))
    assert _attendance(session.id) == {people["b11"].id}


def test_delete_removes_the_session_and_its_attendance(client, auth, org, clock):
    session = _make(org, [org.m1])
    auth.login("org1")
    assert "确认删除" in client.get(f"/manage/offline/{session.id}").get_data(as_text=True)
    response = client.post(f"/manage/offline/{session.id}/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/manage/offline/"
    assert _sessions() == []
    assert db.session.scalar(select(func.count()).select_from(OfflineAttendance)) == 0


def test_form_escapes_what_organisers_type(client, auth, org, clock):
    session = _make(org, [], title="<script>x</script>")
    auth.login("org1")
    body = client.get(f"/manage/offline/{session.id}").get_data(as_text=True)
    assert "<script>x" not in body and "&lt;script&gt;x" in body


# The figures campaigns use.


def test_attended_minutes_groups_count_and_minutes_per_member(org, people, queries):
    m1, b11, b12 = org.m1, people["b11"], people["b12"]
    _make(org, [m1, b11], held_on=date(2026, 11, 1), minutes=90)
    _make(org, [m1], held_on=date(2026, 11, 20), minutes=45)
    _make(org, [m1, b12], held_on=date(2026, 10, 31), minutes=120, branch=org.b12)  # before
    _make(org, [b11], held_on=TODAY, minutes=30)
    ids = [m1.id, b11.id, b12.id, org.org1.id]

    with queries() as statements:
        figures = offline_queries.attended_minutes(ids, date(2026, 11, 1), date(2026, 11, 20))
    assert len(statements) == 1
    assert figures == {m1.id: (2, 135), b11.id: (1, 90), b12.id: (0, 0), org.org1.id: (0, 0)}
    # Both ends of the period count.
    assert offline_queries.attended_minutes([m1.id, b12.id], date(2026, 10, 31), TODAY) == {
        m1.id: (3, 255),
        b12.id: (1, 120),
    }
    assert offline_queries.attended_minutes([], date(2026, 1, 1), TODAY) == {}


def test_a_forged_member_id_is_refused_in_chinese(client, auth, org, clock):
    auth.login("org1")
    response = client.post("/manage/offline/new", data=_form(org, member_ids=["abc"]))
    assert response.status_code == 200
    assert "参加人员选择有误" in response.get_data(as_text=True)
    response = client.post("/manage/offline/new", data=_form(org, member_ids=["999999"]))
    assert "不存在或不在您的管理范围内" in response.get_data(as_text=True)
    assert _sessions() == []
