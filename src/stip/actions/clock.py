"""Time helpers for rules, on top of the one business calendar (`stip.semantic.business_hours`).

Stored timestamps are naive UTC; everything here works with aware datetimes and converts at
the edges.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol


class Calendar(Protocol):
    def hours_between(self, a: datetime, b: datetime) -> float: ...

    def add_business_hours(self, start: datetime, hours: float) -> datetime: ...

    def is_business_day(self, d: date) -> bool: ...


def aware(value: datetime | None) -> datetime | None:
    """A stored (naive UTC) or aware timestamp as an aware UTC datetime."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def naive_utc(value: datetime) -> datetime:
    """An aware datetime as the naive UTC value the store compares against."""
    return value.astimezone(UTC).replace(tzinfo=None)


def subtract_business_hours(cal: Calendar, end: datetime, hours: float) -> datetime:
    """The latest instant `x` with `hours_between(x, end) >= hours` (to the second).

    `hours_between` is monotone in its first argument, so a bisection over calendar time
    finds the point without a second business-hours implementation.
    """
    span = timedelta(days=7)
    low = end - span
    while cal.hours_between(low, end) < hours:
        span *= 2
        low = end - span
    high = end
    while (high - low) > timedelta(seconds=1):
        mid = low + (high - low) / 2
        if cal.hours_between(mid, end) >= hours:
            low = mid
        else:
            high = mid
    return low.replace(microsecond=0)


def previous_business_day(cal: Calendar, day: date) -> date:
    candidate = day - timedelta(days=1)
    for _ in range(30):
        if cal.is_business_day(candidate):
            return candidate
        candidate -= timedelta(days=1)
    return day - timedelta(days=1)
