"""Windows of time: the one rule for when a quiz, a material or a campaign is open.

A window of moments (quizzes, materials; UTC datetimes) is half-open: open from ``opens_at``
on, closed from ``closes_at`` on, so ``opens_at <= now < closes_at``. A bound that is None
leaves that side open (a material without a closing time stays open). A window of China days
(campaigns) includes both ends: ``starts_on <= today <= ends_on``.

Each rule has a Python form, for an object in hand, and a SQL form, for a query; they must
agree, so both live here. :func:`window_problems` is the one check of a window typed in: its
end after its start; :func:`day_range_problems` the one check of a range of days typed in: its
end not before its start, and where asked no longer than a few years.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_

from quizapp.clock import format_datetime

UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"
PHASES = (UPCOMING, OPEN, CLOSED)
#: How the pages call a quiz's phase (materials say theirs in words of their own).
PHASE_LABELS = {UPCOMING: "未开始", OPEN: "进行中", CLOSED: "已结束"}
#: The days of a year in a longest span: any calendar year fits, both ends included.
YEAR_DAYS = 366


def phase(opens_at: datetime | None, closes_at: datetime | None, now: datetime) -> str:
    """Return upcoming, open or closed at ``now``."""
    if opens_at is not None and now < opens_at:
        return UPCOMING
    if closes_at is not None and now >= closes_at:
        return CLOSED
    return OPEN


def is_open(opens_at: datetime | None, closes_at: datetime | None, now: datetime) -> bool:
    """Tell whether the window is open at ``now``."""
    return phase(opens_at, closes_at, now) == OPEN


def window_problems(
    opens_at: datetime | None,
    closes_at: datetime | None,
    *,
    start: str = "开始时间",
    now: datetime | None = None,
    not_before: tuple[datetime, str] | None = None,
) -> list[str]:
    """Return what is wrong with a window's bounds, in Chinese, for ``errors.refuse``.

    The end must come after the start (a half-open window whose end is its start holds no
    moment), called ``start`` as its field is labelled; given ``now``, the end must also be
    still to come; given ``not_before`` (a moment and its name, e.g. the quiz's opening for
    a 缓考's window), the start may not come before it. A bound that is None leaves that side
    open and is not checked: whether one is required is the caller's rule.
    """
    problems = []
    if opens_at is not None and not_before is not None and opens_at < not_before[0]:
        problems.append(f"{start}不能早于{not_before[1]} {format_datetime(not_before[0])}")
    if closes_at is not None and opens_at is not None and closes_at <= opens_at:
        problems.append(f"结束时间必须晚于{start}")
    elif closes_at is not None and now is not None and closes_at <= now:
        problems.append("结束时间必须晚于现在")
    return problems


def day_range_problems(
    starts_on: date, ends_on: date, *, longest_years: int | None = None
) -> list[str]:
    """Return what is wrong with a range of China days typed in, in Chinese, for
    ``errors.refuse``.

    Both ends are included, so the end may be the start (one day) but not before it. Given
    ``longest_years``, the range may hold at most that many years of ``YEAR_DAYS`` days:
    longer is most often a mistyped year (2026 → 2036).
    """
    if ends_on < starts_on:
        return ["结束日期不能早于开始日期"]
    if longest_years is not None and (ends_on - starts_on).days + 1 > longest_years * YEAR_DAYS:
        return [f"起止日期最长 {longest_years} 年，请检查年份或缩短日期范围"]
    return []


def _nullable(column: Any) -> bool:
    return getattr(getattr(column, "expression", column), "nullable", True)


def phase_filter(opens_at: Any, closes_at: Any, now: datetime, wanted: str) -> ColumnElement[bool]:
    """Return a filter: the window between the columns ``opens_at`` and ``closes_at`` is in
    phase ``wanted`` at ``now`` (the SQL form of :func:`phase`)."""
    if wanted == UPCOMING:
        return opens_at > now  # NULL: open from the start, never upcoming
    if wanted == CLOSED:
        return closes_at <= now  # NULL: never closes
    if wanted != OPEN:
        raise ValueError(f"unknown phase {wanted!r}")
    opened, not_closed = opens_at <= now, closes_at > now
    return and_(
        or_(opens_at.is_(None), opened) if _nullable(opens_at) else opened,
        or_(closes_at.is_(None), not_closed) if _nullable(closes_at) else not_closed,
    )


def open_filter(opens_at: Any, closes_at: Any, now: datetime) -> ColumnElement[bool]:
    """Return a filter: the window is open at ``now`` (the SQL form of :func:`is_open`)."""
    return phase_filter(opens_at, closes_at, now, OPEN)


def day_phase(starts_on: date, ends_on: date, today: date) -> str:
    """Return upcoming, open or closed on the China day ``today`` (both ends included)."""
    if today < starts_on:
        return UPCOMING
    if today > ends_on:
        return CLOSED
    return OPEN


def running_on(starts_on: Any, ends_on: Any, day: date) -> ColumnElement[bool]:
    """Return a filter: the days between the columns include ``day`` (the SQL form of
    ``day_phase(...) == OPEN``)."""
    return and_(starts_on <= day, ends_on >= day)
