"""The billing items of the windows, grouped once for every KPI that weighs revenue or item cost.

Margins per client, contract and kind of revenue, the effective hourly rate, MRR and client
concentration all read the items billed in the windows. `item_money` scans them ONCE per
computation, grouped per window, client, contract and kind (labour, recurring); each KPI
sums the groups it needs.
"""

from __future__ import annotations

import ibis
import pandas as pd

from stip.semantic.functions import FunctionContext
from stip.semantic.kpis_builtin.common import shared_per_window
from stip.semantic.query import join_periods


def is_recurring(items: ibis.Table) -> ibis.Value:
    return items.service_id.notnull()


def company_items(ctx: FunctionContext) -> ibis.Table:
    """Billing items with `company`, filtered to a company scope."""
    items = ctx.con.table("billing_items")
    if ctx.scope.companies is not None:
        items = items.filter(items.company_id.isin(ctx.scope.companies))
    return items.mutate(company=items.company_id)


@shared_per_window
def item_money(ctx: FunctionContext) -> pd.DataFrame:
    """Per `p_idx`, `company`, `contract`, `labour` (bills a time entry), `recurring`
    (bills a contract service) and `block` (bills, or draws on, a prepaid block of hours):
    `price` (Σ extended price, null when all are null),
    `direct` (Σ our cost of the items that are not labour, nulls as 0) and `n` (items)."""
    items = join_periods(
        company_items(ctx), ctx.periods, "item_date", ctx.windows, period_columns=False
    )
    # A block's purchase: an item that names its block, or (a store synced before Stip read
    # `contractBlockID`) a charge on the contract dated the day a block was bought.
    blocks = ctx.con.table("contract_blocks")
    bought = blocks.select(
        b_src=blocks.source_system, b_contract=blocks.contract_id, b_day=blocks.date_purchased
    ).distinct()
    items = items.left_join(
        bought,
        [
            items.source_system == bought.b_src,
            items.contract_id == bought.b_contract,
            items.item_date == bought.b_day,
        ],
    )
    labour = items.time_entry_id.notnull()
    block = items.contract_block_id.notnull() | (
        items.b_contract.notnull() & ~labour & ~is_recurring(items)
    )
    direct = ibis.ifelse(labour, 0.0, items.our_cost.fill_null(0.0))
    grouped = items.group_by(
        [
            "p_idx",
            "company",
            items.contract_id.name("contract"),
            labour.name("labour"),
            is_recurring(items).name("recurring"),
            block.name("block"),
        ]
    ).aggregate(price=items.extended_price.sum(), direct=direct.sum(), n=items.count())
    frame = grouped.to_pandas()
    frame[["price", "direct"]] = frame[["price", "direct"]].astype(float)
    return frame
