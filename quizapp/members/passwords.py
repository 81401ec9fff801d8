"""Password hashing with Argon2id (argon2-cffi) and the password rules members must meet."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from quizapp.errors import DomainError

MIN_LENGTH = 8
MAX_LENGTH = 128
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


#: The password every demo login uses (README, `make run`): published, so nobody's own.
DEMO_PASSWORD = "demo123456"
#: Login ids and names shorter than this are too common as fragments to forbid.
MIN_LOGIN_ID_IN_PASSWORD = 4
MIN_NAME_IN_PASSWORD = 2
_CHINESE_LIST = Path(__file__).with_name("weak_passwords_cn.txt")
_SURNAMES = Path(__file__).with_name("pinyin_surnames.txt")
#: Letters then digits, or digits then letters, and nothing else (zhang123, 888wang).
_WORD_AND_DIGITS = re.compile(r"([a-z]+)\d+|\d+([a-z]+)")


@cache
def common_passwords() -> frozenset[str]:
    """Return the lower-cased passwords too common to allow, read once per process.

    zxcvbn's list of the 30,000 passwords most often found in leaks (mostly Western), and
    ``weak_passwords_cn.txt``: pinyin, dates and police words that Chinese lists add.
    """
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    chinese = (line.strip().lower() for line in _CHINESE_LIST.read_text("utf-8").splitlines())
    return frozenset(FREQUENCY_LISTS["passwords"]) | {
        word for word in chinese if word and not word.startswith("#")
    }


@cache
def pinyin_surnames() -> frozenset[str]:
    """Return the common surnames in pinyin (``pinyin_surnames.txt``), read once per process."""
    lines = (line.strip() for line in _SURNAMES.read_text("utf-8").splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _is_surname_and_digits(lowered: str) -> bool:
    """Tell whether the password is a common surname in pinyin and digits only (zhang123)."""
    match = _WORD_AND_DIGITS.fullmatch(lowered)
    return match is not None and (match.group(1) or match.group(2)) in pinyin_surnames()


def check_password_rules(
    password: str, login_ids: tuple[str | None, ...] = (), name: str | None = None
) -> None:
    """Raise DomainError unless ``password`` is acceptable as a member's own password.

    ``login_ids`` are the member's 警号 and phone number and ``name`` their name: a
    password may contain neither.
    """
    if len(password) < MIN_LENGTH:
        raise DomainError(f"密码至少需要 {MIN_LENGTH} 位。")
    if len(password) > MAX_LENGTH:
        raise DomainError(f"密码不能超过 {MAX_LENGTH} 位。")
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        raise DomainError("密码需同时包含字母和数字。")
    lowered = password.lower()
    if lowered == DEMO_PASSWORD:
        raise DomainError("不能使用演示密码。")
    if any(
        login_id and len(login_id) >= MIN_LOGIN_ID_IN_PASSWORD and login_id.lower() in lowered
        for login_id in login_ids
    ):
        raise DomainError("密码不能包含警号或手机号。")
    compact_name = re.sub(r"\s+", "", name or "").lower()
    if len(compact_name) >= MIN_NAME_IN_PASSWORD and compact_name in re.sub(r"\s+", "", lowered):
        raise DomainError("密码不能包含姓名（拼音或汉字）。")
    if lowered in common_passwords():
        raise DomainError("密码过于常见，容易被猜中，请换一个。")
    if _is_surname_and_digits(lowered):
        raise DomainError("密码不能只是姓氏拼音加数字（如 zhang123），容易被猜中，请换一个。")
