"""Authorisation matrix rows for the certificate pages of a campaign (结业证书): settings,
issuing, the list and its export, revoking.

Each row is a :class:`tests.authz_world.Case`; tests/test_authz_matrix.py runs them for every
kind of actor. The member pages (own certificate, PDF, verification) are checked in
tests/test_certificates.py.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from quizapp import db
from quizapp.certificates import services
from quizapp.certificates.models import Certificate, CertificatePlan
from quizapp.clock import utcnow
from tests.authz_world import Case, World, _u1_campaign, campaign_url, post, url_of
from tests.conftest import TODAY
from tests.factories import add_study, make_material


def _ready(w: World):
    """U1's training class published, its certificates on, and m1 done (committed)."""
    campaign = _u1_campaign(w)
    if db.session.get(CertificatePlan, campaign.id) is None:
        campaign.is_published = True
        data = services.default_plan(campaign)
        data.issued_on = TODAY
        services.save_plan(w.org1, campaign, data, utcnow())
        add_study(w.m1, make_material(w.org), TODAY, 30 * 60)
        db.session.commit()
    return campaign


def _issue_form(w: World) -> dict:
    _ready(w)
    return {}


def _m1_certificate(w: World) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.member_id == w.m1.id))


def _issued_to_m1(w: World) -> Certificate:
    """m1's certificate of U1's class, issued on first use by the revoke row."""
    campaign = _ready(w)
    if _m1_certificate(w) is None:
        services.issue_certificates(w.org1, campaign, utcnow())
        db.session.commit()
    return _m1_certificate(w)


def certificate_url(template: str) -> Callable[[World], str]:
    """Build the URL from ``template`` formatted with the id of m1's certificate."""
    return url_of(template, lambda w: {"certificate": _issued_to_m1(w).id})


def _settings_form(w: World) -> dict:
    return {
        "is_enabled": "y",
        "title": "矩阵测试证书",
        "wording": "完成全部学习要求。",
        "issuer_name": "第一分局党委",
        "issued_on": TODAY.isoformat(),
    }


def _plan_saved(w: World) -> bool:
    plan = db.session.get(CertificatePlan, _u1_campaign(w).id)
    return plan is not None and plan.title == "矩阵测试证书"


CASES: list[Case] = [
    Case("certificates.manage", "GET", campaign_url("/manage/campaigns/{campaign}/certificates")),
    post(
        "certificates.save_settings",
        campaign_url("/manage/campaigns/{campaign}/certificates/settings"),
        form=_settings_form,
        done=_plan_saved,
    ),
    post(
        "certificates.issue",
        campaign_url("/manage/campaigns/{campaign}/certificates/issue"),
        form=_issue_form,
        done=lambda w: _m1_certificate(w) is not None,
    ),
    # The export once a certificate exists: an outsider gets 404, not m1's name in a file.
    Case(
        "certificates.export",
        "GET",
        url_of(
            "/manage/campaigns/{campaign}/certificates.xlsx",
            lambda w: {"campaign": _issued_to_m1(w).campaign_id},
        ),
    ),
    post(
        "certificates.revoke",
        certificate_url("/manage/certificates/{certificate}/revoke"),
        form=lambda w: {"reason": "矩阵测试：撤销"},
        done=lambda w: _m1_certificate(w).is_revoked,
    ),
]
