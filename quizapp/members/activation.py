"""One-time login codes (一次性登录码) of members imported without a password.

A roster import gives each new member a random ``Member.activation_nonce`` and no password.
The member's code is derived from the nonce with the secret key, so it is never stored: a
stolen database alone does not give the codes, every member's stored value differs (no
shared hash), and an organiser can print the slip sheet again as long as the member has not
logged in. Logging in with the code forces the member to set a password, which clears the
nonce and so ends the code. Issuing a new nonce ends the old code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app

#: Letters and digits that can't be mistaken for each other when read off a slip of paper.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
#: 10 characters of 32 symbols: 50 bits, far beyond what the login delays let anyone guess.
LENGTH = 10


def new_nonce() -> str:
    """Return a fresh random nonce for ``Member.activation_nonce``."""
    return secrets.token_hex(16)


def activation_code(member_id: int, nonce: str) -> str:
    """Return the member's one-time login code, grouped for reading: ``ABCD-EFGH-JK``."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    digest = hmac.new(key, f"activation:{member_id}:{nonce}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    code = "".join(chars)
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def normalise_code(typed: str) -> str:
    """Read a code as people type it: any case, with or without dashes and spaces."""
    return "".join(ch for ch in typed.upper() if ch not in "- \u3000")


def code_matches(member_id: int, nonce: str | None, typed: str) -> bool:
    """Tell, in constant time, whether ``typed`` is the member's current one-time code."""
    if not nonce:
        return False
    expected = normalise_code(activation_code(member_id, nonce))
    return hmac.compare_digest(expected.encode(), normalise_code(typed).encode())
