"""Domain errors and the friendly Chinese error pages."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule was broken; ``message`` is shown to the user as it is, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


MESSAGES = {
    400: ("请求有误", "提交的内容无法识别，请返回上一页重试。"),
    401: ("请先登录", "登录已过期或尚未登录，请重新登录后再试。"),
    403: ("无权访问", "您没有权限查看或操作此内容。如需开通，请联系所在支部的管理员。"),
    404: ("页面不存在", "您要找的内容不存在或已被删除，请检查链接是否正确。"),
    405: ("操作不被允许", "此页面不支持这种操作，请返回上一页重试。"),
    413: ("文件太大", "上传的文件超过大小限制，请拆分后再上传。"),
    429: ("操作过于频繁", "您的操作过于频繁，请稍后再试。"),
    503: ("服务暂时不可用", "系统正在维护或数据库暂时无法连接，您的操作没有完成。请稍后重试。"),
    500: (
        "系统出错了",
        "服务器处理时出错，您的操作没有完成。请稍后重试；如果仍然出错，请联系管理员。",
    ),
}
CSRF_MESSAGE = "页面已过期或停留时间过长，请刷新页面后重新提交。"


def wants_json() -> bool:
    """Tell whether the client is a script that expects JSON back."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(code: int, message: str | None = None):
    """Render the error page (or JSON) for ``code`` with an optional specific message."""
    title, default = MESSAGES.get(code, MESSAGES[500])
    text = message or default
    if wants_json():
        return jsonify(error=text, status=code), code
    return render_template("errors/error.html", code=code, title=title, message=text), code


def init_app(app: Flask) -> None:
    """Register the Chinese error handlers."""

    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError):
        return error_response(400, CSRF_MESSAGE)

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
        if error.response is not None:  # a view or extension built its own page (rate limits)
            return error.response
        return error_response(error.code or 500)
