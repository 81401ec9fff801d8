"""A member's logins as organisers manage them: a temporary password, a new one-time login
code, and the pause that wrong passwords put on logins (shown, and lifted)."""

from __future__ import annotations

from datetime import datetime, timedelta

from quizapp import access, db
from quizapp.clock import to_china
from quizapp.errors import DomainError
from quizapp.members.activation import activation_code, new_nonce
from quizapp.members.models import Member
from quizapp.members.passwords import check_password_rules, hash_password


def reset_password(actor: Member, member: Member, temporary_password: str) -> None:
    """Give a member a temporary password they must change at next login."""
    if not access.can_manage_member(actor, member):
        raise DomainError("您无权重置该党员的密码。")
    if member.id == actor.id:
        raise DomainError("请在「我的」页面修改自己的密码。")
    check_password_rules(temporary_password, (member.police_no, member.phone), member.name)
    member.password_hash = hash_password(temporary_password)
    member.must_change_password = True
    member.activation_nonce = None  # a one-time code no longer applies: the password does
    member.session_version += 1
    member.failed_logins = 0  # the member can log in with it at once
    member.login_blocked_until = None
    db.session.flush()


def wait_until_text(until: datetime) -> str:
    """Show when a pause ends as China time, HH:MM, rounded up to the minute."""
    local = to_china(until)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return local.strftime("%H:%M")


def is_blocked(member: Member, now: datetime) -> bool:
    """Tell whether password checks for ``member`` are paused at ``now``."""
    return member.login_blocked_until is not None and member.login_blocked_until > now


def unlock_login(actor: Member, member: Member) -> None:
    """Forget a member's wrong passwords in a row, ending any pause of their logins."""
    if not access.can_manage_member(actor, member):
        raise DomainError("您无权解除该党员的登录限制。")
    member.failed_logins = 0
    member.login_blocked_until = None
    db.session.flush()


def issue_login_code(actor: Member, member: Member) -> str:
    """Give a member a new one-time login code instead of a password; return the code.

    The new nonce ends any earlier code. A member who has a password loses it (this is then
    a reset without the organiser choosing a password). Either way the member is logged out
    everywhere, also from a session opened with the old code and not yet given a password.
    """
    if not access.can_manage_member(actor, member):
        raise DomainError("您无权为该人员生成登录码。")
    if member.id == actor.id:
        raise DomainError("请在「我的」页面修改自己的密码。")
    if not member.is_active:
        raise DomainError("该账号已停用，请先恢复账号。")
    member.password_hash = None
    member.session_version += 1
    member.must_change_password = True
    member.activation_nonce = new_nonce()
    member.failed_logins = 0  # the member can log in with the new code at once
    member.login_blocked_until = None
    db.session.flush()
    return activation_code(member.id, member.activation_nonce)
