"""Reflections (心得体会): writing, length, subjects, resubmitting, reviewing, scope."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from quizapp import db
from quizapp.actions import run
from quizapp.audiences.services import build_audience
from quizapp.campaigns.models import Campaign
from quizapp.errors import Conflict, DomainError
from quizapp.members.models import Member
from quizapp.reflections import services
from quizapp.study.models import Material, Reflection
from tests.conftest import TODAY
from tests.factories import fresh, make_material

NOW = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)  # 10:00 in China
#: 354 characters that count, with spaces and line breaks that don't.
BODY = (
    "　".join(["学习党纪，知敬畏、存戒惧、守底线。" * 2] * 10)
    + "\n\n"
    + "筑牢思想防线" * 2
    + "坚定"
)


def _body(counted: int) -> str:
    """A body with exactly ``counted`` characters that count, padded with spaces and breaks."""
    text = "学" * counted
    return "\n".join(text[i : i + 50] + "  " for i in range(0, counted, 50))


@pytest.fixture()
def clock(app):
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _material(org, branches, title="党纪学习教育读本", **values) -> Material:
    material = make_material(org, title, branches=branches, **values)
    db.session.commit()
    return material


def _campaign(org, branches, title="十一月党纪学习", **values) -> Campaign:
    audience = build_audience(org.admin, branches, [], [])
    campaign = Campaign(
        title=title,
        starts_on=TODAY - timedelta(days=10),
        ends_on=TODAY + timedelta(days=20),
        audience=audience,
        owner_branch_id=org.bureau.id,
        **({"is_published": True} | values),
    )
    db.session.add(campaign)
    db.session.commit()
    return campaign


@pytest.fixture()
def world(org, make_member):
    """m1 and m2 in B11 (U1), m3 in B21 (U2); a material and a campaign for U1, one for U2."""
    m2 = make_member("m2", org.b11, name="王小明")
    m3 = make_member("m3", org.b21, name="赵三所")
    db.session.commit()
    return {
        "m2": m2,
        "m3": m3,
        "material": _material(org, [org.u1]),
        "u2_material": _material(org, [org.u2], title="二分局专用资料"),
        "campaign": _campaign(org, [org.u1]),
    }


def _write(member, subject, *, title="学习党纪的体会", body=BODY, now=NOW) -> Reflection:
    reflection = services.submit_reflection(
        member, subject, services.ReflectionData(title=title, body=body), now
    )
    db.session.commit()
    return reflection


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Reflection))


# Writing.


def test_member_writes_a_reflection_on_a_material(client, auth, org, world, clock):
    auth.login("m1")
    page = client.get(f"/reflections/new?material={world['material'].id}")
    assert page.status_code == 200
    assert "党纪学习教育读本" in page.get_data(as_text=True)
    response = client.post(
        f"/reflections/new?material={world['material'].id}",
        data={"title": "学习党纪的体会", "body": BODY},
    )
    assert response.status_code == 302
    (reflection,) = db.session.scalars(select(Reflection)).all()
    assert response.headers["Location"] == f"/reflections/{reflection.id}"
    assert (
        reflection.member_id,
        reflection.material_id,
        reflection.campaign_id,
        reflection.status,
        reflection.submitted_at,
    ) == (org.m1.id, world["material"].id, None, "submitted", NOW)
    body = client.get(f"/reflections/{reflection.id}").get_data(as_text=True)
    assert "待审阅" in body and "学习资料《党纪学习教育读本》" in body


def test_member_writes_a_reflection_on_a_campaign(client, auth, org, world, clock):
    auth.login("m1")
    response = client.post(
        f"/reflections/new?campaign={world['campaign'].id}",
        data={"title": "任务心得", "body": BODY},
    )
    assert response.status_code == 302
    reflection = db.session.scalars(select(Reflection)).one()
    assert (reflection.campaign_id, reflection.material_id) == (world["campaign"].id, None)


def test_without_a_subject_the_member_chooses_among_what_they_can_see(
    client, auth, org, world, clock
):
    _material(org, [org.u1], title="草稿资料", status="draft")
    _campaign(org, [org.u1], title="未发布任务", is_published=False)
    auth.login("m1")
    body = client.get("/reflections/new").get_data(as_text=True)
    assert "党纪学习教育读本" in body and "十一月党纪学习" in body
    for hidden in ("二分局专用资料", "草稿资料", "未发布任务"):
        assert hidden not in body
    assert f"/reflections/new?material={world['material'].id}" in body


@pytest.mark.parametrize("counted,ok", [(299, False), (300, True)])
def test_body_needs_300_characters_not_counting_spaces(
    client, auth, org, world, clock, counted, ok
):
    auth.login("m1")
    text = _body(counted)
    assert len(text) > 300  # the spaces and breaks would make it long enough
    response = client.post(
        f"/reflections/new?material={world['material'].id}", data={"title": "体会", "body": text}
    )
    assert (response.status_code == 302) is ok
    assert _count() == (1 if ok else 0)
    if not ok:
        assert f"正文至少 300 字（不计空格和换行），目前 {counted} 字" in response.get_data(
            as_text=True
        )


def test_length_rules_on_the_service(org, world):
    assert services.counted_chars("学 习\n\t党　纪") == 4
    assert services.body_problem(_body(300)) is None
    assert "至少 300 字" in services.body_problem(" " * 400)
    assert "不能超过 10000 字" in services.body_problem("学" * 10_001)
    assert services.body_problem("学" * 10_000) is None
    for data in (
        services.ReflectionData("体会", _body(299)),
        services.ReflectionData("", BODY),
        services.ReflectionData("长" * 101, BODY),
    ):
        with pytest.raises(DomainError):
            services.submit_reflection(org.m1, world["material"], data, NOW)
    assert _count() == 0


def test_body_is_plain_text_escaped_with_its_line_breaks(client, auth, org, world, clock):
    body = "<script>alert(1)</script>\n<b>第二段</b>\n" + BODY
    reflection = _write(org.m1, world["material"], title="<i>标题</i>", body=body)
    assert fresh(reflection).body.startswith("<script>alert(1)</script>\n<b>第二段</b>\n")
    auth.login("m1")
    page = client.get(f"/reflections/{reflection.id}").get_data(as_text=True)
    assert "<script>alert" not in page and "<b>第二段" not in page and "<i>标题" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\n&lt;b&gt;第二段&lt;/b&gt;\n" in page
    assert 'class="prewrap reflection-text"' in page


# What a member may write about.


def test_material_outside_the_members_audience_answers_404(client, auth, org, world, clock):
    auth.login("m1")
    url = f"/reflections/new?material={world['u2_material'].id}"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"title": "越权", "body": BODY}).status_code == 404
    assert _count() == 0
    with pytest.raises(DomainError, match="不面向您"):
        services.submit_reflection(
            org.m1, world["u2_material"], services.ReflectionData("越权", BODY), NOW
        )


def _form_answers(client, subject: str) -> tuple[int, int]:
    """The status codes of the new-reflection form about ``subject`` and of posting it."""
    page = client.get(f"/reflections/new?{subject}")
    posted = client.post(f"/reflections/new?{subject}", data={"title": "体会", "body": BODY})
    return page.status_code, posted.status_code


@pytest.mark.parametrize(
    "values",
    [
        {"status": "draft"},
        {"status": "retired"},
        {"opens_at": NOW + timedelta(hours=1)},
        {"closes_at": NOW},
    ],
)
def test_unpublished_or_closed_material_answers_404(client, auth, org, world, clock, values):
    material = _material(org, [org.u1], title="看不到的资料", **values)
    auth.login("m1")
    assert _form_answers(client, f"material={material.id}") == (404, 404)


def test_campaign_the_member_is_not_in_answers_404(client, auth, org, world, clock):
    others = _campaign(org, [org.u2], title="二分局任务")
    draft = _campaign(org, [org.u1], title="未发布任务", is_published=False)
    auth.login("m1")
    for campaign in (others, draft):
        assert _form_answers(client, f"campaign={campaign.id}") == (404, 404)
    assert client.get("/reflections/new?campaign=999999").status_code == 404
    assert _count() == 0


# Editing and resubmitting.


def test_member_edits_while_waiting(client, auth, org, world, clock):
    reflection = _write(org.m1, world["material"])
    clock.shift(timedelta(minutes=5))
    auth.login("m1")
    assert "学习党纪的体会" in client.get(f"/reflections/{reflection.id}/edit").get_data(
        as_text=True
    )
    response = client.post(
        f"/reflections/{reflection.id}/edit",
        data={"title": "改过的标题", "body": BODY + "再补一句"},
    )
    assert response.status_code == 302
    reflection = fresh(reflection)
    assert (reflection.title, reflection.status) == ("改过的标题", "submitted")
    assert reflection.body.endswith("再补一句")
    assert reflection.submitted_at == NOW + timedelta(minutes=5)
    short = client.post(f"/reflections/{reflection.id}/edit", data={"title": "短", "body": "短"})
    assert short.status_code == 200 and fresh(reflection).title == "改过的标题"


def test_returned_reflection_is_resubmitted_with_the_comment_kept(client, auth, org, world, clock):
    reflection = _write(org.m1, world["material"])
    services.review_reflection(org.org1, reflection, "return", "请结合本职工作谈体会。", None, NOW)
    db.session.commit()
    auth.login("m1")
    assert "请结合本职工作谈体会。" in client.get("/reflections/").get_data(as_text=True)
    page = client.get(f"/reflections/{reflection.id}/edit").get_data(as_text=True)
    assert "退回意见" in page and "请结合本职工作谈体会。" in page
    assert (
        client.post(
            f"/reflections/{reflection.id}/edit", data={"title": "修改后的体会", "body": BODY}
        ).status_code
        == 302
    )
    reflection = fresh(reflection)
    assert reflection.status == "submitted"
    assert reflection.review_comment == "请结合本职工作谈体会。"
    assert "上次退回意见" in client.get(f"/reflections/{reflection.id}").get_data(as_text=True)


def test_accepted_reflection_can_no_longer_be_changed(client, auth, org, world, clock):
    reflection = _write(org.m1, world["material"])
    services.review_reflection(org.org1, reflection, "accept", "", None, NOW)
    db.session.commit()
    auth.login("m1")
    page = client.get(f"/reflections/{reflection.id}").get_data(as_text=True)
    assert "已通过" in page and f"/reflections/{reflection.id}/edit" not in page
    response = client.get(f"/reflections/{reflection.id}/edit", follow_redirects=True)
    assert "已审阅通过，不能再修改" in response.get_data(as_text=True)
    client.post(f"/reflections/{reflection.id}/edit", data={"title": "偷改", "body": BODY})
    assert fresh(reflection).title == "学习党纪的体会"
    with pytest.raises(DomainError, match="不能再修改"):
        services.update_reflection(
            org.m1, fresh(reflection), services.ReflectionData("偷改", BODY), NOW
        )


def test_update_loses_to_an_acceptance_that_landed_first(org, world):
    reflection = _write(org.m1, world["material"])
    stale = fresh(reflection)
    db.session.execute(Reflection.__table__.update().values(status="accepted"))
    # The member's page still thinks it is waiting; the conditional update finds it isn't.
    with pytest.raises(DomainError, match="刚刚已审阅通过"):
        services.update_reflection(org.m1, stale, services.ReflectionData("偷改", BODY), NOW)
    db.session.rollback()
    assert fresh(reflection).title == "学习党纪的体会"


# Submitting twice.


def test_a_resubmitted_form_lands_on_the_reflection_saved_first(client, auth, org, world, clock):
    """The response to the first POST was lost; the phone sends the same form again."""
    auth.login("m1")
    path = f"/reflections/new?material={world['material'].id}"
    first = client.post(path, data={"title": "学习党纪的体会", "body": BODY})
    clock.shift(timedelta(minutes=2))
    again = client.post(path, data={"title": " 学习党纪的体会", "body": BODY + "\n"})
    (reflection,) = db.session.scalars(select(Reflection)).all()
    assert first.headers["Location"] == again.headers["Location"] == f"/reflections/{reflection.id}"
    assert reflection.submitted_at == NOW
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "已提交，请等待党组织审阅" in page and "待审阅" in page


def test_another_text_while_one_waits_is_refused_and_kept_on_the_form(
    client, auth, org, world, clock
):
    _write(org.m1, world["campaign"])
    auth.login("m1")
    response = client.post(
        f"/reflections/new?campaign={world['campaign'].id}",
        data={"title": "第二篇", "body": BODY + "另有新意"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "已有一篇待审阅的心得「学习党纪的体会」" in page and "另有新意" in page
    assert _count() == 1
    # On a material the campaign's waiting one does not stand in the way.
    _write(org.m1, world["material"])
    assert _count() == 2


def test_a_returned_reflection_waits_for_a_newer_one_to_be_reviewed(org, world):
    returned = _write(org.m1, world["material"])
    services.review_reflection(org.org1, returned, "return", "请再具体些。", None, NOW)
    newer = _write(org.m1, world["material"], title="新写的一篇")
    with pytest.raises(DomainError, match="还有一篇待审阅的心得「新写的一篇」"):
        services.update_reflection(org.m1, returned, services.ReflectionData("改", BODY), NOW)
    db.session.rollback()
    services.review_reflection(org.org1, fresh(newer), "accept", "", None, NOW)
    services.update_reflection(org.m1, fresh(returned), services.ReflectionData("改", BODY), NOW)
    db.session.commit()
    assert fresh(returned).status == "submitted"


def _submit_in_a_request(app, member_id, material_id, data=None):
    """Submit as a request of its own would (its own session), committed; return the id."""
    with app.app_context():
        member = db.session.get(Member, member_id)
        material = db.session.get(Material, material_id)
        return run(
            lambda: services.submit_reflection(
                member, material, data or services.ReflectionData("学习党纪的体会", BODY), NOW
            )
        ).id


@pytest.mark.parametrize("title", ["学习党纪的体会", "另写的一篇"])
def test_a_submission_racing_a_first_one_returns_the_first(app, org, world, monkeypatch, title):
    """The second request checked before the first committed: its INSERT then meets the
    index, and it answers with the first request's reflection instead of a copy (the same
    text), or refuses (another text)."""
    material = world["material"]
    check = services.waiting_reflection
    first = []

    def first_commits_between_check_and_insert(member, subject):
        found = check(member, subject)
        if not first:  # once: the racing request checks through this too
            first.append(None)
            first[0] = _run_in_thread(lambda: _submit_in_a_request(app, member.id, subject.id))
        return found

    monkeypatch.setattr(services, "waiting_reflection", first_commits_between_check_and_insert)
    data = services.ReflectionData(title, BODY)
    if title == "学习党纪的体会":
        second = run(lambda: services.submit_reflection(org.m1, material, data, NOW))
        assert second.id == first[0]
    else:
        with pytest.raises(Conflict, match="已有一篇待审阅的心得「学习党纪的体会」"):
            run(lambda: services.submit_reflection(org.m1, material, data, NOW))
    assert _count() == 1


def _run_in_thread(action):
    done = []
    thread = threading.Thread(target=lambda: done.append(action()))
    thread.start()
    thread.join(timeout=60)
    assert done, "the racing request failed"
    return done[0]


def test_three_identical_submissions_at_once_save_one(app, org, world):
    workers = 3
    barrier = threading.Barrier(workers)

    def submit(_):
        barrier.wait(timeout=30)
        return _submit_in_a_request(app, org.m1.id, world["material"].id)

    with ThreadPoolExecutor(workers) as pool:
        ids = list(pool.map(submit, range(workers), timeout=60))
    assert len(set(ids)) == 1 and len(ids) == workers
    assert _count() == 1


# Reviewing.


def test_organiser_accepts_from_the_queue(client, auth, org, world, clock):
    reflection = _write(org.m1, world["material"])
    _write(world["m3"], world["u2_material"], title="二分局的心得")
    auth.login("org1")
    queue = client.get("/manage/reflections/").get_data(as_text=True)
    assert "学习党纪的体会" in queue and "普通党员" in queue and "二分局的心得" not in queue
    page = client.get(f"/manage/reflections/{reflection.id}").get_data(as_text=True)
    assert "通过" in page and "退回修改" in page
    response = client.post(
        f"/manage/reflections/{reflection.id}/review",
        data={"decision": "accept", "comment": "", "version": reflection.submitted_at.isoformat()},
    )
    assert response.status_code == 302
    reflection = fresh(reflection)
    assert (reflection.status, reflection.reviewer_id, reflection.reviewed_at) == (
        "accepted",
        org.org1.id,
        NOW,
    )
    queue = client.get("/manage/reflections/").get_data(as_text=True)
    assert "已通过普通党员的心得「学习党纪的体会」" in queue  # the flash message
    assert "没有待审阅的心得" in queue
    assert "学习党纪的体会" in client.get("/manage/reflections/?status=accepted").get_data(
        as_text=True
    )


def test_returning_needs_a_comment_the_member_then_sees(client, auth, org, world, clock):
    reflection = _write(org.m1, world["material"])
    auth.login("org1")
    response = client.post(
        f"/manage/reflections/{reflection.id}/review", data={"decision": "return", "comment": "  "}
    )
    assert response.status_code == 200
    assert "退回时请填写意见" in response.get_data(as_text=True)
    assert fresh(reflection).status == "submitted"
    with pytest.raises(DomainError, match="退回时请填写意见"):
        services.review_reflection(org.org1, reflection, "return", "", None, NOW)

    response = client.post(
        f"/manage/reflections/{reflection.id}/review",
        data={"decision": "return", "comment": "请联系实际，\n多谈整改措施。"},
    )
    assert response.status_code == 302
    assert fresh(reflection).status == "returned"
    auth.switch_to("m1")
    page = client.get(f"/reflections/{reflection.id}").get_data(as_text=True)
    assert "已退回" in page and "请联系实际，\n多谈整改措施。" in page
    assert "修改后重新提交" in page


def test_a_reviewed_reflection_is_not_reviewed_again_until_resubmitted(org, world):
    reflection = _write(org.m1, world["material"])
    services.review_reflection(org.org1, reflection, "return", "再改改", None, NOW)
    db.session.commit()
    with pytest.raises(DomainError, match="已审阅过"):
        services.review_reflection(org.admin, reflection, "accept", "", None, NOW)


def test_review_of_a_text_changed_since_it_was_read_is_refused(client, auth, org, world, clock):
    reflection = _write(org.m1, world["material"])
    read_version = reflection.submitted_at.isoformat()
    clock.shift(timedelta(minutes=1))
    services.update_reflection(
        org.m1,
        reflection,
        services.ReflectionData("改过", BODY + "新增内容"),
        NOW + timedelta(minutes=1),
    )
    db.session.commit()
    auth.login("org1")
    response = client.post(
        f"/manage/reflections/{reflection.id}/review",
        data={"decision": "accept", "version": read_version},
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "作者刚刚修改了这篇心得" in body and "新增内容" in body
    assert fresh(reflection).status == "submitted"


@pytest.mark.parametrize(
    "version",
    ["2020-01-01T00:00:00", "2026-11-21", "昨天", "2026-11-21T02:00:00+99:00"],
    ids=["no zone", "a date", "no time", "bad zone"],
)
def test_review_of_a_mangled_version_is_a_stale_page(client, auth, org, world, clock, version):
    """A hidden version that is no time with its zone is answered as a stale page, not a 500,
    and nothing is reviewed: the page comes back with the comment and the version as now."""
    reflection = _write(org.m1, world["material"])
    auth.login("org1")
    response = client.post(
        f"/manage/reflections/{reflection.id}/review",
        data={"decision": "return", "comment": "请再充实一些。", "version": version},
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "页面已过期，请重新阅读这篇心得后再审阅。" in body and "请再充实一些。" in body
    assert f'value="{reflection.submitted_at.isoformat()}"' in body
    assert fresh(reflection).status == "submitted"


def test_organiser_does_not_review_their_own_reflection(client, auth, org, world, clock):
    reflection = _write(org.org1, world["material"])
    auth.login("org1")
    page = client.get(f"/manage/reflections/{reflection.id}").get_data(as_text=True)
    assert "由上级或其他管理员审阅" in page and 'value="accept"' not in page
    client.post(f"/manage/reflections/{reflection.id}/review", data={"decision": "accept"})
    assert fresh(reflection).status == "submitted"
    with pytest.raises(DomainError, match="不能审阅本人的心得"):
        services.review_reflection(org.org1, reflection, "accept", "", None, NOW)
    services.review_reflection(org.admin, reflection, "accept", "", None, NOW)


# Notices to the author.


def _notices(member):
    from quizapp.notices.models import Notice

    db.session.expire_all()
    return list(
        db.session.scalars(select(Notice).where(Notice.member_id == member.id).order_by(Notice.id))
    )


def test_the_author_is_told_when_a_reflection_is_returned_then_accepted(
    client, auth, org, world, clock
):
    reflection = _write(org.m1, world["material"])
    assert _notices(org.m1) == []  # handing in tells nobody
    auth.login("org1")
    client.post(
        f"/manage/reflections/{reflection.id}/review",
        data={"decision": "return", "comment": "请联系实际，多谈整改措施。"},
    )
    (returned,) = _notices(org.m1)
    assert (returned.kind, returned.title) == (
        "reflection_reviewed",
        "心得「学习党纪的体会」被退回",
    )
    assert (
        "修改后重新提交" in returned.body
        and "审阅意见：请联系实际，多谈整改措施。" in returned.body
    )
    assert returned.link == f"/reflections/{reflection.id}"
    assert _notices(world["m2"]) == []

    # The member rewrites it; the organiser accepts the new version with a word of praise.
    clock.shift(timedelta(minutes=5))
    services.update_reflection(
        org.m1,
        fresh(reflection),
        services.ReflectionData("学习党纪的体会", BODY + "整改"),
        NOW + timedelta(minutes=5),
    )
    db.session.commit()
    client.post(
        f"/manage/reflections/{reflection.id}/review",
        data={"decision": "accept", "comment": "写得实在。"},
    )
    returned_again, accepted = _notices(org.m1)
    assert returned_again.id == returned.id
    assert accepted.title == "心得「学习党纪的体会」已审阅通过"
    assert accepted.body == "您的心得「学习党纪的体会」已审阅通过。\n审阅意见：写得实在。"

    auth.switch_to("m1")
    home = client.get("/").get_data(as_text=True)
    assert "心得「学习党纪的体会」已审阅通过" in home and "心得审阅" in home


def test_an_acceptance_without_a_comment_says_no_comment(org, world):
    reflection = _write(org.m1, world["material"])
    services.review_reflection(org.org1, reflection, "accept", "", None, NOW)
    db.session.commit()
    (notice,) = _notices(org.m1)
    assert notice.body == "您的心得「学习党纪的体会」已审阅通过。"


def test_one_notice_per_reviewed_version(org, world):
    """The key names the version reviewed: sending its notice again writes nothing."""
    from quizapp.notices.services import send_notice

    reflection = _write(org.m1, world["material"])
    services.review_reflection(org.org1, reflection, "return", "再改改", None, NOW)
    db.session.commit()
    assert not send_notice(services.review_notice(fresh(reflection)), NOW)
    assert len(_notices(org.m1)) == 1


def test_a_refused_review_sends_nothing(org, world):
    reflection = _write(org.m1, world["material"])
    with pytest.raises(DomainError):
        services.review_reflection(org.org2, reflection, "accept", "", None, NOW)  # not in scope
    db.session.rollback()
    assert _notices(org.m1) == []


# Scope.


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/manage/reflections/{id}"),
        ("POST", "/manage/reflections/{id}/review"),
    ],
)
def test_organiser_of_another_subtree_gets_404(client, auth, org, world, clock, method, path):
    reflection = _write(org.m1, world["material"])
    auth.login("org2")
    response = client.open(
        path.format(id=reflection.id), method=method, data={"decision": "accept", "comment": "越权"}
    )
    assert response.status_code == 404
    assert fresh(reflection).status == "submitted"
    queue = client.get("/manage/reflections/?status=all").get_data(as_text=True)
    assert "学习党纪的体会" not in queue and "普通党员" not in queue
    assert client.get(f"/manage/reflections/?branch={org.b11.id}").status_code == 404
    with pytest.raises(DomainError, match="不在您的管理范围内"):
        services.review_reflection(org.org2, reflection, "accept", "", None, NOW)


def test_scope_follows_the_authors_current_branch(client, auth, org, world, clock):
    reflection = _write(org.m1, world["material"])
    org.m1.branch = org.b21  # moved to U2
    db.session.commit()
    auth.login("org1")
    assert client.get(f"/manage/reflections/{reflection.id}").status_code == 404
    auth.switch_to("org2")
    assert client.get(f"/manage/reflections/{reflection.id}").status_code == 200


def test_queue_filters_by_branch(client, auth, org, world, make_member, clock):
    b12_member = make_member("m12", org.b12, name="二所党员")
    db.session.commit()
    _write(org.m1, world["material"], title="一所的心得")
    _write(b12_member, world["material"], title="二所的心得")
    auth.login("org1")
    body = client.get(f"/manage/reflections/?branch={org.b12.id}").get_data(as_text=True)
    assert "二所的心得" in body and "一所的心得" not in body


def test_member_sees_only_their_own(client, auth, org, world, clock):
    mine = _write(org.m1, world["material"], title="我的心得")
    theirs = _write(world["m2"], world["material"], title="别人的心得")
    auth.login("m1")
    body = client.get("/reflections/").get_data(as_text=True)
    assert "我的心得" in body and "别人的心得" not in body
    for path in (f"/reflections/{theirs.id}", f"/reflections/{theirs.id}/edit"):
        assert client.get(path).status_code == 404
    assert (
        client.post(
            f"/reflections/{theirs.id}/edit", data={"title": "偷改", "body": BODY}
        ).status_code
        == 404
    )
    assert fresh(theirs).title == "别人的心得"
    assert client.get(f"/reflections/{mine.id}").status_code == 200
    # Members don't reach the organiser's pages; organisers read others' there, not here.
    assert client.get(f"/manage/reflections/{theirs.id}").status_code == 403
    auth.switch_to("org1")
    assert client.get(f"/reflections/{theirs.id}").status_code == 404


@pytest.mark.parametrize(
    "path", ["/reflections/", "/reflections/new", "/reflections/1", "/reflections/1/edit"]
)
def test_member_pages_need_a_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_me_page_links_to_reflections(client, auth, org):
    auth.login("m1")
    assert 'href="/reflections/"' in client.get("/me").get_data(as_text=True)


# Figures and query counts.


def test_queue_runs_the_same_queries_however_long(client, auth, org, world, queries, clock):
    auth.login("org1")

    def count_statements() -> int:
        with queries() as statements:
            assert client.get("/manage/reflections/?status=all").status_code == 200
        return len(statements)

    _write(org.m1, world["campaign"])
    reviewed = _write(world["m2"], world["material"])
    services.review_reflection(org.org1, reviewed, "accept", "", None, NOW)
    few = count_statements()
    for i in range(6):
        # Accepted as written: a member has one waiting reflection per subject.
        written = _write(org.m1 if i % 2 else world["m2"], world["material"], title=f"心得{i}")
        services.review_reflection(org.org1, written, "accept", "", None, NOW)
    _write(org.m1, world["material"], title="待审的心得")
    assert count_statements() == few
