"""Profitability, pricing and cash.

Labour cost is hours worked × the resource's `internal_cost` (its loaded hourly cost), taken
from the time entries so that non-billable and not-yet-posted work counts too. The `our_cost`
of labour billing items is left out (it is the same labour again); the `our_cost` of every
other item (tools, licences, products) is the item's direct cost.
"""

from __future__ import annotations

import ibis
import pandas as pd

from stip.semantic.bases import ACCOUNT_MANAGER
from stip.semantic.functions import FunctionContext, register, register_actions
from stip.semantic.kpis_builtin.common import (
    CUSTOMER_COMPANY_TYPE,
    billing_months,
    divide,
    elapsed_months,
    result,
    shared,
    shared_per_window,
    sums,
)
from stip.semantic.kpis_builtin.money import item_money
from stip.semantic.kpis_builtin.work import entry_work
from stip.semantic.kpis_builtin.workload import per_month, users

TIME_DIMS = ("resource", "company", "queue", "priority", "team")


# Autotask's system contract type Time & Materials: its hours are billed as they are approved.
HOURLY_CONTRACT = 1


@shared
def _hourly_contracts(ctx: FunctionContext) -> set[int]:
    contracts = ctx.con.table("contracts")
    hourly = contracts.filter(contracts.contract_type == HOURLY_CONTRACT).select("id")
    return {int(c) for c in hourly.to_pandas()["id"]}


def _unbilled(ctx: FunctionContext, work: pd.DataFrame) -> pd.Series:
    """Which `entry_work` rows are billable hours billed by the hour (on a Time & Materials
    contract, or on none) and not approved for billing yet: their revenue comes with their
    billing, so until then their cost alone would make a running month's contract or client
    lose money. Hours a fee or a block pays for count when worked."""
    hourly = work["contract"].isna() | work["contract"].isin(_hourly_contracts(ctx))
    return work["billable"] & ~work["approved"] & hourly


def _matched_work(ctx: FunctionContext) -> pd.DataFrame:
    """`entry_work` without the unbilled hourly work (`_unbilled`), for margins."""
    work = entry_work(ctx)
    return work[~_unbilled(ctx, work)]


@shared
def _per_company(ctx: FunctionContext) -> pd.DataFrame:
    """Per window and client: revenue, direct item cost, recurring revenue, labour cost and
    hours (all of them; `unbilled`: the cost of hourly work not approved for billing yet),
    and what services bring and cost. Services are every item but the charges outside
    contracts (products): fixed fees, blocks of hours and contract charges
    (`service_billed`, their direct cost `service_cost`) and hours billed (`labour_revenue`;
    a labour item's own cost is the labour again)."""
    items = item_money(ctx)
    # billed for a month or a block rather than for the hours worked
    billed = ~items["labour"] & (items["recurring"] | items["contract"].notna())
    items = items.assign(
        recurring_price=items["price"].where(items["recurring"]),
        service_billed=items["price"].where(billed),
        labour_revenue=items["price"].where(items["labour"]),
        service_cost=items["direct"].where(billed),
    )
    money = sums(
        items,
        ["p_idx", "company"],
        revenue="price",
        item_cost="direct",
        recurring="recurring_price",
        service_billed="service_billed",
        labour_revenue="labour_revenue",
        service_cost="service_cost",
    )
    work = entry_work(ctx)
    work = work[work["company"].notna()]
    work = work.assign(unbilled=work["cost"].where(_unbilled(ctx, work), 0.0))
    work = sums(work, ["p_idx", "company"], labour="cost", hours="hours", unbilled="unbilled")
    both = money.merge(work, on=["p_idx", "company"], how="outer")
    numbers = ["revenue", "item_cost", "recurring", "service_billed", "labour_revenue"]
    numbers += ["service_cost", "labour", "hours", "unbilled"]
    both[numbers] = both[numbers].astype(float).fillna(0.0)
    if ctx.by == "company":
        both["dim_company"] = both["company"]
    return both


def _sum_keys(ctx: FunctionContext, frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame.groupby(ctx.keys, dropna=False)[columns].sum().reset_index()


@register("client_contribution", dimensions=("company",), uses_as_of=False, additive="sum")
def client_contribution(ctx: FunctionContext) -> pd.DataFrame:
    """Revenue − direct item cost − labour cost, summed over clients; hourly work not approved
    for billing yet (`unbilled`) counts with its billing."""
    frame = _per_company(ctx)
    frame["value"] = frame["revenue"] - frame["item_cost"] - frame["labour"] + frame["unbilled"]
    frame["n"] = 1
    return result(_sum_keys(ctx, frame, ["value", "n"]), ctx)


@register("client_effective_rate", dimensions=("company",), uses_as_of=False)
def client_effective_rate(ctx: FunctionContext) -> pd.DataFrame:
    """Recurring (fixed-fee) revenue / hours worked, over clients billed recurring revenue."""
    frame = _per_company(ctx)
    frame = frame[frame["recurring"] > 0].assign(n=1)
    agg = _sum_keys(ctx, frame, ["recurring", "hours", "n"])
    agg["value"] = divide(agg["recurring"], agg["hours"])
    return result(agg, ctx)


@shared
def _counted_customers(ctx: FunctionContext) -> set[int]:
    """The active customers with a user count, looked up once per computation."""
    companies = ctx.con.table("companies")
    customers = companies.filter(
        companies.is_active.fill_null(True)
        & (companies.company_type == CUSTOMER_COMPANY_TYPE)
        & (companies.user_count > 0)
    )
    return set(customers.select("id").to_pandas()["id"].astype(int))


def _per_user_month(ctx: FunctionContext, billed: list[str], worked: list[str]) -> pd.DataFrame:
    """Σ of `_per_company` columns over active customers, per month, / their users. Money
    `billed` for a month or a block counts every month begun by the as-of (a fee is billed
    on the 1st, so 2 November already holds November's); money for hours `worked`, the
    months elapsed. A client without a user count adds neither: its money over other
    clients' users would inflate the figure per user."""
    frame = _per_company(ctx)
    frame = frame[frame["company"].isin(_counted_customers(ctx))]
    top = _sum_keys(ctx, frame, [*billed, *worked])
    months = pd.DataFrame(
        {
            "p_idx": [w.idx for w in ctx.windows],
            "billed_months": [billing_months(w) for w in ctx.windows],
            "worked_months": [elapsed_months(w) for w in ctx.windows],
        }
    )
    top = top.merge(months, on="p_idx")
    top["top"] = divide(top[billed].sum(axis=1), top["billed_months"]).fillna(0.0) + divide(
        top[worked].sum(axis=1), top["worked_months"]
    ).fillna(0.0)
    # the users per key; the money is per month already
    return per_month(ctx, top[[*ctx.keys, "top"]], users(ctx).assign(months=1.0))


@register("cost_to_serve_per_user", dimensions=("company",), uses_as_of="date")
def cost_to_serve_per_user(ctx: FunctionContext) -> pd.DataFrame:
    """Labour cost on active customers per user per month."""
    return _per_user_month(ctx, [], ["labour"])


@register("service_revenue_per_user", dimensions=("company",), uses_as_of="date")
def service_revenue_per_user(ctx: FunctionContext) -> pd.DataFrame:
    """What active customers pay for services per user per month: the price an all-in fee
    per user replaces."""
    return _per_user_month(ctx, ["service_billed"], ["labour_revenue"])


@register("full_cost_per_user", dimensions=("company",), uses_as_of="date")
def full_cost_per_user(ctx: FunctionContext) -> pd.DataFrame:
    """Labour cost plus the direct cost of the services' items (the tools and licences they
    run on) of active customers, per user per month."""
    return _per_user_month(ctx, ["service_cost"], ["labour"])


@shared
def _block_rates(ctx: FunctionContext) -> pd.DataFrame:
    """Per contract with prepaid blocks of hours: `rate`, what its blocks cost per hour
    (Σ hours × hourly rate / Σ hours)."""
    blocks = ctx.con.table("contract_blocks")
    blocks = blocks.filter((blocks.hours > 0) & blocks.hourly_rate.notnull())
    rates = blocks.group_by(contract=blocks.contract_id).aggregate(
        value=(blocks.hours * blocks.hourly_rate).sum(), hours=blocks.hours.sum()
    )
    frame = rates.to_pandas()
    return pd.DataFrame(
        {"contract": frame["contract"], "rate": frame["value"].astype(float) / frame["hours"]}
    )


@shared_per_window
def _per_contract(ctx: FunctionContext) -> pd.DataFrame:
    """Per window and contract (one row each): revenue, direct item cost and labour cost, and
    `company`, the contract's client (else the company its items are billed to): a contract
    billed partly to another company, such as a parent, is still one contract.

    A prepaid block of hours is revenue as its hours are used, not when it is billed: on a
    contract with blocks, the items that bill or draw on a block are replaced by the billable
    hours worked on the contract in the window × the blocks' hourly rate. Otherwise every
    month without a purchase would read as a loss, and the month of one as a windfall."""
    items = item_money(ctx)
    items = items[items["contract"].notna()]
    rates = _block_rates(ctx)
    items = items[~(items["block"] & items["contract"].isin(rates["contract"]))]
    keys = ["p_idx", "contract"]
    money = sums(items, keys, revenue="price", item_cost="direct")
    billed_to = items.groupby(keys)["company"].min().rename("billed_to").reset_index()
    money = money.merge(billed_to, on=keys, how="left")
    work = _matched_work(ctx)
    work = work[work["contract"].notna()]
    used = work[work["billable"] & work["contract"].isin(rates["contract"])]
    used = sums(used, keys, block_hours="hours").merge(rates, on="contract")
    used["earned"] = used["block_hours"].astype(float).fillna(0.0) * used["rate"]
    work = sums(work, keys, labour="cost").merge(used[[*keys, "earned"]], on=keys, how="outer")
    contracts = ctx.con.table("contracts").select(contract="id", owner="company_id").to_pandas()
    both = money.merge(work, on=keys, how="outer")
    both = both.merge(contracts, on="contract", how="left")
    both["company"] = both["owner"].fillna(both["billed_to"])
    both["revenue"] = both["revenue"].astype(float).fillna(0.0) + both["earned"].fillna(0.0)
    if ctx.scope.companies is not None:
        both = both[both["company"].isin(ctx.scope.companies)]
    numbers = ["revenue", "item_cost", "labour"]
    both[numbers] = both[numbers].astype(float).fillna(0.0)
    if ctx.by == "company":
        both["dim_company"] = both["company"]
    return both


@register("agreement_gross_margin", dimensions=("company",), uses_as_of=False)
def agreement_gross_margin(ctx: FunctionContext) -> pd.DataFrame:
    """(contract revenue − item cost − labour cost) / contract revenue, over contracts."""
    frame = _per_contract(ctx)
    frame["margin"] = frame["revenue"] - frame["item_cost"] - frame["labour"]
    frame["n"] = 1
    agg = _sum_keys(ctx, frame, ["margin", "revenue", "n"])
    agg["value"] = divide(agg["margin"], agg["revenue"], 100.0)
    return result(agg, ctx)


def _contract_loss(ctx: FunctionContext) -> pd.DataFrame:
    """`_per_contract` with `cost` (direct items and labour) and `loss` (cost − revenue), in
    cents: a contract that breaks even is not a loss of a rounding error."""
    frame = _per_contract(ctx)
    frame["revenue"] = frame["revenue"].round(2)
    frame["cost"] = (frame["item_cost"] + frame["labour"]).round(2)
    frame["loss"] = (frame["cost"] - frame["revenue"]).round(2)
    return frame


@register("underwater_agreements", dimensions=("company",), uses_as_of=False, additive="count")
def underwater_agreements(ctx: FunctionContext) -> pd.DataFrame:
    """Contracts whose revenue in P does not cover their item and labour cost."""
    frame = _contract_loss(ctx)
    frame["value"] = (frame["loss"] > 0).astype(int)
    frame["n"] = frame["value"]
    return result(_sum_keys(ctx, frame, ["value", "n"]), ctx)


_LOSS_COLUMNS = ("revenue", "cost", "loss")


@register_actions(
    "underwater_agreements",
    base="contracts",
    columns=("dim_company", ACCOUNT_MANAGER, "contract_name", *_LOSS_COLUMNS),
)
def underwater_agreement_rows(ctx: FunctionContext) -> ibis.Table:
    """The loss-making contracts, for the client's account manager to reprice or renegotiate."""
    frame = _contract_loss(ctx)
    lost = frame.loc[frame["loss"] > 0, ["contract", *_LOSS_COLUMNS]]
    losses = ibis.memtable(lost.astype({"contract": "int64"}))
    contracts = ctx.base("contracts", ["contract_name", ACCOUNT_MANAGER])
    rows = contracts.join(losses, contracts.id == losses.contract)
    return rows.select("id", "dim_company", ACCOUNT_MANAGER, "contract_name", *_LOSS_COLUMNS)


@shared
def _totals(ctx: FunctionContext) -> pd.DataFrame:
    """Per window: revenue by kind, direct item cost by kind, and labour cost (`_matched_work`:
    billable hours billed by the hour count once approved, with their billing)."""
    items = item_money(ctx)
    service = items["labour"] | items["recurring"]
    charge = ~service & items["contract"].isna()
    price, direct = items["price"], items["direct"]
    items = items.assign(
        service_price=price.where(service),
        service_direct=direct.where(service),
        charge_price=price.where(charge),
        charge_direct=direct.where(charge),
        recurring_price=price.where(items["recurring"]),
        labour_price=price.where(items["labour"]),
        service_n=items["n"].where(service, 0),
        charge_n=items["n"].where(charge, 0),
    )
    money = sums(
        items,
        ["p_idx"],
        revenue="price",
        item_cost="direct",
        service_revenue="service_price",
        service_cost="service_direct",
        charge_revenue="charge_price",
        charge_cost="charge_direct",
        recurring="recurring_price",
        labour_revenue="labour_price",
        items="n",
        service_items="service_n",
        charge_items="charge_n",
    )
    work = sums(_matched_work(ctx), ["p_idx"], labour="cost")
    idx = pd.DataFrame({"p_idx": [w.idx for w in ctx.windows]})
    out = idx.merge(money, on="p_idx", how="left").merge(work, on="p_idx", how="left")
    numbers = [c for c in out.columns if c != "p_idx"]
    out[numbers] = out[numbers].astype(float).fillna(0.0)
    out["months"] = out["p_idx"].map({w.idx: billing_months(w) for w in ctx.windows})
    out["elapsed"] = out["p_idx"].map({w.idx: elapsed_months(w) for w in ctx.windows})
    return out


@register("service_gross_margin", dimensions=(), uses_as_of=False)
def service_gross_margin(ctx: FunctionContext) -> pd.DataFrame:
    """(recurring + labour revenue − their direct cost − ALL labour cost) / that revenue."""
    out = _totals(ctx)
    margin = out["service_revenue"] - out["service_cost"] - out["labour"]
    out["value"] = divide(margin, out["service_revenue"], 100.0)
    out["n"] = out["service_items"]
    return result(out, ctx)


@register("blended_gross_margin", dimensions=(), uses_as_of=False)
def blended_gross_margin(ctx: FunctionContext) -> pd.DataFrame:
    out = _totals(ctx)
    margin = out["revenue"] - out["item_cost"] - out["labour"]
    out["value"] = divide(margin, out["revenue"], 100.0)
    out["n"] = out["items"]
    return result(out, ctx)


@register("product_gross_margin", dimensions=(), uses_as_of=False)
def product_gross_margin(ctx: FunctionContext) -> pd.DataFrame:
    """Charges outside contracts and time (products, materials): (price − cost) / price."""
    out = _totals(ctx)
    out["value"] = divide(out["charge_revenue"] - out["charge_cost"], out["charge_revenue"], 100.0)
    out["n"] = out["charge_items"]
    return result(out, ctx)


@shared
def staff_numbers(ctx: FunctionContext) -> tuple[float, float, int]:
    """Active staff: FTE (weekly hours / 40), monthly loaded cost and head count."""
    people = ctx.con.table("resources")
    people = people.filter(people.is_active.fill_null(False))
    frame = people.select("weekly_hours", "internal_cost").to_pandas()
    weekly = frame["weekly_hours"].astype(float).fillna(40.0)
    fte = float(weekly.sum() / 40.0)
    monthly_cost = float((weekly * frame["internal_cost"].astype(float).fillna(0.0)).sum())
    return fte, monthly_cost * 52 / 12, len(frame)


@register("recurring_to_tech_payroll", dimensions=(), uses_as_of="date")
def recurring_to_tech_payroll(ctx: FunctionContext) -> pd.DataFrame:
    """MRR / the monthly loaded cost of active staff (internal cost × weekly hours × 52/12)."""
    out = _totals(ctx)
    _fte, monthly_cost, heads = staff_numbers(ctx)
    mrr = divide(out["recurring"], out["months"])
    out["value"] = mrr / monthly_cost if monthly_cost > 0 else None
    out["n"] = heads
    return result(out, ctx)


@register("revenue_per_employee", dimensions=(), uses_as_of="date")
def revenue_per_employee(ctx: FunctionContext) -> pd.DataFrame:
    """Revenue billed in P, annualised, per active FTE. What is billed for a month or a
    block (fees, blocks of hours, contract charges: on the 1st or on purchase) over the
    months begun; labour and sales outside contracts (billed as the work is done) over the
    months elapsed, as `service_revenue_per_user` does. Over whole months the two agree."""
    out = _totals(ctx)
    fte, _cost, heads = staff_numbers(ctx)
    as_done = out["labour_revenue"] + out["charge_revenue"]
    up_front = divide(out["revenue"] - as_done, out["months"])
    yearly = up_front.add(divide(as_done, out["elapsed"]), fill_value=0.0) * 12.0
    out["value"] = yearly / fte if fte > 0 else None
    out["n"] = heads
    return result(out, ctx)


@register("ms_revenue_per_employee", dimensions=(), uses_as_of="date")
def ms_revenue_per_employee(ctx: FunctionContext) -> pd.DataFrame:
    """ARR (recurring revenue per month × 12) per active FTE."""
    out = _totals(ctx)
    fte, _cost, heads = staff_numbers(ctx)
    yearly = divide(out["recurring"], out["months"], 12.0)
    out["value"] = yearly / fte if fte > 0 else None
    out["n"] = heads
    return result(out, ctx)


def _covered_at_no_charge(ctx: FunctionContext) -> ibis.Table:
    """The time entries billed at EUR 0 on a contract with a fixed fee (a recurring service)
    or prepaid blocks of hours: the fee or the block pays for them, nobody wrote them off."""
    services, blocks = ctx.con.table("contract_services"), ctx.con.table("contract_blocks")
    covered = (
        services.select(c_src=services.source_system, c_id=services.contract_id)
        .union(blocks.select(c_src=blocks.source_system, c_id=blocks.contract_id))
        .distinct()
    )
    items = ctx.con.table("billing_items")
    free = items.filter(items.time_entry_id.notnull() & (items.extended_price.fill_null(0.0) == 0))
    free = free.semi_join(
        covered, [free.source_system == covered.c_src, free.contract_id == covered.c_id]
    )
    return free.select(f_src=free.source_system, f_entry=free.time_entry_id)


@register("realization_rate", dimensions=("resource", "company", "team"), uses_as_of=False)
def realization_rate(ctx: FunctionContext) -> ibis.Table:
    """Labour billed for the billable entries of P approved for billing / their hours at the
    role's standard rate. Entries not approved yet are work in progress, not written off
    (`unbilled_billable_time` lists them): counted, they made every running month red. Left
    out too: the entries a fixed fee or a block covers (billed at EUR 0 on such a contract),
    which under all-in contracts would read as written off."""
    columns = [
        "date_worked",
        "is_non_billable",
        "role_id",
        "hours_worked",
        "billing_approval_date_time",
    ]
    entries = ctx.in_windows(ctx.base("time_entries", columns), "date_worked", period_columns=False)
    approved = entries.billing_approval_date_time.notnull()
    entries = entries.filter((entries.is_non_billable == False) & approved)  # noqa: E712
    free = _covered_at_no_charge(ctx)
    entries = entries.anti_join(
        free, [entries.source_system == free.f_src, entries.id == free.f_entry]
    )
    roles = ctx.con.table("roles").select(o_src="source_system", o_id="id", o_rate="hourly_rate")
    items = ctx.con.table("billing_items")
    items = items.filter(items.time_entry_id.notnull()).select(
        b_src=items.source_system, b_entry=items.time_entry_id, b_amount=items.extended_price
    )
    rated = entries.inner_join(
        roles, [entries.source_system == roles.o_src, entries.role_id == roles.o_id]
    )
    rated = rated.filter(rated.o_rate.notnull())
    # The entries' standard value and their billing items' amounts as one stack of rows,
    # summed per key: no per-entry grouping, and only the entries' keys meet the items.
    worked = rated.select(
        *ctx.keys,
        standard=rated.hours_worked * rated.o_rate,
        billed=ibis.literal(0.0),
        entry=ibis.literal(1),
    )
    owners = rated.select(*ctx.keys, e_src=rated.source_system, e_id=rated.id)
    billed = items.inner_join(owners, [items.b_src == owners.e_src, items.b_entry == owners.e_id])
    billed = billed.select(
        *ctx.keys,
        standard=ibis.null("float64"),
        billed=billed.b_amount.fill_null(0.0),
        entry=ibis.literal(0),
    )
    rows = worked.union(billed)
    agg = rows.group_by(ctx.keys).aggregate(
        billed=rows.billed.sum(), standard=rows.standard.sum(), n=rows.entry.sum()
    )
    return agg.select(
        *ctx.keys,
        value=ibis.ifelse(
            agg.standard > 0, 100.0 * agg.billed / agg.standard, ibis.null("float64")
        ),
        n=agg.n,
    )


@register("dso", dimensions=("company",))
def dso(ctx: FunctionContext) -> pd.DataFrame:
    """Open receivables at the period end (or as-of) / revenue invoiced per elapsed day."""
    columns = ["is_voided", "invoice_date_time", "paid_date", "invoice_total"]
    invoices = ctx.base("invoices", columns).cross_join(ctx.periods)
    invoices = invoices.filter(invoices.is_voided.fill_null(False) == False)  # noqa: E712
    issued = invoices.invoice_date_time < invoices.p_until
    unpaid = invoices.paid_date.isnull() | (invoices.paid_date >= invoices.p_until)
    in_period = (invoices.invoice_date_time >= invoices.p_start) & issued
    frame = (
        invoices.group_by(ctx.keys)
        .aggregate(
            open=invoices.invoice_total.sum(where=issued & unpaid),
            billed=invoices.invoice_total.sum(where=in_period),
            n=invoices.count(where=issued & unpaid),
        )
        .to_pandas()
    )
    if frame.empty:
        return result(frame, ctx)
    elapsed = {
        w.idx: max(0.0, (min(w.period.end, w.as_of) - w.period.start).total_seconds() / 86400)
        for w in ctx.windows
    }
    per_day = divide(frame["billed"].astype(float).fillna(0.0), frame["p_idx"].map(elapsed))
    frame["value"] = divide(frame["open"].astype(float).fillna(0.0), per_day)
    return result(frame, ctx)


@register("block_hours_burn", dimensions=(), uses_as_of="date")
def block_hours_burn(ctx: FunctionContext) -> ibis.Table:
    """Hours used / hours sold, over prepaid hour blocks running at the as-of date."""
    blocks = ctx.con.table("contract_blocks").cross_join(ctx.periods)
    running = (blocks.start_date <= blocks.p_as_of_date) & (
        blocks.end_date.isnull() | (blocks.end_date >= blocks.p_as_of_date)
    )
    blocks = blocks.filter(running)
    agg = blocks.group_by("p_idx").aggregate(
        used=blocks.hours_approved.fill_null(0.0).sum(), sold=blocks.hours.sum(), n=blocks.count()
    )
    return agg.select(
        "p_idx",
        value=ibis.ifelse(agg.sold > 0, 100.0 * agg.used / agg.sold, ibis.null("float64")),
        n=agg.n,
    )


@register("project_hours_variance", dimensions=("company",), uses_as_of=False)
def project_hours_variance(ctx: FunctionContext) -> ibis.Table:
    """(actual − estimated hours) / estimated hours, over projects completed in P."""
    columns = ["completed_date_time", "estimated_time", "actual_hours"]
    projects = ctx.in_windows(
        ctx.base("projects", columns), "completed_date_time", period_columns=False
    )
    projects = projects.filter(projects.estimated_time > 0)
    agg = projects.group_by(ctx.keys).aggregate(
        actual=projects.actual_hours.fill_null(0.0).sum(),
        estimated=projects.estimated_time.sum(),
        n=projects.count(),
    )
    return agg.select(
        *ctx.keys,
        value=100.0 * (agg.actual - agg.estimated) / agg.estimated,
        n=agg.n,
    )
