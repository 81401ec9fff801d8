"""How a typed 填空 answer is compared with the accepted texts: the forms phones produce fold
together, the words never do.

:func:`comparison_key` is used for comparison only; what the member typed is stored and shown
as typed. Folded (in this order): full/half width and case; traditional to simplified
characters (OpenCC's ``t2s``); quotes, brackets of titles and sentence punctuation around the
answer; whitespace and separators (、，；,;) between parts, which vanish unless both sides are
Latin letters or digits (then they become one space or one 、, so "1、2" never equals "12");
Chinese numerals from 零 to 九十九, and 百/一百, become Arabic ("五年" = "5年", "十" = "10").
Nothing is ever dropped from inside the answer, so "不得" never equals "得", and a run of
numerals that is not a well-formed number ("一二九") is left as it is.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from quizapp.bank.types.base import printable

#: Quotes trimmed from both ends, and sentence punctuation from the end (after NFKC folding);
#: a leading "." stays (".5" is not "5").
_QUOTES = "\"'“”‘’「」『』《》〈〉"
_STOPS = ".。,、;:!?…·"
_SPACE = " \t\r\n\u3000"
#: A run of whitespace and part separators, with a character on each side.
_GAP = re.compile(r"(?<=\S)[\s、,;]+(?=\S)")
_ALNUM = re.compile(r"[0-9a-z]")
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMERAL_RUN = re.compile("[零〇一二两三四五六七八九十百]+")


@cache
def _to_simplified():
    import opencc

    return opencc.OpenCC("t2s")


def comparison_key(text: str) -> str:
    """Fold ``text`` into the form two answers that mean the same are compared in."""
    # A lone surrogate (which UTF-8 can't encode) would make OpenCC raise: fold it to U+FFFD.
    folded = unicodedata.normalize("NFKC", printable(text)).casefold()
    folded = _to_simplified().convert(folded)
    folded = folded.lstrip(_QUOTES + _SPACE).rstrip(_QUOTES + _STOPS + _SPACE)
    folded = _GAP.sub(_join_gap, folded)
    return _NUMERAL_RUN.sub(_arabic, folded)


def _join_gap(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    if _ALNUM.match(text[start - 1]) and _ALNUM.match(text[end]):
        return " " if match[0].isspace() else "、"
    return ""


def chinese_number(run: str) -> int | None:
    """Read 零…九十九, 百 or 一百 written in Chinese numerals; None for anything else."""
    if run in ("百", "一百"):
        return 100
    if len(run) == 1 and run in _DIGITS:
        return _DIGITS[run]
    tens, ten, units = run.partition("十")
    if not ten or len(tens) > 1 or len(units) > 1 or "两" in units or "零" in tens + units:
        return None
    if tens and (tens not in _DIGITS or _DIGITS[tens] < 1 or tens == "两"):
        return None  # "〇十" is no number
    if units and (units not in _DIGITS or _DIGITS[units] < 1):
        return None
    return _DIGITS.get(tens, 1) * 10 + _DIGITS.get(units, 0)


def _arabic(match: re.Match[str]) -> str:
    number = chinese_number(match[0])
    return match[0] if number is None else str(number)
