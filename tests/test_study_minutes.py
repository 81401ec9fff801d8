"""Crediting study minutes: the server's clock, caps, gaps, tabs, devices and days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from quizapp import db
from quizapp.auth.session_ref import SessionRef
from quizapp.errors import SessionInvalid
from quizapp.study import minutes
from quizapp.study.models import StudyMinute
from tests.factories import between_read_and_write, make_material

T0 = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)  # 09:00 in China


def _material(org, title="党纪学习", **values):
    material = make_material(org, title, branches=[org.u1], **values)
    db.session.commit()
    return material


def _ref(member):
    return SessionRef(member.id, member.session_version)


def _beats(ref, material, start, count, every=30):
    credits = []
    for i in range(count):
        credits.append(
            minutes.record_heartbeat(
                ref, material.id, start + timedelta(seconds=every * i)
            ).credited
        )
        db.session.commit()
    return credits


def _seconds(member, material=None, day=None):
    query = select(func.coalesce(func.sum(StudyMinute.seconds), 0)).where(
        StudyMinute.member_id == member.id
    )
    if material is not None:
        query = query.where(StudyMinute.material_id == material.id)
    if day is not None:
        query = query.where(StudyMinute.day == day)
    db.session.expire_all()
    return db.session.scalar(query)


def test_first_heartbeat_credits_nothing_then_regular_ones_count(org):
    material = _material(org)
    assert _beats(_ref(org.m1), material, T0, 5) == [0, 30, 30, 30, 30]
    assert _seconds(org.m1, material) == 120


def test_one_row_per_member_material_and_day(org):
    material = _material(org)
    _beats(_ref(org.m1), material, T0, 10)
    rows = db.session.scalar(select(func.count()).select_from(StudyMinute))
    assert rows == 1


def test_a_late_heartbeat_is_capped(org):
    material = _material(org)
    ref = _ref(org.m1)
    _beats(ref, material, T0, 2)
    assert (
        minutes.record_heartbeat(ref, material.id, T0 + timedelta(seconds=30 + 70)).credited == 40
    )


def test_after_a_gap_nothing_is_credited(org):
    material = _material(org)
    ref = _ref(org.m1)
    _beats(ref, material, T0, 2)
    after = T0 + timedelta(minutes=10)
    assert minutes.record_heartbeat(ref, material.id, after).credited == 0
    db.session.commit()
    assert minutes.record_heartbeat(ref, material.id, after + timedelta(seconds=30)).credited == 30


def test_daily_cap(org, app):
    app.config["STUDY_DAILY_CAP_MINUTES"] = 1
    material = _material(org)
    assert _beats(_ref(org.m1), material, T0, 5) == [0, 30, 30, 0, 0]


def test_two_tabs_never_count_more_than_the_wall_clock(org):
    first, second = _material(org, "资料一"), _material(org, "资料二")
    ref = _ref(org.m1)
    credited = 0
    for i in range(6):  # both tabs beat every 30 s, 15 s apart
        moment = T0 + timedelta(seconds=30 * i)
        credited += minutes.record_heartbeat(ref, first.id, moment).credited
        db.session.commit()
        credited += minutes.record_heartbeat(
            ref, second.id, moment + timedelta(seconds=15)
        ).credited
        db.session.commit()
    wall = (T0 + timedelta(seconds=30 * 5 + 15) - T0).total_seconds()
    assert credited <= wall
    assert _seconds(org.m1) == credited


def test_two_devices_share_the_same_clock(org):
    material = _material(org)
    phone, desk = _ref(org.m1), _ref(org.m1)
    credits = []
    for i in range(4):
        credits.append(
            minutes.record_heartbeat(phone, material.id, T0 + timedelta(seconds=30 * i)).credited
        )
        credits.append(
            minutes.record_heartbeat(desk, material.id, T0 + timedelta(seconds=30 * i + 1)).credited
        )
        db.session.commit()
    assert sum(credits) <= 30 * 3 + 1


def test_china_day_boundary_at_16_utc(org):
    material = _material(org)
    ref = _ref(org.m1)
    before = datetime(2026, 11, 21, 15, 59, 30, tzinfo=UTC)
    _beats(ref, material, before, 3)  # 15:59:30, 16:00:00, 16:00:30
    assert _seconds(org.m1, day=date(2026, 11, 21)) == 0  # only the opening beat that day
    # A heartbeat's seconds go to the China day it arrives on: 16:00 UTC is 00:00 in China.
    assert _seconds(org.m1, day=date(2026, 11, 22)) == 60


def test_unpublished_or_closed_material_is_refused(org):
    draft = _material(org, status="draft")
    closed = _material(org, "过期", closes_at=T0 - timedelta(days=1))
    for material in (draft, closed):
        with pytest.raises(minutes.StudyRefused):
            minutes.record_heartbeat(_ref(org.m1), material.id, T0)


def test_a_stale_session_is_refused(org):
    material = _material(org)
    with pytest.raises(SessionInvalid):
        minutes.record_heartbeat(SessionRef(org.m1.id, 999), material.id, T0)


def test_tokens_bind_member_and_material(org):
    material = _material(org)
    token = minutes.issue_token(org.m1.id, material)
    assert minutes.read_token(token, org.m1.id)[0] == material.id
    with pytest.raises(minutes.StudyRefused):
        minutes.read_token(token, org.org1.id)
    with pytest.raises(minutes.StudyRefused):
        minutes.read_token(token[:-2] + "xx", org.m1.id)


def heartbeat_statements() -> int:
    """A heartbeat's statements: the read, then the clock and the seconds (one statement on
    PostgreSQL, two on SQLite)."""
    return 2 if db.session.get_bind().dialect.name == "postgresql" else 3


def test_heartbeat_is_one_read_and_one_write(org, queries):
    material = _material(org)
    ref = _ref(org.m1)
    _beats(ref, material, T0, 1)
    with queries() as statements:
        minutes.record_heartbeat(ref, material.id, T0 + timedelta(seconds=30))
    assert len(statements) == heartbeat_statements(), statements


def test_api_credits_and_refuses_forged_material_ids(client, auth, org, time_machine):
    material = _material(org)
    time_machine.move_to(T0, tick=False)
    auth.login("m1")
    token = minutes.issue_token(org.m1.id, material)
    assert client.post("/api/study/heartbeat", json={"token": token}).get_json()["credited"] == 0
    time_machine.move_to(T0 + timedelta(seconds=30), tick=False)
    body = client.post("/api/study/heartbeat", json={"token": token}).get_json()
    assert body["credited"] == 30 and body["today_seconds"] == 30
    assert body["today_minutes"] == 0.5  # one decimal, as the page shows it (not 0)
    forged = client.post("/api/study/heartbeat", json={"token": "abc.def"})
    assert forged.status_code == 409 and "刷新" in forged.get_json()["message"]
    assert forged.get_json()["error"] == "stale"
    # A beacon sends a form (it can't set headers).
    time_machine.move_to(T0 + timedelta(seconds=60), tick=False)
    beacon = client.post("/api/study/heartbeat", data={"token": token})
    assert beacon.get_json()["credited"] == 30


def test_api_needs_login_and_csrf(app, client, auth, org):
    material = _material(org)
    token = minutes.issue_token(org.m1.id, material)
    assert client.post("/api/study/heartbeat", json={"token": token}).status_code == 401
    auth.login("m1")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/api/study/heartbeat", json={"token": token}).status_code == 400


def test_a_resume_beat_restarts_the_clock(org):
    material = _material(org)
    ref = _ref(org.m1)
    _beats(ref, material, T0, 2)  # 0, 30
    back = T0 + timedelta(seconds=30 + 60)  # a minute in another app, then back
    assert minutes.record_heartbeat(ref, material.id, back, resume=True).credited == 0
    db.session.commit()
    assert minutes.record_heartbeat(ref, material.id, back + timedelta(seconds=30)).credited == 30


def test_editing_a_material_ends_the_tokens_issued_before(client, auth, org, time_machine):
    from quizapp.clock import utcnow

    material = _material(org)
    time_machine.move_to(T0, tick=False)
    auth.login("m1")
    token = minutes.issue_token(org.m1.id, material)
    assert client.post("/api/study/heartbeat", json={"token": token}).status_code == 200
    material.updated_at = utcnow()  # what saving the material (e.g. a new audience) does
    db.session.commit()
    refused = client.post("/api/study/heartbeat", json={"token": token})
    assert refused.status_code == 409 and "刷新" in refused.get_json()["message"]


def test_a_body_that_is_not_an_object_is_a_400(client, auth, org):
    auth.login("m1")
    assert client.post("/api/study/heartbeat", json=[1, 2]).status_code == 400


def test_two_heartbeats_that_read_the_same_clock_are_credited_once(
    client, auth, org, time_machine, monkeypatch
):
    """Two tabs' beats read the clock at the same moment: the second to write finds the clock
    moved by the first and is credited nothing. The second beat here runs entirely (its own
    request, session and connection, committed) between the first's read and its write,
    through the API, so on PostgreSQL both run in autocommit with nothing held in between."""
    material = _material(org)
    time_machine.move_to(T0, tick=False)
    auth.login("m1")
    token = minutes.issue_token(org.m1.id, material)
    client.post("/api/study/heartbeat", json={"token": token})
    time_machine.move_to(T0 + timedelta(seconds=30), tick=False)
    other_tab = between_read_and_write(
        monkeypatch,
        minutes,
        "_READ",
        lambda: client.post("/api/study/heartbeat", json={"token": token}),
    )
    first = client.post("/api/study/heartbeat", json={"token": token})
    assert other_tab[0].get_json()["credited"] == 30
    assert first.status_code == 200 and first.get_json()["credited"] == 0
    assert _seconds(org.m1) == 30


def test_a_heartbeat_alone_commits_without_waiting_for_the_flush(client, auth, org, time_machine):
    """On PostgreSQL the heartbeat's write turns ``synchronous_commit`` off for its own
    transaction only: inside it the setting is off, and the pooled connections the API
    used are back to the server's setting afterwards."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's WAL mode already commits without a flush")
    material = _material(org)
    ref = _ref(org.m1)
    _beats(ref, material, T0, 1)
    db.session.execute(select(func.now()))  # a transaction of the test's own, still open
    minutes.record_heartbeat(ref, material.id, T0 + timedelta(seconds=30))
    assert db.session.scalar(text("SHOW synchronous_commit")) == "off"
    db.session.rollback()
    assert db.session.scalar(text("SHOW synchronous_commit")) == "on"
    time_machine.move_to(T0 + timedelta(seconds=60), tick=False)
    auth.login("m1")
    token = minutes.issue_token(org.m1.id, material)
    for _ in range(3):
        assert client.post("/api/study/heartbeat", json={"token": token}).status_code == 200
    engine = db.session.get_bind()
    pooled = [engine.connect() for _ in range(engine.pool.checkedin())]
    try:
        assert all(c.scalar(text("SHOW synchronous_commit")) == "on" for c in pooled)
    finally:
        for connection in pooled:
            connection.close()
