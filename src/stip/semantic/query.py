"""What one computation asks for: the windows (period + as-of) and the scope, as Ibis inputs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import ibis
import pyarrow as pa

from stip.semantic.bases import DIM_COLUMNS
from stip.semantic.business_hours import BusinessCalendar
from stip.semantic.periods import Period


@dataclass(frozen=True)
class Window:
    """One period to compute a KPI for, with the as-of time that applies to it."""

    idx: int
    period: Period
    as_of: datetime

    @property
    def as_of_utc(self) -> datetime:
        return self.as_of.astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Scope:
    """Optional filter to one engineer, one team, one client, or several clients (an account
    manager's own: `company_ids`, sorted); source ids."""

    resource_id: int | None = None
    team_id: int | None = None
    company_id: int | None = None
    company_ids: tuple[int, ...] = ()

    @property
    def companies(self) -> tuple[int, ...] | None:
        """The clients the scope keeps, or None when it keeps every client."""
        if self.company_id is not None:
            return (self.company_id,)
        return self.company_ids or None

    @property
    def dims(self) -> dict[str, int | tuple[int, ...]]:
        """Per scoped dimension, its value: an id, or for several clients their ids."""
        values: dict[str, int | tuple[int, ...] | None] = {
            "resource": self.resource_id,
            "team": self.team_id,
            "company": self.company_id if self.company_id is not None else self.company_ids or None,
        }
        return {dim: value for dim, value in values.items() if value is not None}

    def key(self) -> tuple[object, ...]:
        return (self.resource_id, self.team_id, self.company_id, self.company_ids)


NO_SCOPE = Scope()


def apply_scope(table: ibis.Table, scope: Scope) -> ibis.Table:
    """Filter a base relation (built with the scope's dimensions) to the scope."""
    for dim, value in scope.dims.items():
        column = table[DIM_COLUMNS[dim]]
        table = table.filter(column.isin(value) if isinstance(value, tuple) else column == value)
    return table


def periods_table(windows: list[Window], calendar: BusinessCalendar) -> ibis.Table:
    """One row per window: `p_idx`, the bounds as UTC timestamps and as local dates, and
    `p_until`: the earlier of the period end and the as-of (UTC), where open things are counted."""
    data = pa.table(
        {
            "p_idx": pa.array([w.idx for w in windows], pa.int64()),
            "p_start": pa.array([w.period.start_utc for w in windows], pa.timestamp("us")),
            "p_end": pa.array([w.period.end_utc for w in windows], pa.timestamp("us")),
            "p_start_date": pa.array([w.period.start_date for w in windows], pa.date32()),
            "p_end_date": pa.array([w.period.end_date for w in windows], pa.date32()),
            "p_as_of": pa.array([w.as_of_utc for w in windows], pa.timestamp("us")),
            "p_as_of_date": pa.array([w.as_of.date() for w in windows], pa.date32()),
            "p_until": pa.array(
                [min(w.period.end_utc, w.as_of_utc) for w in windows], pa.timestamp("us")
            ),
            "p_business_days": pa.array(
                [calendar.business_days(w.period.start_date, w.period.end_date) for w in windows],
                pa.int64(),
            ),
        }
    )
    return ibis.memtable(data)


def join_periods(
    table: ibis.Table,
    periods: ibis.Table,
    time: str | None,
    windows: list[Window] | None = None,
    *,
    period_columns: bool = True,
) -> ibis.Table:
    """Each base row once per window it falls in (`time` in the window), or once per window.

    With `windows`, rows outside all of them are dropped first by a plain range filter, which
    the database pushes into the scan (DuckDB skips whole row groups by their min/max), and
    when the windows do not overlap each row gets its window from a CASE instead of an
    inequality join (much faster on every engine). `period_columns=False` leaves out the
    `p_*` bound columns when nothing needs them (only `p_idx` is added).
    """
    if time is None:
        return table.cross_join(periods)
    column = table[time]
    is_date = column.type().is_date()
    if windows:
        bounds = sorted(_bounds(w, is_date) for w in windows)
        table = table.filter((column >= bounds[0][0]) & (column < max(b[1] for b in bounds)))
        column = table[time]
        pairs = list(zip(bounds, bounds[1:], strict=False))
        if all(prev[1] == nxt[0] for prev, nxt in pairs):
            # Back to back (one window, or a trend): every row the range filter kept lies in
            # exactly one window, so the last one needs no test and no row is dropped.
            *tested, (_, _, last) = bounds
            cases = [(column < end, idx) for _, end, idx in tested]
            p_idx = ibis.cases(*cases, else_=last) if cases else ibis.literal(last)
            table = table.mutate(p_idx=p_idx.cast("int64"))
            return table.join(periods, "p_idx") if period_columns else table
        if all(prev[1] <= nxt[0] for prev, nxt in pairs):
            branches: list[tuple[Any, Any]] = []
            previous_end = bounds[0][0]
            for start, end, idx in bounds:
                if start > previous_end:
                    branches.append((column < start, None))
                branches.append((column < end, idx))
                previous_end = end
            table = table.mutate(p_idx=ibis.cases(*branches, else_=None).cast("int64"))
            table = table.filter(table.p_idx.notnull())
            return table.join(periods, "p_idx") if period_columns else table
    if is_date:
        start_col, end_col = periods.p_start_date, periods.p_end_date
    else:
        start_col, end_col = periods.p_start, periods.p_end
    return table.join(periods, [column >= start_col, column < end_col])


def _bounds(window: Window, is_date: bool) -> tuple[Any, Any, int]:
    period = window.period
    if is_date:
        return (period.start_date, period.end_date, window.idx)
    return (period.start_utc, period.end_utc, window.idx)
