"""The one way a route runs a service call: commit once on success, roll back on a rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash
from sqlalchemy.exc import IntegrityError

from quizapp import db
from quizapp.errors import DomainError

T = TypeVar("T")
CONFLICT = "这项数据刚被其他人（或您在另一个页面）同时修改，本次操作未保存。请刷新页面后重试。"


class _Failed:
    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "FAILED"


#: What :func:`perform` returns when the service refused; test with ``is FAILED``.
FAILED = _Failed()


def perform(action: Callable[[], T], success: str | Callable[[T], str]) -> T | _Failed:
    """Run ``action``; commit and flash ``success``, or roll back and flash the rule broken."""
    try:
        result = action()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return FAILED
    except IntegrityError:
        # Someone else changed the same thing at the same moment (two tabs, two organisers).
        db.session.rollback()
        flash(CONFLICT, "error")
        return FAILED
    db.session.commit()
    flash(success(result) if callable(success) else success, "success")
    return result
