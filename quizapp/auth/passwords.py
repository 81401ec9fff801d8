"""Password hashing with Argon2id (argon2-cffi) and the password rules members must meet."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from quizapp.errors import DomainError

MIN_LENGTH = 8
_hashers: dict[tuple[int, int], PasswordHasher] = {}


def _hasher() -> PasswordHasher:
    # Tests lower the cost through config; production keeps argon2-cffi's RFC 9106 defaults.
    time_cost = current_app.config.get("ARGON2_TIME_COST", 3)
    memory_kib = current_app.config.get("ARGON2_MEMORY_KIB", 65536)
    key = (time_cost, memory_kib)
    if key not in _hashers:
        _hashers[key] = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
    return _hashers[key]


def hash_password(password: str) -> str:
    """Return an Argon2id hash of ``password``."""
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Tell whether ``password`` matches ``password_hash``; unknown hashes never match."""
    if not password_hash:
        # Spend the same time as a real check so unknown accounts can't be told apart.
        _hasher().hash(password)
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Tell whether the hash was made with other parameters than today's."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def check_password_rules(password: str, login_ids: tuple[str | None, ...] = ()) -> None:
    """Raise DomainError unless ``password`` is acceptable as a member's own password."""
    if len(password) < MIN_LENGTH:
        raise DomainError(f"密码至少需要 {MIN_LENGTH} 位。")
    if len(password) > 128:
        raise DomainError("密码不能超过 128 位。")
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        raise DomainError("密码需同时包含字母和数字。")
    if any(login_id and password.lower() == login_id.lower() for login_id in login_ids):
        raise DomainError("密码不能与警号或手机号相同。")
