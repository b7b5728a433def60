"""Record selections for the account manager and finance: contracts, margins, unbilled time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

import ibis
from ibis.backends import BaseBackend
from pydantic import Field

from stip.actions.rules import MAX_DAYS, RuleParams
from stip.semantic.kpis_builtin.contracts import ends_within, is_running, renewed_ids
from stip.textnumbers import Number

if TYPE_CHECKING:
    from stip.actions.evaluate import EvalContext
    from stip.actions.rules import Rule
    from stip.actions.selectors import Candidate


class ContractEndingParams(RuleParams):
    within_days: int = Field(
        60, ge=0, le=MAX_DAYS, description="the whole days before the contract end, >= 0"
    )


class LossMakingParams(RuleParams):
    min_hours: float = Field(
        1.0, ge=0, description="the fewest hours in the quarter for a client to count, >= 0"
    )


class UnbilledTimeParams(RuleParams):
    grace_business_days: float = Field(
        3, ge=0, le=20, description="the business days after the month starts, 0 to 20"
    )


def _candidate(**kwargs: object) -> Candidate:
    from stip.actions.selectors import Candidate

    return Candidate(**kwargs)  # type: ignore[arg-type]


def _midnight(ctx: EvalContext, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ctx.tz)


def contract_ending(con: BaseBackend, ctx: EvalContext, rule: Rule) -> list[Candidate]:
    """Running contracts ending within N days that no other contract renews (`renewed_ids`,
    as the `expiring_contracts` KPI counts them)."""
    today = ctx.as_of.astimezone(ctx.tz).date()
    within = rule.param("within_days")
    c = con.table("contracts")
    ending = c.filter(ends_within(c, ibis.literal(today), within), is_running(c))
    renewed = renewed_ids(c)
    ending = ending.anti_join(renewed, ending.id == renewed.renewed_id)
    out = []
    rows = ending.select("id", "company_id", "contract_name", "end_date").to_pyarrow().to_pylist()
    for row in rows:
        end: date = row["end_date"]
        out.append(
            _candidate(
                key=f"contract:{row['id']}:{end.isoformat()}",
                triggered_at=_midnight(ctx, end - timedelta(days=within)),
                facts={
                    "company": ctx.directory.company_name(row["company_id"]),
                    "contract": row["contract_name"] or str(row["id"]),
                    "end_date": end.isoformat(),
                    "days_left": str((end - today).days),
                },
                company_id=row["company_id"],
                contract_id=row["id"],
            )
        )
    return out


def entries_with_company(con: BaseBackend) -> ibis.Table:
    """Time entries with their company: the ticket's, else the task's project's."""
    e = con.table("time_entries")
    t = con.table("tickets").select(ticket_key=ibis._.id, ticket_company=ibis._.company_id)
    k = con.table("tasks").select(task_key=ibis._.id, task_project=ibis._.project_id)
    p = con.table("projects").select(project_key=ibis._.id, project_company=ibis._.company_id)
    joined = (
        e.left_join(t, e.ticket_id == t.ticket_key)
        .left_join(k, e.task_id == k.task_key)
        .left_join(p, ibis._.task_project == p.project_key)
    )
    return joined.mutate(entry_company=joined.ticket_company.fill_null(joined.project_company))


def _previous_quarter(today: date) -> tuple[date, date, str]:
    quarter_start_month = 3 * ((today.month - 1) // 3) + 1
    end = date(today.year, quarter_start_month, 1)
    start_month = quarter_start_month - 3
    start = date(end.year, start_month, 1) if start_month > 0 else date(end.year - 1, 10, 1)
    label = f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return start, end, label


def loss_making(con: BaseBackend, ctx: EvalContext, rule: Rule) -> list[Candidate]:
    """Clients whose billed revenue last quarter is below hours x internal cost."""
    start, end, label = _previous_quarter(ctx.as_of.astimezone(ctx.tz).date())
    b = con.table("billing_items")
    revenue = (
        b.filter(b.item_date >= start, b.item_date < end)
        .group_by(rev_company=b.company_id)
        .aggregate(revenue=b.extended_price.sum())
    )
    e = entries_with_company(con)
    r = con.table("resources").select(res_key=ibis._.id, cost_rate=ibis._.internal_cost)
    costed = e.filter(e.date_worked >= start, e.date_worked < end).left_join(
        r, e.resource_id == r.res_key
    )
    cost = (
        costed.filter(costed.entry_company.notnull())
        .group_by(company=costed.entry_company)
        .aggregate(
            hours=costed.hours_worked.sum(),
            cost=(costed.hours_worked * costed.cost_rate.fill_null(0)).sum(),
        )
    )
    joined = cost.left_join(revenue, cost.company == revenue.rev_company)
    out = []
    for row in joined.to_pyarrow().to_pylist():
        revenue_value = row["revenue"] or 0.0
        if (row["hours"] or 0.0) < rule.param("min_hours") or row["cost"] <= revenue_value:
            continue
        out.append(
            _candidate(
                key=f"company:{row['company']}:{label}",
                triggered_at=_midnight(ctx, end),
                facts={
                    "company": ctx.directory.company_name(row["company"]),
                    "quarter": label,
                    "revenue": Number(revenue_value, 0),
                    "cost": Number(row["cost"], 0),
                    "hours": Number(row["hours"], 1),
                    "margin": Number(revenue_value - row["cost"], 0),
                },
                company_id=row["company"],
            )
        )
    return out


def unbilled_time(con: BaseBackend, ctx: EvalContext, rule: Rule) -> list[Candidate]:
    """Billable time entries of earlier billing cycles (months) with no billing item."""
    local = ctx.as_of.astimezone(ctx.tz)
    cycle_end = local.date().replace(day=1)
    bh = ctx.settings.business_hours
    day_hours = (
        datetime.combine(cycle_end, time.fromisoformat(bh.end))
        - datetime.combine(cycle_end, time.fromisoformat(bh.start))
    ).total_seconds() / 3600
    triggered = ctx.calendar.add_business_hours(
        _midnight(ctx, cycle_end), rule.param("grace_business_days") * day_hours
    )
    if ctx.as_of < triggered:
        return []
    e = entries_with_company(con)
    b = con.table("billing_items").filter(ibis._.time_entry_id.notnull())
    billed = b.select(billed_entry=b.time_entry_id)
    open_entries = e.filter(
        e.date_worked < cycle_end,
        e.date_worked >= cycle_end - timedelta(days=366),
        e.is_non_billable.fill_null(False) == False,  # noqa: E712 - Ibis expression
        e.entry_company.notnull(),
    )
    open_entries = open_entries.anti_join(billed, open_entries.id == billed.billed_entry)
    per_company = open_entries.group_by(company=open_entries.entry_company).aggregate(
        hours=open_entries.hours_worked.sum(),
        entries=open_entries.count(),
        oldest=open_entries.date_worked.min(),
    )
    out = []
    for row in per_company.to_pyarrow().to_pylist():
        out.append(
            _candidate(
                key=f"company:{row['company']}:{cycle_end.isoformat()}",
                triggered_at=triggered,
                facts={
                    "company": ctx.directory.company_name(row["company"]),
                    "hours": Number(row["hours"] or 0, 1),
                    "entries": str(row["entries"]),
                    "cycle_end": (cycle_end - timedelta(days=1)).isoformat(),
                    "oldest": row["oldest"].isoformat(),
                },
                company_id=row["company"],
            )
        )
    return out
