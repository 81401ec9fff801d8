"""Windows of time: the Python rule and the SQL rule agree, at the bounds and without them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Column, Date, DateTime, Integer, MetaData, Table, create_engine, select

from quizapp import windows

OPENS = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
CLOSES = OPENS + timedelta(hours=2)
SECOND = timedelta(seconds=1)

metadata = MetaData()


def _window_table(name: str, nullable: bool) -> Table:
    """A table of windows in naive UTC datetimes, as SQLite stores them."""
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True),
        Column("opens_at", DateTime, nullable=nullable),
        Column("closes_at", DateTime, nullable=nullable),
    )


optional = _window_table("optional", nullable=True)  # materials
required = _window_table("required", nullable=False)  # quizzes
days = Table(
    "days",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
)


def _naive(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=None) if moment else None


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (OPENS - SECOND, "upcoming"),
        (OPENS, "open"),
        (CLOSES - SECOND, "open"),
        (CLOSES, "closed"),
    ],
)
def test_a_window_opens_at_its_opening_moment_and_closes_at_its_closing_one(now, expected):
    assert windows.phase(OPENS, CLOSES, now) == expected
    assert windows.is_open(OPENS, CLOSES, now) == (expected == "open")


def test_a_missing_bound_leaves_that_side_open():
    assert windows.phase(None, CLOSES, OPENS - timedelta(days=999)) == "open"
    assert windows.phase(OPENS, None, CLOSES + timedelta(days=999)) == "open"
    assert windows.phase(None, None, OPENS) == "open"


def test_the_sql_rule_agrees_with_the_python_rule():
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    bounds = [(OPENS, CLOSES), (None, CLOSES), (OPENS, None), (None, None)]
    moments = [OPENS - SECOND, OPENS, CLOSES - SECOND, CLOSES, CLOSES + SECOND]
    with engine.begin() as conn:
        conn.execute(
            optional.insert(),
            [
                {"id": i, "opens_at": _naive(o), "closes_at": _naive(c)}
                for i, (o, c) in enumerate(bounds)
            ],
        )
        conn.execute(
            required.insert(), [{"id": 0, "opens_at": _naive(OPENS), "closes_at": _naive(CLOSES)}]
        )
        for table, rows in ((optional, bounds), (required, bounds[:1])):
            for now in moments:
                for wanted in windows.PHASES:
                    found = set(
                        conn.scalars(
                            select(table.c.id).where(
                                windows.phase_filter(
                                    table.c.opens_at, table.c.closes_at, _naive(now), wanted
                                )
                            )
                        )
                    )
                    expected = {
                        i for i, (o, c) in enumerate(rows) if windows.phase(o, c, now) == wanted
                    }
                    assert found == expected, (table.name, now, wanted)


def test_days_include_both_ends():
    first, last = date(2026, 11, 1), date(2026, 11, 30)
    assert windows.day_phase(first, last, first - timedelta(days=1)) == "upcoming"
    assert windows.day_phase(first, last, first) == "open"
    assert windows.day_phase(first, last, last) == "open"
    assert windows.day_phase(first, last, last + timedelta(days=1)) == "closed"
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(days.insert(), [{"id": 1, "starts_on": first, "ends_on": last}])
        for day in (first - timedelta(days=1), first, last, last + timedelta(days=1)):
            running = conn.scalars(
                select(days.c.id).where(windows.running_on(days.c.starts_on, days.c.ends_on, day))
            ).all()
            assert bool(running) == (windows.day_phase(first, last, day) == "open")


def test_an_unknown_phase_is_refused():
    with pytest.raises(ValueError):
        windows.phase_filter(required.c.opens_at, required.c.closes_at, OPENS, "running")


@pytest.mark.parametrize(
    ("opens_at", "closes_at", "now", "expected"),
    [
        (OPENS, CLOSES, None, []),
        (OPENS, OPENS + SECOND, None, []),
        (OPENS, OPENS, None, ["结束时间必须晚于开始时间"]),  # holds no moment
        (OPENS, OPENS - SECOND, None, ["结束时间必须晚于开始时间"]),
        # An empty window is the one problem named, even when it is also over.
        (OPENS, OPENS - SECOND, CLOSES, ["结束时间必须晚于开始时间"]),
        (OPENS, CLOSES, CLOSES - SECOND, []),
        (OPENS, CLOSES, CLOSES, ["结束时间必须晚于现在"]),
        (None, CLOSES, CLOSES, ["结束时间必须晚于现在"]),
        # A missing bound is an open side, not a problem of the window's shape.
        (None, OPENS, None, []),
        (OPENS, None, CLOSES, []),
        (None, None, CLOSES, []),
    ],
)
def test_a_typed_window_must_end_after_it_starts(opens_at, closes_at, now, expected):
    assert windows.window_problems(opens_at, closes_at, now=now) == expected


def test_a_window_problem_names_the_start_as_its_field_is_labelled():
    problems = windows.window_problems(OPENS, OPENS, start="开放时间")
    assert problems == ["结束时间必须晚于开放时间"]


def test_a_window_may_be_held_to_open_no_earlier_than_a_moment_it_names():
    quiz_opens = (OPENS, "测试开始时间")
    assert windows.window_problems(OPENS, CLOSES, not_before=quiz_opens) == []
    problems = windows.window_problems(OPENS - SECOND, OPENS - SECOND, not_before=quiz_opens)
    assert problems == ["开始时间不能早于测试开始时间 2026-11-21 16:00", "结束时间必须晚于开始时间"]


FIRST = date(2026, 11, 1)
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "longest_years", "expected"),
    [
        (FIRST, FIRST, None, []),  # both ends included: one day
        (FIRST, FIRST + DAY, None, []),
        (FIRST, FIRST - DAY, None, ["结束日期不能早于开始日期"]),
        # Without a longest span any length is a range; with one, its years hold 366 days.
        (FIRST, FIRST + 100 * 366 * DAY, None, []),
        (FIRST, FIRST + 365 * DAY, 1, []),  # 366 days
        (FIRST, FIRST + 366 * DAY, 1, ["起止日期最长 1 年，请检查年份或缩短日期范围"]),
        (date(2024, 1, 1), date(2024, 12, 31), 1, []),  # a leap year fits in one
        (FIRST, FIRST + (3 * 366 - 1) * DAY, 3, []),
        (FIRST, date(2036, 11, 1), 3, ["起止日期最长 3 年，请检查年份或缩短日期范围"]),
        # A range that ends before it starts is that one problem, whatever its length.
        (FIRST, date(2016, 11, 1), 1, ["结束日期不能早于开始日期"]),
    ],
)
def test_a_typed_range_of_days_ends_on_or_after_its_start(
    starts_on, ends_on, longest_years, expected
):
    assert windows.day_range_problems(starts_on, ends_on, longest_years=longest_years) == expected
