"""Domain errors, and the one place errors are answered: Chinese pages, or JSON on the API.

Every answer on the JSON API (``API_PREFIXES``; docs/api.md) is JSON, errors included:
``{"error": <code>, "message": <中文>, "status": <status>}``. Scripts decide what to do by the
status and the code (``csrf``: reload the page; ``closed``: the attempt has ended;
``login_required``: log in again), never by the Chinese text, which is only shown.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

#: The paths of the JSON API (docs/api.md).
API_PREFIXES = ("/api/", "/practice/api/")


class DomainError(Exception):
    """A rule was broken; ``message`` is shown to the user as it is, in Chinese.

    ``status`` and ``code`` are what the API answers. ``keeps_changes`` says the changes made
    before the refusal stand (a wrong password counted, an attempt submitted at its deadline):
    the request's transaction is committed, not rolled back, before the error is answered.
    """

    status = 400
    code = "invalid"
    keeps_changes = False

    def __init__(self, message: str, *, keeps_changes: bool | None = None) -> None:
        super().__init__(message)
        self.message = message
        if keeps_changes is not None:
            self.keeps_changes = keeps_changes


def refuse(problems: list[str], lead: str = "") -> None:
    """Raise the problems a check found as one DomainError, ``lead`` first and the problems
    joined with "；" into one sentence; return when there are none."""
    if problems:
        raise DomainError(lead + "；".join(problems) + "。")


class BadRequest(DomainError):
    """The request is not what the endpoint takes (not JSON, a field missing)."""

    code = "bad_request"


class NotFound(DomainError):
    """No such thing for this member (404), exactly as if it did not exist."""

    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The thing changed under the request: answered already, or changed by someone else."""

    status = 409
    code = "conflict"


class Closed(Conflict):
    """The thing no longer takes changes: an attempt submitted or past its deadline (409)."""

    code = "closed"


class Stale(Conflict):
    """The page is out of date (an expired or forged token): reload it (409)."""

    code = "stale"


class SessionInvalid(DomainError):
    """The session no longer belongs to an active member: log in again (401)."""

    status = 401
    code = "login_required"

    def __init__(self, message: str = "登录已过期或账号已变更，请重新登录。") -> None:
        super().__init__(message)


MESSAGES = {
    400: ("请求有误", "提交的内容无法识别，请返回上一页重试。"),
    401: ("请先登录", "登录已过期或尚未登录，请重新登录后再试。"),
    403: ("无权访问", "您没有权限查看或操作此内容。如需开通，请联系所在支部的管理员。"),
    404: ("页面不存在", "您要找的内容不存在或已被删除，请检查链接是否正确。"),
    405: ("操作不被允许", "此页面不支持这种操作，请返回上一页重试。"),
    409: ("操作冲突", "这项数据刚被修改，本次操作未完成。请刷新页面后重试。"),
    413: ("文件太大", "上传的文件超过大小限制，请拆分后再上传。"),
    429: ("操作过于频繁", "您的操作过于频繁，请稍后再试。"),
    503: ("服务暂时不可用", "系统正在维护或数据库暂时无法连接，您的操作没有完成。请稍后重试。"),
    500: (
        "系统出错了",
        "服务器处理时出错，您的操作没有完成。请稍后重试；如果仍然出错，请联系管理员。",
    ),
}
#: The machine-readable ``error`` of each status, where no more specific code applies.
CODES = {
    400: "bad_request",
    401: "login_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}
CSRF_MESSAGE = "页面已过期或停留时间过长，请刷新页面后重新提交。"


def is_api() -> bool:
    """Tell whether the request is to the JSON API."""
    return request.path.startswith(API_PREFIXES)


def wants_json() -> bool:
    """Tell whether the client is a script that expects JSON back."""
    return is_api() or request.accept_mimetypes.best == "application/json"


def error_response(status: int, message: str | None = None, code: str | None = None):
    """Render the error page (or JSON) for ``status``, with an optional message and code."""
    title, default = MESSAGES.get(status, MESSAGES[500])
    text = message or default
    if wants_json():
        return jsonify(
            error=code or CODES.get(status, "error"), message=text, status=status
        ), status
    return render_template("errors/error.html", code=status, title=title, message=text), status


def init_app(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(DomainError)
    def _refused(error: DomainError):
        # A rule refused a request whose view let the error through: actions.run has already
        # ended its transaction.
        return error_response(error.status, error.message, error.code)

    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError):
        return error_response(400, CSRF_MESSAGE, "csrf")

    @app.errorhandler(OperationalError)
    def _database_down(error: OperationalError):
        log.error("database unavailable on %s %s: %s", request.method, request.path, error)
        from quizapp import db

        db.session.remove()
        return error_response(503)

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def _unstorable(error: DataError | OverflowError):
        # The database refused a value (PostgreSQL: a NUL character in text, a number out of
        # range; SQLite: an integer beyond 64 bits, raised as OverflowError): the request sent
        # something no check caught. Its transaction is dropped.
        log.warning(
            "unstorable input on %s %s: %s",
            request.method,
            request.path,
            str(error).splitlines()[0],
        )
        from quizapp import db

        db.session.remove()
        return error_response(400)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code in (301, 302, 303, 307, 308):  # routing redirects are not errors
            return error
        if error.response is not None:  # a view built its own page
            return error.response
        return error_response(error.code or 500)
