"""Awarding points: the scheduled job that writes the ledger entries the rules owe.

The job looks back over the last few China days (catching up after downtime) and writes an
entry for each thing that earns points and has none yet, named by its source key:

- ``minutes:<member>:<day>``: online study minutes of a completed day (today's minutes are
  credited after the day ends, once they can no longer grow);
- ``daily:<member>:<day>``: daily questions answered correctly on a completed day;
- ``quiz:<member>:<quiz>``: a quiz passed, by the attempt the quiz's counting rule picks,
  once the result is public to the member; the day is the day it became public;
- ``offline:<member>:<session>``: an offline session attended, on the day it was held;
  attendance at a session the member recorded themselves (an organiser logging their own
  session) is written with 0 points and says why (:data:`.earned.SELF_RECORDED`): it is a fact on the
  台账 and counts for participation, but nobody else vouched for it;
- ``reflection:<member>:<reflection>``: a reflection accepted, on the day it was accepted.

Daily caps hold across runs: the points a rule already gave a member on a day are read back
first. Something past the cap is still written, with 0 points and a reason that says so, so
the member sees why and later runs don't weigh it again. A run costs a fixed number of
grouped queries and one bulk insert (ON CONFLICT DO NOTHING on the source key, so two runs
that overlap still write each entry once), whatever the number of members.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from quizapp import db
from quizapp.clock import china_day_start, china_today
from quizapp.points.earned import (
    Earned,
    find_daily_questions,
    find_minutes,
    find_offline,
    find_quizzes,
    find_reflections,
)
from quizapp.points.models import PointEntry
from quizapp.points.rules import Rule, effective_rules

#: China days the job looks back over: what the scheduler missed while down is caught up.
LOOKBACK_DAYS = 7
#: Offline sessions are recorded after the fact, sometimes weeks later: look further back.
OFFLINE_LOOKBACK_DAYS = 31
REASON_MAX = 200


def _already_given(rule: str, earned: list[Earned]) -> dict[tuple[int, date], int]:
    """Return the points ``rule`` already gave each member of ``earned`` on its days."""
    if not earned:
        return {}
    days = [e.day for e in earned]
    rows = db.session.execute(
        select(PointEntry.member_id, PointEntry.day, func.sum(PointEntry.points))
        .where(
            PointEntry.rule == rule,
            PointEntry.day.between(min(days), max(days)),
            PointEntry.member_id.in_({e.member_id for e in earned}),
        )
        .group_by(PointEntry.member_id, PointEntry.day)
    )
    return {(member_id, day): int(total) for member_id, day, total in rows}


def _capped(rule: Rule, earned: list[Earned], given: dict[tuple[int, date], int]) -> list[Earned]:
    """Cut each member's points of a day down to what the daily cap leaves, in event order."""
    for item in sorted(earned, key=lambda e: (e.member_id, e.day, e.order, e.source_key)):
        used = given.get((item.member_id, item.day), 0)
        allowed = max(0, min(item.points, rule.daily_cap - used))
        if allowed < item.points:
            item.reason += (
                f"，当日已达上限 {rule.daily_cap} 分，不再计分"
                if allowed == 0
                else f"，达到每日上限 {rule.daily_cap} 分"
            )
            item.points = allowed
        given[(item.member_id, item.day)] = used + allowed
    return earned


def _row(item: Earned, now: datetime) -> dict:
    reason = item.reason if len(item.reason) <= REASON_MAX else item.reason[: REASON_MAX - 1] + "…"
    return {
        "member_id": item.member_id,
        "day": item.day,
        "rule": item.rule,
        "points": item.points,
        "reason": reason,
        "source_key": item.source_key,
        "created_at": now,
        "created_by_id": None,
    }


def _insert():
    """An INSERT of ledger rows that skips any whose source key exists."""
    return db.insert_ignoring_duplicates(PointEntry, index_elements=[PointEntry.source_key])


def write_entries(rows: list[dict]) -> None:
    """Insert ledger rows in one bulk statement, skipping keys that exist."""
    if rows:
        db.session.execute(_insert(), rows)


def write_entry(row: dict) -> bool:
    """Insert one ledger row unless its source key exists; True when this call wrote it."""
    return db.session.scalar(_insert().values(**row).returning(PointEntry.id)) is not None


def award(now: datetime, days: int = LOOKBACK_DAYS) -> int:
    """Write the entries the rules owe for the last ``days`` China days; return how many.

    Flushes only; :func:`award_points` (the scheduled job) commits.
    """
    today = china_today(now)
    first = today - timedelta(days=days)
    since = china_day_start(first)
    rules = effective_rules()
    finders = {
        "minutes": lambda rule: find_minutes(rule, first, today),
        "daily_questions": lambda rule: find_daily_questions(rule, first, today),
        "quiz_passed": lambda rule: find_quizzes(rule, since, now),
        "offline": lambda rule: find_offline(
            rule, today - timedelta(days=max(days, OFFLINE_LOOKBACK_DAYS)), today
        ),
        "reflection": lambda rule: find_reflections(rule, since, now),
    }
    rows = []
    for key, find in finders.items():
        rule = rules[key]
        if not rule.gives_points:
            continue  # a rule switched off earns nothing (and is not recorded as owed)
        earned = find(rule)
        # Minutes and daily questions have one entry a day: nothing given before to read.
        given = {} if key in ("minutes", "daily_questions") else _already_given(key, earned)
        rows += [_row(item, now) for item in _capped(rule, earned, given)]
    write_entries(rows)
    return len(rows)


def award_points(now: datetime) -> str:
    """Award the points earned over the last few China days (the scheduled job); commit."""
    written = award(now)
    db.session.commit()
    return f"{written} point entries written (last {LOOKBACK_DAYS} days up to {china_today(now)})"
