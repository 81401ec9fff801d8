"""Signed tokens, checked once: the session cookie and the study page's token.

A member's phone sends the same session cookie and the same study token with every
heartbeat and every autosave, and itsdangerous derives the key and computes an HMAC each
time it checks one: on the hot endpoints that was a third of a request's CPU.
``VerifiedOnceSigner`` remembers, per key set and salt, the signed values whose signature it
has already verified, with their timestamp. A value seen again skips only the HMAC: its age
is checked against ``max_age`` on every call, and a value that is too old (or from the
future) goes through the library's own check again, which raises its usual error.

Only byte-for-byte the same value under the same keys, salt and algorithm hits: a changed
or forged value is a miss and is verified in full (in constant time, by the library). A
verified payload that is a flat dict or list of scalars is decoded once too, and each call
gets its own copy. The memories are bounded: only values of at most ``MAX_REMEMBERED_BYTES``
are kept, and when one holds ``MAX_REMEMBERED`` values it starts again from empty.
"""

from __future__ import annotations

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import want_bytes

#: How many verified values a process remembers.
MAX_REMEMBERED = 20_000
#: The longest signed value (or payload) remembered: a member's session cookie is about 300
#: bytes and a study token about 100. A longer one (a cookie carrying flashed messages, say)
#: is verified in full each time, so the memory stays under ~50 MB whatever is signed.
MAX_REMEMBERED_BYTES = 1024

_verified: dict[tuple, tuple[bytes, int]] = {}


class VerifiedOnceSigner(TimestampSigner):
    """A ``TimestampSigner`` that verifies each signed value's signature once."""

    def unsign(self, signed_value, max_age=None, return_timestamp=False):
        key = self._memory_key(signed_value)
        found = _verified.get(key)
        if found is not None:
            value, timestamp = found
            age = self.get_timestamp() - timestamp
            if max_age is None or 0 <= age <= max_age:
                if return_timestamp:
                    return value, self.timestamp_to_datetime(timestamp)
                return value
            _verified.pop(key, None)  # expired: the full check below raises the library's error
        value, signed_at = super().unsign(signed_value, max_age=max_age, return_timestamp=True)
        if len(key[-1]) <= MAX_REMEMBERED_BYTES:
            if len(_verified) >= MAX_REMEMBERED:
                _verified.clear()
            _verified[key] = (value, int(signed_at.timestamp()))
        if return_timestamp:
            return value, signed_at
        return value

    def _memory_key(self, signed_value) -> tuple:
        return (
            tuple(self.secret_keys),
            self.salt,
            self.sep,
            self.key_derivation,
            self.digest_method,
            type(self.algorithm),
            want_bytes(signed_value),
        )


_SCALARS = (str, int, float, bool, type(None))
_decoded: dict[tuple, dict | list] = {}


class _Serializer(URLSafeTimedSerializer):
    """Decodes a verified payload once too, when it is a flat dict or list of scalars (the
    session, the study token): a fresh copy is returned each time, so a caller that changes
    it changes nobody else's. Anything else (a flashed message list, say) is decoded anew."""

    def load_payload(self, payload: bytes, *args, serializer=None, **kwargs):
        if args or kwargs or serializer is not None:
            return super().load_payload(payload, *args, serializer=serializer, **kwargs)
        key = (self.serializer, payload)
        found = _decoded.get(key)
        if found is not None:
            return found.copy()
        value = super().load_payload(payload)
        items = value.values() if type(value) is dict else value if type(value) is list else None
        if (
            items is not None
            and len(payload) <= MAX_REMEMBERED_BYTES
            and all(type(item) in _SCALARS for item in items)
        ):
            if len(_decoded) >= MAX_REMEMBERED:
                _decoded.clear()
            _decoded[key] = value.copy()
        return value


def serializer(secret_keys, salt: str, **kwargs) -> URLSafeTimedSerializer:
    """A URL-safe timed serializer whose signatures are verified once (see the module)."""
    return _Serializer(secret_keys, salt=salt, signer=VerifiedOnceSigner, **kwargs)
