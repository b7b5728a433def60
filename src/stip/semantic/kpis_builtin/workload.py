"""Workload per endpoint and per user (Service Leadership / MSP coaching peer metrics).

Endpoints are the active configuration items of a client, users the `user_count` of active
customers. Both are today's numbers (the PSA keeps no history of them), so a past period is
divided by today's base. "Per month" values divide by the calendar months the period covers.
"""

from __future__ import annotations

import ibis
import pandas as pd

from stip.semantic.functions import FunctionContext, register
from stip.semantic.kpis_builtin.common import (
    CUSTOMER_COMPANY_TYPE,
    divide,
    result,
    shared,
    window_frame,
)
from stip.semantic.kpis_builtin.tickets import created_counts
from stip.semantic.kpis_builtin.work import ticket_hours

TIME_DIMS = ("resource", "company", "queue", "priority", "team")


def _per_window(ctx: FunctionContext, snapshot: ibis.Table, value: ibis.Value) -> pd.DataFrame:
    """A per-company snapshot total repeated for every window (float: DuckDB sums integers
    into a 128-bit integer, which comes back as Python decimals once a group sums to null,
    such as a client without a user count)."""
    keys = [k for k in ctx.keys if k != "p_idx"]
    totals = (
        snapshot.group_by(keys).aggregate(base=value) if keys else snapshot.aggregate(base=value)
    )
    frame = totals.to_pandas()
    frame["base"] = frame["base"].astype(float)
    return window_frame(ctx).merge(frame, how="cross")


@shared
def endpoints(ctx: FunctionContext) -> pd.DataFrame:
    items = ctx.base("configuration_items", ["is_active"])
    items = items.filter(items.is_active.fill_null(True))
    return _per_window(ctx, items, items.count())


@shared
def users(ctx: FunctionContext) -> pd.DataFrame:
    companies = ctx.base("companies", ["is_active", "company_type", "user_count"])
    # a count of 0 or below (a typo in the PSA) is no count: it would shrink the total
    companies = companies.filter(
        companies.is_active.fill_null(True)
        & (companies.company_type == CUSTOMER_COMPANY_TYPE)
        & (companies.user_count > 0)
    )
    return _per_window(ctx, companies, companies.user_count.sum())


def _reactive_tickets(ctx: FunctionContext) -> pd.DataFrame:
    frame = created_counts(ctx)
    frame = frame[frame["reactive"] > 0]
    return frame[ctx.keys].assign(top=frame["reactive"].astype(float))


def _reactive_hours(ctx: FunctionContext) -> pd.DataFrame:
    return ticket_hours(ctx)[[*ctx.keys, "top"]]


def per_month(ctx: FunctionContext, top: pd.DataFrame, bottom: pd.DataFrame) -> pd.DataFrame:
    """top / (base × months), per key; `n` is the base (endpoints, users, clients)."""
    frame = bottom.merge(top, on=ctx.keys, how="left")
    frame["top"] = frame["top"].astype(float).fillna(0.0)
    frame = frame[frame["base"].fillna(0) > 0]
    frame["value"] = divide(frame["top"], frame["base"] * frame["months"])
    frame["n"] = frame["base"].astype(int)
    return result(frame, ctx)


@register("reactive_tickets_per_endpoint", dimensions=("company",), uses_as_of="date")
def reactive_tickets_per_endpoint(ctx: FunctionContext) -> pd.DataFrame:
    return per_month(ctx, _reactive_tickets(ctx), endpoints(ctx))


@register("reactive_tickets_per_user", dimensions=("company",), uses_as_of="date")
def reactive_tickets_per_user(ctx: FunctionContext) -> pd.DataFrame:
    return per_month(ctx, _reactive_tickets(ctx), users(ctx))


@register("rhem", dimensions=("company",), uses_as_of="date")
def rhem(ctx: FunctionContext) -> pd.DataFrame:
    return per_month(ctx, _reactive_hours(ctx), endpoints(ctx))


@register("reactive_hours_per_user", dimensions=("company",), uses_as_of="date")
def reactive_hours_per_user(ctx: FunctionContext) -> pd.DataFrame:
    return per_month(ctx, _reactive_hours(ctx), users(ctx))


@register("tickets_per_client", dimensions=("company",), uses_as_of="date")
def tickets_per_client(ctx: FunctionContext) -> pd.DataFrame:
    """Tickets created per active customer per month."""
    counts = created_counts(ctx)
    top = counts[ctx.keys].assign(top=counts["n"].astype(float))
    companies = ctx.base("companies", ["is_active", "company_type"])
    companies = companies.filter(
        companies.is_active.fill_null(True) & (companies.company_type == CUSTOMER_COMPANY_TYPE)
    )
    return per_month(ctx, top, _per_window(ctx, companies, companies.count()))


@register("proactive_hours_share", dimensions=TIME_DIMS, uses_as_of=False)
def proactive_hours_share(ctx: FunctionContext) -> pd.DataFrame:
    """Hours on non-reactive tickets (requests, changes, alerts) / all ticket hours in P."""
    frame = ticket_hours(ctx)
    total = frame["total"].astype(float)
    share = 100.0 * frame["yes"].astype(float).fillna(0.0) / total
    frame["value"] = share.where(total > 0)
    return result(frame, ctx)


@register("avg_handle_time", dimensions=TIME_DIMS, uses_as_of=False)
def avg_handle_time(ctx: FunctionContext) -> ibis.Table:
    """Mean, over tickets worked on in P, of the hours logged on each in P."""
    entries = ctx.base("time_entries", ["date_worked", "hours_worked"])
    rows = ctx.in_windows(entries, "date_worked", period_columns=False)
    rows = rows.filter(rows.ticket_id.notnull())
    per_ticket = rows.group_by([*ctx.keys, "ticket_id"]).aggregate(hours=rows.hours_worked.sum())
    agg = per_ticket.group_by(ctx.keys).aggregate(
        value=per_ticket.hours.mean(), n=per_ticket.count()
    )
    return agg
