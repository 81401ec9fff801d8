"""Login, logout and password change pages."""

from __future__ import annotations

import math

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from quizapp.actions import run
from quizapp.auth import services
from quizapp.auth.forms import ChangePasswordForm, LoginForm
from quizapp.clock import utcnow
from quizapp.errors import DomainError
from quizapp.extensions import login_limit

bp = Blueprint("auth", __name__)


def _refused(message: str):
    form = LoginForm()
    form.password.data = ""
    return make_response(render_template("auth/login.html", form=form, error=message), 429)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and log the member in.

    Every POST that does not log in (a wrong password, an unknown account, an invalid form)
    counts against the client's address (``LOGIN_LIMIT_PER_ADDRESS``); past the limit the
    form is refused without checking anything.
    """
    if request.method == "POST":
        wait = login_limit.seconds_to_wait()
        if wait is not None:
            minutes = max(1, math.ceil(wait / 60))
            return _refused(f"当前网络登录失败次数过多，已暂时锁定，请 {minutes} 分钟后再试。")
    response = make_response(_log_in())
    if request.method == "POST" and response.status_code != 302:
        login_limit.count_failure()
    return response


def _log_in():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    error = None
    if form.validate_on_submit():
        try:
            # A wrong password is counted towards the account's delay even though it fails.
            member = run(
                lambda: services.authenticate(form.login_id.data, form.password.data, utcnow())
            )
        except services.LoginBlocked as exc:
            return _refused(exc.message)
        except DomainError as exc:
            error = exc.message
        else:
            login_user(member, remember=form.remember.data)
            if member.must_change_password:
                flash("首次登录，请先设置您自己的密码。", "info")
                return redirect(url_for("auth.change_password"))
            target = form.next.data
            return redirect(target if services.is_safe_next(target) else url_for("home.index"))
    return render_template("auth/login.html", form=form, error=error)


@bp.post("/logout")
def logout():
    """Log out on every device and return to the login page."""
    if current_user.is_authenticated:
        # Bumping the session version ends this session on the server too: a copied session
        # or remember cookie no longer logs anyone in, on this device or any other.
        run(lambda: services.end_sessions(current_user))
        logout_user()
        flash("您已安全退出（本账号在其他设备上的登录也已退出）。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Let the member set their own password (required at first login)."""
    form = ChangePasswordForm()
    if current_user.activation_nonce:
        form.current.label.text = "当前密码（或一次性登录码）"
    error = None
    if form.validate_on_submit():
        try:
            run(lambda: services.change_password(current_user, form.current.data, form.new.data))
        except DomainError as exc:
            error = exc.message
        else:
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
