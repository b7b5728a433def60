"""People, time and capacity KPIs that need available hours, the calendar or staff numbers.

Available hours follow the contract's `billable_utilization`: hours per day (per resource,
else the setting) × business days in the period, for every active resource.
"""

from __future__ import annotations

import ibis
import pandas as pd

from stip.semantic.functions import FunctionContext, register
from stip.semantic.kpis_builtin.common import (
    CUSTOMER_COMPANY_TYPE,
    local_date,
    result,
    shared,
    sums,
)
from stip.semantic.kpis_builtin.finance import staff_numbers
from stip.semantic.kpis_builtin.work import entry_work

PEOPLE_DIMS = ("resource", "team")


@shared
def available_hours(ctx: FunctionContext) -> pd.DataFrame:
    """Per key: `avail`, Σ hours per day (`Settings.hours_per_day`: the resource's setting,
    else the store's value, else the default) × business days of the period, over the active
    resources."""
    people = ctx.base("resources", ["is_active", "available_hours_per_day"])
    people = people.filter(people.is_active)
    people = people.cross_join(ctx.periods)
    per_day = people.available_hours_per_day.fill_null(ctx.settings.available_hours_per_day)
    overrides = sorted(ctx.settings.resource_hours_per_day.items())
    if overrides:
        own = [(people.id == resource, hours) for resource, hours in overrides]
        per_day = ibis.cases(*own, else_=per_day)
    people = people.mutate(avail=per_day * people.p_business_days)
    frame = people.group_by(ctx.keys).aggregate(avail=people.avail.sum()).to_pandas()
    frame["avail"] = frame["avail"].astype(float)
    return frame


def hours_vs_available(ctx: FunctionContext, entries: pd.DataFrame) -> pd.DataFrame:
    """100 × Σ hours of `entries` (rows of `entry_work`) / available hours of the active
    resources, per key; n = the entries summed."""
    hours = sums(entries, ctx.keys, hours="hours", n="n")
    both = hours.merge(available_hours(ctx), on=ctx.keys, how="outer")
    avail = both["avail"].astype(float)
    both["value"] = 100.0 * both["hours"].astype(float).fillna(0.0) / avail.where(avail > 0)
    both["n"] = both["n"].fillna(0).astype(int)
    return result(both, ctx)


@register("billable_utilization", dimensions=PEOPLE_DIMS, uses_as_of=False)
def billable_utilization(ctx: FunctionContext) -> pd.DataFrame:
    """100 × billable hours / available hours of active resources (contract §5)."""
    work = entry_work(ctx)
    return hours_vs_available(ctx, work[work["billable"]])


@register("utilization", dimensions=PEOPLE_DIMS, uses_as_of=False)
def utilization(ctx: FunctionContext) -> pd.DataFrame:
    """Hours on tickets and project tasks (billable or not) / available hours."""
    work = entry_work(ctx)
    return hours_vs_available(ctx, work[work["client_work"]])


@register("time_entry_compliance", dimensions=PEOPLE_DIMS, uses_as_of=False)
def time_entry_compliance(ctx: FunctionContext) -> pd.DataFrame:
    """All hours logged (internal time included) / available hours."""
    return hours_vs_available(ctx, entry_work(ctx))


@register(
    "same_day_entry_rate",
    dimensions=("resource", "company", "queue", "priority", "team"),
    uses_as_of=False,
)
def same_day_entry_rate(ctx: FunctionContext) -> ibis.Table:
    """Entries dated in P that were entered on the local day the work was done."""
    entries = ctx.base("time_entries", ["date_worked", "create_date_time"])
    rows = ctx.in_windows(entries, "date_worked", period_columns=False)
    rows = rows.filter(rows.create_date_time.notnull())
    same = local_date(ctx, rows.create_date_time) == rows.date_worked
    agg = rows.group_by(ctx.keys).aggregate(
        yes=rows.count(where=same).cast("float64"), n=rows.count()
    )
    return agg.select(*ctx.keys, value=100.0 * agg.yes / agg.n, n=agg.n)


def _per_fte(ctx: FunctionContext, total: float) -> pd.DataFrame:
    fte, _cost, heads = staff_numbers(ctx)
    value = total / fte if fte > 0 else None
    return pd.DataFrame({"p_idx": [w.idx for w in ctx.windows], "value": value, "n": heads})


@register("endpoints_per_tech", dimensions=(), uses_as_of=False)
def endpoints_per_tech(ctx: FunctionContext) -> pd.DataFrame:
    """Active configuration items / active staff FTE (weekly hours / 40)."""
    items = ctx.con.table("configuration_items")
    count = items.filter(items.is_active.fill_null(True)).count().to_pyarrow().as_py()
    return _per_fte(ctx, float(count))


@register("users_per_tech", dimensions=(), uses_as_of=False)
def users_per_tech(ctx: FunctionContext) -> pd.DataFrame:
    """Users of active customers / active staff FTE."""
    companies = ctx.con.table("companies")
    customers = companies.filter(
        companies.is_active.fill_null(True) & (companies.company_type == CUSTOMER_COMPANY_TYPE)
    )
    total = customers.user_count.sum().to_pyarrow().as_py()
    return _per_fte(ctx, float(total or 0))
