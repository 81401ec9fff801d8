"""Average study minutes per member for the last weeks, from the day snapshots, and the
line chart of them on the organiser's front page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup

from quizapp.members.models import Member
from quizapp.participation.charts import LinePoint, format_value, line_chart
from quizapp.participation.snapshots import list_day_totals

#: Weeks in the minutes-per-week chart.
TREND_WEEKS = 12


@dataclass(frozen=True)
class WeekFigure:
    """A week's study in the subtree, from the day snapshots."""

    monday: date
    #: Days of the week that are over (7; fewer for the current week).
    days_over: int
    #: Days of the week with a snapshot.
    days_snapshotted: int
    study_seconds: int
    #: Eligible members summed over the snapshotted days (a member all week counts 7).
    member_days: int

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def label(self) -> str:
        return f"{self.monday.month}月{self.monday.day}日"

    @property
    def minutes_per_member(self) -> float | None:
        """Average study minutes per member over the week.

        Minutes per member-day times seven: with every day snapshotted this is the week's
        minutes over its average headcount; with days missing it is scaled up from those
        present (an estimate, see :attr:`partial`).
        """
        if not self.member_days:
            return None
        return self.study_seconds / 60 / self.member_days * 7

    @property
    def partial(self) -> bool:
        return 0 < self.days_snapshotted < 7

    @property
    def note(self) -> str:
        """Say in Chinese why the figure is an estimate (empty when it is not)."""
        if self.days_over < 7:
            return f"本周截至昨日（{self.days_snapshotted} 天），按已有天数折算"
        if self.days_snapshotted < 7:
            return f"缺 {7 - self.days_snapshotted} 天快照，按已有天数折算"
        return ""


def weekly_minutes(actor: Member, today: date, weeks: int = TREND_WEEKS) -> list[WeekFigure]:
    """Return the last ``weeks`` ISO weeks (Monday to Sunday, China days) up to yesterday's,
    oldest first, from the day snapshots (one query).

    Snapshots rather than live minutes: they count members by where they were each day,
    they are final, and they cost one small query at any size. Today is never in them (it
    is not over), so the current week runs to yesterday and, on a Monday, the last week
    shown is last week.
    """
    yesterday = today - timedelta(days=1)
    last_monday = yesterday - timedelta(days=yesterday.weekday())
    first_monday = last_monday - timedelta(weeks=weeks - 1)
    totals = list_day_totals(actor, first_monday, yesterday)
    figures = []
    for index in range(weeks):
        monday = first_monday + timedelta(weeks=index)
        days = [
            monday + timedelta(days=d) for d in range(7) if monday + timedelta(days=d) <= yesterday
        ]
        present = [totals[d] for d in days if d in totals]
        figures.append(
            WeekFigure(
                monday,
                len(days),
                len(present),
                sum(t.study_seconds for t in present),
                sum(t.eligible for t in present),
            )
        )
    return figures


def trend_points(figures: list[WeekFigure]) -> list[LinePoint]:
    """Return the chart's points: one per week, hollow where the figure is an estimate."""
    return [LinePoint(f.label, f.minutes_per_member, f.partial) for f in figures]


def trend_chart(figures: list[WeekFigure]) -> Markup:
    """Return the minutes-per-week line chart, described in words for screen readers."""
    said = "；".join(
        f"{f.label}起一周"
        + (
            f" {format_value(f.minutes_per_member)} 分钟"
            if f.minutes_per_member is not None
            else "无数据"
        )
        for f in figures
    )
    return line_chart(
        trend_points(figures),
        chart_id="weekly-minutes",
        title="每周人均学习时长（分钟）",
        unit="分钟",
        description=f"最近 {len(figures)} 周每名党员平均学习分钟数：{said}。",
    )
