"""A lighter login check for the hot JSON endpoints (answer autosave, study heartbeat).

Flask-Login loads the whole member on every request that touches ``current_user``. The hot
endpoints need only the member's id: they read it from the signed session cookie and check,
inside their own single SQL statement, that the session is still valid (same
``session_version``, member active, password already changed). A request whose check fails
costs one more query to tell "logged out" (401) from "not yours" (404).

The reference is the app's own session key, ``SESSION_KEY``, never Flask-Login's internal
one: it is written when Flask-Login logs a member in (its ``user_logged_in`` signal) and
whenever its user loader accepts a session (a remember cookie, or a session from before
the key existed), and removed on logout (``user_logged_out``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import current_app, g, request, session
from flask_login import user_logged_in, user_logged_out
from flask_wtf.csrf import CSRFError, same_origin, validate_csrf
from sqlalchemy import ColumnElement, and_, false
from wtforms import ValidationError

from quizapp.errors import error_response
from quizapp.extensions import csrf
from quizapp.members.models import Member
from quizapp.signing import MAX_REMEMBERED_BYTES

#: The session key holding ``"<member id>.<session version>"``, as ``Member.get_id()`` gives.
SESSION_KEY = "member_ref"


@dataclass(frozen=True)
class SessionRef:
    """Who the session cookie says is logged in."""

    member_id: int
    version: int


def remember(user_id: str) -> None:
    """Keep the logged-in member's reference in the session for the hot endpoints."""
    if session.get(SESSION_KEY) != user_id:  # unchanged: the cookie is not written again
        session[SESSION_KEY] = user_id


@user_logged_in.connect
def _logged_in(_app, user, **_extra) -> None:
    remember(user.get_id())


@user_logged_out.connect
def _logged_out(_app, **_extra) -> None:
    session.pop(SESSION_KEY, None)


def session_ref() -> SessionRef | None:
    """Read the member reference the session holds, if any."""
    raw = session.get(SESSION_KEY)
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


#: (secret, signed token, session's CSRF secret) triples Flask-WTF has already accepted.
_csrf_accepted: set[tuple] = set()
_CSRF_REMEMBERED = 20_000


def check_csrf() -> None:
    """CSRFProtect's check, for the hot endpoints it leaves to their view (they are exempted
    below): the same token, the same ``validate_csrf`` and the same HTTPS referrer rule, with
    the token's signature verified once per session rather than on every beat. Only when
    tokens never expire (``WTF_CSRF_TIME_LIMIT`` None, the app's setting) is an accepted
    token remembered; with a time limit every request is checked in full."""
    config = current_app.config
    if not config["WTF_CSRF_ENABLED"] or not config["WTF_CSRF_CHECK_DEFAULT"]:
        return
    if request.method not in config["WTF_CSRF_METHODS"]:
        return
    field = config["WTF_CSRF_FIELD_NAME"]
    # The order CSRFProtect reads them in: the form field, then each header.
    token = None if request.is_json else request.form.get(field)
    for header in config["WTF_CSRF_HEADERS"]:
        token = token or request.headers.get(header)
    secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    accepted = (secret, token, session.get(field))
    never_expire = config["WTF_CSRF_TIME_LIMIT"] is None
    if not never_expire or accepted not in _csrf_accepted:
        try:
            validate_csrf(token)
        except ValidationError as exc:
            raise CSRFError(exc.args[0]) from exc
        if never_expire and len(token) <= MAX_REMEMBERED_BYTES:
            if len(_csrf_accepted) >= _CSRF_REMEMBERED:
                _csrf_accepted.clear()
            _csrf_accepted.add(accepted)
    if request.is_secure and config["WTF_CSRF_SSL_STRICT"]:
        if not request.referrer:
            raise CSRFError("The referrer header is missing.")
        if not same_origin(request.referrer, f"https://{request.host}/"):
            raise CSRFError("The referrer does not match the host.")


def hot_login_required(view: Callable) -> Callable:
    """Require a session cookie without loading the member (the view checks it in SQL), and
    the CSRF token, checked by ``check_csrf`` instead of CSRFProtect's before-request hook."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        check_csrf()
        ref = session_ref()
        if ref is None:
            return error_response(401)
        g.session_ref = ref
        return view(*args, **kwargs)

    wrapped.skips_member_loading = True
    return csrf.exempt(wrapped)
