"""Ticket-flow and resolution KPIs that need labels, the calendar or per-ticket effort."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import ibis
import numpy as np
import pandas as pd

from stip.semantic.functions import FunctionContext, register
from stip.semantic.kpis_builtin.common import (
    CRITICAL_PRIORITY,
    REACTIVE_TICKET_TYPES,
    RMM_SOURCE,
    SELF_SERVICE_SOURCE,
    divide,
    local_date,
    open_at_reference,
    picklist_values,
    result,
    shared,
)

TICKET_DIMS = ("resource", "company", "queue", "priority", "team")
# How far before the windows local dates are exact for FCR (see `local_date`).
FCR_LOOKBACK = timedelta(days=5 * 366)


def _created(ctx: FunctionContext, columns: list[str]) -> ibis.Table:
    """The tickets created in the windows, with `create_date` and `columns`."""
    tickets = ctx.base("tickets", ["create_date", *columns])
    return ctx.in_windows(tickets, "create_date", period_columns=False)


@shared
def created_counts(ctx: FunctionContext) -> pd.DataFrame:
    """Per key, over the tickets created in the windows: all (`n`), critical incidents (`p1`),
    self-service (`self_service`), monitoring (`rmm`) and reactive (`reactive`) ones; one
    scan for the ticket-flow functions that count created tickets."""
    rows = _created(ctx, ["ticket_type", "source", "rmm_alert_id", "monitor_id"])
    critical = picklist_values(ctx, "Tickets", "priority", CRITICAL_PRIORITY)
    portal = picklist_values(ctx, "Tickets", "source", SELF_SERVICE_SOURCE)
    monitoring = picklist_values(ctx, "Tickets", "source", RMM_SOURCE)
    p1 = rows.priority.isin(critical or [-(2**62)]) & (rows.ticket_type == 2)
    self_service = rows.source.isin(portal or [-(2**62)]).fill_null(False)
    rmm = (
        rows.rmm_alert_id.notnull()
        | rows.monitor_id.notnull()
        | rows.source.isin(monitoring or [-(2**62)]).fill_null(False)
    )
    return (
        rows.group_by(ctx.keys)
        .aggregate(
            n=rows.count(),
            p1=rows.count(where=p1),
            self_service=rows.count(where=self_service),
            rmm=rows.count(where=rmm),
            reactive=rows.count(where=rows.ticket_type.isin(REACTIVE_TICKET_TYPES)),
        )
        .to_pandas()
    )


def _created_share(ctx: FunctionContext, column: str) -> pd.DataFrame:
    frame = created_counts(ctx)
    frame["value"] = divide(frame[column], frame["n"], 100.0)
    return result(frame, ctx)


@register(
    "p1_incidents",
    dimensions=TICKET_DIMS,
    uses_as_of=False,
    additive="count",
    accumulates=True,
)
def p1_incidents(ctx: FunctionContext) -> pd.DataFrame:
    """Incidents created in P whose priority label says critical (P1)."""
    frame = created_counts(ctx)
    frame = frame[frame["p1"] > 0]
    frame["value"] = frame["p1"]
    frame["n"] = frame["p1"]
    return result(frame, ctx)


@register("self_service_share", dimensions=TICKET_DIMS, uses_as_of=False)
def self_service_share(ctx: FunctionContext) -> pd.DataFrame:
    """Share of tickets created in P through the portal or chat (by the source's label)."""
    return _created_share(ctx, "self_service")


@register("rmm_alert_share", dimensions=TICKET_DIMS, uses_as_of=False)
def rmm_alert_share(ctx: FunctionContext) -> pd.DataFrame:
    """Share of tickets created in P by monitoring: an RMM alert id, a monitor or an RMM source."""
    return _created_share(ctx, "rmm")


@register("after_hours_share", dimensions=TICKET_DIMS, uses_as_of=False)
def after_hours_share(ctx: FunctionContext) -> pd.DataFrame:
    """Share of tickets created in P outside business hours (contract §3 calendar)."""
    frame = _created(ctx, []).select(*ctx.keys, "create_date").to_pandas()
    if frame.empty:
        return result(frame, ctx)
    start = frame["create_date"].to_numpy(dtype="datetime64[us]")
    inside = ctx.calendar.hours_between_arrays(start, start + np.timedelta64(1, "s")) > 0
    frame["after"] = (~inside).astype(float)
    agg = frame.groupby(ctx.keys, dropna=False)["after"].agg(["sum", "count"]).reset_index()
    agg["value"] = divide(agg["sum"], agg["count"], 100.0)
    agg["n"] = agg["count"]
    return result(agg, ctx)


@register("same_day_close_rate", dimensions=TICKET_DIMS, uses_as_of=False)
def same_day_close_rate(ctx: FunctionContext) -> ibis.Table:
    """Tickets resolved in P on the local day they were created, as a share of those resolved."""
    tickets = ctx.base("tickets", ["create_date", "resolved_date_time"])
    rows = ctx.in_windows(tickets, "resolved_date_time", period_columns=False)
    same = local_date(ctx, rows.create_date) == local_date(ctx, rows.resolved_date_time)
    agg = rows.group_by(ctx.keys).aggregate(
        yes=rows.count(where=same.fill_null(False)).cast("float64"), n=rows.count()
    )
    return agg.select(*ctx.keys, value=100.0 * agg.yes / agg.n, n=agg.n)


@shared
def _completed_effort(ctx: FunctionContext) -> pd.DataFrame:
    """Per key, over the tickets completed in P with their whole effort (every entry ever
    logged on them): tickets (`n`), those with one entry (`one_entry`) or one engineer
    (`one_tech`), Σ `hours` and Σ labour `cost`, customer contacts (`contacts`: not
    monitoring alerts, ticket type 5) and the contacts with at most one entry that were
    resolved on the local day they were created (`fcr`).

    Each ticket's effort comes from `ticket_effort`, which the store keeps current on every
    write (`stip.store.derived`); only a row per key comes back.
    """
    columns = ["completed_date", "create_date", "resolved_date_time", "ticket_type"]
    tickets = ctx.in_windows(ctx.base("tickets", columns), "completed_date", period_columns=False)
    effort = ctx.con.table("ticket_effort").rename(e_src="source_system", e_ticket="ticket_id")
    rows = tickets.left_join(
        effort, [tickets.source_system == effort.e_src, tickets.id == effort.e_ticket]
    )
    entry_count = rows.entries.fill_null(0)
    contact = rows.ticket_type.fill_null(0) != 5
    # Wide span: a ticket completed in P may have been created (and resolved) long before.
    created, resolved = (
        local_date(ctx, stamp, since=FCR_LOOKBACK)
        for stamp in (rows.create_date, rows.resolved_date_time)
    )
    same_day = rows.resolved_date_time.notnull() & (created == resolved)
    frame = (
        rows.group_by(ctx.keys)
        .aggregate(
            n=rows.count(),
            one_entry=rows.count(where=entry_count == 1),
            one_tech=rows.count(where=rows.lone_tech.fill_null(False)),
            hours=rows.hours.fill_null(0.0).sum(),
            cost=rows.cost.fill_null(0.0).sum(),
            contacts=rows.count(where=contact),
            fcr=rows.count(where=contact & (entry_count <= 1) & same_day.fill_null(False)),
        )
        .to_pandas()
    )
    frame[["hours", "cost"]] = frame[["hours", "cost"]].astype(float)
    return frame


def _share(frame: pd.DataFrame, top: str, bottom: str, ctx: FunctionContext) -> pd.DataFrame:
    """`top` / `bottom` as a percentage per key; keys with no `bottom` rows are left out."""
    frame = frame[frame[bottom] > 0]
    value = divide(frame[top], frame[bottom], 100.0)
    return result(frame.assign(value=value, n=frame[bottom]), ctx)


@register("first_touch_resolution", dimensions=TICKET_DIMS, uses_as_of=False)
def first_touch_resolution(ctx: FunctionContext) -> pd.DataFrame:
    """Tickets completed in P with exactly one time entry / tickets completed in P."""
    return _share(_completed_effort(ctx), "one_entry", "n", ctx)


@register("single_tech_resolution", dimensions=TICKET_DIMS, uses_as_of=False)
def single_tech_resolution(ctx: FunctionContext) -> pd.DataFrame:
    """Tickets completed in P whose time was logged by exactly one engineer."""
    return _share(_completed_effort(ctx), "one_tech", "n", ctx)


@register("fcr_rate", dimensions=TICKET_DIMS, uses_as_of=False)
def fcr_rate(ctx: FunctionContext) -> pd.DataFrame:
    """FCR proxy: at most one time entry and resolved on the local day it was created.

    Monitoring alerts (ticket type 5) are not customer contacts and are left out.
    """
    return _share(_completed_effort(ctx), "fcr", "contacts", ctx)


def _per_ticket(ctx: FunctionContext, column: str) -> pd.DataFrame:
    frame = _completed_effort(ctx)
    frame = frame[frame["n"] > 0]
    return result(frame.assign(value=divide(frame[column], frame["n"]), n=frame["n"]), ctx)


@register("effort_per_ticket", dimensions=TICKET_DIMS, uses_as_of=False)
def effort_per_ticket(ctx: FunctionContext) -> pd.DataFrame:
    """All hours ever logged on the tickets completed in P / those tickets."""
    return _per_ticket(ctx, "hours")


@register("cost_per_ticket", dimensions=TICKET_DIMS, uses_as_of=False)
def cost_per_ticket(ctx: FunctionContext) -> pd.DataFrame:
    """Labour cost (hours × the resource's internal cost) of the tickets completed in P, each."""
    return _per_ticket(ctx, "cost")


@register("backlog_to_daily_volume", dimensions=TICKET_DIMS)
def backlog_to_daily_volume(ctx: FunctionContext) -> pd.DataFrame:
    """Open backlog at the period end (or as-of) / tickets created per elapsed day × 100."""
    tickets, periods = ctx.base("tickets", ["create_date", "completed_date"]), ctx.periods
    # Only tickets still open at the earliest reference, or created in some window, can
    # count: dropping the others first makes the pairing with every window much smaller.
    tickets = tickets.filter(
        tickets.completed_date.isnull()
        | (tickets.completed_date >= periods.p_until.min())
        | (tickets.create_date >= periods.p_start.min())
    )
    rows = tickets.cross_join(periods)
    created = (rows.create_date >= rows.p_start) & (rows.create_date < rows.p_until)
    agg = rows.group_by(ctx.keys).aggregate(
        open=rows.count(where=open_at_reference(rows)), created=rows.count(where=created)
    )
    frame = agg.to_pandas()
    if frame.empty:
        return result(frame, ctx)
    elapsed = {
        w.idx: max(0.0, (min(w.period.end, w.as_of) - w.period.start).total_seconds() / 86400)
        for w in ctx.windows
    }
    per_day = divide(frame["created"], frame["p_idx"].map(elapsed))
    frame["value"] = divide(frame["open"], per_day, 100.0)
    frame["n"] = frame["open"]
    return result(frame, ctx)


@register("stale_tickets", dimensions=TICKET_DIMS, additive="count")
def stale_tickets(ctx: FunctionContext) -> pd.DataFrame:
    """Tickets open at the as-of without a customer-visible update for 3 business days."""
    columns = ["create_date", "completed_date", "last_customer_visible_activity_date_time"]
    tickets, periods = ctx.base("tickets", columns), ctx.periods
    # Only tickets open at some window's as-of can count: drop the others before pairing.
    tickets = tickets.filter(
        (tickets.create_date <= periods.p_as_of.max())
        & (tickets.completed_date.isnull() | (tickets.completed_date > periods.p_as_of.min()))
    )
    rows = tickets.cross_join(periods)
    open_now = (rows.create_date <= rows.p_as_of) & (
        rows.completed_date.isnull() | (rows.completed_date > rows.p_as_of)
    )
    rows = rows.filter(open_now)
    last = ibis.coalesce(rows.last_customer_visible_activity_date_time, rows.create_date)
    frame = rows.select(*ctx.keys, last=last, as_of=rows.p_as_of).to_pandas()
    if frame.empty:
        return result(frame, ctx)
    cal = ctx.calendar
    some_day = date(2000, 1, 3)
    day = (
        datetime.combine(some_day, cal.close_time) - datetime.combine(some_day, cal.open_time)
    ).total_seconds() / 3600
    hours = cal.hours_between_arrays(
        frame["last"].to_numpy(dtype="datetime64[us]"),
        frame["as_of"].to_numpy(dtype="datetime64[us]"),
    )
    frame["stale"] = (hours >= 3 * day).astype(float)
    agg = frame.groupby(ctx.keys, dropna=False)["stale"].sum().reset_index()
    agg["value"] = agg["stale"].astype(int)
    agg["n"] = agg["value"]
    return result(agg, ctx)


@register("repeat_incident_rate", dimensions=TICKET_DIMS, uses_as_of=False)
def repeat_incident_rate(ctx: FunctionContext) -> ibis.Table:
    """Reactive tickets created in P whose client had a ticket of the same issue type in the
    30 days before, as a share of reactive tickets created in P (the catalogue's "same client
    and category"; the sub-issue type is not compared)."""
    rows = _created(ctx, ["ticket_type", "issue_type"])
    rows = rows.filter(rows.ticket_type.isin(REACTIVE_TICKET_TYPES))
    all_tickets = ctx.con.table("tickets")
    # Only tickets that can be "earlier" for one in the windows: created up to 30 days
    # before the first window and before the last one ends (a range the scan can skip by).
    first = min(w.period.start_utc for w in ctx.windows) - timedelta(days=30)
    last = max(w.period.end_utc for w in ctx.windows)
    all_tickets = all_tickets.filter(
        (all_tickets.create_date >= first) & (all_tickets.create_date < last)
    )
    earlier = all_tickets.select(
        e_src=all_tickets.source_system,
        e_id=all_tickets.id,
        e_company=all_tickets.company_id,
        e_issue=all_tickets.issue_type,
        e_created=all_tickets.create_date,
    )
    repeats = rows.semi_join(
        earlier,
        [
            rows.source_system == earlier.e_src,
            rows.company_id == earlier.e_company,
            rows.issue_type == earlier.e_issue,
            rows.id != earlier.e_id,
            earlier.e_created < rows.create_date,
            earlier.e_created >= rows.create_date - ibis.interval(days=30),
        ],
    )
    hits = repeats.group_by(ctx.keys).aggregate(yes=repeats.count())
    total = rows.group_by(ctx.keys).aggregate(n=rows.count())
    frame = total.to_pandas().merge(hits.to_pandas(), on=ctx.keys, how="left")
    frame["value"] = divide(frame["yes"].fillna(0), frame["n"], 100.0)
    return result(frame, ctx)
