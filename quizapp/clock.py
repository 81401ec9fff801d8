"""The one place that knows about time zones: store UTC, show and count days in China time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def china_today(now: datetime | None = None) -> date:
    """Return the China calendar day at ``now`` (default: the current time)."""
    return (now or utcnow()).astimezone(CHINA).date()


def china_day_start(day: date) -> datetime:
    """Return the UTC moment a China calendar day begins (16:00 UTC the day before)."""
    return datetime.combine(day, time(), CHINA).astimezone(UTC)


def to_china(moment: datetime | None) -> datetime | None:
    """Convert an aware datetime to China time for display; naive values are taken as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA)


def format_datetime(moment: datetime | None) -> str:
    """Format a moment as China time, e.g. 2026-11-21 08:30."""
    local = to_china(moment)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


def format_month_day_time(moment: datetime | None) -> str:
    """Format a moment as China time the way a phone header has room for, e.g. 12月5日 18:00."""
    local = to_china(moment)
    return f"{local.month}月{local.day}日 {local:%H:%M}" if local else ""


def format_date(day: date | None) -> str:
    """Format a calendar day, e.g. 2026-11-21."""
    return day.isoformat() if day else ""
