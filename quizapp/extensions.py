"""Flask extensions, created unbound here and bound by create_app()."""

from __future__ import annotations

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
