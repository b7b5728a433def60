"""`join_periods` gives each row the window(s) it falls in, whatever the windows' layout:
back to back (one window, a trend), with gaps (a week and the same week last year), or
overlapping. Hand-made rows on both sides of every bound, and a row without a time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import ibis
import pandas as pd
import pytest

from stip.semantic.business_hours import BusinessCalendar
from stip.semantic.periods import Period
from stip.semantic.query import Window, join_periods, periods_table
from stip.settings import Settings

TZ = ZoneInfo("Europe/Amsterdam")
AS_OF = datetime(2026, 11, 2, 9, tzinfo=TZ)


def _window(idx: int, start: date, end: date) -> Window:
    period = Period(
        datetime(start.year, start.month, start.day, tzinfo=TZ),
        datetime(end.year, end.month, end.day, tzinfo=TZ),
        "test",
    )
    return Window(idx, period, AS_OF)


ROWS = {
    "id": [1, 2, 3, 4, 5, 6, 7, 8],
    "worked": [
        date(2026, 8, 31),  # before every window
        date(2026, 9, 1),  # first day of September
        date(2026, 9, 30),  # last day of September
        date(2026, 10, 1),  # first day of October
        date(2026, 10, 15),
        date(2026, 10, 31),  # last day of October
        date(2026, 11, 1),  # after every window
        None,
    ],
}
SEPTEMBER = (date(2026, 9, 1), date(2026, 10, 1))
OCTOBER = (date(2026, 10, 1), date(2026, 11, 1))
MID_OCTOBER = (date(2026, 10, 10), date(2026, 10, 20))
SEP_TO_MID_OCT = (date(2026, 9, 1), date(2026, 10, 16))


@pytest.mark.parametrize(
    ("spans", "expected"),
    # row id -> the indexes of its windows; rows in no window are absent
    [
        ([OCTOBER], {4: [0], 5: [0], 6: [0]}),
        ([SEPTEMBER, OCTOBER], {2: [0], 3: [0], 4: [1], 5: [1], 6: [1]}),
        # listed out of order: the windows' indexes stay theirs
        ([OCTOBER, SEPTEMBER], {2: [1], 3: [1], 4: [0], 5: [0], 6: [0]}),
        # a gap: the days between the windows belong to none
        ([SEPTEMBER, MID_OCTOBER], {2: [0], 3: [0], 5: [1]}),
        # overlapping: a row in both windows counts in both
        ([SEP_TO_MID_OCT, OCTOBER], {2: [0], 3: [0], 4: [0, 1], 5: [0, 1], 6: [1]}),
    ],
)
@pytest.mark.parametrize("period_columns", [True, False])
def test_each_row_gets_the_windows_it_falls_in(
    spans: list[tuple[date, date]], expected: dict[int, list[int]], period_columns: bool
) -> None:
    windows = [_window(i, start, end) for i, (start, end) in enumerate(spans)]
    periods = periods_table(windows, BusinessCalendar(Settings()))
    table = ibis.memtable(pd.DataFrame(ROWS).astype({"worked": "date32[pyarrow]"}))
    joined = join_periods(table, periods, "worked", windows, period_columns=period_columns)
    frame = ibis.duckdb.connect().execute(joined)
    got: dict[int, list[int]] = {}
    for row in frame.itertuples(index=False):
        got.setdefault(int(row.id), []).append(int(row.p_idx))
    assert {k: sorted(v) for k, v in got.items()} == expected
    overlapping = spans[0] == SEP_TO_MID_OCT
    # Overlapping windows are joined on their bounds, so their columns always come along.
    assert ("p_end_date" in frame.columns) == (period_columns or overlapping)
