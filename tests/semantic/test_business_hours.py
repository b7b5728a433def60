from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from stip.errors import ConfigError
from stip.semantic.business_hours import BusinessCalendar
from stip.settings import BusinessHoursSettings, Settings

TZ = ZoneInfo("Europe/Amsterdam")


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return BusinessCalendar(Settings())


def L(*parts: int) -> datetime:  # noqa: N802 - local wall time
    return datetime(*parts, tzinfo=TZ)


def test_dutch_holidays_exactly_as_the_holidays_package(cal: BusinessCalendar) -> None:
    assert not cal.is_business_day(date(2026, 4, 3))  # Good Friday
    assert not cal.is_business_day(date(2026, 4, 6))  # Easter Monday
    assert not cal.is_business_day(date(2026, 4, 27))  # King's Day
    assert not cal.is_business_day(date(2025, 5, 5))  # Liberation Day, lustrum year
    assert cal.is_business_day(date(2026, 5, 5))  # Liberation Day, other years: a work day
    assert not cal.is_business_day(date(2026, 10, 24))  # Saturday


@pytest.mark.parametrize(
    ("a", "b", "hours"),
    [
        (L(2026, 10, 5, 9), L(2026, 10, 5, 10, 30), 1.5),
        (L(2026, 10, 5, 7), L(2026, 10, 5, 18), 9.0),  # before opening to after closing
        (L(2026, 10, 9, 16), L(2026, 10, 12, 9), 2.0),  # over a weekend
        (L(2026, 10, 23, 15), L(2026, 10, 26, 9), 3.0),  # over the DST change (CEST -> CET)
        (L(2026, 3, 27, 16), L(2026, 3, 30, 9), 2.0),  # over the DST change (CET -> CEST)
        (L(2026, 4, 24, 16), L(2026, 4, 28, 9), 2.0),  # over King's Day
        (L(2026, 4, 2, 15), L(2026, 4, 7, 9), 3.0),  # Good Friday and Easter Monday
        (L(2026, 10, 10, 10), L(2026, 10, 11, 15), 0.0),  # only weekend
        (L(2026, 10, 5, 12), L(2026, 10, 5, 11), 0.0),  # b before a
    ],
)
def test_hours_between(cal: BusinessCalendar, a: datetime, b: datetime, hours: float) -> None:
    assert cal.hours_between(a, b) == hours


def test_naive_datetimes_are_utc(cal: BusinessCalendar) -> None:
    # 07:00Z and 08:30Z are 09:00 and 10:30 CEST
    assert cal.hours_between(datetime(2026, 10, 5, 7), datetime(2026, 10, 5, 8, 30)) == 1.5


def test_vectorised_matches_scalar_and_keeps_nat(cal: BusinessCalendar) -> None:
    a = np.array(["2026-10-05T07:00", "NaT", "2026-10-23T13:00"], dtype="datetime64[us]")
    b = np.array(
        ["2026-10-06T12:00", "2026-10-06T12:00", "2026-10-26T08:00"], dtype="datetime64[us]"
    )
    out = cal.hours_between_arrays(a, b)
    assert out[0] == 14.0 and np.isnan(out[1]) and out[2] == 3.0


def test_add_business_hours(cal: BusinessCalendar) -> None:
    assert cal.add_business_hours(L(2026, 10, 23, 16), 1) == L(2026, 10, 23, 17)
    assert cal.add_business_hours(L(2026, 10, 23, 16), 3) == L(2026, 10, 26, 10)
    assert cal.add_business_hours(L(2026, 4, 24, 16), 2) == L(2026, 4, 28, 9)
    assert cal.add_business_hours(L(2026, 10, 24, 12), 0.5) == L(2026, 10, 26, 8, 30)
    assert cal.add_business_hours(L(2026, 10, 5, 9), 0) == L(2026, 10, 5, 9)


def test_business_days(cal: BusinessCalendar) -> None:
    assert cal.business_days(date(2026, 10, 1), date(2026, 11, 1)) == 22
    assert cal.business_days(date(2026, 4, 1), date(2026, 5, 1)) == 19  # 22 - 3 holidays


def test_configurable_hours() -> None:
    settings = Settings(business_hours=BusinessHoursSettings(start="09:00", end="12:30"))
    cal = BusinessCalendar(settings)
    assert cal.hours_between(L(2026, 10, 5, 8), L(2026, 10, 6, 10)) == 4.5
    with pytest.raises(ConfigError, match="end must be later"):
        BusinessCalendar(Settings(business_hours=BusinessHoursSettings(start="17:00", end="08:00")))
