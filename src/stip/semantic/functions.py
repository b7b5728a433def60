"""The Python escape hatch: KPIs whose computation does not fit the declarative measures.

A function gets a `FunctionContext` (the Ibis backend, the windows table, the scope and `by`)
and returns the grouped result as an Ibis table expression (or, for row-level arithmetic that
SQL engines round differently, a pandas DataFrame) with the columns `p_idx`, `dim_<by>` (only
when `by` is set), `value` and `n`. Register one with `@register("name", dimensions=(...))`
and refer to it from YAML as `measure: {type: function, function: name}`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Literal

import ibis
import pandas as pd
import pyarrow as pa
from ibis.backends import BaseBackend

from stip.semantic.bases import DIM_COLUMNS, base_table
from stip.semantic.business_hours import BusinessCalendar
from stip.semantic.query import Scope, Window, apply_scope, join_periods
from stip.settings import Settings

# The connection attribute holding the frames shared between KPI functions of one
# computation (see `kpis_builtin.common.shared`).
SHARED_MEMO = "_stip_shared_memo"


@dataclass
class FunctionContext:
    con: BaseBackend
    settings: Settings
    calendar: BusinessCalendar
    windows: list[Window]
    periods: ibis.Table
    by: str | None
    scope: Scope

    @property
    def keys(self) -> list[str]:
        """The group-by columns every result carries."""
        return ["p_idx", *([DIM_COLUMNS[self.by]] if self.by else [])]

    def base(self, name: str, columns: Iterable[str] | None = None) -> ibis.Table:
        """A base relation with the `by` and scope dimensions, filtered to the scope; with
        `columns`, only those and the key and dimension columns (see `base_table`)."""
        dims = [*self.scope.dims, *([self.by] if self.by else [])]
        return apply_scope(base_table(self.con, name, dims, columns=columns), self.scope)

    def in_windows(
        self, table: ibis.Table, time_column: str | None, *, period_columns: bool = True
    ) -> ibis.Table:
        """`table` joined to the windows (`p_idx`, plus the `p_*` bounds if `period_columns`)."""
        return join_periods(
            table, self.periods, time_column, self.windows, period_columns=period_columns
        )


KpiFunction = Callable[[FunctionContext], "ibis.Table | pd.DataFrame"]
# True: the as-of time; "date": only its local date; False: not at all.
AsOfUse = bool | Literal["date"]
# What a function's value is: a "count" (an integer whose n is itself) or a "sum" (both 0
# when nothing matched, contract §5 "Empty"), or anything else (None: null when empty).
Additive = Literal["count", "sum"] | None


@dataclass(frozen=True)
class Registered:
    name: str
    fn: KpiFunction
    dimensions: tuple[str, ...]
    scopes: tuple[str, ...]
    uses_as_of: AsOfUse = True
    additive: Additive = None
    accumulates: bool = False


REGISTRY: dict[str, Registered] = {}


ActionFunction = Callable[[FunctionContext], ibis.Table]


@dataclass(frozen=True)
class RegisteredActions:
    """An action list computed in Python, for records no `where` on a base can pick (an
    engineer whose open tickets exceed a limit). `columns` are those its table has."""

    name: str
    fn: ActionFunction
    base: str
    columns: tuple[str, ...]


ACTIONS: dict[str, RegisteredActions] = {}
# Packages whose modules hold more registered functions; imported when a catalogue loads.
FUNCTION_PACKAGES = ["stip.semantic.kpis_builtin"]


def load_function_modules() -> None:
    """Import every module of `FUNCTION_PACKAGES` (that exists) so its functions register."""
    for package_name in FUNCTION_PACKAGES:
        try:
            package = importlib.import_module(package_name)
        except ModuleNotFoundError as exc:
            if exc.name != package_name:
                raise
            continue
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package_name}.{module.name}")


def register(
    name: str,
    *,
    dimensions: tuple[str, ...],
    scopes: tuple[str, ...] | None = None,
    uses_as_of: AsOfUse = True,
    additive: Additive = None,
    accumulates: bool = False,
) -> Callable[[KpiFunction], KpiFunction]:
    """Register `fn` under `name`; `dimensions`/`scopes` are the `by`/scope it supports.

    Pass `uses_as_of=False` when the result depends only on the period, not on the as-of
    (the `p_as_of*` columns): then a moving "now" reuses its cached values. Pass "date" when
    it depends only on the as-of's local date (`p_as_of_date`, `window.as_of.date()`): then
    it is recomputed once a day, not every minute. Pass `additive="count"` or `"sum"` for a
    count or a sum: a window without a row is then 0, not null, and a count is an integer.
    Pass `accumulates=True` when the value adds up over the period (a count or total of the
    events in it, not of a state at its end): a running period is then compared with the
    same part of the one before (`compute.accumulates`).
    """

    def decorate(fn: KpiFunction) -> KpiFunction:
        REGISTRY[name] = Registered(
            name, fn, dimensions, scopes or dimensions, uses_as_of, additive, accumulates
        )
        return fn

    return decorate


def register_actions(
    name: str, *, base: str, columns: tuple[str, ...]
) -> Callable[[ActionFunction], ActionFunction]:
    """Register an action list function: given the one window, a table of the records
    (`id` of `base`, plus `columns`), for `actions: {function: name}` in a KPI file."""

    def decorate(fn: ActionFunction) -> ActionFunction:
        ACTIONS[name] = RegisteredActions(name, fn, base, ("id", *columns))
        return fn

    return decorate


@register(
    "time_entry_lag_hours",
    dimensions=("resource", "company", "queue", "priority", "team"),
    uses_as_of=False,
)
def time_entry_lag_hours(ctx: FunctionContext) -> ibis.Table:
    """Median of createDateTime − endDateTime (end of the local work day when null), ≥ 0.

    The end of each local day in UTC comes from a small table of the days in the windows, so
    the whole computation, exact to the microsecond, runs in the database.
    """
    keys = ctx.keys
    entries = ctx.base("time_entries", ["date_worked", "create_date_time", "end_date_time"])
    rows = ctx.in_windows(entries, "date_worked", period_columns=False)
    rows = rows.filter(rows.create_date_time.notnull())
    first = min(w.period.start_date for w in ctx.windows)
    last = max(w.period.end_date for w in ctx.windows)
    days = [first + timedelta(i) for i in range((last - first).days)]
    tz = ctx.settings.tz
    day_ends = ibis.memtable(
        pa.table(
            {
                "d_date": pa.array(days, pa.date32()),
                "d_end": pa.array(
                    [
                        datetime.combine(d + timedelta(1), time(0), tzinfo=tz)
                        .astimezone(UTC)
                        .replace(tzinfo=None)
                        for d in days
                    ],
                    pa.timestamp("us"),
                ),
            }
        )
    )
    rows = rows.left_join(day_ends, rows.date_worked == day_ends.d_date)
    end = ibis.coalesce(rows.end_date_time, rows.d_end)
    micros = rows.create_date_time.delta(end, unit="microsecond")
    lag = ibis.greatest(micros, 0) / 3_600_000_000
    rows = rows.mutate(lag=lag)
    return rows.group_by(keys).aggregate(value=rows.lag.median(), n=rows.lag.count())
