"""Forms of the participation pages: the period of a report, and the reminder button."""

from __future__ import annotations

from datetime import date

from quizapp.forms import BaseForm, date_field
from quizapp.windows import day_range_problems

#: The longest period an organiser may ask for (366 days, both ends included).
MAX_YEARS = 1
#: Days outside these years are typing mistakes (and would overflow the time conversions).
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


class PeriodForm(BaseForm):
    """The period of a report, read from the query string (GET: no CSRF token)."""

    class Meta:
        csrf = False

    first = date_field("开始日期")
    last = date_field("结束日期")

    def resolve(
        self, default: tuple[date, date], *, overlap: str | None = None
    ) -> tuple[date, date] | None:
        """Return the period asked for, a blank end taken from ``default``.

        Returns None when the dates can't be used; ``problem`` then says why, in Chinese.
        The length limit applies only to a period other than the default: a campaign's own
        period is always allowed. The fields show the period used, for the next change.
        ``overlap`` names the subject (e.g. 学习任务) whose own days, ``default``, the period
        must share at least one day with.
        """
        self.problem: str | None = None
        self.validate()
        for field in (self.first, self.last):
            if field.errors:
                self.problem = f"{field.label.text}无效：请按“2026-11-01”的格式填写日期。"
                return None
        first = self.first.data or default[0]
        last = self.last.data or default[1]
        longest = None if (first, last) == default else MAX_YEARS
        if not (EARLIEST <= first <= LATEST and EARLIEST <= last <= LATEST):
            self.problem = "日期超出可统计的范围（2000 年至 2099 年），请检查年份。"
        elif problems := day_range_problems(first, last, longest_years=longest):
            self.problem = "；".join(problems) + "。"
        elif overlap and (last < default[0] or first > default[1]):
            self.problem = (
                f"所选日期与{overlap}的起止日期（{default[0].isoformat()} 至 "
                f"{default[1].isoformat()}）没有重叠，请重新选择。"
            )
        if self.problem:
            return None
        self.first.data, self.last.data = first, last
        return first, last


class ReminderForm(BaseForm):
    """The drill-down's "发送提醒" button: only its CSRF token."""
