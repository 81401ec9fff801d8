"""The study heartbeat API (documented in docs/api.md)."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, g, jsonify, request

from quizapp import numbers
from quizapp.actions import transaction
from quizapp.auth.session_ref import hot_login_required
from quizapp.clock import utcnow
from quizapp.errors import BadRequest
from quizapp.study import minutes

bp = Blueprint("study_api", __name__)


@bp.post("/heartbeat")
@hot_login_required
@transaction
def heartbeat():
    """Credit the time since the member's last heartbeat (the server's clock decides)."""
    # Regular beats are JSON with the X-CSRFToken header; the last one, sent by
    # navigator.sendBeacon (which can't set headers), is a form with csrf_token and token.
    body = request.get_json(silent=True) if request.is_json else request.form
    if not isinstance(body, Mapping):
        raise BadRequest("提交的内容无法识别，请刷新页面后重试。")
    token = body.get("token")
    resume = bool(body.get("resume")) if request.is_json else False
    if not isinstance(token, str):
        raise BadRequest("提交的内容无法识别：缺少 token，请刷新页面后重试。")
    material_id, stamp = minutes.read_token(token, g.session_ref.member_id)
    credit = minutes.record_heartbeat(g.session_ref, material_id, utcnow(), resume, stamp)
    return jsonify(
        credited=credit.credited,
        today_seconds=credit.today_seconds,
        today_minutes=numbers.minutes(credit.today_seconds),
    )
