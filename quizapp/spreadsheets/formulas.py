"""The formula guard, both ways: what the exports put before a formula-like text, and take off.

A name such as ``=HYPERLINK(...)`` or ``-1`` in a CSV cell runs as a formula when Excel, WPS
or LibreOffice opens the file (a CSV has no types: every cell is parsed as if typed). Every
text of a CSV goes through :func:`neutralise`, which puts an apostrophe before it; the
readers of uploads take it off again with :func:`unquote`. An .xlsx needs no prefix: its
texts are written as strings (``write_string``), which Excel never turns into formulas, so
"=1+1" shows as "=1+1"; its texts only go through :func:`clean`, which keeps the
round trip of a text that starts with "'=" exact.
"""

from __future__ import annotations

import re
from typing import Any

#: Texts a spreadsheet would run as a formula once the cell is edited. Leading apostrophes
#: count too, so that a text that really starts with "'=" also comes back intact.
FORMULA_START = re.compile(r"^'*[=+\-@]")
#: The apostrophe :func:`neutralise` put before such a text: "'=…", "''=…".
QUOTED_FORMULA = re.compile(r"^'(?='*[=+\-@])")
#: Texts that start with apostrophes before a formula character: "'=…", "''-…".
QUOTED_START = re.compile(r"^'+[=+\-@]")
#: Control characters XML 1.0 (so .xlsx) refuses; tab, line feed and carriage return stay.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean(value: Any) -> Any:
    """Make a text fit for an .xlsx string cell: no control characters, shown as typed.

    "=1+1" stays "=1+1" (a string cell never runs). Only a text that already starts with
    apostrophes before "=", "+", "-" or "@" gets one more, so that readers, which take off
    the guard older exports put on, bring it back exactly. An empty text becomes None;
    values that are not texts are returned as they are.
    """
    if not isinstance(value, str):
        return value
    value = CONTROL_CHARACTERS.sub("", value)
    return "'" + value if QUOTED_START.match(value) else value or None


def neutralise(value: Any) -> Any:
    """Make a CSV value safe for spreadsheets: "'" before a formula-like text, no control chars.

    An empty text becomes None (no cell); values that are not texts are returned as they are.
    """
    if not isinstance(value, str):
        return value
    value = CONTROL_CHARACTERS.sub("", value)
    if not value:
        return None
    return "'" + value if FORMULA_START.match(value) else value


def unquote(text: str) -> str:
    """Take off the apostrophe :func:`neutralise` put before a formula-like text."""
    return QUOTED_FORMULA.sub("", text)
