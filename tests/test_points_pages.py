"""Points pages through the HTTP client: the member's /points and home, the organisers'
ranking, a member's ledger with corrections, and the rules (admins change them).

The clock is frozen at 10:00 on 21 November 2026, China time.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import select

from quizapp import clock, db
from quizapp.clock import CHINA
from quizapp.points.models import PointEntry, PointRule, PointSettings
from quizapp.points.rules import DEFAULTS, UNIT_RULES
from tests.factories import add_points

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=CHINA)


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    monkeypatch.setattr(clock, "utcnow", lambda: NOW)


def _give(member, points, day=date(2026, 11, 20), rule="minutes", reason="在线学习 60 分钟"):
    return add_points(member, points, day, rule=rule, reason=reason)


def _entries(member) -> list[PointEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(PointEntry).where(PointEntry.member_id == member.id).order_by(PointEntry.id)
        )
    )


def _text(response) -> str:
    return response.get_data(as_text=True)


# The member


def test_member_sees_their_points_ledger_and_the_rules(client, auth, org):
    _give(org.m1, 6, reason="在线学习 95 分钟（2026-11-20），达到每日上限 6 分")
    _give(org.m1, 4, day=date(2026, 10, 30), reason="在线学习 40 分钟（2026-10-30）")
    _give(org.org1, 50)  # someone else's
    day, key = date(2026, 11, 21), "correction:abc"
    add_points(org.m1, -2, day, rule="correction", reason="重复登记", key=key, by=org.org1)
    db.session.commit()
    auth.login("m1")
    body = _text(client.get("/points"))
    stats = re.findall(
        r'<span class="stat-value">(-?\d+)</span><span class="stat-label">(\S+)</span>', body
    )
    assert stats == [("4", "本月积分"), ("8", "累计积分")]
    assert "达到每日上限 6 分" in body and "在线学习 40 分钟（2026-10-30）" in body
    assert "由 一分局管理员 扣减" in body and "重复登记" in body and "-2" in body
    assert "每在线学习 10 分钟得 1 分，每天最多 6 分" in body
    assert "当天结束后" in body  # today's minutes come later, and the page says so
    assert "撤销" not in body  # no undo for the member


def test_the_ledger_is_paged(client, auth, org):
    for i in range(25):
        _give(org.m1, 1, day=date(2026, 11, 1 + i % 20), reason=f"第{i}条")
    db.session.commit()
    auth.login("m1")
    assert "第 1 / 2 页，共 25 条" in _text(client.get("/points"))
    assert _text(client.get("/points?page=2")).count('class="points-entry"') == 5


def test_an_organiser_pages_through_a_members_ledger(client, auth, org):
    for i in range(25):
        _give(org.m1, 1, day=date(2026, 11, 1 + i % 20), reason=f"第{i}条")
    db.session.commit()
    auth.login("org1")
    page = client.get(f"/manage/points/members/{org.m1.id}")
    assert page.status_code == 200
    assert "第 1 / 2 页，共 25 条" in _text(page)
    assert f'href="/manage/points/members/{org.m1.id}?page=2"' in _text(page)
    second = _text(client.get(f"/manage/points/members/{org.m1.id}?page=2"))
    assert second.count('class="points-entry"') == 5


def test_home_shows_this_months_points_and_total_in_bounded_queries(client, auth, org, queries):
    auth.login("m1")
    with queries() as few:
        client.get("/")
    for i in range(30):
        _give(org.m1, 2, day=date(2026, 11, 1 + i % 20), reason=f"第{i}条")
    _give(org.m1, 5, day=date(2026, 10, 1))
    db.session.commit()
    with queries() as many:
        body = _text(client.get("/"))
    assert len(many) == len(few)
    assert "<strong>60</strong> 本月" in body and "<strong>65</strong> 累计" in body
    assert 'href="/points"' in body


# Corrections


def _token(body: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', body)[1]


def _correction(reason: str, token: str = "tok" * 8) -> dict:
    """The correction form: 补发 5 points on 2026-11-20 for ``reason``."""
    return {"kind": "award", "points": "5", "reason": reason, "day": "2026-11-20", "token": token}


def test_organiser_adds_a_correction_and_a_double_submit_writes_one(client, auth, org):
    auth.login("org1")
    page = client.get(f"/manage/points/members/{org.m1.id}")
    assert page.status_code == 200
    form = _correction("主题党日线下登记遗漏", _token(_text(page)))
    url = f"/manage/points/members/{org.m1.id}/corrections"
    first = client.post(url, data=form)
    assert first.status_code == 302
    second = client.post(url, data=form, follow_redirects=True)
    assert "这次调整已经记录过了" in _text(second)
    [entry] = _entries(org.m1)
    assert (entry.points, entry.day, entry.created_by_id, entry.reason) == (
        5,
        date(2026, 11, 20),
        org.org1.id,
        "主题党日线下登记遗漏",
    )
    deduct = dict(
        form,
        kind="deduct",
        points="2",
        reason="重复计分",
        token=_token(_text(client.get(f"/manage/points/members/{org.m1.id}"))),
    )
    client.post(url, data=deduct)
    assert [e.points for e in _entries(org.m1)] == [5, -2]
    auth.switch_to("m1")
    body = _text(client.get("/points"))
    assert "由 一分局管理员 补发" in body and "由 一分局管理员 扣减" in body


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"reason": ""}, "请填写原因"),
        ({"points": "0"}, "分值应为 1 至 100 分"),
        ({"day": "2026-11-22"}, "日期不能晚于今天"),
        ({"kind": "deduct"}, "扣减后总积分不能小于 0"),
    ],
)
def test_a_correction_form_with_a_problem_writes_nothing(client, auth, org, changes, message):
    auth.login("org1")
    form = _correction("补录") | changes
    response = client.post(f"/manage/points/members/{org.m1.id}/corrections", data=form)
    assert response.status_code == 200
    assert message in _text(response)
    assert _entries(org.m1) == []


def test_outsiders_and_members_cannot_correct(client, auth, org):
    form = _correction("越权")
    url = f"/manage/points/members/{org.m1.id}"
    auth.login("org2")
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/corrections", data=form).status_code == 404
    auth.switch_to("m1")
    assert client.post(f"{url}/corrections", data=form).status_code == 403
    assert _entries(org.m1) == []


def test_an_organiser_sees_but_cannot_correct_someone_who_manages_more(client, auth, org):
    org.admin.branch = org.b11
    db.session.commit()
    auth.login("org1")
    page = client.get(f"/manage/points/members/{org.admin.id}")
    assert page.status_code == 200 and "补发或扣减积分" not in _text(page)
    response = client.post(
        f"/manage/points/members/{org.admin.id}/corrections",
        data=_correction("越权"),
    )
    assert response.status_code == 403


def test_an_organiser_does_not_correct_their_own_points(client, auth, org):
    auth.login("org1")
    page = _text(client.get(f"/manage/points/members/{org.org1.id}"))
    assert "补发或扣减积分" not in page and "不能由本人调整" in page
    response = client.post(
        f"/manage/points/members/{org.org1.id}/corrections",
        data=_correction("自己加分"),
    )
    assert response.status_code == 403
    assert _entries(org.org1) == []


def test_a_correction_is_undone_from_the_ledger(client, auth, org):
    entry = add_points(
        org.m1,
        5,
        date(2026, 11, 3),
        rule="correction",
        reason="补录",
        key="correction:" + "u" * 20,
        by=org.org1,
    )
    db.session.commit()
    auth.login("org1")
    page = _text(client.get(f"/manage/points/members/{org.m1.id}"))
    assert f"/manage/points/entries/{entry.id}/reverse" in page
    assert client.post(f"/manage/points/entries/{entry.id}/reverse").status_code == 302
    again = client.post(f"/manage/points/entries/{entry.id}/reverse", follow_redirects=True)
    assert "这条调整已经撤销过了" in _text(again)
    assert [(e.points, e.day) for e in _entries(org.m1)] == [
        (5, date(2026, 11, 3)),
        (-5, date(2026, 11, 3)),
    ]
    page = _text(client.get(f"/manage/points/members/{org.m1.id}"))
    assert "已撤销" in page and f"/manage/points/entries/{entry.id}/reverse" not in page


def test_the_member_page_links_to_the_points_ledger(client, auth, org):
    auth.login("org1")
    body = _text(client.get(f"/manage/members/{org.m1.id}"))
    assert f'href="/manage/points/members/{org.m1.id}"' in body


# The ranking


def test_ranking_page_shows_tiers_per_member_and_candidates(client, auth, org, make_member):
    _give(org.m1, 30)
    _give(org.org1, 30)  # B11: 60 points, 2 members: 30.0 each, exactly red
    _give(make_member("y1", org.b12, name="王小红"), 16)  # B12: 16.0, yellow
    _give(org.org2, 100)  # U2: not org1's
    db.session.commit()
    auth.login("org1")
    body = _text(client.get("/manage/points/?month=2026-11"))
    assert "2026年11月" in body
    b11, b12 = body.index("一所党支部"), body.index("二所党支部")
    assert b11 < b12
    first, second = body.split('class="card points-branch')[1:]
    assert re.search(
        r"第 1 名.*红榜.*<strong>30\.0</strong>.*一所党支部.*2 人 · 合计 60 分", first, re.S
    )
    assert re.search(r"第 2 名.*黄榜.*<strong>16\.0</strong>.*二所党支部.*王小红", second, re.S)
    assert "三所党支部" not in body and "二分局管理员" not in body
    assert "先锋党员候选" in body and "普通党员" in body
    # An earlier month has no points; a later month than this one shows this one.
    october = _text(client.get("/manage/points/?month=2026-10"))
    assert "2026年10月" in october and "<strong>0.0</strong>" in october
    assert "2026年11月" in _text(client.get("/manage/points/?month=2027-03"))


@pytest.mark.parametrize("month", ["2026-13", "abc", "2026-00", "1999-05"])
def test_a_month_that_is_none_is_said_and_this_month_shown(client, auth, org, month):
    """A ?month= that names no month answers 400, saying so above this month's ranking."""
    auth.login("org1")
    response = client.get(f"/manage/points/?month={month}")
    assert response.status_code == 400
    body = _text(response)
    assert f"月份“{month}”无效，请按“年-月”选择（如 2026-11）。下面是本月的排名。" in body
    assert "2026年11月" in body and 'value="2026-11"' in body
    assert "无效" not in _text(client.get("/manage/points/?month="))  # the picker left empty


def test_outsider_ranking_shows_only_their_own_branches(client, auth, org):
    _give(org.m1, 30)
    db.session.commit()
    auth.login("org2")
    body = _text(client.get("/manage/points/"))
    assert "三所党支部" in body and "一所党支部" not in body and "普通党员" not in body


# The rules


def _settings_form(**changes) -> dict:
    form = {"red_min": "40", "yellow_min": "20"}
    for key, rule in DEFAULTS.items():
        form[f"{key}_points"] = str(rule.points)
        form[f"{key}_cap"] = str(rule.daily_cap)
        form[f"{key}_enabled"] = "y"
        if key in UNIT_RULES:
            form[f"{key}_unit"] = str(rule.unit)
    form.update(changes)
    return form


def test_organisers_see_the_rules_but_only_admins_change_them(client, auth, org):
    auth.login("org1")
    body = _text(client.get("/manage/points/settings"))
    assert "每在线学习 10 分钟得 1 分" in body and "人均 30.0 分及以上" in body
    assert 'name="red_min"' not in body
    assert client.post("/manage/points/settings", data=_settings_form()).status_code == 403
    assert db.session.get(PointSettings, 1) is None
    auth.switch_to("admin")
    assert 'name="red_min"' in _text(client.get("/manage/points/settings"))
    response = client.post(
        "/manage/points/settings",
        data=_settings_form(
            minutes_points="2", minutes_unit="15", minutes_cap="8", reflection_enabled=""
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    settings = db.session.get(PointSettings, 1)
    assert (settings.red_min, settings.yellow_min, settings.updated_by_id) == (40, 20, org.admin.id)
    minutes, reflection = (
        db.session.get(PointRule, "minutes"),
        db.session.get(PointRule, "reflection"),
    )
    assert (minutes.points, minutes.unit, minutes.daily_cap) == (2, 15, 8)
    assert not reflection.is_enabled
    auth.switch_to("m1")
    rules = _text(client.get("/points"))
    assert "每在线学习 15 分钟得 2 分，每天最多 8 分" in rules and "心得体会：暂不计分" in rules


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"red_min": "20", "yellow_min": "20"}, "红榜标准必须高于黄榜标准"),
        ({"yellow_min": "-1"}, "标准应为 0 至"),
        ({"minutes_unit": "0"}, "应为 1 至 240"),
        ({"quiz_passed_cap": ""}, "请填写每日上限"),
    ],
)
def test_settings_are_checked(client, auth, org, changes, message):
    auth.login("admin")
    response = client.post("/manage/points/settings", data=_settings_form(**changes))
    assert response.status_code == 200
    assert message in _text(response)
    assert db.session.get(PointSettings, 1) is None


def test_the_demo_has_points_and_a_ranking_to_show(client, auth, app):
    from quizapp import demo

    assert "point entries" in demo.build_demo(NOW)
    db.session.commit()
    auth.login("org01", password=demo.DEMO_PASSWORD)
    body = _text(client.get("/manage/points/"))
    assert body.count('class="card points-branch') >= 3 and "先锋党员候选" in body
    auth.switch_to("m0001", password=demo.DEMO_PASSWORD)
    stats = re.findall(r'<span class="stat-value">(\d+)</span>', _text(client.get("/points")))
    assert int(stats[1]) > 0
