"""Shared pieces of the catalogue's Python KPIs: picklist lookups, windows, result frames.

Picklist values are instance-specific in Autotask (priority 4 is "Critical" by convention,
but a tenant may relabel it), so classifications that depend on a label (critical priority,
portal or RMM sources) look the label up instead of hard-coding a value. Ticket types are
system values in Autotask (1 Service Request, 2 Incident, 3 Problem, 4 Change, 5 Alert).
"""

from __future__ import annotations

import calendar as _calendar
import functools
import re
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import ibis
import pandas as pd
import pyarrow as pa

from stip.semantic.bases import DIM_COLUMNS
from stip.semantic.functions import SHARED_MEMO, FunctionContext
from stip.semantic.periods import Period
from stip.semantic.query import Window

# Autotask system ticket types that count as reactive (break/fix) work.
REACTIVE_TICKET_TYPES = (2, 3)
CUSTOMER_COMPANY_TYPE = 1
CRITICAL_PRIORITY = r"\bp1\b|kritiek|critical|urgent|spoed"
SELF_SERVICE_SOURCE = r"portal|portaal|self|chat|web"
RMM_SOURCE = r"rmm|monitor|alert"
AVERAGE_MONTH_DAYS = 365.25 / 12


_MEMO_LOCK = threading.Lock()

F = TypeVar("F", bound=Callable[..., Any])


class _Slot:
    """One memoised frame; its lock makes a second thread wait for the first's result."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done = False
        self.value: Any = None


def shared(fn: F) -> F:
    """Compute a helper once per backend connection, windows, `by` and scope.

    Several KPIs build on the same intermediate frame (per-client MRR, per-ticket effort,
    revenue totals); a dashboard computes them together over one connection, so the frame
    is built once, also when two threads compute KPIs (they share the memo). The memo is an
    attribute of the connection object, so it lives exactly as long as that connection (a
    new read, a new memo) and data written later is never served from it. (Not a dictionary
    keyed by the connection: Ibis backends compare equal when they point at the same
    database, so such a memo would outlive the read.)
    """
    return _memoised(fn, per_window=False)


def shared_per_window(fn: F) -> F:
    """`shared`, for a frame whose rows for a window (its `p_idx`) depend on that window
    alone: a call for windows that an earlier call also computed takes their rows from it.
    A dashboard's action lists so reuse what its tiles computed for the current period."""
    return _memoised(fn, per_window=True)


def _memoised(fn: F, per_window: bool) -> F:
    @functools.wraps(fn)
    def wrapper(ctx: FunctionContext, *args: Any) -> Any:
        windows = tuple((w.idx, w.period.start, w.period.end, w.as_of) for w in ctx.windows)
        key = (fn.__qualname__, args, ctx.by, ctx.scope.key(), windows)
        with _MEMO_LOCK:
            memo = ctx.con.__dict__.setdefault(SHARED_MEMO, {})
            slot = memo.get(key)
            if slot is None:
                slot = memo[key] = _from_wider(memo, key) if per_window else _Slot()
        with slot.lock:
            if not slot.done:
                slot.value = fn(ctx, *args)
                slot.done = True
        hit = slot.value
        return hit.copy() if isinstance(hit, pd.DataFrame) else hit

    return wrapper  # type: ignore[return-value]


def _from_wider(memo: dict[Any, _Slot], key: tuple[Any, ...]) -> _Slot:
    """A slot for `key` filled from a computed one of the same helper, `by` and scope whose
    windows include every window of `key` (same bounds and as-of); else an empty slot."""
    slot = _Slot()
    wanted = {window[1:]: window[0] for window in key[-1]}
    if len(wanted) < len(key[-1]):
        return slot
    for other, found in memo.items():
        if other[:-1] != key[:-1] or not found.done:
            continue
        have = {window[1:]: window[0] for window in reversed(other[-1])}
        if not wanted.keys() <= have.keys():
            continue
        renumber = {have[bounds]: idx for bounds, idx in wanted.items()}
        frame = found.value[found.value["p_idx"].isin(renumber.keys())].copy()
        frame["p_idx"] = frame["p_idx"].map(renumber).astype(found.value["p_idx"].dtype)
        slot.value, slot.done = frame.reset_index(drop=True), True
        break
    return slot


@shared
def picklist_values(ctx: FunctionContext, entity: str, field: str, pattern: str) -> list[int]:
    """Values of a picklist whose label matches `pattern` (case-insensitive regex)."""
    table = ctx.con.table("picklists")
    rows = table.filter((table.entity == entity) & (table.field == field)).select("value", "label")
    regex = re.compile(pattern, re.IGNORECASE)
    return sorted(
        {int(r["value"]) for r in rows.to_pyarrow().to_pylist() if regex.search(r["label"] or "")}
    )


def months(period: Period, until: date | None = None) -> float:
    """How many calendar months a period covers, up to the local date `until` (exclusive)
    when that is earlier; partial months count by their days."""
    total = 0.0
    day = period.start_date
    end = min(period.end_date, until) if until else period.end_date
    while day < end:
        days_in_month = _calendar.monthrange(day.year, day.month)[1]
        month_end = date(day.year, day.month, days_in_month) + timedelta(days=1)
        stop = min(month_end, end)
        total += (stop - day).days / days_in_month
        day = stop
    return total


def elapsed_months(window: Window) -> float:
    """Months of the window that have passed by its as-of (for events: tickets, hours)."""
    return months(window.period, window.as_of.date() + timedelta(days=1))


def billing_months(window: Window, period: Period | None = None) -> float:
    """Months of `period` (default the window's) that have begun by the as-of. Recurring
    services are billed at the start of a month, so a begun month counts whole."""
    as_of = window.as_of.date()
    next_month = date(as_of.year + as_of.month // 12, as_of.month % 12 + 1, 1)
    return months(period or window.period, next_month)


def window_frame(ctx: FunctionContext) -> pd.DataFrame:
    """One row per window: p_idx, months, days, as-of (naive UTC) and its local date."""
    return pd.DataFrame(
        {
            "p_idx": [w.idx for w in ctx.windows],
            "months": [elapsed_months(w) for w in ctx.windows],
            "days": [w.period.days for w in ctx.windows],
        }
    )


def dim(ctx: FunctionContext) -> str | None:
    """The `dim_<by>` column name, or None without `--by`."""
    return DIM_COLUMNS[ctx.by] if ctx.by else None


def result(frame: pd.DataFrame, ctx: FunctionContext) -> pd.DataFrame:
    """Keep the key columns, `value` and `n` (the shape the engine expects)."""
    if frame.empty:
        return pd.DataFrame(columns=[*ctx.keys, "value", "n"])
    return frame[[*ctx.keys, "value", "n"]]


def divide(top: pd.Series, bottom: pd.Series, scale: float = 1.0) -> pd.Series:
    """scale × top / bottom, null where the bottom is 0 or missing."""
    bottom = bottom.astype(float)
    safe = bottom.where(bottom != 0)
    return scale * top.astype(float) / safe


def merge_keys(left: pd.DataFrame, right: pd.DataFrame, ctx: FunctionContext) -> pd.DataFrame:
    """Outer join of two per-key frames (missing numbers become 0)."""
    both = left.merge(right, on=ctx.keys, how="outer")
    numeric = [c for c in both.columns if c not in ctx.keys]
    both[numeric] = both[numeric].astype(float).fillna(0.0)
    return both


def sums(frame: pd.DataFrame, keys: list[str], **columns: str) -> pd.DataFrame:
    """Σ of a shared frame's columns per `keys` (`name=column`); a sum stays null when every
    value is."""
    by = frame.groupby(keys, dropna=False)
    return pd.DataFrame(
        {name: by[column].sum(min_count=1) for name, column in columns.items()}
    ).reset_index()


def grouped(table: ibis.Table, ctx: FunctionContext, **aggs: ibis.Value) -> pd.DataFrame:
    """Aggregate per key and fetch as pandas."""
    return table.group_by(ctx.keys).aggregate(**aggs).to_pandas()


def previous_windows(ctx: FunctionContext) -> tuple[list[Window], ibis.Table]:
    """Each window's previous period of the same kind, as windows and as a periods table
    (`p_idx` and local date bounds, for date columns)."""
    windows = [Window(w.idx, w.period.previous(), w.as_of) for w in ctx.windows]
    data = pa.table(
        {
            "p_idx": pa.array([w.idx for w in windows], pa.int64()),
            "p_start_date": pa.array([w.period.start_date for w in windows], pa.date32()),
            "p_end_date": pa.array([w.period.end_date for w in windows], pa.date32()),
        }
    )
    return windows, ibis.memtable(data)


def open_at_reference(table: ibis.Table) -> ibis.Value:
    """Tickets open at the earlier of the period end and the as-of (joined window columns)."""
    return (table.create_date < table.p_until) & (
        table.completed_date.isnull() | (table.completed_date >= table.p_until)
    )


def local_date(
    ctx: FunctionContext, stamp: ibis.Value, since: timedelta = timedelta(days=2)
) -> ibis.Value:
    """The local date (the MSP's zone) of a naive-UTC timestamp column, in the database.

    Exact for times from `since` before the windows to two days after them: the UTC offset
    comes from a CASE over the zone's transitions in that span. Further out the offset may
    be off by the DST hour, which cannot move such a time's date into the windows, so
    comparing it with a date in the windows (the work date, another time in the windows)
    still gives the exact answer. Comparing two times that may both lie far before the
    windows needs a wider `since`.
    """
    first = min(w.period.start_utc for w in ctx.windows) - since
    last = max(w.period.end_utc for w in ctx.windows) + timedelta(days=2)
    offsets = _offsets(ctx.settings.tz, first, last)
    branches = [(stamp < until, (stamp + ibis.interval(seconds=s)).date()) for until, s in offsets]
    final = (stamp + ibis.interval(seconds=offsets[-1][1])).date()
    return ibis.cases(*branches[:-1], else_=final) if len(branches) > 1 else final


def _utc_offset(tz: ZoneInfo, moment: datetime) -> int:
    delta = moment.replace(tzinfo=UTC).astimezone(tz).utcoffset()
    return int(delta.total_seconds()) if delta else 0


@functools.lru_cache(maxsize=64)
def _offsets(tz: ZoneInfo, first: datetime, last: datetime) -> list[tuple[datetime, int]]:
    """(naive UTC end, offset seconds) of each constant-offset stretch from `first` to `last`,
    to the quarter hour: a day at a time, then quarter hours through a day the offset
    changes in."""
    stretches: list[tuple[datetime, int]] = []
    day, quarter = timedelta(days=1), timedelta(minutes=15)
    moment, current = first, _utc_offset(tz, first)
    while moment < last:
        step = day if _utc_offset(tz, min(moment + day, last)) == current else quarter
        nxt = min(moment + step, last)
        if _utc_offset(tz, nxt) != current:
            stretches.append((nxt, current))
            current = _utc_offset(tz, nxt)
        moment = nxt
    stretches.append((last, current))
    return stretches
