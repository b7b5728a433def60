"""Business hours (contract §3): Mon–Fri 08:00–17:00 local, minus the `holidays` of a country.

Every business day is one interval in local wall time, converted to UTC per day, so DST
changes are handled by construction. `F(t)` = business seconds from the calendar's start to
`t` is a lookup in the sorted interval starts (numpy `searchsorted`), so business hours between
many pairs of instants are `F(b) - F(a)`, computed for millions of rows at once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import numpy as np

from stip.errors import ConfigError
from stip.settings import Settings

_EPOCH = np.datetime64("1970-01-01T00:00:00", "us")


@dataclass(frozen=True)
class _Intervals:
    first_year: int
    last_year: int
    opens: np.ndarray  # epoch seconds (int64) of each business day's opening, ascending
    lengths: np.ndarray  # seconds open that day
    cum: np.ndarray  # business seconds before each interval


class BusinessCalendar:
    """The MSP's business hours calendar, built from `settings.business_hours`."""

    def __init__(self, settings: Settings) -> None:
        conf = settings.business_hours
        self.tz: ZoneInfo = settings.tz
        try:
            self.open_time = time.fromisoformat(conf.start)
            self.close_time = time.fromisoformat(conf.end)
        except ValueError:
            raise ConfigError(
                f"business_hours start/end '{conf.start}'/'{conf.end}' must be HH:MM times"
            ) from None
        if self.close_time <= self.open_time:
            raise ConfigError("business_hours: end must be later than start")
        self.weekdays = frozenset(conf.weekdays)
        self.country = conf.holiday_country
        self._holidays: holidays.HolidayBase | dict[date, str] = {}
        if self.country:
            try:
                self._holidays = holidays.country_holidays(self.country)
            except NotImplementedError:
                raise ConfigError(
                    f"business_hours.holiday_country '{self.country}' is not known to the "
                    "`holidays` package; use an ISO country code such as NL"
                ) from None
        self._key = (self.tz.key, self.open_time, self.close_time, self.weekdays, self.country)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self._holidays

    def business_days(self, start_date: date, end_date_exclusive: date) -> int:
        count = 0
        day = start_date
        while day < end_date_exclusive:
            count += self.is_business_day(day)
            day += timedelta(1)
        return count

    def hours_between(self, a: datetime, b: datetime) -> float:
        """Business hours inside `[a, b)`; 0 when `b <= a`. Naive datetimes are UTC."""
        result = self.hours_between_arrays(
            np.array([_to_utc64(a)], dtype="datetime64[us]"),
            np.array([_to_utc64(b)], dtype="datetime64[us]"),
        )
        return float(result[0])

    def hours_between_arrays(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Vectorised `hours_between` on naive-UTC `datetime64` arrays; NaN where either is NaT."""
        a = np.asarray(a, dtype="datetime64[us]")
        b = np.asarray(b, dtype="datetime64[us]")
        missing = np.isnat(a) | np.isnat(b)
        sa = _seconds(np.where(missing, _EPOCH, a))
        sb = _seconds(np.where(missing, _EPOCH, b))
        valid = ~missing
        lo = int(min(sa[valid].min(initial=2**62), sb[valid].min(initial=2**62)))
        hi = int(max(sa[valid].max(initial=-(2**62)), sb[valid].max(initial=-(2**62))))
        out = np.full(a.shape, np.nan)
        if lo > hi:
            return out
        cal = self._intervals_for(lo, hi)
        diff = (self._cumulative(cal, sb) - self._cumulative(cal, sa)) / 3600.0
        out[valid] = np.maximum(diff[valid], 0.0)
        return out

    def add_business_hours(self, start: datetime, hours: float) -> datetime:
        """The instant `hours` business hours after `start` (aware, in the MSP's zone)."""
        begin = _to_utc64(start)
        if hours <= 0:
            return _from_seconds(int(_seconds(np.array([begin]))[0]), self.tz)
        seconds = int(_seconds(np.array([begin]))[0])
        years_needed = int(hours / (9 * 200)) + 2
        cal = self._intervals_for(seconds, seconds + years_needed * 366 * 86400)
        target = float(self._cumulative(cal, np.array([seconds]))[0]) + hours * 3600.0
        ends = cal.cum + cal.lengths
        index = int(np.searchsorted(ends, target, side="left"))
        instant = float(cal.opens[index]) + (target - float(cal.cum[index]))
        return _from_seconds(round(instant), self.tz)

    @staticmethod
    def _cumulative(cal: _Intervals, seconds: np.ndarray) -> np.ndarray:
        """Business seconds from the calendar's start up to each instant."""
        index = np.searchsorted(cal.opens, seconds, side="right") - 1
        inside = index >= 0
        safe = np.where(inside, index, 0)
        within = np.clip(seconds - cal.opens[safe], 0, cal.lengths[safe])
        return np.where(inside, cal.cum[safe] + within, 0).astype(np.float64)

    def _intervals_for(self, lo: int, hi: int) -> _Intervals:
        first = datetime.fromtimestamp(lo, UTC).year - 1
        last = datetime.fromtimestamp(hi, UTC).year + 1
        return _build(self, self._key, max(first, 1970), min(max(last, 1971), 2200))


def _seconds(values: np.ndarray) -> np.ndarray:
    return (values.astype("datetime64[us]") - _EPOCH).astype(np.int64) // 1_000_000


def _to_utc64(value: datetime) -> np.datetime64:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return np.datetime64(value, "us")


def _from_seconds(seconds: int, tz: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(seconds, UTC).astimezone(tz)


_CACHE: dict[tuple[tuple[object, ...], int, int], _Intervals] = {}
# Threads (web requests, the engine's workers) share the cache and the `holidays` object,
# which fills in a year on first use: one thread builds at a time.
_CACHE_LOCK = threading.Lock()


def _build(cal: BusinessCalendar, key: tuple[object, ...], first: int, last: int) -> _Intervals:
    with _CACHE_LOCK:
        hit = next(
            (v for (k, lo, hi), v in _CACHE.items() if k == key and lo <= first and hi >= last),
            None,
        )
        if hit is None:
            hit = _intervals(cal, first, last)
            if len(_CACHE) > 16:
                _CACHE.clear()
            _CACHE[(key, first, last)] = hit
        return hit


def _intervals(cal: BusinessCalendar, first: int, last: int) -> _Intervals:
    opens: list[int] = []
    lengths: list[int] = []
    day = date(first, 1, 1)
    end = date(last, 12, 31)
    while day <= end:
        if cal.is_business_day(day):
            start = datetime.combine(day, cal.open_time, tzinfo=cal.tz).timestamp()
            close = datetime.combine(day, cal.close_time, tzinfo=cal.tz).timestamp()
            opens.append(int(start))
            lengths.append(int(close - start))
        day += timedelta(1)
    length_array = np.array(lengths, dtype=np.int64)
    cum = np.concatenate([[0], np.cumsum(length_array)[:-1]]).astype(np.int64)
    return _Intervals(first, last, np.array(opens, dtype=np.int64), length_array, cum)
