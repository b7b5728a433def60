"""Milestones of a goal's path, worked out by hand (zone Europe/Amsterdam)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from stip.goals.path import GoalPath, add_months, day_fraction, per_before
from stip.semantic.business_hours import BusinessCalendar
from stip.semantic.periods import Period, local_midnight
from stip.settings import Settings

TZ = ZoneInfo("Europe/Amsterdam")


def span(first: date, end: date) -> Period:
    return Period(local_midnight(first, TZ), local_midnight(end, TZ), f"{first}..{end}")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def test_a_linear_level_is_the_path_at_the_end_of_each_period() -> None:
    path = GoalPath(date(2026, 1, 1), date(2026, 12, 31), 80, 90)  # 365 days
    q1 = span(date(2026, 1, 1), date(2026, 4, 1))
    assert path.milestone(q1) == pytest.approx(80 + 10 * 90 / 365)
    assert path.milestone(span(date(2026, 1, 1), date(2027, 1, 1))) == pytest.approx(90)
    # before the start the baseline stands; after the end the target holds
    assert path.milestone(span(date(2025, 12, 1), date(2026, 1, 1))) == 80
    assert path.milestone(span(date(2027, 1, 1), date(2027, 4, 1))) == 90
    # by 1 February 09:00 a level asks the path's average over the days gone by: 31 whole
    # days at their middles (k + 0.5 for k = 0..30, 480.5 in all) and 0.375 of 1 February at
    # 0.1875 of it, so an average position of (480.5 + 0.375 * 31.1875) / 31.375 days
    position = (480.5 + 0.375 * 31.1875) / 31.375
    assert path.expected(q1, at("2026-02-01T09:00")) == pytest.approx(80 + 10 * position / 365)
    # a whole quarter gone by: the average of its 90 days (45 days in, on average)
    assert path.expected(q1, at("2026-05-01T09:00")) == pytest.approx(80 + 10 * 45 / 365)
    # nothing gone by yet: where the period starts
    assert path.expected(q1, at("2025-12-01T09:00")) == 80


def test_a_compound_path_grows_by_the_same_factor_each_day() -> None:
    path = GoalPath(date(2026, 1, 1), date(2027, 12, 31), 100, 121, "compound")  # 730 days
    # half-way (365 of 730 days): 100 * 1.21 ** 0.5
    assert path.milestone(span(date(2026, 12, 1), date(2027, 1, 1))) == pytest.approx(110)


def test_an_amount_per_month_is_the_same_in_every_month() -> None:
    path = GoalPath(date(2026, 1, 1), date(2026, 12, 31), 100, 100, per="month")
    assert path.milestone(span(date(2026, 2, 1), date(2026, 3, 1))) == pytest.approx(100)
    assert path.milestone(span(date(2026, 3, 1), date(2026, 4, 1))) == pytest.approx(100)
    # the week of 23 February: six February days of 100/28 and one March day of 100/31
    week = span(date(2026, 2, 23), date(2026, 3, 2))
    assert path.milestone(week) == pytest.approx(6 * 100 / 28 + 100 / 31)
    # by noon on 15 February: 14 days and half a day of February
    month = span(date(2026, 2, 1), date(2026, 3, 1))
    assert path.expected(month, at("2026-02-15T12:00")) == pytest.approx(14.5 * 100 / 28)
    assert path.expected(month, at("2026-01-20T12:00")) == 0
    assert path.expected(month, at("2026-03-05T12:00")) == pytest.approx(100)


def test_a_growing_amount_per_year_sums_its_days() -> None:
    # 365 a year growing to 730: day k (from 0) gets (365 + k + 0.5) / 365
    path = GoalPath(date(2026, 1, 1), date(2026, 12, 31), 365, 730, per="year")
    january = span(date(2026, 1, 1), date(2026, 2, 1))
    assert path.milestone(january) == pytest.approx((31 * 365.5 + 465) / 365)
    assert path.milestone(span(date(2026, 1, 1), date(2027, 1, 1))) == pytest.approx(547.5)


def test_the_elapsed_part_of_a_dst_day_counts_its_23_hours() -> None:
    # 29 March 2026 has 23 hours: noon (CEST) is 11 hours after midnight (CET)
    week = span(date(2026, 3, 23), date(2026, 3, 30))
    noon = at("2026-03-29T12:00")
    assert day_fraction(noon, week) == pytest.approx(11 / 23)
    path = GoalPath(date(2026, 1, 1), date(2026, 12, 31), 70, 70, per="week")
    assert path.expected(week, noon) == pytest.approx(60 + 10 * 11 / 23)
    # and 25 October 2026 has 25 hours
    assert day_fraction(at("2026-10-25T12:00"), week) == pytest.approx(13 / 25)


def test_dates_a_month_or_a_period_before() -> None:
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert per_before("year", date(2026, 1, 1)) == date(2025, 1, 1)
    assert per_before("quarter", date(2026, 1, 1)) == date(2025, 10, 1)
    assert per_before("week", date(2026, 1, 1)) == date(2025, 12, 25)


def test_an_amount_is_asked_on_workdays(tmp_path: Path) -> None:
    """The MSP's business days (Monday to Friday, Dutch holidays off): 24 hours a week is
    4.8 a workday, nothing on the weekend; 100 a month in December 2026 is 100 over its 22
    workdays (Christmas Day, a Friday, is off)."""
    workday = BusinessCalendar(Settings(home=tmp_path)).is_business_day
    week = span(date(2026, 11, 23), date(2026, 11, 30))
    hours = GoalPath(date(2026, 1, 1), date(2030, 12, 31), 24, 24, per="week", workday=workday)
    assert hours.expected(week, at("2026-11-23T18:00")) == pytest.approx(0.75 * 4.8)
    assert hours.expected(week, at("2026-11-27T18:00")) == pytest.approx(4 * 4.8 + 0.75 * 4.8)
    assert hours.expected(week, at("2026-11-28T12:00")) == pytest.approx(24)
    assert hours.milestone(week) == pytest.approx(24)
    money = GoalPath(date(2026, 1, 1), date(2030, 12, 31), 100, 100, per="month", workday=workday)
    december = span(date(2026, 12, 1), date(2027, 1, 1))
    assert money.milestone(december) == pytest.approx(100)
    assert money.daily(date(2026, 12, 24)) == pytest.approx(100 / 22)
    assert money.daily(date(2026, 12, 25)) == 0
    assert money.daily(date(2026, 12, 26)) == 0
