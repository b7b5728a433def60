from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from stip.errors import QueryError
from stip.semantic.periods import parse_as_of, parse_period

TZ = ZoneInfo("Europe/Amsterdam")
AS_OF = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)  # Monday


@pytest.mark.parametrize(
    ("spec", "start", "end"),
    [
        ("2026-10", "2026-10-01T00:00:00+02:00", "2026-11-01T00:00:00+01:00"),
        ("2026-W43", "2026-10-19T00:00:00+02:00", "2026-10-26T00:00:00+01:00"),
        ("2026-Q3", "2026-07-01T00:00:00+02:00", "2026-10-01T00:00:00+02:00"),
        ("2026", "2026-01-01T00:00:00+01:00", "2027-01-01T00:00:00+01:00"),
        ("2026-10-01..2026-10-15", "2026-10-01T00:00:00+02:00", "2026-10-16T00:00:00+02:00"),
        ("today", "2026-11-02T00:00:00+01:00", "2026-11-03T00:00:00+01:00"),
        ("yesterday", "2026-11-01T00:00:00+01:00", "2026-11-02T00:00:00+01:00"),
        ("this-week", "2026-11-02T00:00:00+01:00", "2026-11-09T00:00:00+01:00"),
        ("last-week", "2026-10-26T00:00:00+01:00", "2026-11-02T00:00:00+01:00"),
        ("this-month", "2026-11-01T00:00:00+01:00", "2026-12-01T00:00:00+01:00"),
        ("last-month", "2026-10-01T00:00:00+02:00", "2026-11-01T00:00:00+01:00"),
        ("last-7-days", "2026-10-26T00:00:00+01:00", "2026-11-02T00:00:00+01:00"),
        ("last-30-days", "2026-10-03T00:00:00+02:00", "2026-11-02T00:00:00+01:00"),
        ("mtd", "2026-11-01T00:00:00+01:00", "2026-11-03T00:00:00+01:00"),
        ("qtd", "2026-10-01T00:00:00+02:00", "2026-11-03T00:00:00+01:00"),
        ("ytd", "2026-01-01T00:00:00+01:00", "2026-11-03T00:00:00+01:00"),
    ],
)
def test_every_contract_spec(spec: str, start: str, end: str) -> None:
    period = parse_period(spec, AS_OF, TZ)
    assert period.to_json() == {"start": start, "end": end}
    assert period.spec == spec


def test_naive_utc_bounds_follow_dst() -> None:
    october = parse_period("2026-10", AS_OF, TZ)
    assert october.start_utc == datetime(2026, 9, 30, 22)
    assert october.end_utc == datetime(2026, 10, 31, 23)


@pytest.mark.parametrize(
    ("spec", "previous", "last_year"),
    [
        ("2026-10", "2026-09-01T00:00:00+02:00", "2025-10-01T00:00:00+02:00"),
        ("2026-Q1", "2025-10-01T00:00:00+02:00", "2025-01-01T00:00:00+01:00"),
        ("2026-W43", "2026-10-12T00:00:00+02:00", "2025-10-20T00:00:00+02:00"),
        ("last-7-days", "2026-10-19T00:00:00+02:00", "2025-10-27T00:00:00+01:00"),  # a Mon-Sun week
        ("2026-10-07..2026-10-09", "2026-10-04T00:00:00+02:00", "2025-10-07T00:00:00+02:00"),
    ],
)
def test_previous_and_last_year(spec: str, previous: str, last_year: str) -> None:
    period = parse_period(spec, AS_OF, TZ)
    assert period.previous().to_json()["start"] == previous
    assert period.previous().end == period.start
    assert period.last_year().to_json()["start"] == last_year


def test_march_previous_is_february() -> None:
    march = parse_period("2026-03", AS_OF, TZ)
    assert march.previous().to_json() == {
        "start": "2026-02-01T00:00:00+01:00",
        "end": "2026-03-01T00:00:00+01:00",
    }


@pytest.mark.parametrize(
    "spec", ["2026-13", "last-8-days", "2026-W54", "2026-10-15..2026-10-01", ""]
)
def test_bad_specs_name_the_spec_and_the_forms(spec: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_period(spec, AS_OF, TZ)
    assert f"'{spec}'" in str(info.value)


@pytest.mark.parametrize("spec", ["9999-W52", "2026-10-01..9999-12-31", "0001", "1969-12", "2200"])
def test_dates_out_of_range_are_user_errors(spec: str) -> None:
    """Not an OverflowError deep in the engine (an HTTP 500, exit 2): a clear user error."""
    with pytest.raises(QueryError, match=f"period '{spec}'"):
        parse_period(spec, AS_OF, TZ)


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31T23:59", "1969-12-31T23:00"])
def test_as_of_out_of_range_is_a_user_error(text: str) -> None:
    with pytest.raises(QueryError, match=r"outside the dates Stip computes \(1970-01-01 up to"):
        parse_as_of(text, TZ)


def test_as_of_forms() -> None:
    assert parse_as_of("2026-11-02T09:00", TZ).isoformat() == "2026-11-02T09:00:00+01:00"
    assert parse_as_of("2026-11-02T08:00:00Z", TZ).isoformat() == "2026-11-02T09:00:00+01:00"
    assert parse_as_of("2026-07-01T12:00+00:00", TZ).isoformat() == "2026-07-01T14:00:00+02:00"
    assert parse_as_of(None, TZ).tzinfo == TZ
    with pytest.raises(QueryError, match="as-of 'yesterday-ish'"):
        parse_as_of("yesterday-ish", TZ)


def test_as_of_on_the_clock_changes() -> None:
    """02:30 on 29 March 2026 does not exist in Amsterdam (02:00 CET -> 03:00 CEST): it is
    the instant 01:30 UTC, shown as 03:30+02:00. 02:30 on 25 October happens twice: the first
    one (CEST) counts. The instants order as the clock does."""
    spring = parse_as_of("2026-03-29T02:30", TZ)
    assert spring.isoformat() == "2026-03-29T03:30:00+02:00"
    assert spring.utcoffset() == spring.tzinfo.utcoffset(spring)  # type: ignore[union-attr]
    autumn = parse_as_of("2026-10-25T02:30", TZ)
    assert autumn.isoformat() == "2026-10-25T02:30:00+02:00"
    assert parse_as_of("2026-10-25T02:30+01:00", TZ).isoformat() == "2026-10-25T02:30:00+01:00"
    assert parse_as_of("2026-03-29T01:59", TZ) < spring < parse_as_of("2026-03-29T03:31", TZ)


@pytest.mark.parametrize(
    ("spec", "month"),
    [
        # shorter than a month: the month it ends in, or the as-of's if that is earlier
        ("this-week", "2026-11"),  # 2-9 Nov, as-of Monday 2 Nov
        ("last-week", "2026-11"),  # 26 Oct - 1 Nov: ends on 1 November
        ("2026-W43", "2026-10"),
        ("today", "2026-11"),
        ("yesterday", "2026-11"),
        ("last-7-days", "2026-11"),
        ("mtd", "2026-11"),
        ("2026-10-01..2026-10-15", "2026-10"),
        ("2026-W50", "2026-12"),  # after the as-of: its own month
        # whole months: unchanged
        ("2026-10", "2026-10"),
        ("2026-02", "2026-02"),
        ("2026-Q3", "2026-Q3"),
        ("2026", "2026"),
        # longer, not whole months: the whole months it covers
        ("last-30-days", "2026-10-01..2026-11-30"),
        ("ytd", "2026-01-01..2026-11-30"),
        ("2026-10-10..2026-11-20", "2026-10-01..2026-11-30"),
    ],
)
def test_month_grain(spec: str, month: str) -> None:
    """KPIs billed per month show a week's figures as its month (a week had no invoices)."""
    got = parse_period(spec, AS_OF, TZ).month_grain(AS_OF)
    expected = parse_period(month, AS_OF, TZ).month_grain(AS_OF)
    assert (got.start, got.end, got.spec) == (expected.start, expected.end, expected.spec)
    if got.spec != spec and spec != "ytd":
        assert got.previous().spec == expected.previous().spec


def test_month_grain_of_ytd_compares_with_the_same_months_last_year() -> None:
    """Not with the 334 days before 1 January (February to December of the year before)."""
    got = parse_period("ytd", AS_OF, TZ).month_grain(AS_OF)
    assert got.previous().spec == "2025-01-01..2025-11-30"


@pytest.mark.parametrize("day", [1, 27, 28, 29, 30])
def test_month_grain_of_mtd_is_the_month_on_every_day(day: int) -> None:
    """From the 28th to the day before the last, `mtd` switched to 28 partial days (MRR
    62,855 on the 27th, 67,345 on the 28th, 62,855 on the 30th)."""
    as_of = datetime(2026, 9, day, 10, 0, tzinfo=TZ)
    got = parse_period("mtd", as_of, TZ).month_grain(as_of)
    assert (got.start_date.isoformat(), got.end_date.isoformat()) == ("2026-09-01", "2026-10-01")
    assert got.previous().start_date.isoformat() == "2026-08-01"


def test_trend_periods_step_back_and_stop_before_1970() -> None:
    from stip.semantic.periods import trend_periods

    month = parse_period("2026-10", AS_OF, TZ)
    specs = [p.spec if p else None for p in trend_periods(month, 4)]
    assert specs == ["2026-07", "2026-08", "2026-09", "2026-10"]
    early = parse_period("1970-03", AS_OF, TZ)
    assert [p.spec if p else None for p in trend_periods(early, 4)] == [
        None,
        "1970-01",
        "1970-02",
        "1970-03",
    ]
    # a range of 230 years: stepping back 11 times would leave the calendar (year 1)
    longest = parse_period("1970-01-01..2199-12-31", AS_OF, TZ)
    assert trend_periods(longest, 12) == [None] * 11 + [longest]


def _at(text: str) -> datetime:
    return parse_as_of(text, TZ)


@pytest.mark.parametrize(
    ("spec", "as_of", "so_far", "previous", "last_year"),
    [
        # a running month on the 28th: the 1st to the 28th of each
        (
            "this-month",
            "2026-10-28T10:00",
            "2026-10-01..2026-10-28",
            "2026-09-01..2026-09-28",
            "2025-10-01..2025-10-28",
        ),
        # at midnight the new day has not begun: up to the day before
        (
            "this-month",
            "2026-10-28T00:00",
            "2026-10-01..2026-10-27",
            "2026-09-01..2026-09-27",
            "2025-10-01..2025-10-27",
        ),
        # a day February lacks: up to its last day (the whole of it)
        (
            "this-month",
            "2026-03-30T12:00",
            "2026-03-01..2026-03-30",
            "2026-02-01..2026-02-28",
            "2025-03-01..2025-03-30",
        ),
        # Wednesday: Monday to Wednesday of last week, and of the same ISO week last year
        (
            "this-week",
            "2026-11-04T16:00",
            "2026-11-02..2026-11-04",
            "2026-10-26..2026-10-28",
            "2025-11-03..2025-11-05",
        ),
        # the same day of the same month of the quarter
        (
            "this-quarter",
            "2026-11-15T08:00",
            "2026-10-01..2026-11-15",
            "2026-07-01..2026-08-15",
            "2025-10-01..2025-11-15",
        ),
        # 29 February: up to 28 February the year before
        (
            "this-year",
            "2028-02-29T08:00",
            "2028-01-01..2028-02-29",
            "2027-01-01..2027-02-28",
            "2027-01-01..2027-02-28",
        ),
        # a quarter to date across the turn of the year
        ("qtd", "2026-02-10T08:00", None, "2025-10-01..2025-11-10", "2025-01-01..2025-02-10"),
        # month to date: the same days of last month, not the 28 days before the 1st
        ("mtd", "2026-10-28T10:00", None, "2026-09-01..2026-09-28", "2025-10-01..2025-10-28"),
        ("ytd", "2026-03-31T10:00", None, "2025-01-01..2025-03-31", "2025-01-01..2025-03-31"),
        # Monday 1 June 2026 to Sunday the 7th is a whole ISO week, but `mtd` is still a month
        ("mtd", "2026-06-07T10:00", None, "2026-05-01..2026-05-07", "2025-06-01..2025-06-07"),
    ],
)
def test_running_periods_compare_the_same_part(
    spec: str, as_of: str, so_far: str | None, previous: str, last_year: str
) -> None:
    period = parse_period(spec, _at(as_of), TZ)
    part = period.so_far(_at(as_of))
    assert (part and part.spec) == so_far
    compared = part or period
    assert compared.previous().spec == previous
    assert compared.last_year().spec == last_year


@pytest.mark.parametrize(
    ("spec", "as_of"),
    [
        ("today", "2026-10-28T10:00"),  # one day: its part so far is all of it
        ("this-month", "2026-10-31T10:00"),  # the last day: all of it
        ("this-month", "2026-10-01T00:00"),  # nothing of it has passed
        ("2026-11", "2026-10-28T10:00"),  # not begun
        ("last-month", "2026-10-28T10:00"),  # over
        ("2026-10-05..2026-10-30", "2026-10-28T10:00"),  # not a calendar period
        ("last-7-days", "2026-10-28T10:00"),
    ],
)
def test_no_part_so_far_outside_a_running_calendar_period(spec: str, as_of: str) -> None:
    assert parse_period(spec, _at(as_of), TZ).so_far(_at(as_of)) is None


def test_the_part_so_far_keeps_dst_right() -> None:
    """25 October 2026: clocks go back; the cut is local midnight after the as-of's day."""
    part = parse_period("this-month", _at("2026-10-25T12:00"), TZ).so_far(_at("2026-10-25T12:00"))
    assert part is not None
    assert part.to_json() == {
        "start": "2026-10-01T00:00:00+02:00",
        "end": "2026-10-26T00:00:00+01:00",
    }


@pytest.mark.parametrize(
    ("spec", "as_of", "previous", "last_year"),
    [
        # KPIs billed per whole month: the whole months of the quarter so far, compared with
        # the whole first two months of the quarter before (not 1 July - 30 August)
        ("qtd", "2026-11-15T12:00", "2026-07-01..2026-08-31", "2025-10-01..2025-11-30"),
        ("ytd", "2029-02-10T12:00", "2028-01-01..2028-02-29", "2028-01-01..2028-02-29"),
    ],
)
def test_whole_months_compare_with_whole_months(
    spec: str, as_of: str, previous: str, last_year: str
) -> None:
    whole = parse_period(spec, _at(as_of), TZ).month_grain(_at(as_of))
    assert (whole.previous().spec, whole.last_year().spec) == (previous, last_year)


@pytest.mark.parametrize(
    ("spec", "as_of", "previous", "last_year"),
    [
        # 28 February 2028 is not February's last day; in 2027 it is, and all of it counts
        ("this-month", "2028-02-28T12:00", "2028-01-01..2028-01-28", "2027-02-01..2027-02-28"),
        # up to February's last day: the year before up to its last day, both ways
        ("ytd", "2029-02-28T12:00", "2028-01-01..2028-02-29", "2028-01-01..2028-02-29"),
        ("ytd", "2028-02-28T12:00", "2027-01-01..2027-02-28", "2027-01-01..2027-02-28"),
    ],
)
def test_february_in_and_out_of_leap_years(
    spec: str, as_of: str, previous: str, last_year: str
) -> None:
    period = parse_period(spec, _at(as_of), TZ)
    part = period.so_far(_at(as_of)) or period
    assert (part.previous().spec, part.last_year().spec) == (previous, last_year)


@pytest.mark.parametrize(
    ("spec", "as_of", "trend"),
    [
        # each month's 1st to 30th, also after the 30-day September
        ("mtd", "2026-10-30T12:00", ["07-01..2026-07-30", "08-01..2026-08-30",
                                     "09-01..2026-09-30", "10-01..2026-10-30"]),
        # a quarter's first two months, whole, also after February's
        ("qtd", "2026-05-31T12:00", ["2025-07-01..2025-08-31", "2025-10-01..2025-11-30",
                                     "2026-01-01..2026-02-28", "2026-04-01..2026-05-31"]),
    ],
)  # fmt: skip
def test_a_trend_of_parts_does_not_drift(spec: str, as_of: str, trend: list[str]) -> None:
    from stip.semantic.periods import trend_periods

    got = trend_periods(parse_period(spec, _at(as_of), TZ), 4)
    specs = [f"{p.start_date}..{p.end_date - timedelta(1)}" for p in got if p is not None]
    assert [s.removeprefix("2026-") if spec == "mtd" else s for s in specs] == trend
