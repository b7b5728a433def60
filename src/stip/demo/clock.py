"""Vectorised time arithmetic for the generator: a minute grid with business-minute counts.

The demo MSP works Monday–Friday 08:00–17:00 in Europe/Amsterdam, closed on the Dutch public
holidays (`holidays`, country NL), like contract §3. Every minute of the generated span knows
how many business minutes came before it, so "add N business hours" and "a random business
moment between a and b" are array lookups, fast enough for millions of tickets.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import numpy as np

TZ = ZoneInfo("Europe/Amsterdam")
OPEN_HOUR = 8
CLOSE_HOUR = 17
MINUTE = np.timedelta64(1, "m")


class Timeline:
    """The span [start, stop) of naive-UTC minutes, `start` at a local midnight."""

    def __init__(self, first_day: date, last_day: date) -> None:
        self.first_day = first_day
        self.days = (last_day - first_day).days + 1
        self.t0 = np.datetime64(_utc_of_local(first_day, 0), "m")
        self.holidays = holidays.country_holidays(
            "NL", years=range(first_day.year, last_day.year + 1)
        )
        stop = np.datetime64(_utc_of_local(last_day + timedelta(days=1), 0), "m")
        minutes = int((stop - self.t0) / MINUTE)
        business = np.zeros(minutes, dtype=np.int32)
        self.day_start = np.empty(self.days, dtype=np.int64)
        self.offset_minutes = np.empty(self.days, dtype=np.int64)
        self.weekday = np.empty(self.days, dtype=np.int64)
        self.is_holiday = np.zeros(self.days, dtype=bool)
        for i in range(self.days):
            day = first_day + timedelta(days=i)
            start = self._index(_utc_of_local(day, 0))
            self.day_start[i] = start
            self.offset_minutes[i] = _offset_minutes(day)
            self.weekday[i] = day.weekday()
            self.is_holiday[i] = day in self.holidays
            if day.weekday() < 5 and not self.is_holiday[i]:
                a = self._index(_utc_of_local(day, OPEN_HOUR))
                b = self._index(_utc_of_local(day, CLOSE_HOUR))
                business[a:b] = 1
        self.cum = np.concatenate([[0], np.cumsum(business, dtype=np.int64)])
        self.minutes = minutes
        self.is_business_day = (self.weekday < 5) & ~self.is_holiday

    def _index(self, moment: datetime) -> int:
        return int((np.datetime64(moment, "m") - self.t0) / MINUTE)

    def minute_index(self, ts: np.ndarray) -> np.ndarray:
        """Minute offsets of naive-UTC datetime64 values, clipped to the grid (NaT: 0)."""
        ts = np.where(np.isnat(ts), self.t0, ts)
        idx = ((ts - self.t0) // MINUTE).astype(np.int64)
        return np.clip(idx, 0, self.minutes - 1)

    def at(self, idx: np.ndarray) -> np.ndarray:
        return self.t0 + idx.astype("timedelta64[m]")

    def business_minutes(self, ts: np.ndarray) -> np.ndarray:
        """Business minutes from the start of the grid up to each moment."""
        return self.cum[self.minute_index(ts)]

    def add_business_hours(self, ts: np.ndarray, hours: np.ndarray) -> np.ndarray:
        """The moment `hours` business hours after `ts` (minute precision)."""
        target = self.business_minutes(ts) + np.round(np.asarray(hours) * 60).astype(np.int64)
        idx = np.searchsorted(self.cum, target, side="left")
        later = self.at(np.minimum(idx, self.minutes - 1))
        return np.maximum(later, ts.astype("datetime64[m]")).astype("datetime64[s]")

    def business_hours_between(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.maximum(self.business_minutes(b) - self.business_minutes(a), 0) / 60.0

    def business_moment(self, a: np.ndarray, b: np.ndarray, u: np.ndarray) -> np.ndarray:
        """A business minute at fraction `u` of the business time between a and b."""
        lo = self.business_minutes(a)
        hi = np.maximum(self.business_minutes(b), lo + 1)
        target = lo + np.floor(u * (hi - lo)).astype(np.int64)
        idx = np.searchsorted(self.cum, target, side="right") - 1
        return self.at(np.clip(idx, 0, self.minutes - 1)).astype("datetime64[s]")

    def local_day(self, ts: np.ndarray) -> np.ndarray:
        """Index of the local calendar day each naive-UTC moment falls on."""
        idx = self.minute_index(ts)
        day = np.searchsorted(self.day_start, idx, side="right") - 1
        return np.clip(day, 0, self.days - 1)

    def local_date(self, ts: np.ndarray) -> np.ndarray:
        return np.datetime64(self.first_day, "D") + self.local_day(ts).astype("timedelta64[D]")

    def local_moment(self, day: np.ndarray, minute_of_day: np.ndarray) -> np.ndarray:
        """Naive UTC of a local wall-clock minute on local day index `day`."""
        day = np.clip(day, 0, self.days - 1)
        local = self.t0 + (self.day_start[day] + minute_of_day).astype("timedelta64[m]")
        return local.astype("datetime64[s]")

    def day_of(self, d: date) -> int:
        return (d - self.first_day).days


def _utc_of_local(day: date, hour: int) -> datetime:
    local = datetime(day.year, day.month, day.day, hour, tzinfo=TZ)
    return local.astimezone(UTC).replace(tzinfo=None)


def _offset_minutes(day: date) -> int:
    offset = datetime(day.year, day.month, day.day, 12, tzinfo=TZ).utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


def local_midnight_utc(d: date) -> datetime:
    """Naive UTC of 00:00 local on `d`."""
    return _utc_of_local(d, 0)


def to_local_date(moment: datetime) -> date:
    """Local calendar date of a naive-UTC moment."""
    return moment.replace(tzinfo=UTC).astimezone(TZ).date()
