"""The time entries of the windows, grouped once for every KPI that weighs hours or labour cost.

Labour cost, margins per client and per contract, the effective hourly rate and the
reactive/proactive hour splits all read the same entries joined to their ticket and their
resource. `entry_work` runs that scan and those joins ONCE per computation, grouped by key,
client, kind of ticket and contract; each KPI then sums the groups it needs (in pandas,
over a few thousand rows).
"""

from __future__ import annotations

import ibis
import pandas as pd

from stip.semantic.bases import base_table
from stip.semantic.functions import FunctionContext, register
from stip.semantic.kpis_builtin.common import (
    REACTIVE_TICKET_TYPES,
    result,
    shared_per_window,
    sums,
)
from stip.semantic.kpis_builtin.money import item_money
from stip.semantic.query import apply_scope

TIME_DIMS = ("resource", "company", "queue", "priority", "team")
# `kind` of an entry's ticket.
NO_TICKET, REACTIVE, OTHER_TYPE, NO_TYPE = 0, 1, 2, 3


@shared_per_window
def entry_work(ctx: FunctionContext) -> pd.DataFrame:
    """Per key, `company` (the entry's client), `kind`, `contract` (the entry's, else its
    ticket's), `billable` (isNonBillable false), `approved` (for billing) and `client_work`
    (on a ticket or a project task): `hours` (Σ hours worked, null when all are null), `cost`
    (Σ hours × the resource's internal cost) and `n` (entries)."""
    wanted = [*ctx.scope.dims, *([ctx.by] if ctx.by else []), "company"]
    ticket_columns = {"k_type": "ticket_type", "k_contract": "contract_id"}
    columns = [
        "date_worked",
        "hours_worked",
        "is_non_billable",
        "contract_id",
        "billing_approval_date_time",
    ]
    entries = base_table(ctx.con, "time_entries", wanted, ticket_columns, columns)
    entries = apply_scope(entries, ctx.scope)
    entries = ctx.in_windows(entries, "date_worked", period_columns=False)
    people = ctx.con.table("resources").select(
        r_src="source_system", r_id="id", r_cost="internal_cost"
    )
    rows = entries.left_join(
        people, [entries.source_system == people.r_src, entries.resource_id == people.r_id]
    )
    kind = ibis.cases(
        (rows.ticket_id.isnull(), NO_TICKET),
        (rows.k_type.isin(REACTIVE_TICKET_TYPES), REACTIVE),
        (rows.k_type.notnull(), OTHER_TYPE),
        else_=NO_TYPE,
    )
    cost = rows.hours_worked.fill_null(0.0) * rows.r_cost.fill_null(0.0)
    grouped = rows.group_by(
        [
            *ctx.keys,
            rows.dim_company.name("company"),
            kind.name("kind"),
            ibis.coalesce(rows.contract_id, rows.k_contract).name("contract"),
            (rows.is_non_billable == False).fill_null(False).name("billable"),  # noqa: E712
            rows.billing_approval_date_time.notnull().name("approved"),
            (rows.ticket_id.notnull() | rows.task_id.notnull()).name("client_work"),
        ]
    ).aggregate(hours=rows.hours_worked.sum(), cost=cost.sum(), n=rows.count())
    frame = grouped.to_pandas()
    frame[["hours", "cost"]] = frame[["hours", "cost"]].astype(float)
    return frame


@register("labour_cost", dimensions=TIME_DIMS, uses_as_of=False, additive="sum", accumulates=True)
def labour_cost(ctx: FunctionContext) -> pd.DataFrame:
    """Σ hours × the resource's internal cost of the entries worked in P."""
    agg = sums(entry_work(ctx), ctx.keys, value="cost", n="n")
    return result(agg, ctx)


def ticket_hours(ctx: FunctionContext) -> pd.DataFrame:
    """Per key, over entries on a ticket: hours on reactive tickets (`top`), on other typed
    tickets (`yes`), on all tickets (`total`), and the entries (`n`)."""
    frame = entry_work(ctx)
    frame = frame[frame["kind"] != NO_TICKET]
    frame = frame.assign(
        top=frame["hours"].where(frame["kind"] == REACTIVE),
        yes=frame["hours"].where(frame["kind"] == OTHER_TYPE),
    )
    return sums(frame, ctx.keys, top="top", yes="yes", total="hours", n="n")


@register("effective_hourly_rate", dimensions=("company",), uses_as_of=False)
def effective_hourly_rate(ctx: FunctionContext) -> pd.DataFrame:
    """Billing items ÷ all hours worked, per company (contract §5). The total leaves out
    internal time (entries without a client); split by company, the records without one
    form the null row like any other company (§5 "Null dimension"): their billing items ÷
    their hours."""
    keys = ctx.keys
    money = item_money(ctx)
    work = entry_work(ctx)
    if ctx.by == "company":
        money = money.assign(dim_company=money["company"])
    else:
        work = work[work["company"].notna()]
    revenue = sums(money, keys, price="price", items="n")
    work = sums(work, keys, hours="hours", entries="n")
    both = revenue.merge(work, on=keys, how="outer")
    hours = both["hours"].astype(float)
    price = both["price"].astype(float).fillna(0.0)
    both["value"] = (price / hours.where(hours > 0)).astype(float)
    both["n"] = both["items"].fillna(0).astype(int) + both["entries"].fillna(0).astype(int)
    return result(both, ctx)
