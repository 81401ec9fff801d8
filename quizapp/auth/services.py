"""Logging in (with the growing delay after wrong passwords), logging out, changing passwords.

The delay: the first ``LOGIN_FAILURES_BEFORE_DELAY`` wrong passwords (or one-time codes) in a
row are free; each further one pauses password checks for that account for 1, 2, 4, 8, …
minutes, at most ``LOGIN_DELAY_MAX_MINUTES``. While paused no password is checked, not even
the right one, and the attempt does not lengthen the pause, so nobody can keep a member out
for long by typing wrong passwords. A successful login, an organiser's unlock or password
reset starts the count again. The counters are on the member row, so the 警号 and the phone
number share them; unknown login ids only count against the per-address limit (routes).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, func, literal, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from quizapp import db
from quizapp.db import UTCDateTime
from quizapp.errors import DomainError
from quizapp.members import activation
from quizapp.members.logins import is_blocked, wait_until_text
from quizapp.members.models import Member
from quizapp.members.passwords import (
    check_password_rules,
    hash_password,
    needs_rehash,
    verify_password,
)
from quizapp.members.services import normalise_phone

BAD_CREDENTIALS = "账号或密码错误，请重新输入。"
_members = Member.__table__


class LoginBlocked(DomainError):
    """Password checks for the account are paused until ``until`` (answered as 429)."""

    #: The wrong password that started the pause, if it was this one, stays counted.
    keeps_changes = True

    def __init__(self, until: datetime) -> None:
        super().__init__(
            f"该账号连续输错密码次数过多，为保护账号安全已暂停登录，"
            f"请于 {wait_until_text(until)} 后再试。"
            f"如急需登录，请联系所在支部管理员解除限制。"
        )
        self.until = until


@dataclass(frozen=True)
class LoginDelays:
    """How long wrong passwords in a row pause password checks for an account."""

    #: Wrong passwords in a row that cost nothing.
    free_failures: int = 5
    #: The longest pause, in minutes.
    max_minutes: int = 60

    def minutes_after(self, failures: int) -> int:
        """Return the pause after the ``failures``-th wrong password in a row (0: none)."""
        extra = failures - self.free_failures
        if extra <= 0:
            return 0
        # 2 ** bit_length exceeds the cap, so a long run of failures never builds huge numbers.
        return min(2 ** min(extra - 1, self.max_minutes.bit_length()), self.max_minutes)


def login_delays() -> LoginDelays:
    """Return the delays configured for this app."""
    config = current_app.config
    return LoginDelays(config["LOGIN_FAILURES_BEFORE_DELAY"], config["LOGIN_DELAY_MAX_MINUTES"])


def normalise_login_id(typed: str) -> str:
    """Fold what a phone keyboard types into the login id: full-width forms to ASCII, trimmed."""
    return unicodedata.normalize("NFKC", typed).strip()


def find_by_login_id(login_id: str) -> Member | None:
    """Return the member whose 警号 or phone number is ``login_id``.

    Full-width digits and letters count as ASCII ones, and a 警号 matches whatever its case
    (phone keyboards capitalise the first letter) when only one account has it in any case;
    new and edited 警号 are kept unique regardless of case (``members.services``).
    """
    login_id = normalise_login_id(login_id)
    if not login_id:
        return None
    phone = normalise_phone(login_id)
    member = db.session.scalar(
        select(Member).where(or_(Member.police_no == login_id, Member.phone == phone))
    )
    if member is not None:
        return member
    # Only after the exact (indexed) lookup failed: a typo'd case or an unknown id.
    folded = db.session.scalars(
        select(Member).where(func.lower(Member.police_no) == login_id.lower()).limit(2)
    ).all()
    return folded[0] if len(folded) == 1 else None


def _secret_matches(member: Member | None, typed: str) -> bool:
    """Check the password, or the one-time code of a member without one: one Argon2 either way."""
    password_hash = member.password_hash if member else None
    # verify_password(None, ...) hashes, so every path spends the same time.
    if verify_password(password_hash, typed):
        return True
    return (
        member is not None
        and password_hash is None
        and activation.code_matches(member.id, member.activation_nonce, typed)
    )


def _record_failure(member: Member, now: datetime, delays: LoginDelays) -> None:
    """Count a wrong password and start the pause it earns, in one atomic UPDATE.

    ``failed_logins + 1`` is computed by the database under the row's lock, so concurrent
    wrong passwords each count; the pause for each possible count is spelled out in a CASE
    (the doubling reaches the cap within a few steps), so no date arithmetic runs in SQL.
    """
    failures = _members.c.failed_logins + 1
    whens = []
    count = delays.free_failures + 1
    while 0 < (minutes := delays.minutes_after(count)) < delays.max_minutes:
        whens.append((failures == count, literal(now + timedelta(minutes=minutes), UTCDateTime)))
        count += 1
    blocked_until = case(
        (failures <= delays.free_failures, _members.c.login_blocked_until),
        *whens,
        else_=literal(now + timedelta(minutes=delays.max_minutes), UTCDateTime),
    )
    row = db.session.execute(
        update(_members)
        .where(_members.c.id == member.id)
        .values(failed_logins=failures, login_blocked_until=blocked_until)
        .returning(_members.c.failed_logins, _members.c.login_blocked_until)
    ).one()
    set_committed_value(member, "failed_logins", row.failed_logins)
    set_committed_value(member, "login_blocked_until", row.login_blocked_until)


def authenticate(
    login_id: str, password: str, now: datetime, delays: LoginDelays | None = None
) -> Member:
    """Return the member with these credentials, or raise DomainError saying why not.

    A member imported without a password logs in with their one-time code instead and must
    then set a password. A wrong password is counted (the error ``keeps_changes``: the
    caller commits it even though the login fails); :class:`LoginBlocked` says the account's
    checks are paused.
    """
    delays = delays or login_delays()
    member = find_by_login_id(login_id)
    if member is not None and is_blocked(member, now):
        raise LoginBlocked(member.login_blocked_until)
    matches = _secret_matches(member, password)
    if member is None:
        raise DomainError(BAD_CREDENTIALS)
    if not matches:
        _record_failure(member, now, delays)
        if is_blocked(member, now):
            raise LoginBlocked(member.login_blocked_until)
        raise DomainError(BAD_CREDENTIALS, keeps_changes=True)
    if not member.is_active:
        raise DomainError("该账号已停用，如有疑问请联系所在支部管理员。")
    if member.password_hash is None:
        member.must_change_password = True  # logged in with the one-time code
    elif needs_rehash(member.password_hash):
        member.password_hash = hash_password(password)
    member.failed_logins = 0
    member.login_blocked_until = None
    member.last_login_at = now
    db.session.flush()
    return member


def end_sessions(member: Member) -> None:
    """Log ``member`` out on every device: every session and remember cookie stops working."""
    member.session_version += 1
    db.session.flush()


def change_password(member: Member, current: str, new: str) -> None:
    """Set the member's own password, checking the current one (or one-time code) and the rules."""
    if not _secret_matches(member, current):
        raise DomainError(
            "当前密码或一次性登录码不正确。" if member.activation_nonce else "当前密码不正确。"
        )
    if new == current:
        raise DomainError("新密码不能与当前密码相同。")
    check_password_rules(new, (member.police_no, member.phone), member.name)
    member.password_hash = hash_password(new)
    member.must_change_password = False
    member.activation_nonce = None  # the one-time code ends with the first own password
    member.session_version += 1
    db.session.flush()


def is_safe_next(target: str | None) -> bool:
    """Tell whether ``target`` is a path on this site, safe to redirect to after login."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    return "\\" not in target and not any(ord(ch) < 32 for ch in target)
