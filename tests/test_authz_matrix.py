"""Who may use each management page: every /manage route × every kind of actor.

The matrix is read from ``CASES`` (with the per-feature lists in tests/authz_*.py); a route
under /manage without a row there makes ``test_every_management_route_is_in_the_matrix`` fail.

Actors, all acting on objects of unit U1 (branch B12, member m1):

- anonymous: sent to the login page;
- member: m1, a plain member: 403 everywhere;
- outsider: org2, organiser of U2: 404 for U1's objects, and list pages that show none of U1;
- organiser: org1, organiser of U1: allowed;
- admin: allowed.

``test_the_bureaus_work_below_it`` runs the rows of tests/authz_shared.py: the bureau's own
quizzes, materials and campaigns, which unit organisers read (for their own members only)
and may not change.
"""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from sqlalchemy import func, select

from quizapp import db
from quizapp.bank import services as bank_services
from quizapp.campaigns import services as campaign_services
from quizapp.campaigns.models import Campaign
from quizapp.errors import DomainError
from quizapp.members import services as member_services
from quizapp.members.models import Member, PoliticalStatus, Role
from quizapp.org.models import Branch, BranchKind
from quizapp.results import exports
from tests import (
    authz_certificates,
    authz_credentials,
    authz_deferrals,
    authz_evidence,
    authz_marking,
    authz_participation,
    authz_points,
    authz_reports,
    authz_shared,
)
from tests.authz_world import (
    ACTORS,
    LOGIN_IDS,
    NEW_MEMBER,
    U1_SESSION,
    U1_TEXT,
    Case,
    World,
    _campaign_exists,
    _campaign_form,
    _kept_outside_u2,
    _m1_form,
    _m1_reflection,
    _material_exists,
    _material_form,
    _member_exists,
    _new_member_form,
    _on_class_roster,
    _question_file,
    _quiz_exists,
    _quiz_form,
    _roster,
    _session_exists,
    _session_form,
    _u1_campaign,
    _u1_exam,
    _u1_material,
    _u1_quiz,
    _u1_session,
    campaign_url,
    exam_url,
    form_page,
    material_url,
    post,
    quiz_url,
    reflection_url,
    session_url,
    url,
)
from tests.conftest import PASSWORD, TODAY, _branch
from tests.factories import fresh, make_material
from tests.test_downloads import readable_name


def _m1_paused(w: World) -> dict:
    """Give m1 wrong passwords in a row (after the actor logged in), for the unlock row."""
    m1 = fresh(w.m1)
    m1.failed_logins = 6
    db.session.commit()
    return {}


@pytest.fixture()
def world(org) -> World:
    u1x = _branch(org.u1, BranchKind.UNIT, "U1X", "第一分局机关", 3)
    q1 = bank_services.save_question(
        org.org1,
        bank_services.QuestionData(
            type="single",
            stem="矩阵测试：原有的单选题（  ）。",
            options=["甲", "乙"],
            answer=0,
            category_path="党内法规",
        ),
    )
    db.session.commit()
    return World(org, u1x, q1)


CASES = [
    # The organisation tree.
    Case("dashboard.index", "GET", url("/manage/"), outsider=200),
    Case("org.branches", "GET", url("/manage/branches"), outsider=200),
    *form_page(
        "org.create_branch",
        url("/manage/branches/new?parent={u1}"),
        form=lambda w: {"kind": "branch", "code": "B13", "name": "四所党支部"},
        done=lambda w: (
            db.session.scalar(select(Branch.parent_id).where(Branch.code == "B13")) == w.u1.id
        ),
    ),
    *form_page(
        "org.edit_branch",
        url("/manage/branches/{b12}/edit"),
        form=lambda w: {"code": "B12", "name": "二所新名", "sort_order": "2"},
        done=lambda w: fresh(w.b12).name == "二所新名",
    ),
    *form_page(
        "org.move_branch",
        url("/manage/branches/{b12}/move"),
        form=lambda w: {"parent_id": w.u1x.id},
        done=lambda w: fresh(w.b12).parent_id == w.u1x.id,
    ),
    post(
        "org.set_branch_active",
        url("/manage/branches/{b12}/active"),
        form=lambda w: {"active": "0"},
        done=lambda w: not fresh(w.b12).is_active,
    ),
    # Members.
    Case("members.index", "GET", url("/manage/members/"), outsider=200),
    Case("members.index", "GET", url("/manage/members/?q=普通&state=all"), outsider=200),
    Case("members.index", "GET", url("/manage/members/?q=m1&state=all"), outsider=200),
    Case("members.index", "GET", url("/manage/members/?branch={b11}")),
    Case("members.index", "GET", url("/manage/members/?branch={u1}&state=all")),
    Case("members.create", "GET", url("/manage/members/new"), outsider=200),
    Case("members.create", "GET", url("/manage/members/new?branch={b11}"), outsider=200),
    # An outsider can't pick B11: the form refuses it (see test_org2_cannot_create_member_in_u1).
    post(
        "members.create",
        url("/manage/members/new"),
        form=_new_member_form,
        outsider=200,
        done=lambda w: _member_exists(NEW_MEMBER),
    ),
    Case("members.show", "GET", url("/manage/members/{m1}")),
    *form_page(
        "members.edit",
        url("/manage/members/{m1}/edit"),
        form=_m1_form,
        done=lambda w: fresh(w.m1).name == "改名同志",
    ),
    *form_page(
        "members.move",
        url("/manage/members/{m1}/move"),
        form=lambda w: {"branch_id": w.b12.id},
        done=lambda w: fresh(w.m1).branch_id == w.b12.id,
    ),
    post(
        "members.set_active",
        url("/manage/members/{m1}/active"),
        form=lambda w: {"active": "0"},
        done=lambda w: not fresh(w.m1).is_active,
    ),
    *form_page(
        "members.reset_password",
        url("/manage/members/{m1}/password"),
        form=lambda w: {"temporary_password": "Temp2026ab"},
        done=lambda w: fresh(w.m1).must_change_password,
    ),
    post(
        "members.unlock_login",
        url("/manage/members/{m1}/unlock"),
        form=_m1_paused,
        done=lambda w: fresh(w.m1).failed_logins == 0,
    ),
    Case("members.import_roster", "GET", url("/manage/members/import"), outsider=200),
    # The import answers 200 with its result; an outsider's file naming B11 is rejected.
    post(
        "members.import_roster",
        url("/manage/members/import"),
        form=_roster,
        outsider=200,
        allowed=200,
        done=lambda w: _member_exists(NEW_MEMBER),
    ),
    Case(
        "members.import_template", "GET", url("/manage/members/import/template.csv"), outsider=200
    ),
    Case(
        "members.import_template", "GET", url("/manage/members/import/template.xlsx"), outsider=200
    ),
    # The question bank is bureau-wide: org2 sees and may add questions, but edits only U2's.
    Case("bank.index", "GET", url("/manage/bank/"), outsider=200),
    Case("bank.index", "GET", url("/manage/bank/?q=矩阵&state=all"), outsider=200),
    Case("bank.create", "GET", url("/manage/bank/new?type=fill"), outsider=200),
    post(
        "bank.create",
        url("/manage/bank/new"),
        form=lambda w: {
            "type": "truefalse",
            "stem": "矩阵测试：新增的判断题。",
            "truth": "true",
            "difficulty": "2",
        },
        outsider=302,
        done=lambda w: _kept_outside_u2("矩阵测试：新增的判断题。"),
    ),
    Case("bank.show", "GET", url("/manage/bank/{q1}"), outsider=200),
    *form_page(
        "bank.edit",
        url("/manage/bank/{q1}/edit"),
        form=lambda w: {
            "type": "single",
            "stem": "矩阵测试：改过的单选题（  ）。",
            "options-0": "甲",
            "options-1": "乙",
            "answer": "B",
            "difficulty": "2",
        },
        outsider=403,
        done=lambda w: fresh(w.q1).stem == "矩阵测试：改过的单选题（  ）。",
    ),
    post(
        "bank.set_active",
        url("/manage/bank/{q1}/active"),
        form=lambda w: {"active": "0"},
        outsider=403,
        done=lambda w: not fresh(w.q1).is_active,
    ),
    *form_page(
        "bank.import_questions",
        url("/manage/bank/import"),
        form=_question_file,
        outsider=200,
        done=lambda w: _kept_outside_u2("矩阵测试：导入的判断题。"),
        allowed=200,
    ),
    Case("bank.download_template", "GET", url("/manage/bank/template.xlsx"), outsider=200),
    Case("bank.download_word_template", "GET", url("/manage/bank/template.docx"), outsider=200),
    Case("bank.export", "GET", url("/manage/bank/export.xlsx?state=all"), outsider=200),
    # Quizzes are owned by a subtree: org2 sees none of U1's and can't aim one at B11.
    Case("quizzes.index", "GET", url("/manage/quizzes/"), outsider=200),
    Case("quizzes.index", "GET", quiz_url("/manage/quizzes/?state=draft"), outsider=200),
    *form_page(
        "quizzes.create",
        url("/manage/quizzes/new"),
        form=lambda w: _quiz_form(w, "矩阵测试：新测试"),
        outsider=200,
        done=lambda w: _quiz_exists("矩阵测试：新测试"),
    ),
    Case("quizzes.show", "GET", quiz_url("/manage/quizzes/{quiz}")),
    *form_page(
        "quizzes.edit",
        quiz_url("/manage/quizzes/{quiz}/edit"),
        form=lambda w: _quiz_form(w, description="矩阵测试：改过的说明"),
        done=lambda w: _u1_quiz(w).description == "矩阵测试：改过的说明",
    ),
    Case("quizzes.preview", "GET", quiz_url("/manage/quizzes/{quiz}/preview")),
    post(
        "quizzes.publish",
        quiz_url("/manage/quizzes/{quiz}/publish"),
        form=lambda w: {"published": "1"},
        done=lambda w: _u1_quiz(w).is_published,
    ),
    post(
        "quizzes.release_practice",
        exam_url("/manage/quizzes/{exam}/release-practice"),
        done=lambda w: _u1_exam(w).practice_released_at is not None,
    ),
    # Results of U1's quiz: org2 gets 404, as for the quiz itself.
    Case("results.quiz", "GET", quiz_url("/manage/results/quizzes/{quiz}")),
    Case("results.quiz", "GET", quiz_url("/manage/results/quizzes/{quiz}?show=failed&page=2")),
    Case("results.items", "GET", quiz_url("/manage/results/quizzes/{quiz}/items")),
    Case("results.export", "GET", quiz_url("/manage/results/quizzes/{quiz}/export.xlsx")),
    # Study materials are owned by a subtree, like quizzes.
    Case("materials.index", "GET", url("/manage/materials/"), outsider=200),
    Case(
        "materials.index",
        "GET",
        material_url("/manage/materials/?topic=矩阵测试专题&status=draft"),
        outsider=200,
    ),
    *form_page(
        "materials.create",
        url("/manage/materials/new"),
        form=lambda w: _material_form(w, "矩阵测试：新资料"),
        outsider=200,
        done=lambda w: _material_exists("矩阵测试：新资料"),
    ),
    Case("materials.show", "GET", material_url("/manage/materials/{material}")),
    *form_page(
        "materials.edit",
        material_url("/manage/materials/{material}/edit"),
        form=lambda w: _material_form(w, body="矩阵测试：改过的正文"),
        done=lambda w: _u1_material(w).body_markdown == "矩阵测试：改过的正文",
    ),
    post(
        "materials.set_status",
        material_url("/manage/materials/{material}/status"),
        form=lambda w: {"status": "published"},
        done=lambda w: _u1_material(w).status == "published",
    ),
    Case("materials.download", "GET", material_url("/manage/materials/{material}/files/pdf")),
    Case("materials.member_minutes", "GET", material_url("/manage/materials/minutes/{m1}")),
    # Offline sessions belong to the branch that held them.
    Case("offline.index", "GET", url("/manage/offline/"), outsider=200),
    Case("offline.index", "GET", session_url("/manage/offline/?month=2026-11"), outsider=200),
    Case("offline.index", "GET", url("/manage/offline/?branch={b11}")),
    Case("offline.create", "GET", url("/manage/offline/new"), outsider=200),
    Case("offline.create", "GET", url("/manage/offline/new?branch={b11}")),
    # An outsider can't pick B11 (nor tick m1): the form refuses it.
    post(
        "offline.create",
        url("/manage/offline/new"),
        form=lambda w: _session_form(w, "矩阵测试：新活动"),
        outsider=200,
        done=lambda w: _session_exists("矩阵测试：新活动"),
    ),
    Case("offline.show", "GET", session_url("/manage/offline/{session}")),
    *form_page(
        "offline.edit",
        session_url("/manage/offline/{session}/edit"),
        form=lambda w: _session_form(w) | {"notes": "矩阵测试：改过的备注"},
        done=lambda w: _u1_session(w).notes == "矩阵测试：改过的备注",
    ),
    post(
        "offline.delete",
        session_url("/manage/offline/{session}/delete"),
        done=lambda w: not _session_exists(U1_SESSION),
    ),
    # Reflections are reviewed by whoever manages the author's current branch.
    Case("reflections.queue", "GET", reflection_url("/manage/reflections/"), outsider=200),
    Case(
        "reflections.queue", "GET", reflection_url("/manage/reflections/?status=all"), outsider=200
    ),
    Case("reflections.queue", "GET", url("/manage/reflections/?branch={b11}")),
    Case("reflections.read", "GET", reflection_url("/manage/reflections/{reflection}")),
    post(
        "reflections.review",
        reflection_url("/manage/reflections/{reflection}/review"),
        form=lambda w: {"decision": "accept", "comment": ""},
        done=lambda w: _m1_reflection(w).status == "accepted",
    ),
    # Campaigns and training classes are owned by a subtree, like quizzes.
    Case("campaigns.manage_index", "GET", campaign_url("/manage/campaigns/"), outsider=200),
    Case("campaigns.create", "GET", url("/manage/campaigns/new"), outsider=200),
    # An outsider can't aim a campaign at B11: the form refuses it.
    post(
        "campaigns.create",
        url("/manage/campaigns/new"),
        form=lambda w: _campaign_form(w, "矩阵测试：新任务", kind="campaign"),
        outsider=200,
        done=lambda w: _campaign_exists("矩阵测试：新任务"),
    ),
    Case("campaigns.manage_show", "GET", campaign_url("/manage/campaigns/{campaign}")),
    Case("campaigns.manage_show", "GET", campaign_url("/manage/campaigns/{campaign}?q=m1")),
    *form_page(
        "campaigns.edit",
        campaign_url("/manage/campaigns/{campaign}/edit"),
        form=lambda w: _campaign_form(w, description="矩阵测试：改过的说明"),
        done=lambda w: _u1_campaign(w).description == "矩阵测试：改过的说明",
    ),
    post(
        "campaigns.roster",
        campaign_url("/manage/campaigns/{campaign}/roster"),
        form=lambda w: {"action": "add", "member_ids": str(w.org1.id)},
        done=lambda w: _on_class_roster(w, w.org1),
    ),
    post(
        "campaigns.publish",
        campaign_url("/manage/campaigns/{campaign}/publish"),
        form=lambda w: {"published": "1"},
        done=lambda w: _u1_campaign(w).is_published,
    ),
    *authz_certificates.CASES,
    *authz_credentials.CASES,
    *authz_deferrals.CASES,
    *authz_evidence.CASES,
    *authz_marking.CASES,
    *authz_participation.CASES,
    *authz_points.CASES,
    *authz_reports.CASES,
]


def _management_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/manage"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.add((rule.endpoint, method))
    return routes


def test_every_management_route_is_in_the_matrix(app):
    routes = _management_routes(app)
    assert {endpoint.split(".")[0] for endpoint, _ in routes} == {
        "dashboard",
        "deferrals",
        "org",
        "members",
        "bank",
        "quizzes",
        "results",
        "materials",
        "offline",
        "reflections",
        "campaigns",
        "certificates",
        "participation",
        "ledger",
        "points",
        "reports",
        "regrade",
        "marking",
    }
    assert routes == {(case.endpoint, case.method) for case in CASES}


#: The matrix's downloads: every file a management page offers to save.
DOWNLOADS = {
    "bank.download_template",
    "bank.download_word_template",
    "bank.export",
    "campaigns.progress_export",
    "certificates.export",
    "ledger.download",
    "materials.download",
    "materials.learners_export",
    "members.credentials_xlsx",
    "members.import_template",
    "participation.export",
    "results.export",
    "results.export_csv",
}


#: A route that answers with a file: an extension in its path, or a stored file.
FILE_ROUTE = re.compile(r"\.(xlsx|csv|docx|pdf)$|\.<|/files/")


def test_every_download_is_in_the_list(app):
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if FILE_ROUTE.search(rule.rule)}
    assert {e for e in routes if (e, "GET") in _management_routes(app)} == DOWNLOADS


def test_every_download_has_a_readable_plain_file_name(client, auth, world):
    auth.login(LOGIN_IDS["admin"])
    named = set()
    for case in CASES:
        if case.method == "GET" and case.endpoint in DOWNLOADS:
            response = _request(client, case, world)
            header = response.headers.get("Content-Disposition", "")
            response.close()
            assert readable_name(header), (case.id, response.status_code, header)
            named.add(case.endpoint)
    assert named == DOWNLOADS


def _request(client, case: Case, w: World):
    path = case.url(w)
    if case.method == "GET":
        return client.get(path)
    return client.post(path, data=case.form(w), content_type="multipart/form-data")


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_matrix(client, auth, world, case, actor):
    if actor != "anonymous":
        assert auth.login(LOGIN_IDS[actor]).status_code == 302
    response = _request(client, case, world)
    body = response.get_data(as_text=True) if response.mimetype.startswith("text/") else ""

    if actor == "anonymous":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
        allowed = False
    elif actor == "member":
        assert response.status_code == 403
        assert "无权访问" in body
        allowed = False
    elif actor == "outsider":
        assert response.status_code == case.outsider
        for text in U1_TEXT:
            assert text not in body
        allowed = False
    elif actor == "organiser" and case.organiser is not None:
        assert response.status_code == case.organiser
        allowed = False
    else:
        assert response.status_code == case.allowed
        allowed = True
    if case.done is not None:
        db.session.expire_all()
        assert bool(case.done(world)) is allowed


def _text_of(response) -> str:
    """A response's text: pages and CSV as they are, every cell of every sheet of an .xlsx."""
    if response.mimetype == exports.XLSX:
        book = openpyxl.load_workbook(io.BytesIO(response.data))
        return "\n".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return response.get_data(as_text=True) if response.mimetype.startswith("text/") else ""


@pytest.mark.parametrize("actor", ["organiser", "outsider", "admin"])
@pytest.mark.parametrize("case", authz_shared.CASES, ids=lambda case: case.id)
def test_the_bureaus_work_below_it(client, auth, world, case, actor):
    login = LOGIN_IDS[actor]
    assert auth.login(login).status_code == 302
    response = _request(client, case, world)
    if actor == "admin":
        assert response.status_code == case.admin
    else:
        assert response.status_code == case.organisers
        text = _text_of(response)
        for other in authz_shared.OTHER_UNIT[login]:
            assert other not in text
        if case.marked:
            assert authz_shared.READ_ONLY in text
        if response.mimetype == exports.XLSX:
            # Member rows of the organiser's own unit only, and there are some.
            assert ("普通党员" if login == "org1" else "丙同志") in text
    if case.done is not None:
        db.session.expire_all()
        assert bool(case.done(world)) is (actor == "admin")


def test_every_write_of_the_bureaus_work_is_refused_below_it(app):
    """Each route that changes a quiz, material or campaign has a row above."""
    writes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in ("quizzes", "materials")
        or rule.endpoint in ("campaigns.edit", "campaigns.publish", "campaigns.roster")
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if method == "POST" or rule.endpoint.endswith((".edit", ".preview"))
    }
    refused = {(c.endpoint, c.method) for c in authz_shared.CASES if c.organisers == 404}
    creating = {("quizzes.create", "POST"), ("materials.create", "POST")}
    assert writes - creating <= refused


def test_unit_organiser_requires_the_bureaus_work_in_their_campaign(client, auth, world):
    exam, material = authz_shared.bureau_exam(world), authz_shared.bureau_material(world)
    draft = authz_shared.bureau_draft(world)
    theirs = make_material(world, "全局矩阵：二分局资料", branches=[world.u2], owner=world.u2)
    db.session.commit()
    auth.login("org1")
    form = client.get("/manage/campaigns/new").get_data(as_text=True)
    assert f"【局级】全局矩阵专题 · {authz_shared.BUREAU_MATERIAL}" in form
    assert f"【局级】{authz_shared.BUREAU_EXAM}" in form
    assert authz_shared.BUREAU_DRAFT not in form and "二分局资料" not in form
    data = _campaign_form(world, "矩阵测试：要求局级资料", kind="campaign")
    response = client.post(
        "/manage/campaigns/new",
        data=data | {"material_ids": str(material.id), "quiz_ids": str(exam.id)},
    )
    assert response.status_code == 302
    campaign = db.session.scalar(select(Campaign).where(Campaign.title == "矩阵测试：要求局级资料"))
    assert [m.id for m in campaign.materials] == [material.id]
    assert [cq.quiz_id for cq in campaign.quizzes] == [exam.id]
    # Nothing the form does not offer: the bureau's draft, another unit's material.
    for forged in ({"quiz_ids": str(draft.id)}, {"material_ids": str(theirs.id)}):
        response = client.post("/manage/campaigns/new", data=data | {"title": "越权"} | forged)
        assert response.status_code == 200
        assert not _campaign_exists("越权")
    # The service says the same to a caller that skips the form.
    with pytest.raises(DomainError, match="不在您的管理范围内"):
        campaign_services.save_campaign(
            world.org1,
            campaign_services.CampaignData(
                "越权", TODAY, TODAY, 10, branches=[world.b11], materials=[theirs]
            ),
        )


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/manage/branches/new?parent={id}"),
        ("POST", "/manage/branches/new?parent={id}"),
        ("GET", "/manage/branches/{id}/edit"),
        ("POST", "/manage/branches/{id}/edit"),
        ("GET", "/manage/branches/{id}/move"),
        ("POST", "/manage/branches/{id}/move"),
        ("POST", "/manage/branches/{id}/active"),
        ("GET", "/manage/members/?branch={id}"),
    ],
)
def test_outsider_gets_404_for_every_u1_branch(client, auth, world, method, path):
    auth.login("org2")
    form = {"kind": "branch", "code": "Z1", "name": "越权", "parent_id": world.u2.id, "active": "0"}
    for branch in (world.u1, world.b11, world.b12, world.u1x):
        response = client.open(path.format(id=branch.id), method=method, data=form)
        assert response.status_code == 404, branch


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/manage/members/{id}"),
        ("GET", "/manage/members/{id}/edit"),
        ("POST", "/manage/members/{id}/edit"),
        ("GET", "/manage/members/{id}/move"),
        ("POST", "/manage/members/{id}/move"),
        ("POST", "/manage/members/{id}/active"),
        ("GET", "/manage/members/{id}/password"),
        ("POST", "/manage/members/{id}/password"),
        ("POST", "/manage/members/{id}/code"),
        ("POST", "/manage/members/{id}/unlock"),
    ],
)
def test_outsider_gets_404_for_every_u1_member(client, auth, world, method, path):
    auth.login("org2")
    form = {
        "name": "越权",
        "police_no": "zz01",
        "branch_id": world.b21.id,
        "political_status": "full",
        "role": "member",
        "active": "0",
        "temporary_password": "Temp2026ab",
    }
    for member in (world.org1, world.m1):
        response = client.open(path.format(id=member.id), method=method, data=form)
        assert response.status_code == 404, member
    m1 = fresh(world.m1)
    assert (m1.name, m1.branch_id, m1.is_active) == ("普通党员", world.b11.id, True)


# Members whose record sits in org1's subtree but who manage more than org1 does.


@pytest.fixture()
def placed_in_u1(world):
    """Put the admin's record in B11 and org2's in B12: org1 sees them but may not manage them."""
    world.admin.branch = world.b11
    world.org2.branch = world.b12
    db.session.commit()
    return world


@pytest.mark.parametrize("who", ["admin", "org2"])
@pytest.mark.parametrize(
    "method,path,form",
    [
        ("GET", "/manage/members/{id}/edit", {}),
        (
            "POST",
            "/manage/members/{id}/edit",
            {
                "name": "被改名",
                "police_no": "xyz1",
                "branch_id": 0,
                "political_status": "full",
                "role": "member",
            },
        ),
        ("GET", "/manage/members/{id}/password", {}),
        ("POST", "/manage/members/{id}/password", {"temporary_password": "Temp2026ab"}),
        ("POST", "/manage/members/{id}/active", {"active": "0"}),
        ("POST", "/manage/members/{id}/code", {}),
        ("GET", "/manage/members/{id}/move", {}),
        ("POST", "/manage/members/{id}/move", {"branch_id": 0}),
        ("POST", "/manage/members/{id}/unlock", {}),
    ],
)
def test_organiser_cannot_manage_someone_who_manages_more(
    client, auth, placed_in_u1, who, method, path, form
):
    target = getattr(placed_in_u1, who)
    name, branch_id = target.name, target.branch_id
    form = {k: (placed_in_u1.b12.id if k == "branch_id" else v) for k, v in form.items()}
    auth.login("org1")
    response = client.open(path.format(id=target.id), method=method, data=form)
    assert response.status_code == 403
    target = fresh(target)
    assert (target.name, target.branch_id) == (name, branch_id)
    assert target.is_active and not target.must_change_password
    # Their sessions and password are untouched: they still log in with their own.
    other = client.application.test_client()
    assert (
        other.post("/login", data={"login_id": target.police_no, "password": PASSWORD}).status_code
        == 302
    )


def test_organiser_may_see_but_not_act_on_someone_who_manages_more(client, auth, placed_in_u1):
    auth.login("org1")
    page = client.get(f"/manage/members/{placed_in_u1.org2.id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "二分局管理员" in body
    assert "编辑信息" not in body and "重置密码" not in body and "停用账号" not in body


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/manage/branches/{id}/move"),
        ("POST", "/manage/branches/{id}/move"),
        ("POST", "/manage/branches/{id}/active"),
    ],
)
def test_organiser_cannot_restructure_the_top_of_their_scope(client, auth, world, method, path):
    auth.login("org1")
    form = {"parent_id": world.u2.id, "active": "0"}
    response = client.open(path.format(id=world.u1.id), method=method, data=form)
    assert response.status_code == 403
    u1 = fresh(world.u1)
    assert u1.is_active and u1.parent_id == world.bureau.id


def test_tree_offers_no_move_or_deactivate_for_the_top_of_scope(client, auth, world):
    auth.login("org1")
    body = client.get("/manage/branches").get_data(as_text=True)
    assert f"/manage/branches/{world.u1.id}/move" not in body
    assert f"/manage/branches/{world.u1.id}/active" not in body
    assert f"/manage/branches/{world.b12.id}/move" in body


def test_organiser_cannot_create_branch_outside_scope(client, auth, world):
    auth.login("org1")
    for parent in (world.bureau, world.u2):
        response = client.post(
            f"/manage/branches/new?parent={parent.id}",
            data={"kind": "branch", "code": "B99", "name": "越权支部"},
        )
        assert response.status_code == 404
    assert db.session.scalar(select(Branch.id).where(Branch.code == "B99")) is None


def _count_members() -> int:
    return db.session.scalar(select(func.count()).select_from(Member))


ADMIN_FORM = {
    "name": "冒充管理员",
    "police_no": "fake1",
    "political_status": "full",
    "role": "admin",
    "initial_password": "Start2026x",
}


def test_organiser_cannot_grant_the_admin_role(client, auth, world):
    auth.login("org1")
    before = _count_members()
    page = client.get("/manage/members/new").get_data(as_text=True)
    assert 'value="admin"' not in page
    response = client.post("/manage/members/new", data=ADMIN_FORM | {"branch_id": world.b11.id})
    assert response.status_code == 200
    assert "您无权设置「系统管理员」角色" in response.get_data(as_text=True)
    assert _count_members() == before
    assert not _member_exists("fake1")
    # Nor by editing someone into an admin.
    response = client.post(
        f"/manage/members/{world.m1.id}/edit", data=_m1_form(world) | {"role": "admin"}
    )
    assert response.status_code == 200
    assert fresh(world.m1).role == Role.MEMBER


def test_service_refuses_the_admin_role_to_an_organiser(world):
    data = member_services.MemberData(
        name="冒充管理员",
        police_no="fake1",
        phone=None,
        branch=world.b11,
        status=PoliticalStatus.FULL,
        joined_party_on=None,
        role=Role.ADMIN,
    )
    with pytest.raises(DomainError, match="您无权设置「系统管理员」角色"):
        member_services.create_member(world.org1, data, "Start2026x", TODAY)
    assert not _member_exists("fake1")


def test_organiser_cannot_create_a_member_in_another_subtree(client, auth, world):
    auth.login("org1")
    before = _count_members()
    response = client.post(
        "/manage/members/new", data=_new_member_form(world) | {"branch_id": world.b21.id}
    )
    assert response.status_code == 200
    assert "所选支部不存在或不在您的管理范围内" in response.get_data(as_text=True)
    assert _count_members() == before
    assert not _member_exists(NEW_MEMBER)


def test_service_refuses_a_member_in_another_subtree(world):
    data = member_services.MemberData(
        name="越权",
        police_no=NEW_MEMBER,
        phone=None,
        branch=world.b21,
        status=PoliticalStatus.FULL,
        joined_party_on=None,
    )
    with pytest.raises(DomainError, match="您无权在该支部中添加党员"):
        member_services.create_member(world.org1, data, "Start2026x", TODAY)
    assert not _member_exists(NEW_MEMBER)


def test_org2_cannot_create_member_in_u1(client, auth, world):
    auth.login("org2")
    response = client.post("/manage/members/new", data=_new_member_form(world))
    assert response.status_code == 200
    assert "所选支部不存在或不在您的管理范围内" in response.get_data(as_text=True)
    assert not _member_exists(NEW_MEMBER)


def test_outsider_import_naming_a_u1_branch_is_rejected(client, auth, world):
    auth.login("org2")
    response = client.post(
        "/manage/members/import", data=_roster(world), content_type="multipart/form-data"
    )
    body = response.get_data(as_text=True)
    assert "不存在或不在您的管理范围内" in body
    assert not _member_exists(NEW_MEMBER)
