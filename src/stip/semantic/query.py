"""What one computation asks for: the windows (period + as-of) and the scope, as Ibis inputs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

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
    """Optional filter to one engineer, one team or one client (source ids)."""

    resource_id: int | None = None
    team_id: int | None = None
    company_id: int | None = None

    @property
    def dims(self) -> dict[str, int]:
        values = {"resource": self.resource_id, "team": self.team_id, "company": self.company_id}
        return {dim: value for dim, value in values.items() if value is not None}

    def key(self) -> tuple[int | None, int | None, int | None]:
        return (self.resource_id, self.team_id, self.company_id)


NO_SCOPE = Scope()


def apply_scope(table: ibis.Table, scope: Scope) -> ibis.Table:
    """Filter a base relation (built with the scope's dimensions) to the scope."""
    for dim, value in scope.dims.items():
        table = table.filter(table[DIM_COLUMNS[dim]] == value)
    return table


def periods_table(windows: list[Window], calendar: BusinessCalendar) -> ibis.Table:
    """One row per window: `p_idx` and the bounds as UTC timestamps and as local dates."""
    data = pa.table(
        {
            "p_idx": pa.array([w.idx for w in windows], pa.int64()),
            "p_start": pa.array([w.period.start_utc for w in windows], pa.timestamp("us")),
            "p_end": pa.array([w.period.end_utc for w in windows], pa.timestamp("us")),
            "p_start_date": pa.array([w.period.start_date for w in windows], pa.date32()),
            "p_end_date": pa.array([w.period.end_date for w in windows], pa.date32()),
            "p_as_of": pa.array([w.as_of_utc for w in windows], pa.timestamp("us")),
            "p_as_of_date": pa.array([w.as_of.date() for w in windows], pa.date32()),
            "p_business_days": pa.array(
                [calendar.business_days(w.period.start_date, w.period.end_date) for w in windows],
                pa.int64(),
            ),
        }
    )
    return ibis.memtable(data)


def join_periods(table: ibis.Table, periods: ibis.Table, time: str | None) -> ibis.Table:
    """Each base row once per window it falls in (`time` in the window), or once per window."""
    if time is None:
        return table.cross_join(periods)
    column = table[time]
    if column.type().is_date():
        start, end = periods.p_start_date, periods.p_end_date
    else:
        start, end = periods.p_start, periods.p_end
    return table.join(periods, [column >= start, column < end])
