"""What a value becomes in an .xlsx cell: 是/否, China time without a zone, texts XML takes.

Used by every sheet :mod:`.writing` writes, and by the exports that write a cell by hand.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from quizapp.clock import to_china
from quizapp.spreadsheets.formulas import CONTROL_CHARACTERS, clean

#: Characters XML 1.0 refuses that :func:`clean` (which removes the control
#: characters) leaves in: the non-characters U+FFFE and U+FFFF and lone surrogates.
NOT_IN_XML = re.compile("[\ufffe\uffff\ud800-\udfff]")
#: A text with neither a character to take out nor a leading apostrophe goes as it is.
NEEDS_CLEANING = re.compile(f"{CONTROL_CHARACTERS.pattern}|{NOT_IN_XML.pattern}|^'")

#: How a cell shows a bool.
YES_NO = {True: "是", False: "否"}


def cell_value(value: Any) -> Any:
    """Return a value as an .xlsx cell holds it: 是/否, China time without zone, clean texts.

    Texts keep a leading "=": they are written as strings, never as formulas.
    """
    if isinstance(value, bool):
        return YES_NO[value]
    if isinstance(value, datetime):
        return to_china(value).replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, str):
        if value and not NEEDS_CLEANING.search(value):
            return value
        value = NOT_IN_XML.sub("", value)
    return clean(value)


class CleanTexts(dict[str, str | None]):
    """Texts as :func:`cell_value` makes them, each worked out on its first lookup."""

    def __missing__(self, text: str) -> str | None:
        value = self[text] = cell_value(text)
        return value


def display_width(text: str) -> int:
    """Return the width of a text in Excel's column units (CJK characters count double)."""
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)
