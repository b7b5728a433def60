"""Contracts that end soon, and which of them another contract already renews.

The same reading serves the `expiring_contracts` KPI and the `contract_renewal` action rule,
so a red tile and the action items behind it count the same contracts.
"""

from __future__ import annotations

from datetime import timedelta

import ibis

from stip.semantic.bases import ACCOUNT_MANAGER
from stip.semantic.functions import FunctionContext, register, register_actions

ACTIVE_CONTRACT = 1  # Autotask contract status "Active"
EXPIRY_DAYS = 60


def is_running(contracts: ibis.Table) -> ibis.Value:
    """Active, or without a status (a store filled without the status picklist)."""
    return contracts.status.isnull() | (contracts.status == ACTIVE_CONTRACT)


def ends_within(contracts: ibis.Table, first_day: ibis.Value, days: int) -> ibis.Value:
    """Ending on `first_day` (a date value or column) or at most `days` days after it (60
    from 2 November: up to and including 1 January)."""
    end = contracts.end_date
    return (end >= first_day) & (end <= first_day + ibis.interval(days=days))


def renewed_ids(contracts: ibis.Table) -> ibis.Table:
    """Ids (`renewed_id`) of the contracts another contract renews: one whose
    `renewedContractID` names it, or a later contract of the same company that starts at most
    a month before it ends."""
    c = contracts
    linked = c.filter(c.renewed_contract_id.notnull()).select(renewed_id=c.renewed_contract_id)
    later = c.select(
        later_company=c.company_id, later_start=c.start_date, later_end=c.end_date, later_id=c.id
    )
    followed = c.join(
        later,
        (c.company_id == later.later_company)
        & (later.later_id != c.id)
        & (later.later_end > c.end_date)
        & (later.later_start >= c.end_date - timedelta(days=31)),
    ).select(renewed_id=c.id)
    return linked.union(followed)


def _expiring(ctx: FunctionContext, columns: tuple[str, ...] = ()) -> ibis.Table:
    """Per window, the running contracts that end within 60 days from its as-of date and
    that nothing renews, with `columns` besides the ones the test reads."""
    wanted = ["start_date", "end_date", "status", "renewed_contract_id", *columns]
    rows = ctx.base("contracts", wanted).cross_join(ctx.periods.select("p_idx", "p_as_of_date"))
    rows = rows.filter(ends_within(rows, rows.p_as_of_date, EXPIRY_DAYS), is_running(rows))
    renewed = renewed_ids(ctx.con.table("contracts"))
    return rows.anti_join(renewed, rows.id == renewed.renewed_id)


@register("expiring_contracts", dimensions=("company",), uses_as_of="date", additive="count")
def expiring_contracts(ctx: FunctionContext) -> ibis.Table:
    """Running contracts that end within 60 days from the as-of date, not renewed."""
    rows = _expiring(ctx)
    return rows.group_by(ctx.keys).aggregate(value=rows.count(), n=rows.count())


_ROW_COLUMNS = (ACCOUNT_MANAGER, "contract_name", "end_date")


@register_actions("expiring_contracts", base="contracts", columns=(*_ROW_COLUMNS, "dim_company"))
def expiring_contract_rows(ctx: FunctionContext) -> ibis.Table:
    """The contracts the count holds, for the client's account manager to renew."""
    return _expiring(ctx, _ROW_COLUMNS)
