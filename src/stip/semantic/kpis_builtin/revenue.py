"""Recurring revenue, growth and retention from billing items.

A billing item is *recurring* when it bills a contract service (`service_id` set), *labour*
when it bills a time entry (`time_entry_id` set), and otherwise a charge (products, block
hours, expenses). MRR is the recurring revenue billed in the period per calendar month it
covers, so a month's MRR is what was billed for it. Churn, contraction and expansion compare
each client's MRR in the period with the previous period of the same kind.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from stip.semantic.functions import FunctionContext, register
from stip.semantic.kpis_builtin.common import (
    CUSTOMER_COMPANY_TYPE,
    billing_months,
    divide,
    previous_windows,
    result,
    shared,
    sums,
)
from stip.semantic.kpis_builtin.money import company_items, is_recurring, item_money
from stip.semantic.query import Window, join_periods


def _mrr_frame(
    ctx: FunctionContext, windows: list[Window], periods: ibis.Table, column: str
) -> pd.DataFrame:
    if windows is ctx.windows:  # the current periods: the shared per-window item totals
        money = item_money(ctx)
        frame = sums(money[money["recurring"]], ["p_idx", "company"], amount="price")
    else:
        items = company_items(ctx)
        items = items.filter(is_recurring(items))
        rows = join_periods(items, periods, "item_date", windows, period_columns=False)
        frame = (
            rows.group_by(["p_idx", "company"])
            .aggregate(amount=rows.extended_price.sum())
            .to_pandas()
        )
    span = {
        w.idx: billing_months(w, w.period if column == "cur" else w.period.previous())
        for w in ctx.windows
    }
    frame[column] = divide(frame["amount"], frame["p_idx"].map(span))
    return frame[["p_idx", "company", column]]


@shared
def client_mrr(ctx: FunctionContext) -> pd.DataFrame:
    """Per window and client: MRR in the period (`cur`) and in the previous period (`prev`)."""
    cur = _mrr_frame(ctx, ctx.windows, ctx.periods, "cur")
    prev = _mrr_frame(ctx, *previous_windows(ctx), "prev")
    both = cur.merge(prev, on=["p_idx", "company"], how="outer")
    both[["cur", "prev"]] = both[["cur", "prev"]].astype(float).fillna(0.0)
    if ctx.by == "company":
        both["dim_company"] = both["company"]
    return both


def _keyed(ctx: FunctionContext, frame: pd.DataFrame, **columns: pd.Series) -> pd.DataFrame:
    """Sum the given per-client series per key."""
    data = frame[ctx.keys].copy()
    for name, series in columns.items():
        data[name] = series.astype(float)
    return data.groupby(ctx.keys, dropna=False).sum().reset_index()


def _all_windows(ctx: FunctionContext, frame: pd.DataFrame) -> pd.DataFrame:
    """Without --by, make sure every window has a row (sums of nothing are 0); with --by,
    drop the groups with no records."""
    if ctx.by is not None:
        return frame[frame["n"] > 0] if "n" in frame.columns else frame
    idx = pd.DataFrame({"p_idx": [w.idx for w in ctx.windows]})
    out = idx.merge(frame, on="p_idx", how="left")
    numeric = [c for c in out.columns if c != "p_idx"]
    out[numeric] = out[numeric].astype(float).fillna(0.0)
    return out


@register("mrr", dimensions=("company",), uses_as_of="date", additive="sum")
def mrr(ctx: FunctionContext) -> pd.DataFrame:
    frame = client_mrr(ctx)
    agg = _all_windows(ctx, _keyed(ctx, frame, value=frame["cur"], n=frame["cur"] > 0))
    return result(agg, ctx)


@register("arr", dimensions=("company",), uses_as_of="date", additive="sum")
def arr(ctx: FunctionContext) -> pd.DataFrame:
    frame = client_mrr(ctx)
    agg = _all_windows(ctx, _keyed(ctx, frame, value=12 * frame["cur"], n=frame["cur"] > 0))
    return result(agg, ctx)


@register("net_new_mrr", dimensions=("company",), uses_as_of="date")
def net_new_mrr(ctx: FunctionContext) -> pd.DataFrame:
    frame = client_mrr(ctx)
    changed = frame["cur"] != frame["prev"]
    agg = _keyed(ctx, frame, value=frame["cur"] - frame["prev"], n=changed)
    return result(_all_windows(ctx, agg), ctx)


def _cohort(ctx: FunctionContext) -> pd.DataFrame:
    """Clients billed recurring revenue in the previous period, with their changes."""
    frame = client_mrr(ctx)
    start = frame["prev"] > 0
    return _keyed(
        ctx,
        frame,
        start=frame["prev"].where(start, 0.0),
        end=frame["cur"].where(start, 0.0),
        total_end=frame["cur"],
        kept=np.minimum(frame["cur"], frame["prev"]).where(start, 0.0),
        lost=np.maximum(frame["prev"] - frame["cur"], 0.0).where(start, 0.0),
        clients=start,
        churned=start & (frame["cur"] <= 0),
    )


@register("mrr_growth_rate", dimensions=("company",), uses_as_of="date")
def mrr_growth_rate(ctx: FunctionContext) -> pd.DataFrame:
    frame = client_mrr(ctx)
    agg = _keyed(ctx, frame, cur=frame["cur"], prev=frame["prev"], n=frame["prev"] > 0)
    agg["value"] = divide(agg["cur"] - agg["prev"], agg["prev"], 100.0)
    return result(agg, ctx)


@register("gross_revenue_retention", dimensions=("company",), uses_as_of="date")
def gross_revenue_retention(ctx: FunctionContext) -> pd.DataFrame:
    agg = _cohort(ctx)
    agg["value"] = divide(agg["kept"], agg["start"], 100.0)
    agg["n"] = agg["clients"]
    return result(agg, ctx)


@register("net_revenue_retention", dimensions=("company",), uses_as_of="date")
def net_revenue_retention(ctx: FunctionContext) -> pd.DataFrame:
    agg = _cohort(ctx)
    agg["value"] = divide(agg["end"], agg["start"], 100.0)
    agg["n"] = agg["clients"]
    return result(agg, ctx)


@register("revenue_churn_rate", dimensions=("company",), uses_as_of="date")
def revenue_churn_rate(ctx: FunctionContext) -> pd.DataFrame:
    agg = _cohort(ctx)
    agg["value"] = divide(agg["lost"], agg["start"], 100.0)
    agg["n"] = agg["clients"]
    return result(agg, ctx)


@register("client_churn_rate", dimensions=(), uses_as_of="date")
def client_churn_rate(ctx: FunctionContext) -> pd.DataFrame:
    agg = _cohort(ctx)
    agg["value"] = divide(agg["churned"], agg["clients"], 100.0)
    agg["n"] = agg["clients"]
    return result(agg, ctx)


@register("client_retention_rate", dimensions=(), uses_as_of="date")
def client_retention_rate(ctx: FunctionContext) -> pd.DataFrame:
    agg = _cohort(ctx)
    agg["value"] = 100.0 - divide(agg["churned"], agg["clients"], 100.0)
    agg["n"] = agg["clients"]
    return result(agg, ctx)


@shared
def _active_clients(ctx: FunctionContext) -> pd.DataFrame:
    """Per window: MRR, recurring clients and their users and active endpoints."""
    frame = client_mrr(ctx)
    frame = frame[frame["cur"] > 0]
    companies = ctx.con.table("companies").select("id", "user_count").to_pandas()
    items = ctx.con.table("configuration_items")
    items = items.filter(items.is_active.fill_null(True))
    endpoints = items.group_by(id=items.company_id).aggregate(endpoints=items.count()).to_pandas()
    frame = frame.merge(companies, left_on="company", right_on="id", how="left").drop(columns="id")
    frame = frame.merge(endpoints, left_on="company", right_on="id", how="left")
    agg = _keyed(
        ctx,
        frame,
        mrr=frame["cur"],
        clients=frame["cur"] > 0,
        users=frame["user_count"].fillna(0),
        endpoints=frame["endpoints"].fillna(0),
    )
    return _all_windows(ctx, agg)


@register("avg_mrr_per_client", dimensions=("company",), uses_as_of="date")
def avg_mrr_per_client(ctx: FunctionContext) -> pd.DataFrame:
    agg = _active_clients(ctx)
    agg["value"] = divide(agg["mrr"], agg["clients"])
    agg["n"] = agg["clients"]
    return result(agg, ctx)


@register("revenue_per_user", dimensions=("company",), uses_as_of="date")
def revenue_per_user(ctx: FunctionContext) -> pd.DataFrame:
    agg = _active_clients(ctx)
    agg["value"] = divide(agg["mrr"], agg["users"])
    agg["n"] = agg["users"]
    return result(agg, ctx)


@register("revenue_per_endpoint", dimensions=("company",), uses_as_of="date")
def revenue_per_endpoint(ctx: FunctionContext) -> pd.DataFrame:
    agg = _active_clients(ctx)
    agg["value"] = divide(agg["mrr"], agg["endpoints"])
    agg["n"] = agg["endpoints"]
    return result(agg, ctx)


@register("managed_attach_rate", dimensions=(), uses_as_of="date")
def managed_attach_rate(ctx: FunctionContext) -> pd.DataFrame:
    """Active customers billed recurring revenue in P / active customers. Both sides count
    only active customers: a client billed in P and offboarded since is in neither."""
    companies = ctx.con.table("companies")
    customers = companies.filter(
        companies.is_active.fill_null(True) & (companies.company_type == CUSTOMER_COMPANY_TYPE)
    )
    ids = set(customers.select("id").to_pandas()["id"].astype(int))
    frame = client_mrr(ctx)
    frame = frame[(frame["cur"] > 0) & frame["company"].isin(ids)]
    agg = _all_windows(ctx, _keyed(ctx, frame, clients=frame["cur"] > 0))
    agg["value"] = divide(agg["clients"], pd.Series(len(ids), index=agg.index), 100.0)
    agg["n"] = len(ids)
    return result(agg, ctx)


@register("top3_client_concentration", dimensions=(), uses_as_of=False)
def top3_client_concentration(ctx: FunctionContext) -> pd.DataFrame:
    """Revenue billed in P to the three largest clients / all revenue billed in P."""
    frame = sums(item_money(ctx), ["p_idx", "company"], amount="price")
    out = []
    for idx, part in frame.groupby("p_idx"):
        amounts = part["amount"].astype(float).sort_values(ascending=False)
        total = amounts.sum()
        value = 100.0 * amounts.head(3).sum() / total if total > 0 else None
        out.append({"p_idx": idx, "value": value, "n": len(amounts)})
    return result(pd.DataFrame(out), ctx)
