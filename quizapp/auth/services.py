"""Logging in and changing passwords."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from quizapp import db
from quizapp.auth.passwords import (
    check_password_rules,
    hash_password,
    needs_rehash,
    verify_password,
)
from quizapp.errors import DomainError
from quizapp.members.models import Member
from quizapp.members.services import normalise_phone

BAD_CREDENTIALS = "账号或密码错误，请重新输入。"


def find_by_login_id(login_id: str) -> Member | None:
    """Return the member whose 警号 or phone number is ``login_id``."""
    login_id = login_id.strip()
    if not login_id:
        return None
    phone = normalise_phone(login_id)
    return db.session.scalar(
        select(Member).where(or_(Member.police_no == login_id, Member.phone == phone))
    )


def authenticate(login_id: str, password: str, now: datetime) -> Member:
    """Return the member with these credentials, or raise DomainError saying why not."""
    member = find_by_login_id(login_id)
    # Always run one Argon2 check, so an unknown account takes as long as a known one.
    matches = verify_password(member.password_hash if member else None, password)
    if member is None or not matches:
        raise DomainError(BAD_CREDENTIALS)
    if not member.is_active:
        raise DomainError("该账号已停用，如有疑问请联系所在支部管理员。")
    if needs_rehash(member.password_hash):
        member.password_hash = hash_password(password)
    member.last_login_at = now
    db.session.flush()
    return member


def change_password(member: Member, current: str, new: str) -> None:
    """Set the member's own password, checking the current one and the rules."""
    if not verify_password(member.password_hash, current):
        raise DomainError("当前密码不正确。")
    if new == current:
        raise DomainError("新密码不能与当前密码相同。")
    check_password_rules(new, (member.police_no, member.phone))
    member.password_hash = hash_password(new)
    member.must_change_password = False
    member.session_version += 1
    db.session.flush()


def is_safe_next(target: str | None) -> bool:
    """Tell whether ``target`` is a path on this site, safe to redirect to after login."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    return "\\" not in target and not any(ord(ch) < 32 for ch in target)
