"""Reporting periods (contract §2): calendar periods in the MSP's time zone, half-open."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from stip.errors import QueryError

VALID_FORMS = (
    "2026-10, 2026-W43, 2026-Q3, 2026, 2026-10-01..2026-10-15, today, yesterday, this-week, "
    "last-week, this-month, last-month, last-7-days, last-30-days, this-quarter, last-quarter, "
    "this-year, last-year, mtd, qtd, ytd"
)
RELATIVE = (
    "today",
    "yesterday",
    "this-week",
    "last-week",
    "this-month",
    "last-month",
    "last-7-days",
    "last-30-days",
    "this-quarter",
    "last-quarter",
    "this-year",
    "last-year",
    "mtd",
    "qtd",
    "ytd",
)

# Months in a calendar period of each kind.
MONTHS = {"month": 1, "quarter": 3, "year": 12}
# The years Stip computes in: the business calendar (holidays) covers 1970-2199, and a
# window's comparisons reach two years before it.
EARLIEST, LATEST = date(1970, 1, 1), date(2200, 1, 1)
SUPPORTED = "1970-01-01 up to 2199-12-31"


def since_1970(period: Period) -> Period | None:
    """The period, or None when it starts before 1970: no data can be in it."""
    return period if period.start_date >= EARLIEST else None


def trend_periods(span: Period, count: int) -> list[Period | None]:
    """The `count` periods ending with `span`, oldest first, each `k` periods before it (not
    step by step: a part of a month capped at February's end does not stay capped). Those
    that would start before 1970 are None: nothing can be in them, and stepping back from a
    long custom range would soon run out of dates."""
    periods: list[Period | None] = []
    for steps in range(count - 1, 0, -1):
        try:
            periods.append(since_1970(span.previous(steps)))
        except (ValueError, OverflowError):  # before year 1
            periods.append(None)
    return [*periods, span]


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The aware start of a local calendar day (DST-correct: built from wall time)."""
    return datetime.combine(day, time(0), tzinfo=tz)


@dataclass(frozen=True)
class Period:
    """`[start, end)` as aware datetimes in the MSP's zone; `spec` is what the user asked for.

    `to_date` names the calendar period (week, month, quarter, year) of which this is the part
    up to some day, as `mtd` is of a month: its previous period is the same part of the
    previous month, not the same number of days before it."""

    start: datetime
    end: datetime
    spec: str
    to_date: str | None = None

    @property
    def tz(self) -> ZoneInfo:
        zone = self.start.tzinfo
        assert isinstance(zone, ZoneInfo)
        return zone

    @property
    def start_date(self) -> date:
        return self.start.date()

    @property
    def end_date(self) -> date:
        """The first local date after the period (exclusive bound for date-only fields)."""
        return self.end.date()

    @property
    def start_utc(self) -> datetime:
        """Naive UTC, comparable with stored timestamps."""
        return self.start.astimezone(UTC).replace(tzinfo=None)

    @property
    def end_utc(self) -> datetime:
        return self.end.astimezone(UTC).replace(tzinfo=None)

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days

    def _shifted(self, start: date, end: date, spec: str) -> Period:
        return Period(
            local_midnight(start, self.tz), local_midnight(end, self.tz), spec, self.to_date
        )

    def so_far(self, as_of: datetime) -> Period | None:
        """The part of a running calendar period up to and including the as-of's day, to be
        compared like for like: this month up to the 28th with last month up to the 28th.
        None when the period is not a running calendar period (nothing to cut)."""
        kind = self.to_date or _calendar_kind(self)
        if kind == "days" or not self.start < as_of < self.end:
            return None
        last_day = (as_of.astimezone(self.tz) - timedelta(microseconds=1)).date()
        end = last_day + timedelta(days=1)
        if end >= self.end_date:
            return None
        return Period(
            self.start, local_midnight(end, self.tz), f"{self.start_date}..{last_day}", kind
        )

    def previous(self, steps: int = 1) -> Period:
        """The period of the same kind `steps` before: previous month/quarter/year/week, else
        the same number of days before. A `to_date` part: the same part of the one before."""
        kind = _calendar_kind(self)
        if self.to_date is not None and kind != self.to_date:
            return self._part_before(steps)
        if kind in MONTHS:
            start = _add_months(self.start_date, -MONTHS[kind] * steps)
            spec = {
                "month": start.strftime("%Y-%m"),
                "quarter": f"{start.year}-Q{start.month // 3 + 1}",
                "year": str(start.year),
            }[kind]
            return self._shifted(start, _add_months(start, MONTHS[kind]), spec)
        start = self.start_date - timedelta(days=self.days * steps)
        last = start + timedelta(days=self.days - 1)
        return self._shifted(start, last + timedelta(1), f"{start}..{last}")

    def _part_before(self, steps: int) -> Period:
        """The same days of the calendar period `steps` before (`to_date`): the same day of
        the same month of it, a day the shorter month lacks being its last day (up to 31
        March -> up to 28 February), and a month's last day its last day (`_same_day`)."""
        if self.to_date == "week":
            start = self.start_date - timedelta(7 * steps)
            last = start + timedelta(self.days - 1)
        else:
            start = _add_months(self.start_date, -MONTHS[str(self.to_date)] * steps)
            last_day = self.end_date - timedelta(1)
            into = (last_day.year - self.start_date.year) * 12 + last_day.month
            last = _same_day(last_day, _add_months(start, into - self.start_date.month))
        return self._shifted(start, last + timedelta(1), f"{start}..{last}")

    def last_year(self) -> Period:
        """The same dates one year earlier (an ISO week: the same week number, and for part
        of a week the same days of it; a month's last day: its last day)."""
        if (self.to_date or _calendar_kind(self)) == "week":
            year, week, _ = self.start_date.isocalendar()
            try:
                start = date.fromisocalendar(year - 1, week, 1)
            except ValueError:
                start = date.fromisocalendar(year - 1, 52, 1)
            if self.days < 7:
                last = start + timedelta(self.days - 1)
                return self._shifted(start, last + timedelta(1), f"{start}..{last}")
            return self._shifted(start, start + timedelta(7), f"{year - 1}-W{week:02d}")
        start = _minus_year(self.start_date)
        last_day = self.end_date - timedelta(1)
        last = _same_day(last_day, _add_months(last_day.replace(day=1), -12))
        return self._shifted(start, last + timedelta(1), f"{start}..{last}")

    def month_grain(self, as_of: datetime) -> Period:
        """For a KPI that is only meaningful per whole month (billing runs monthly).

        Whole months (a month, quarter, year) stay as they are. A period shorter than a month
        becomes the calendar month it ends in (or the as-of falls in, if that is earlier), so
        "this week" shows this month rather than a week without invoices. A longer one becomes
        the whole months it covers (`mtd`, `ytd`, `last-30-days`)."""
        start, end = self.start_date, self.end_date
        if start.day == 1 and end.day == 1:
            return self
        if self.days >= 28:
            first = start.replace(day=1)
            after = _add_months((end - timedelta(days=1)).replace(day=1), 1)
        else:
            moment = min(self.end, as_of.astimezone(self.tz))
            if moment <= self.start:  # a period after the as-of: its own month
                moment = self.end
            first = (moment - timedelta(microseconds=1)).date().replace(day=1)
            after = _add_months(first, 1)
        one = after == _add_months(first, 1)
        spec = first.strftime("%Y-%m") if one else f"{first}..{after - timedelta(days=1)}"
        return self._shifted(first, after, spec)

    def to_json(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def _minus_year(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_length(first: date) -> int:
    return (_add_months(first, 1) - first).days


def _same_day(day: date, first: date) -> date:
    """`day`'s day of the month in the month that begins on `first`: the month's last day when
    `day` is the last of its own month, or when that month is too short for it."""
    if day.day == _month_length(day.replace(day=1)):
        return first.replace(day=_month_length(first))
    return first.replace(day=min(day.day, _month_length(first)))


def _calendar_kind(period: Period) -> str:
    start, end = period.start_date, period.end_date
    if start.day == 1 and end == _add_months(start, 1):
        return "month"
    if start.day == 1 and start.month % 3 == 1 and end == _add_months(start, 3):
        return "quarter"
    if start.day == 1 and start.month == 1 and end == _add_months(start, 12):
        return "year"
    if start.weekday() == 0 and (end - start).days == 7:
        return "week"
    return "days"


def parse_period(spec: str, as_of: datetime, tz: ZoneInfo) -> Period:
    """Parse a period SPEC (contract §2); relative specs are relative to `as_of`."""
    text = spec.strip().lower()
    bounds = _parse_bounds(text, as_of.astimezone(tz).date())
    if bounds is None:
        raise QueryError(f"period '{spec}' is not valid; use one of: {VALID_FORMS}")
    start, end = bounds
    if end <= start:
        raise QueryError(f"period '{spec}' ends before it starts; give the earlier date first")
    if start < EARLIEST or end > LATEST:
        raise QueryError(f"period '{spec}' lies outside the dates Stip computes ({SUPPORTED})")
    to_date = {"mtd": "month", "qtd": "quarter", "ytd": "year"}.get(text)
    return Period(local_midnight(start, tz), local_midnight(end, tz), spec.strip(), to_date)


def _parse_bounds(text: str, today: date) -> tuple[date, date] | None:
    try:
        return _absolute(text) or _relative(text, today)
    except (ValueError, OverflowError):  # no such date, or past year 9999
        return None


def _absolute(text: str) -> tuple[date, date] | None:
    if m := re.fullmatch(r"(\d{4})", text):
        year = int(m[1])
        return date(year, 1, 1), date(year + 1, 1, 1)
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        start = date(int(m[1]), int(m[2]), 1)
        return start, _add_months(start, 1)
    if m := re.fullmatch(r"(\d{4})-w(\d{2})", text):
        start = date.fromisocalendar(int(m[1]), int(m[2]), 1)
        return start, start + timedelta(7)
    if m := re.fullmatch(r"(\d{4})-q([1-4])", text):
        start = date(int(m[1]), 3 * int(m[2]) - 2, 1)
        return start, _add_months(start, 3)
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
        return date.fromisoformat(m[1]), date.fromisoformat(m[2]) + timedelta(1)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        day = date.fromisoformat(text)
        return day, day + timedelta(1)
    return None


def _relative(text: str, today: date) -> tuple[date, date] | None:
    tomorrow = today + timedelta(1)
    monday = today - timedelta(today.weekday())
    month = today.replace(day=1)
    quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    table = {
        "today": (today, tomorrow),
        "yesterday": (today - timedelta(1), today),
        "this-week": (monday, monday + timedelta(7)),
        "last-week": (monday - timedelta(7), monday),
        "this-month": (month, _add_months(month, 1)),
        "last-month": (_add_months(month, -1), month),
        "last-7-days": (today - timedelta(7), today),
        "last-30-days": (today - timedelta(30), today),
        "this-quarter": (quarter, _add_months(quarter, 3)),
        "last-quarter": (_add_months(quarter, -3), quarter),
        "this-year": (date(today.year, 1, 1), date(today.year + 1, 1, 1)),
        "last-year": (date(today.year - 1, 1, 1), date(today.year, 1, 1)),
        "mtd": (month, tomorrow),
        "qtd": (quarter, tomorrow),
        "ytd": (date(today.year, 1, 1), tomorrow),
    }
    return table.get(text)


def parse_as_of(text: str | None, tz: ZoneInfo) -> datetime:
    """An aware as-of time in `tz`: ISO with or without offset (naive = local); default now."""
    if text is None or not text.strip():
        return datetime.now(tz)
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise QueryError(
            f"as-of '{text}' is not an ISO time; use e.g. 2026-11-02T09:00 or "
            "2026-11-02T09:00:00+01:00"
        ) from None
    if not EARLIEST <= value.date() < LATEST:
        raise QueryError(f"as-of '{text}' lies outside the dates Stip computes ({SUPPORTED})")
    if value.tzinfo is None:
        # Through UTC and back: a local time the clock skips (02:30 on the last Sunday of
        # March in Amsterdam) becomes the instant it names in the offset before the change,
        # shown with the offset in force then (03:30+02:00), not with one never in force.
        # A time the clock shows twice (October) is its first occurrence.
        return value.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
    return value.astimezone(tz)
