"""Flask extensions, created unbound here and bound by create_app()."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

import quizapp.auth.limits_storage  # noqa: F401  registers the quizapp-db:// storage

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"

#: CSRF on every POST, PUT, PATCH and DELETE: forms send csrf_token, scripts X-CSRFToken.
csrf = CSRFProtect()

#: Only the routes that ask for a limit get one (the login form).
limiter = Limiter(key_func=get_remote_address, default_limits=[])


#: How Flask-Limiter marks the view functions its ``limit`` decorator wrapped.
_LIMITED_MARK = "__wrapper-limiter-instance"


def init_limiter(app: Flask) -> None:
    """Bind the limiter, running its request hooks only for the routes that carry a limit.

    Flask-Limiter registers a before-request, an after-request and a teardown hook that run
    on every request, about a tenth of the CPU of an answer autosave or a study heartbeat,
    to find the limits of routes that have none (the app sets no default or application
    limits). Each hook is wrapped to return at once unless the request's view was decorated
    with ``limiter.limit``; on those views (the login form) the hooks run unchanged: the
    decorator checks the limit, the after-request hook deducts failed attempts
    (``deduct_when``), the teardown clears the request's limiter state. Default, application
    or blueprint limits (none are set) would be skipped by this guard: set one, drop it.
    """
    funcs = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
    before = [list(registered.get(None, [])) for registered in funcs]
    limiter.init_app(app)
    limited: set[str] | None = None

    def is_limited() -> bool:
        nonlocal limited
        if limited is None:  # every view is registered by the first request
            limited = {
                endpoint
                for endpoint, view in app.view_functions.items()
                if getattr(view, _LIMITED_MARK, None) == limiter
            }  # a weak proxy
        return request.endpoint in limited

    def guard(hook: Callable, passthrough: bool) -> Callable:
        @wraps(hook)
        def guarded(*args):
            if is_limited():
                return hook(*args)
            return args[0] if passthrough else None

        return guarded

    for registered, old in zip(funcs, before, strict=True):
        hooks = registered.get(None, [])
        passthrough = registered is app.after_request_funcs  # takes and returns the response
        registered[None] = [hook if hook in old else guard(hook, passthrough) for hook in hooks]
