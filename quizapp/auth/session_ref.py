"""A lighter login check for the hot JSON endpoints (answer autosave, study heartbeat).

Flask-Login loads the whole member on every request that touches ``current_user``. The hot
endpoints need only the member's id: they read it from the signed session cookie and check,
inside their own single SQL statement, that the session is still valid (same
``session_version``, member active, password already changed). A request whose check fails
costs one more query to tell "logged out" (401) from "not yours" (404).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import g, session
from sqlalchemy import ColumnElement, and_, false

from quizapp.errors import error_response
from quizapp.members.models import Member


@dataclass(frozen=True)
class SessionRef:
    """Who the session cookie says is logged in."""

    member_id: int
    version: int


def session_ref() -> SessionRef | None:
    """Read the member reference Flask-Login keeps in the session, if any."""
    raw = session.get("_user_id")
    if not isinstance(raw, str):
        return None
    member_id, _, version = raw.partition(".")
    if not member_id.isdigit() or not version.isdigit():
        return None
    return SessionRef(int(member_id), int(version))


def valid_member(ref: SessionRef | None) -> ColumnElement[bool]:
    """Return the SQL condition that ``ref`` is a live session of an active member."""
    if ref is None:
        return false()
    return and_(
        Member.id == ref.member_id,
        Member.session_version == ref.version,
        Member.is_active.is_(True),
        Member.must_change_password.is_(False),
    )


def hot_login_required(view: Callable) -> Callable:
    """Require a session cookie without loading the member; the view checks it in SQL."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        ref = session_ref()
        if ref is None:
            return error_response(401)
        g.session_ref = ref
        return view(*args, **kwargs)

    wrapped.skips_member_loading = True
    return wrapped
