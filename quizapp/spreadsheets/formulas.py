"""The formula guard, both ways: what the exports put before a formula-like text, and take off.

A name such as ``=HYPERLINK(...)`` or ``-1`` written into a cell would run as a formula once
the cell is edited in Excel, WPS or LibreOffice. Every text the exports write goes through
:func:`neutralise`, which puts an apostrophe before it; the readers of uploads take it off
again with :func:`unquote`, so an exported file imported again comes back exactly.
"""

from __future__ import annotations

import re
from typing import Any

#: Texts a spreadsheet would run as a formula once the cell is edited. Leading apostrophes
#: count too, so that a text that really starts with "'=" also comes back intact.
FORMULA_START = re.compile(r"^'*[=+\-@]")
#: The apostrophe :func:`neutralise` put before such a text: "'=…", "''=…".
QUOTED_FORMULA = re.compile(r"^'(?='*[=+\-@])")
#: Control characters XML 1.0 (so .xlsx) refuses; tab, line feed and carriage return stay.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(value: Any) -> Any:
    """Make a cell value safe for spreadsheets: "'" before a formula-like text, no control chars.

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
