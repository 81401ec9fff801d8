"""Flask extensions, created unbound here and bound by create_app()."""

from __future__ import annotations

import time

from flask import Flask, current_app, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

import quizapp.auth.limits_storage  # noqa: F401  registers the quizapp-db:// storage

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"

#: CSRF on every POST, PUT, PATCH and DELETE: forms send csrf_token, scripts X-CSRFToken.
csrf = CSRFProtect()


class LoginLimit:
    """Failed logins per client address (``LOGIN_LIMIT_PER_ADDRESS``), in a fixed window.

    Counted with the ``limits`` library in ``RATELIMIT_STORAGE_URI`` (the app's database by
    default, shared by every worker and host; or Redis). Only the login view asks, so no
    other request spends anything on limits. The keys are the ones Flask-Limiter used
    (``LIMITER/<prefix>/<address>/login-address/…``), so counters survive the change.
    """

    def init_app(self, app: Flask) -> None:
        """Open the counters' storage for ``app``."""
        storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
        app.extensions["login_limit"] = FixedWindowRateLimiter(storage)

    @staticmethod
    def _limit() -> tuple[FixedWindowRateLimiter, RateLimitItem, list[str]]:
        keys = [request.remote_addr or "127.0.0.1", "login-address"]
        if prefix := current_app.config.get("RATELIMIT_KEY_PREFIX"):
            keys.insert(0, prefix)
        item = parse(current_app.config["LOGIN_LIMIT_PER_ADDRESS"])
        return current_app.extensions["login_limit"], item, keys

    def seconds_to_wait(self) -> float | None:
        """Return how long the client's address must wait before trying again, or None."""
        limiter, item, keys = self._limit()
        if limiter.test(item, *keys):
            return None
        return max(0.0, limiter.get_window_stats(item, *keys).reset_time - time.time())

    def count_failure(self) -> None:
        """Count one failed login against the client's address."""
        limiter, item, keys = self._limit()
        limiter.hit(item, *keys)

    def reset(self) -> None:
        """Forget every counter (tests)."""
        current_app.extensions["login_limit"].storage.reset()


login_limit = LoginLimit()
