"""Keyword hints for markers: the reference's key points (评分要点) found in an answer.

A hint, never a mark: each key point is split into its words (runs between punctuation and
spaces, two characters or more); those words are highlighted where the answer has them, and a
point counts as "seen" when all its words are there. The marker decides the points.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from quizapp.bank.types import normalise_text, printable

SEPARATORS = re.compile(r"[\s,，、;；:：.。!！?？“”\"'‘’()（）《》【】\[\]/]+")


def keywords(point: str) -> list[str]:
    """Split a key point into the words a marker looks for (two characters or more)."""
    return [w for w in SEPARATORS.split(normalise_text(point)) if len(w) >= 2]


@dataclass(frozen=True)
class PointHint:
    """One key point, and whether the answer holds all of its words."""

    point: str
    seen: bool


def point_hints(text: str, points: list[str]) -> list[PointHint]:
    """Tell for each key point whether the answer holds all of its words."""
    folded = normalise_text(text or "")
    return [
        PointHint(p, bool(keywords(p)) and all(w in folded for w in keywords(p))) for p in points
    ]


def highlight(text: str, points: list[str]) -> Markup:
    """Return the answer, escaped, with the key points' words wrapped in ``<mark>``.

    Matching ignores case and full/half width (as 填空 does); the text shown is the member's.
    """
    text = printable(text or "")
    words = sorted({w for p in points for w in keywords(p)}, key=len, reverse=True)
    if not words:
        return escape(text)
    # Match on the folded text, position by position (NFKC keeps these characters one to one
    # for CJK and ASCII; where it does not, fall back to no highlight rather than misplace it).
    folded = "".join(normalise_char(ch) for ch in text)
    if len(folded) != len(text):
        return escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in words))
    parts, last = [], 0
    for found in pattern.finditer(folded):
        parts.append(escape(text[last : found.start()]))
        parts.append(Markup("<mark>%s</mark>") % text[found.start() : found.end()])
        last = found.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def normalise_char(ch: str) -> str:
    """Fold one character as :func:`normalise_text` folds text (one character, or the same)."""
    folded = normalise_text(ch) if not ch.isspace() else " "
    return folded if len(folded) == 1 else ch
