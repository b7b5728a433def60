"""Who carries too many open tickets: an average over the whole team hides one overloaded
engineer, so these count and name the engineers above the limit (setting
`overload_open_tickets`)."""

from __future__ import annotations

import ibis

from stip.semantic.functions import FunctionContext, register, register_actions


def open_per_engineer(ctx: FunctionContext) -> ibis.Table:
    """Per window and active resource with open tickets: `open_tickets`, the tickets
    assigned to them that are open at the period's end (as `open_backlog` counts them)."""
    ends = [w.period.end_utc for w in ctx.windows]
    tickets = ctx.base("tickets", ["create_date", "completed_date", "dim_resource"])
    # No ticket completed before the first end or created after the last one can be open
    # at any of them: a range the scan can skip by, before each row meets every window.
    tickets = tickets.filter(
        tickets.dim_resource.notnull()
        & (tickets.create_date < max(ends))
        & (tickets.completed_date.isnull() | (tickets.completed_date >= min(ends)))
    )
    rows = ctx.in_windows(tickets, None)
    rows = rows.filter(
        (rows.create_date < rows.p_end)
        & (rows.completed_date.isnull() | (rows.completed_date >= rows.p_end))
    )
    keys = ["p_idx", "dim_resource", *(["dim_team"] if "dim_team" in rows.columns else [])]
    counts = rows.group_by(keys).aggregate(open_tickets=rows.count())
    people = ctx.con.table("resources")
    active = people.filter(people.is_active).select(active_id=people.id)
    return counts.join(active, counts.dim_resource == active.active_id).drop("active_id")


def _over_limit(ctx: FunctionContext) -> ibis.Table:
    load = open_per_engineer(ctx)
    limit = ctx.settings.overload_open_tickets
    return load.filter(load.open_tickets > limit).mutate(open_limit=ibis.literal(limit))


@register(
    "overloaded_engineers",
    dimensions=("team",),
    scopes=("resource", "team"),
    uses_as_of=False,
    additive="count",
)
def overloaded_engineers(ctx: FunctionContext) -> ibis.Table:
    """Active engineers with more open tickets at the period's end than the limit."""
    over = _over_limit(ctx)
    agg = over.group_by(ctx.keys).aggregate(value=over.count())
    return agg.mutate(n=agg.value)


@register_actions(
    "overloaded_engineers", base="resources", columns=("dim_resource", "open_tickets", "open_limit")
)
def overloaded_engineer_rows(ctx: FunctionContext) -> ibis.Table:
    """One row per overloaded engineer, for the team lead to share out their tickets."""
    over = _over_limit(ctx)
    return over.mutate(id=over.dim_resource)
