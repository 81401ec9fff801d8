"""Login, logout and password change pages."""

from __future__ import annotations

import math
import time

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from quizapp import db
from quizapp.auth import services
from quizapp.auth.forms import ChangePasswordForm, LoginForm
from quizapp.clock import utcnow
from quizapp.errors import DomainError
from quizapp.extensions import limiter

bp = Blueprint("auth", __name__)


def _account_key() -> str:
    login_id = (request.form.get("login_id") or "").strip().lower()
    return f"account:{login_id}" if login_id else f"address:{get_remote_address()}"


def _failed(response) -> bool:  # noqa: ANN001
    # A successful login redirects; anything else counts against the limits.
    return response.status_code != 302


def _too_many(limit: RequestLimit):
    minutes = max(1, math.ceil((limit.reset_at - time.time()) / 60))
    per_account = limit.key.find("account:") != -1
    who = "该账号" if per_account else "当前网络"
    form = LoginForm()
    form.password.data = ""
    message = f"{who}登录失败次数过多，已暂时锁定，请 {minutes} 分钟后再试。"
    return make_response(render_template("auth/login.html", form=form, error=message), 429)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    deduct_when=_failed,
    on_breach=_too_many,
    scope="login-address",
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
    on_breach=_too_many,
    scope="login-account",
)
def login():
    """Show the login form and log the member in."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    error = None
    if form.validate_on_submit():
        try:
            member = services.authenticate(form.login_id.data, form.password.data, utcnow())
        except DomainError as exc:
            error = exc.message
        else:
            db.session.commit()
            login_user(member, remember=form.remember.data)
            if member.must_change_password:
                flash("首次登录，请先设置您自己的密码。", "info")
                return redirect(url_for("auth.change_password"))
            target = form.next.data
            return redirect(target if services.is_safe_next(target) else url_for("home.index"))
    return render_template("auth/login.html", form=form, error=error)


@bp.post("/logout")
def logout():
    """Log out and return to the login page."""
    logout_user()
    flash("您已安全退出。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Let the member set their own password (required at first login)."""
    form = ChangePasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data)
        except DomainError as exc:
            error = exc.message
        else:
            db.session.commit()
            # The session version changed: log in again so this session stays valid.
            login_user(current_user._get_current_object())
            flash("密码已修改。", "success")
            return redirect(url_for("home.index"))
    return render_template(
        "auth/change_password.html",
        form=form,
        error=error,
        first_time=current_user.must_change_password,
    )
