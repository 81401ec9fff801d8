"""Certificates (结业证书): the rules of issuing and revoking, the organiser's pages and export,
the member's page and PDF, verification, and who may open what.

A training class of U1 ran 2026-11-10 to 2026-11-20 asking for 30 minutes of study; m1 and m2
reached them, m3 did not. TODAY (the 21st) is after its end.
"""

from __future__ import annotations

import base64
import io
import re
import zlib
from datetime import date, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from quizapp import db
from quizapp.campaigns import services as campaign_services
from quizapp.campaigns.models import CampaignQuiz
from quizapp.certificates import queries, services
from quizapp.certificates.models import Certificate
from quizapp.errors import DomainError
from quizapp.quizzes.models import ReviewWhen
from quizapp.scheduler.jobs import JOBS
from tests.conftest import TODAY
from tests.factories import (
    NOW,
    add_attempt,
    add_study,
    fresh,
    make_campaign,
    make_material,
    make_questions,
    make_quiz,
)
from tests.test_downloads import readable_name

START, END = date(2026, 11, 10), date(2026, 11, 20)


@pytest.fixture()
def klass(org, make_member, time_machine):
    """U1's finished training class, published: m1 and m2 completed it, m3 did not."""
    time_machine.move_to(NOW, tick=False)
    m2 = make_member("m2", org.b11, name="第二学员")
    m3 = make_member("m3", org.b12, name="第三学员")
    campaign = make_campaign(org.org1, "入党积极分子培训班", START, END, 30, kind="training_class")
    campaign_services.enrol_members(org.org1, campaign, [org.m1, m2, m3])
    campaign_services.set_published(org.org1, campaign, True)
    material = make_material(org)
    for member in (org.m1, m2):
        add_study(member, material, START + timedelta(days=1), 30 * 60)
    add_study(m3, material, START + timedelta(days=1), 10 * 60)
    db.session.commit()
    campaign.m2, campaign.m3, campaign.material = m2, m3, material
    return campaign


def _plan(org, campaign, **changes):
    data = services.default_plan(campaign)
    for name, value in changes.items():
        setattr(data, name, value)
    plan = services.save_plan(org.org1, campaign, data, NOW)
    db.session.commit()
    return plan


def _certificates(campaign) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.campaign_id == campaign.id)
            .order_by(Certificate.serial)
        )
    )


# Rules


def test_issuing_gives_each_finisher_one_certificate_and_a_second_run_none(org, klass):
    _plan(org, klass)
    assert services.issue_certificates(org.org1, klass, NOW) == 2
    db.session.commit()
    first = _certificates(klass)
    assert [c.member_id for c in first] == sorted([org.m1.id, klass.m2.id])
    assert [c.number for c in first] == ["QZ2026-000001", "QZ2026-000002"]
    assert len({c.token for c in first}) == 2 and all(len(c.token) >= 20 for c in first)
    assert all(c.number not in c.token for c in first)
    m1 = next(c for c in first if c.member_id == org.m1.id)
    assert (m1.member_name, m1.campaign_title, m1.issuer_name) == (
        "普通党员",
        "入党积极分子培训班",
        "第一分局",
    )
    assert m1.issued_on == END and m1.issued_by_id == org.org1.id and m1.issued_at == NOW
    assert "2026年11月10日至2026年11月20日" in m1.wording

    assert services.issue_certificates(org.org1, klass, NOW) == 0
    # m3 finishes later (a late entry): the next run issues theirs only, numbered on.
    add_study(klass.m3, klass.material, START + timedelta(days=2), 20 * 60)
    assert services.issue_certificates(org.org1, klass, NOW) == 1
    db.session.commit()
    assert [c.number for c in _certificates(klass)][-1] == "QZ2026-000003"


def test_a_certificate_keeps_what_it_said_when_the_class_is_renamed(org, klass):
    _plan(org, klass, title="培训合格证书")
    services.issue_certificates(org.org1, klass, NOW)
    klass.title = "改名后的培训班"
    _plan(org, klass, title="另一种证书")
    certificate = _certificates(klass)[0]
    assert (certificate.campaign_title, certificate.title) == ("入党积极分子培训班", "培训合格证书")


@pytest.mark.parametrize(
    "setup,message",
    [
        (lambda org, c: None, "请先开启并保存证书设置"),
        (lambda org, c: _plan(org, c, is_enabled=False), "请先开启并保存证书设置"),
        (lambda org, c: _plan(org, c, issued_on=TODAY + timedelta(days=1)), "届时才能颁发"),
        (lambda org, c: (_plan(org, c), setattr(c, "is_published", False)), "尚未发布"),
    ],
    ids=["no settings", "turned off", "date ahead", "draft"],
)
def test_issuing_needs_settings_turned_on_a_published_campaign_and_its_date(
    org, klass, setup, message
):
    setup(org, klass)
    with pytest.raises(DomainError, match=message):
        services.issue_certificates(org.org1, klass, NOW)
    assert _certificates(klass) == []


def test_settings_are_checked(org, klass):
    data = services.default_plan(klass)
    data.title, data.issued_on = " ", START - timedelta(days=1)
    with pytest.raises(DomainError, match="请填写证书标题；证书日期不能早于开始日期"):
        services.save_plan(org.org1, klass, data, NOW)


def test_only_an_organiser_of_the_owner_manages_the_certificates(org, klass):
    _plan(org, klass)
    with pytest.raises(DomainError, match="您无权"):
        services.save_plan(org.org2, klass, services.default_plan(klass), NOW)
    with pytest.raises(DomainError, match="您无权"):
        services.issue_certificates(org.org2, klass, NOW)
    services.issue_certificates(org.admin, klass, NOW)
    with pytest.raises(DomainError, match="您无权"):
        services.revoke_certificate(org.org2, _certificates(klass)[0], "越权", NOW)


def test_unpublished_results_do_not_earn_a_certificate(org, klass):
    """A must-pass quiz whose results wait for its close: no certificate tells "passed" early."""
    bank = make_questions(org.admin)
    quiz = make_quiz(
        org.org1,
        [org.u1],
        questions=[bank["single"][0]],
        review_when=ReviewWhen.AFTER_CLOSE,
        opens_in=-timedelta(days=3),
        lasts=timedelta(days=6),
    )
    klass.quizzes = []
    db.session.flush()
    klass.quizzes.append(CampaignQuiz(quiz_id=quiz.id, must_pass=True))
    add_attempt(org.m1, quiz, 1, 10, True, at=NOW - timedelta(days=2))
    _plan(org, klass)
    assert services.issue_certificates(org.org1, klass, NOW) == 0
    later = quiz.closes_at + timedelta(minutes=1)
    assert services.issue_certificates(org.org1, klass, later) == 1
    assert [c.member_id for c in _certificates(klass)] == [org.m1.id]


def test_revoking_keeps_the_record_and_issues_no_second_one(org, klass):
    _plan(org, klass)
    services.issue_certificates(org.org1, klass, NOW)
    certificate = _certificates(klass)[0]
    with pytest.raises(DomainError, match="请填写撤销原因"):
        services.revoke_certificate(org.org1, certificate, "  ", NOW)
    services.revoke_certificate(org.org1, certificate, "学习记录造假", NOW)
    db.session.commit()
    certificate = fresh(certificate)
    assert certificate.is_revoked and certificate.revoked_by_id == org.org1.id
    assert certificate.revoke_reason == "学习记录造假"
    with pytest.raises(DomainError, match="已于此前撤销"):
        services.revoke_certificate(org.org1, certificate, "再撤一次", NOW)
    assert services.issue_certificates(org.org1, klass, NOW) == 0
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 2


def test_the_scheduler_issues_automatically_from_the_date_and_twice_changes_nothing(org, klass):
    _plan(org, klass)
    assert JOBS["issue_certificates"](NOW) == "0 certificates issued in 0 campaigns"
    _plan(org, klass, auto_issue=True)
    assert JOBS["issue_certificates"](NOW) == "2 certificates issued in 1 campaigns"
    assert JOBS["issue_certificates"](NOW) == "0 certificates issued in 1 campaigns"
    assert all(c.issued_by_id is None for c in _certificates(klass))
    # Sixty days after the certificate date the job stops looking at the campaign.
    add_study(klass.m3, klass.material, START + timedelta(days=2), 20 * 60)
    db.session.commit()
    late = NOW + timedelta(days=services.AUTO_ISSUE_DAYS + 1)
    assert JOBS["issue_certificates"](late) == "0 certificates issued in 0 campaigns"


# Organiser pages


def test_organiser_turns_certificates_on_issues_exports_and_revokes(client, auth, org, klass):
    auth.login("org1")
    show = client.get(f"/manage/campaigns/{klass.id}").get_data(as_text=True)
    page_url = f"/manage/campaigns/{klass.id}/certificates"
    assert page_url in show
    body = client.get(page_url).get_data(as_text=True)
    assert "请先在下方开启并保存证书设置" in body and "第一分局" in body
    response = client.post(
        f"{page_url}/settings",
        data={
            "is_enabled": "y",
            "title": "结业证书",
            "wording": "完成全部学习要求，准予结业。",
            "issuer_name": "第一分局机关党委",
            "issued_on": END.isoformat(),
        },
    )
    assert response.status_code == 302
    body = client.get(page_url).get_data(as_text=True)
    assert "为 2 名已完成的学员颁发证书" in body
    assert client.post(f"{page_url}/issue").status_code == 302
    assert "已为 2 人颁发证书" in client.get(page_url).get_data(as_text=True)
    client.post(f"{page_url}/issue")
    body = client.get(page_url).get_data(as_text=True)
    assert "没有需要新颁发证书的学员" in body
    assert "QZ2026-000001" in body and "QZ2026-000002" in body

    certificate = _certificates(klass)[0]
    response = client.post(f"/manage/certificates/{certificate.id}/revoke")
    assert response.status_code == 200 and "请填写撤销原因" in response.get_data(as_text=True)
    assert not fresh(certificate).is_revoked
    client.post(f"/manage/certificates/{certificate.id}/revoke", data={"reason": "=重复颁发"})
    assert fresh(certificate).is_revoked

    export = client.get(f"/manage/campaigns/{klass.id}/certificates.xlsx")
    assert export.status_code == 200
    assert "attachment" in export.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(export.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("证书编号", "姓名", "警号/手机号", "所在支部")
    assert [r[0] for r in rows[1:]] == ["QZ2026-000001", "QZ2026-000002"]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["状态"], first["颁发人"], first["撤销原因"]) == (
        "已撤销",
        "一分局管理员",
        "=重复颁发",  # as typed: a string cell never runs
    )
    assert first["证书日期"].date() == END


def _settings(**changes) -> dict:
    return {
        "is_enabled": "y",
        "title": "结业证书",
        "wording": "完成全部学习要求，准予结业。",
        "issuer_name": "第一分局机关党委",
        "issued_on": END.isoformat(),
    } | changes


@pytest.mark.parametrize(
    ("issued_on", "problem"),
    [
        ((START - timedelta(days=1)).isoformat(), "证书日期不能早于开始日期。"),
        ((END + timedelta(days=367)).isoformat(), "证书日期不能晚于结束日期一年以上。"),
        ("2026-13-45", "请按“年-月-日”填写有效的日期。"),
    ],
    ids=["before the start", "over a year after the end", "no such date"],
)
def test_refused_settings_come_back_as_typed(client, auth, org, klass, issued_on, problem):
    """A date refused shows the settings as typed, the reason beside the date; none saved."""
    wording = _plan(org, klass).wording
    auth.login("org1")
    typed = _settings(wording="新写的证书正文，尚未保存。", issued_on=issued_on)
    response = client.post(f"/manage/campaigns/{klass.id}/certificates/settings", data=typed)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "新写的证书正文，尚未保存。" in body and f'value="{issued_on}"' in body
    assert re.search(
        rf'id="issued_on"[^>]*>\s*<p class="help"[^<]*</p>\s*<p class="field-error"[^>]*>{problem}',
        body,
    )
    assert "请填写证书日期" not in body and "证书设置已保存" not in body
    plan = queries.get_plan(fresh(klass))
    assert (plan.wording, plan.issued_on) == (wording, END)


@pytest.mark.parametrize(
    ("reason", "problem"),
    [("  ", "请填写撤销原因。"), ("理由" * 101, "撤销原因不能超过 200 字。")],
    ids=["blank", "too long"],
)
def test_a_refused_revoke_keeps_the_reason_typed(client, auth, org, klass, reason, problem):
    """The certificate's revoke form comes back open, with the reason and what is wrong."""
    _plan(org, klass)
    services.issue_certificates(org.org1, klass, NOW)
    db.session.commit()
    certificate = _certificates(klass)[1]
    auth.login("org1")
    response = client.post(f"/manage/certificates/{certificate.id}/revoke", data={"reason": reason})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    form = body[body.index('<details class="cert-revoke" open>') :]
    form = form[: form.index("</details>")]
    assert f"/manage/certificates/{certificate.id}/revoke" in form
    assert f"\n{reason}</textarea>" in form and f'<p class="field-error">{problem}</p>' in form
    assert body.count('<details class="cert-revoke" open>') == 1
    assert not fresh(certificate).is_revoked


# Member pages and verification


@pytest.fixture()
def issued(org, klass):
    _plan(org, klass)
    services.issue_certificates(org.org1, klass, NOW)
    db.session.commit()
    return {c.member_id: c for c in _certificates(klass)}


def test_member_finds_the_certificate_on_me_and_opens_it(client, auth, org, issued):
    certificate = issued[org.m1.id]
    auth.login("m1")
    me = client.get("/me").get_data(as_text=True)
    assert "结业证书" in me and certificate.number in me
    assert f"/certificates/{certificate.id}" in me
    page = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert "普通党员 同志：" in page and certificate.number in page
    assert f"/certificates/verify/{certificate.token}" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and "style=" not in page
    assert f"/certificates/{certificate.id}/certificate.pdf" in page


def _pdf_text(data: bytes) -> str:
    """The page streams of a PDF (ASCII85 over Flate, as reportlab writes them) as text."""
    streams = [s.strip() for s in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S)]
    return "".join(
        zlib.decompress(base64.a85decode(s.removesuffix(b"~>"))).decode("latin-1") for s in streams
    )


def test_the_pdf_is_one_a4_landscape_page_with_the_number_and_link(client, auth, org, issued):
    certificate = issued[org.m1.id]
    auth.login("m1")
    response = client.get(f"/certificates/{certificate.id}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert "QZ2026-00000" in disposition and readable_name(disposition)
    data = response.data
    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type /Page\b", data)) == 1
    assert re.search(rb"/MediaBox \[ 0 0 841\.8\d* 595\.2\d* \]", data)
    assert b"/BaseFont /STSong-Light" in data
    text = _pdf_text(data)
    assert f"({certificate.number})" in text
    assert f"/certificates/verify/{certificate.token}" in text


def test_verification_shows_the_certificate_and_its_status_only(client, auth, org, issued):
    certificate = issued[org.m1.id]
    verify = f"/certificates/verify/{certificate.token}"
    anonymous = client.get(verify)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")
    auth.login("org2")  # anyone logged in, even from another unit
    body = client.get(verify).get_data(as_text=True)
    assert "该证书真实有效" in body
    for fact in ("普通党员", certificate.number, "入党积极分子培训班", "2026年11月20日"):
        assert fact in body
    for private in ("m1", "一所党支部", "学习时长"):
        assert private not in body
    services.revoke_certificate(org.org1, fresh(certificate), "撤销测试", NOW)
    db.session.commit()
    body = client.get(verify).get_data(as_text=True)
    assert "该证书已撤销" in body and "撤销测试" not in body
    assert client.get("/certificates/verify/not-a-token-at-all-x").status_code == 404
    assert client.get("/certificates/verify/short").status_code == 404


def test_a_revoked_certificate_says_so_and_has_no_pdf(client, auth, org, issued):
    certificate = issued[org.m1.id]
    services.revoke_certificate(org.org1, certificate, "记录有误", NOW)
    db.session.commit()
    auth.login("m1")
    page = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert "已撤销" in page and "记录有误" in page and "下载 PDF" not in page
    assert client.get(f"/certificates/{certificate.id}/certificate.pdf").status_code == 404


@pytest.mark.parametrize("who", ["m2", "org1", "admin"])
@pytest.mark.parametrize("path", ["/certificates/{id}", "/certificates/{id}/certificate.pdf"])
def test_only_the_member_opens_their_certificate(client, auth, org, issued, who, path):
    url = path.format(id=issued[org.m1.id].id)
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    auth.login(who)
    assert client.get(url).status_code == 404
