"""Certificate pages for members: their own certificate (printable, PDF) and verification.

Verification needs a login: the issue asks for "anyone in the bureau", and the platform is
the bureau's, so a verification link found outside it reveals nothing. The page shows the
certificate alone (name, class, number, date, issuer, status), nothing else of the member.
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, render_template, url_for
from flask_login import current_user, login_required

from quizapp.certificates import queries
from quizapp.certificates.models import Certificate
from quizapp.certificates.pdf import certificate_pdf, long_date, qr_svg
from quizapp.downloads import PDF, attachment
from quizapp.spreadsheets import UNSAFE_IN_NAMES

bp = Blueprint("certificates", __name__)

#: What secrets.token_urlsafe(16) makes; anything else is no certificate's token.
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,32}")


def verify_url(certificate: Certificate) -> str:
    """Return the full verification link of a certificate (the QR code's content)."""
    return url_for("certificates.verify", token=certificate.token, _external=True)


@bp.get("/certificates/<int:certificate_id>")
@login_required
def show(certificate_id: int):
    """Show one of the member's certificates, ready to print, with its QR code."""
    certificate = queries.get_member_certificate(current_user, certificate_id)
    url = verify_url(certificate)
    return render_template(
        "certificates/show.html",
        certificate=certificate,
        verify_url=url,
        qr=qr_svg(url),
        long_date=long_date,
    )


@bp.get("/certificates/<int:certificate_id>/certificate.pdf")
@login_required
def pdf(certificate_id: int):
    """Download one of the member's certificates as a PDF (a revoked one has none)."""
    certificate = queries.get_member_certificate(current_user, certificate_id)
    if certificate.is_revoked:
        abort(404)
    name = UNSAFE_IN_NAMES.sub("_", f"{certificate.title}-{certificate.number}")
    return attachment(
        certificate_pdf(certificate, verify_url(certificate)),
        f"{name}.pdf",
        PDF,
        english=f"certificate-{certificate.number}",
    )


@bp.get("/certificates/verify/<token>")
@login_required
def verify(token: str):
    """Confirm a certificate to anyone logged in: valid or revoked, and what it certifies."""
    if not TOKEN.fullmatch(token):
        abort(404)
    return render_template(
        "certificates/verify.html",
        certificate=queries.get_certificate_by_token(token),
        long_date=long_date,
    )
