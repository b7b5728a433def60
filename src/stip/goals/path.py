"""The path from a goal's baseline to its target, and the milestones it sets on the way.

A path runs from `start` (the baseline) to the end of the `by` day (the target), in whole
local days. `linear` adds the same amount each day; `compound` grows by the same factor each
day (a growth rate). Before the start a path stands at the baseline, after its end at the
target: a goal reached is a level to hold.

A goal on a KPI that adds up over a period (tickets, hours, euros) has a target per year,
quarter, month or week: each workday (the MSP's business days; every day unless given) gets
its share of the rate the path gives that day (a month's share is 1 over the month's
workdays, so "100 a month" is 100 in every month, and a weekly amount is asked on Monday to
Friday, not spread over the weekend). A period's milestone is the sum of its days; what it
must have reached by the as-of is the sum of the days gone by, the as-of's own day for its
elapsed part.

Any other goal is a level or a rate (SLA %, CSAT, MRR). A period's value of such a KPI is
over the period so far (this year's SLA is over every ticket of the year), so it is judged
against the path's average over the same days; its milestone is where the path stands at
the period's end. A year of a rising path thus asks less than its end value: the year as a
whole is on track when it kept pace, not only when December reached the target.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Literal

from stip.semantic.periods import Period, local_midnight

Shape = Literal["linear", "compound"]


def every_day(day: date) -> bool:
    """The workday rule without a business calendar: every day counts."""
    return True


@dataclass(frozen=True)
class GoalPath:
    start: date
    by: date  # the last day; the target holds from the end of it
    baseline: float
    target: float
    shape: Shape = "linear"
    per: str | None = None  # "year" | "quarter" | "month" | "week": an amount per period
    # The days an amount is spread over (the MSP's business days); default every day.
    workday: Callable[[date], bool] = every_day

    @property
    def days(self) -> int:
        return (self.by - self.start).days + 1

    def at(self, day: date, fraction: float = 0.0) -> float:
        """The path's value at `fraction` of local day `day` (0: its midnight)."""
        share = ((day - self.start).days + fraction) / self.days
        share = min(max(share, 0.0), 1.0)
        if self.shape == "compound":
            return float(self.baseline * (self.target / self.baseline) ** share)
        return self.baseline + (self.target - self.baseline) * share

    def daily(self, day: date) -> float:
        """A flow goal's amount for one day: a workday's share of the rate at its middle (0 on
        other days), so a week's amount is asked on Monday to Friday, not over the weekend."""
        if not _is_workday(self.workday, day):
            return 0.0
        first, end = _per_period(self.per, day)
        workdays = _count(self.workday, first, end)
        if not workdays:  # a period without a workday: spread over its days
            return self.at(day, 0.5) / (end - first).days
        return self.at(day, 0.5) / workdays

    def milestone(self, period: Period) -> float:
        """Where the period must end: the level at its end, or the sum of its days' amounts."""
        return _milestone(self, period)

    def expected(self, period: Period, as_of: datetime) -> float:
        """What the period must have reached by `as_of`: for a flow goal the amounts of the days
        gone by; for a level, the path's average over them."""
        return _expected(self, period, as_of)


# Cached: the people of a split goal mostly share one path (a written baseline, or the
# target), so a page with hundreds of them works each period out once.
@lru_cache(maxsize=4096)
def _milestone(path: GoalPath, period: Period) -> float:
    if path.per is None:
        return path.at(period.end_date)
    return sum(path.daily(day) for day in _days(period.start_date, period.end_date))


@lru_cache(maxsize=4096)
def _expected(path: GoalPath, period: Period, as_of: datetime) -> float:
    elapsed = _elapsed(period, as_of)
    if path.per is not None:
        return sum(path.daily(day) * weight for day, weight in elapsed)
    if not elapsed:
        return path.at(period.start_date)
    # a whole day counts at its middle, the as-of's own day at the middle of its elapsed part
    total = sum(weight for _, weight in elapsed)
    return sum(path.at(day, weight / 2) * weight for day, weight in elapsed) / total


@lru_cache(maxsize=8192)
def _is_workday(workday: Callable[[date], bool], day: date) -> bool:
    return workday(day)


def _elapsed(period: Period, as_of: datetime) -> list[tuple[date, float]]:
    """The days of the period before the as-of, each with its elapsed part: 1 for a whole day,
    the as-of's own day the part gone by. Compared in UTC: wall clocks repeat an hour in
    autumn."""
    moment = as_of.astimezone(UTC)
    if moment >= period.end.astimezone(UTC):
        return [(day, 1.0) for day in _days(period.start_date, period.end_date)]
    if moment <= period.start.astimezone(UTC):
        return []
    today = as_of.astimezone(period.tz).date()
    whole = [(day, 1.0) for day in _days(period.start_date, today)]
    return [*whole, (today, day_fraction(as_of, period))]


def day_fraction(moment: datetime, period: Period) -> float:
    """The elapsed part of `moment`'s local day (a DST day has 23 or 25 hours). Differences
    are taken in UTC: between two times of one zone Python subtracts wall clocks."""
    day = moment.astimezone(period.tz).date()
    midnight = local_midnight(day, period.tz).astimezone(UTC)
    following = local_midnight(day + timedelta(days=1), period.tz).astimezone(UTC)
    return (moment.astimezone(UTC) - midnight) / (following - midnight)


def _days(first: date, end: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((end - first).days)]


#: The months in a `per` period (a week is 7 days).
PER_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later (or earlier), the month's last day when it
    is shorter: 31 March less one month is 28 or 29 February."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def per_before(per: str, day: date) -> date:
    """The first day of the `per` period (a week, a month, ...) that ends the day before `day`."""
    if per == "week":
        return day - timedelta(days=7)
    return add_months(day, -PER_MONTHS[per])


@lru_cache(maxsize=8192)
def _per_period(per: str | None, day: date) -> tuple[date, date]:
    """The calendar `per` period (week from Monday, month, quarter, year) that holds `day`."""
    if per == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=7)
    if per not in PER_MONTHS:
        raise ValueError(f"no daily amount for per={per!r}")
    months = PER_MONTHS[per]
    first = date(day.year, months * ((day.month - 1) // months) + 1, 1)
    return first, add_months(first, months)


@lru_cache(maxsize=4096)
def _count(workday: Callable[[date], bool], first: date, end: date) -> int:
    return sum(1 for day in _days(first, end) if _is_workday(workday, day))
