"""People, time and capacity KPIs that need available hours, the calendar or staff numbers.

Available hours follow the contract's `billable_utilization`: hours per day (per resource,
else the setting) × business days in the period, for every active resource.
"""

from __future__ import annotations

import ibis
import pandas as pd

from stip.semantic.functions import FunctionContext, hours_vs_available, register
from stip.semantic.kpis_builtin.common import CUSTOMER_COMPANY_TYPE, local_date
from stip.semantic.kpis_builtin.finance import staff_numbers

PEOPLE_DIMS = ("resource", "team")


def _hours_vs_available(ctx: FunctionContext, client_work_only: bool) -> ibis.Table:
    entries = ctx.in_windows(ctx.base("time_entries"), "date_worked", period_columns=False)
    if client_work_only:
        entries = entries.filter(entries.ticket_id.notnull() | entries.task_id.notnull())
    return hours_vs_available(ctx, entries)


@register("utilization", dimensions=PEOPLE_DIMS, uses_as_of=False)
def utilization(ctx: FunctionContext) -> ibis.Table:
    """Hours on tickets and project tasks (billable or not) / available hours."""
    return _hours_vs_available(ctx, client_work_only=True)


@register("time_entry_compliance", dimensions=PEOPLE_DIMS, uses_as_of=False)
def time_entry_compliance(ctx: FunctionContext) -> ibis.Table:
    """All hours logged (internal time included) / available hours."""
    return _hours_vs_available(ctx, client_work_only=False)


@register(
    "same_day_entry_rate",
    dimensions=("resource", "company", "queue", "priority", "team"),
    uses_as_of=False,
)
def same_day_entry_rate(ctx: FunctionContext) -> ibis.Table:
    """Entries dated in P that were entered on the local day the work was done."""
    rows = ctx.in_windows(ctx.base("time_entries"), "date_worked", period_columns=False)
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
