"""Member study pages: the material list by topic and the material page."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request, send_file
from flask_login import current_user, login_required

from quizapp.clock import china_today, utcnow
from quizapp.study import files, minutes, queries, totals
from quizapp.study.models import Material

bp = Blueprint("study", __name__)

#: The PDF response's own policy. Chrome's viewer is a plugin in a synthetic page with inline
#: styles; older Chrome kernels (common in office browsers) leave it blank or cut off under the
#: site-wide ``object-src 'none'`` / ``style-src 'self'``. Current Chromium renders either way.
PDF_POLICY = (
    "default-src 'none'; object-src 'self'; style-src 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'self'"
)


@bp.get("/")
@login_required
def index():
    """List the member's materials by topic, with today's and this week's minutes."""
    now = utcnow()
    search = request.args.get("q", "").strip()[:50]
    groups = queries.list_member_materials(current_user, now, search)
    today_seconds, week_seconds = totals.member_minutes_summary(current_user.id, china_today(now))
    return render_template(
        "study/index.html",
        groups=groups,
        search=search,
        today_seconds=today_seconds,
        week_seconds=week_seconds,
    )


@bp.get("/materials/<int:material_id>")
@login_required
def material(material_id: int):
    """Show a material; the page's script sends heartbeats while the member studies it."""
    now = utcnow()
    card = queries.get_member_material(current_user, material_id, now)
    today_seconds, _week = totals.member_minutes_summary(current_user.id, china_today(now))
    return render_template(
        "study/material.html",
        card=card,
        material=card.material,
        today_seconds=today_seconds,
        token=minutes.issue_token(current_user.id, card.material),
        interval=current_app.config["STUDY_HEARTBEAT_SECONDS"],
    )


def _member_file(material_id: int, kind: str) -> tuple[Material, Path]:
    """Return a material the member may open and its stored file of ``kind``, or 404."""
    material = queries.get_member_material(current_user, material_id, utcnow()).material
    path = files.file_path(material, kind)
    if path is None:
        abort(404)
    return material, path


@bp.get("/materials/<int:material_id>/pdf")
@login_required
def pdf(material_id: int):
    """Send the material's PDF to open in the browser's own viewer."""
    material, path = _member_file(material_id, "pdf")
    response = send_file(path, mimetype="application/pdf", conditional=True)
    response.headers["Content-Disposition"] = files.pdf_disposition(material)
    response.cache_control.private = True
    response.headers["Content-Security-Policy"] = PDF_POLICY
    return response


@bp.get("/materials/<int:material_id>/video")
@login_required
def video(material_id: int):
    """Send the material's video file; range requests let the player seek."""
    _material, path = _member_file(material_id, "video")
    mimetype = mimetypes.guess_type(path.name)[0] or "video/mp4"
    response = send_file(path, mimetype=mimetype, conditional=True)
    response.cache_control.private = True
    return response
