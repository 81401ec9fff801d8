"""The one way a route changes data: run the service call, then commit once or roll back.

- :func:`run` is the rule itself: commit when the action returns; on a :class:`DomainError`
  roll back (or commit, when the error ``keeps_changes``) and let it through; a unique key
  that two requests raced for becomes :class:`Conflict` (409).
- :func:`perform` is for form routes: it flashes the outcome instead of raising.
- :func:`transaction` wraps a whole view (the JSON API, small POST routes): errors go on to
  the app's handlers, which answer JSON on the API (``errors.py``, docs/api.md).

Autocommit, for the hot paths only (the answer autosave, ``attempts/autosave.py``, and the
study heartbeat, ``study/minutes.py``, whose write is a compare and set on the member's study
clock: the one check that decides what a beat is worth, see there): an
action may take ``db.standalone_connection()`` (autocommit on PostgreSQL, the usual
transaction on SQLite) when each of its writes is one statement that checks in SQL all it
relies on (the session, the row's state, the versions of what it read before) and takes in
that same statement the lock that orders it against other writers: nothing read before it
is held, and nothing after it can undo it, so it is the action's last write. When the
statement changes no row the action calls ``db.end_standalone()`` and goes on in a
transaction as any other, which :func:`run` commits or rolls back; after an autocommit
statement that commit sends nothing. Such a path must be right on both databases and is
proved by a test racing it against its concurrent writer on two connections.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import flash
from sqlalchemy.exc import DBAPIError, IntegrityError

from quizapp import db
from quizapp.errors import Conflict, DomainError

T = TypeVar("T")
P = ParamSpec("P")
CONFLICT = "这项数据刚被其他人（或您在另一个页面）同时修改，本次操作未保存。请刷新页面后重试。"


class _Failed:
    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "FAILED"


#: What :func:`perform` returns when the service refused; test with ``is FAILED``.
FAILED = _Failed()


def run(action: Callable[[], T], *, dry_run: bool = False, retry_race: bool = False) -> T:
    """Run ``action`` in the request's transaction and commit once (roll back a ``dry_run``).

    With ``retry_race``, a unique key another request took first (a double tap, a second
    device) rolls back and runs ``action`` once more, which then finds that request's row.
    An action whose pooled connection turned out dead (the server terminated or restarted
    it; nothing was written) runs once more on a fresh connection (db._ping_when_idle).
    """
    for attempt in range(2):
        try:
            try:
                result = action()
            except DBAPIError as exc:
                if attempt == 0 and exc.connection_invalidated:
                    db.session.rollback()
                    continue
                raise
            if dry_run:
                db.session.rollback()
            else:
                db.session.commit()
            return result
        except DomainError as exc:
            if exc.keeps_changes:
                db.session.commit()
            else:
                db.session.rollback()
            raise
        except IntegrityError as exc:
            db.session.rollback()
            if attempt == 0 and retry_race:
                continue
            raise Conflict(CONFLICT) from exc
    raise AssertionError("unreachable")  # pragma: no cover


def perform(
    action: Callable[[], T],
    success: str | Callable[[T], str],
    *,
    errors: list[str] | None = None,
) -> T | _Failed:
    """Run ``action``; commit and flash ``success``, or roll back and flash the rule broken
    (or, given ``errors``, a form's list, put it there to be shown beside the form)."""
    try:
        result = run(action)
    except DomainError as exc:
        if errors is None:
            flash(exc.message, "error")
        else:
            errors.append(exc.message)
        return FAILED
    flash(success(result) if callable(success) else success, "success")
    return result


def transaction(view: Callable[P, T]) -> Callable[P, T]:
    """Run the view in one transaction: commit once when it returns, roll back when it raises."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> T:
        return run(lambda: view(*args, **kwargs))

    return wrapped
