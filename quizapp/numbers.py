"""Rounding of every figure shown or exported: decimal 四舍五入 (half up), in one place.

Python's ``round`` and ``"%.1f"`` round half to even on the binary value (1.125 → 1.12,
0.725 → 0.72, 0.25 → 0.2), where Chinese reports round half up (1.13, 0.73, 0.3). A figure
is taken at its shortest decimal text (``repr``: 0.725 is "0.725", not 0.72499…) and
rounded with :data:`decimal.ROUND_HALF_UP` (away from zero on a tie).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

NOT_APPLICABLE = "—"


def exact(value: float | int | Decimal) -> Decimal:
    """Return a number as the decimal its shortest text says (0.725, not 0.72499…)."""
    return value if isinstance(value, Decimal) else Decimal(repr(value))


def half_up(value: float | int | Decimal, places: int) -> Decimal:
    """Round ``value`` to ``places`` decimals, half up (1.125 → 1.13, 0.25 → 0.3)."""
    return exact(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def rounded(value: float | int | None, places: int) -> float | None:
    """Return ``value`` rounded half up as a float, for a cell that holds a number."""
    return None if value is None else float(half_up(value, places))


def number_text(value: float | int | None, places: int = 2, *, fixed: bool = False) -> str:
    """Return e.g. "1.13": rounded half up, trailing zeros dropped unless ``fixed``; None "—"."""
    if value is None:
        return NOT_APPLICABLE
    text = f"{half_up(value, places):f}"
    if not fixed and "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def ratio(part: float | int | None, whole: float | int | None) -> float | None:
    """Return ``part`` ÷ ``whole``: a rate or an average, None ("—") when either is not known
    or ``whole`` is 0 (a rate over nobody)."""
    if part is None or not whole:
        return None
    return part / whole


def percent_text(rate: float | None, places: int = 1) -> str:
    """Return a rate as a percentage with ``places`` decimals, half up: 0.12345 → "12.3%"."""
    if rate is None:
        return NOT_APPLICABLE
    return f"{half_up(exact(rate) * 100, places):f}%"


def minutes(seconds: float | int | None) -> float | None:
    """Return seconds as minutes with one decimal, half up (90 → 1.5, 1470 → 24.5)."""
    if seconds is None:
        return None
    if type(seconds) is int and seconds >= 0:
        # Whole seconds, the usual case (a member sheet's every line): the tenths of a
        # minute half up in integers, the same float as the decimal way at a tenth the cost.
        return (seconds + 3) // 6 / 10
    return float(half_up(exact(seconds) / 60, 1))


def minutes_text(seconds: float | int | None, *, fixed: bool = False) -> str:
    """Return seconds as the text of minutes with one decimal at most: 90 → "1.5", 120 → "2";
    always one (120 → "2.0") when ``fixed``, as a member's own counters show them."""
    return NOT_APPLICABLE if seconds is None else number_text(minutes(seconds), 1, fixed=fixed)
