"""The JSON every request body is read with: strict, so no body can turn into a 500.

Flask's ``request.get_json(silent=True)`` treats a ``ValueError`` as "not JSON" (the views
then answer 400 in Chinese), but Python's parser lets other things through: a body nested a
few thousand levels deep raises ``RecursionError``, ``"\\ud800"`` decodes to a lone surrogate
that can be neither stored (PostgreSQL) nor shown (UTF-8), and ``NaN``/``Infinity`` are read
as floats that JSON columns refuse. :class:`StrictJSONProvider` turns all of these into
``ValueError``.

The check costs next to nothing on the hot paths (autosave, heartbeat): the structure is
walked only when the text holds more brackets than :data:`MAX_DEPTH` or a surrogate escape,
and the parser is the standard one, with a constant hook no valid body ever calls.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask.json.provider import DefaultJSONProvider

#: How deeply arrays and objects may nest in a request body (the API needs 3).
MAX_DEPTH = 32
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def _check_structure(value: Any, surrogates: bool) -> None:
    """Raise ValueError when ``value`` nests deeper than MAX_DEPTH or holds a lone surrogate."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            if depth >= MAX_DEPTH:
                raise ValueError("nested too deeply")
            for key, child in item.items():
                if surrogates and _SURROGATE.search(key):
                    raise ValueError("lone surrogate")
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            if depth >= MAX_DEPTH:
                raise ValueError("nested too deeply")
            stack.extend((child, depth + 1) for child in item)
        elif surrogates and isinstance(item, str) and _SURROGATE.search(item):
            raise ValueError("lone surrogate")


def loads_strict(text: str | bytes) -> Any:
    """Parse JSON; raise ValueError for anything a view could not store or show."""
    if isinstance(text, bytes | bytearray):
        # Strict decoding (json.loads would let encoded surrogates through).
        text = text.decode(json.detect_encoding(text))
    elif not text.isascii():
        text.encode("utf-8")  # UnicodeEncodeError (a ValueError) for a raw surrogate
    try:
        value = _DECODER.decode(text)
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc
    surrogates = "\\u" in text and _SURROGATE_ESCAPE.search(text) is not None
    if surrogates or text.count("[") + text.count("{") > MAX_DEPTH:
        _check_structure(value, surrogates)
    return value


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, reading with :func:`loads_strict`."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse JSON strictly; options other than the defaults go to the standard parser."""
        if kwargs:
            return super().loads(s, **kwargs)
        return loads_strict(s)
