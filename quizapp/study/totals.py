"""A member's own credited study time, as the pages show it: today, this week, a range of
China days, and a duration said in Chinese. The heartbeat that credits it is study/minutes.py."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import case, func, select

from quizapp import db
from quizapp.study.models import StudyMinute


def week_start(today: date) -> date:
    """Return the Monday of ``today``'s week (China weeks start on Monday)."""
    return today - timedelta(days=today.weekday())


def member_minutes_summary(member_id: int, today: date) -> tuple[int, int]:
    """Return the member's credited (today_seconds, week_seconds); ``today`` is a China day."""
    monday = week_start(today)
    today_seconds, week_seconds = db.session.execute(
        select(
            func.coalesce(
                func.sum(case((StudyMinute.day == today, StudyMinute.seconds), else_=0)), 0
            ),
            func.coalesce(func.sum(StudyMinute.seconds), 0),
        ).where(StudyMinute.member_id == member_id, StudyMinute.day.between(monday, today))
    ).one()
    return int(today_seconds), int(week_seconds)


def seconds_between(member_id: int, first: date, last: date) -> int:
    """Return the member's credited seconds over the China days [first, last]."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(StudyMinute.seconds), 0)).where(
                StudyMinute.member_id == member_id, StudyMinute.day.between(first, last)
            )
        )
    )


def duration(seconds: int) -> str:
    """Say a duration in Chinese, exactly: 25 分钟, 25 分 30 秒, 40 秒."""
    minutes, rest = divmod(int(seconds), 60)
    if not minutes:
        return f"{rest} 秒"
    return f"{minutes} 分钟" if not rest else f"{minutes} 分 {rest} 秒"
