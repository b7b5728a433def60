"""Record selections behind the rule kinds: Ibis queries on the canonical tables.

Each selector returns `Candidate`s: one record that needs an action, with its stable record
key (part of the item's dedupe key), the moment the condition started (`triggered_at`, which
anchors the business-hours deadline), the ids an item links to, and the facts its texts use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import ibis
from ibis.backends import BaseBackend
from pydantic import Field

from stip.actions.clock import aware, naive_utc, previous_business_day, subtract_business_hours
from stip.actions.rules import MAX_BUSINESS_HOURS, MAX_DAYS, RuleParams, TimeOfDay, load_rules
from stip.actions.selectors_finance import (
    ContractEndingParams,
    LossMakingParams,
    UnbilledTimeParams,
    contract_ending,
    loss_making,
    unbilled_time,
)
from stip.textnumbers import Number

if TYPE_CHECKING:
    from pathlib import Path

    from stip.actions.evaluate import EvalContext
    from stip.actions.rules import Rule


@dataclass
class Candidate:
    key: str
    triggered_at: datetime
    facts: dict[str, Any]
    ticket_id: int | None = None
    company_id: int | None = None
    contract_id: int | None = None
    resource_id: int | None = None
    natural_due: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


SelectorFn = Callable[[BaseBackend, "EvalContext", "Rule"], list[Candidate]]


@dataclass(frozen=True)
class Selector:
    fn: SelectorFn
    params: type[RuleParams]  # the rule's `params`: names, types, ranges and defaults
    facts: tuple[str, ...]
    money: bool = False  # its facts hold client money: only roles that may see money see it

    @property
    def defaults(self) -> dict[str, Any]:
        return {name: f.default for name, f in self.params.model_fields.items()}


class CsatLowParams(RuleParams):
    days: float = Field(7, gt=0, le=MAX_DAYS, description="the look-back in days, > 0")
    below_share: float = Field(
        0.6,
        gt=0,
        le=1,
        description="the share of the scale max below which a rating is low, 0 < x <= 1",
    )


class SlaBreachSoonParams(RuleParams):
    within_business_hours: float = Field(
        2,
        gt=0,
        le=MAX_BUSINESS_HOURS,
        description="the business hours before the milestone to warn, > 0",
    )


class NoCustomerUpdateParams(RuleParams):
    business_hours: float = Field(
        27,
        gt=0,
        le=MAX_BUSINESS_HOURS,
        description="the business hours without a customer-visible update, > 0",
    )


class OverdueParams(RuleParams):
    pass


class LateTimeBookingParams(RuleParams):
    min_share: float = Field(
        0.8, gt=0, le=1, description="the share of the usual day that must be booked, 0 < x <= 1"
    )
    check_time: TimeOfDay = Field(
        "10:00", description='the local time of the check, "HH:MM" in quotes'
    )
    active_within_days: int = Field(
        28,
        ge=1,
        le=MAX_DAYS,
        description="the whole days in which a resource must have booked time, >= 1",
    )


TICKET_FACTS = ("ticket_number", "ticket_title", "company", "engineer", "due")


def _open_tickets(con: BaseBackend, ctx: EvalContext) -> ibis.Table:
    t = con.table("tickets")
    as_of = naive_utc(ctx.as_of)
    return t.filter(t.create_date <= as_of, t.completed_date.isnull() | (t.completed_date > as_of))


def _ticket_facts(ctx: EvalContext, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "ticket_number": row.get("ticket_number") or str(row["id"]),
        "ticket_title": row.get("title") or "",
        "company": ctx.directory.company_name(row.get("company_id")),
        "engineer": ctx.directory.resource_name(row.get("assigned_resource_id")),
    }


def _ticket_candidate(
    ctx: EvalContext, row: dict[str, Any], key: str, triggered: datetime, **facts: Any
) -> Candidate:
    natural_due = facts.pop("_due", None)
    return Candidate(
        key=key,
        triggered_at=triggered,
        facts={**_ticket_facts(ctx, row), **facts},
        ticket_id=row["id"],
        company_id=row.get("company_id"),
        contract_id=row.get("contract_id"),
        resource_id=row.get("assigned_resource_id"),
        natural_due=natural_due,
    )


TICKET_COLUMNS = [
    "id",
    "ticket_number",
    "title",
    "company_id",
    "contract_id",
    "assigned_resource_id",
]


def csat_low(con: BaseBackend, ctx: EvalContext, rule: Rule) -> list[Candidate]:
    """Survey results completed in the last `days` x 24 h with a rating below the threshold."""
    scale = ctx.settings.csat_scale_max
    s = con.table("survey_results")
    start = naive_utc(ctx.as_of - timedelta(days=rule.param("days")))
    low = s.filter(
        s.complete_date >= start,
        s.complete_date <= naive_utc(ctx.as_of),
        s.survey_rating < rule.param("below_share") * scale,
    ).select(
        survey_id=s.id,
        ticket_ref=s.ticket_id,
        survey_company=s.company_id,
        contact_ref=s.contact_id,
        complete_date=s.complete_date,
        rating=s.survey_rating,
    )
    t = con.table("tickets").select(*TICKET_COLUMNS, ticket_contact=ibis._.contact_id)
    c = con.table("contacts").select(
        contact_key=ibis._.id,
        first_name=ibis._.first_name,
        last_name=ibis._.last_name,
        contact_phone=ibis._.phone,
        contact_mobile=ibis._.mobile_phone,
        contact_email=ibis._.email_address,
    )
    # the survey's contact, else its ticket's: the one who asked for the help they rated
    with_ticket = low.left_join(t, low.ticket_ref == t.id)
    contact = with_ticket.contact_ref.coalesce(with_ticket.ticket_contact)
    joined = with_ticket.left_join(c, contact == c.contact_key)
    out = []
    for row in joined.to_pyarrow().to_pylist():
        completed = aware(row["complete_date"])
        assert completed is not None
        row["company_id"] = row["company_id"] or row["survey_company"]
        row["id"] = row["ticket_ref"]
        contact = " ".join(p for p in (row["first_name"], row["last_name"]) if p) or "-"
        candidate = _ticket_candidate(
            ctx,
            row,
            f"survey:{row['survey_id']}",
            completed,
            contact=contact,
            phone=row["contact_phone"] or row["contact_mobile"] or "-",
            contact_email=row["contact_email"] or "-",
            rating=Number(row["rating"]),
            completed=ctx.fmt(completed),
        )
        candidate.extra["survey_id"] = row["survey_id"]
        out.append(candidate)
    return out


MILESTONES = (
    ("first_response", "first_response_date_time", "first_response_due_date_time"),
    ("resolution_plan", "resolution_plan_date_time", "resolution_plan_due_date_time"),
    ("resolution", "resolved_date_time", "resolved_due_date_time"),
)
# English, Dutch, and Dutch with its article (het oplossingsplan, de oplossing).
MILESTONE_LABELS = {
    "first_response": ("first response", "eerste reactie", "de eerste reactie"),
    "resolution_plan": ("resolution plan", "oplossingsplan", "het oplossingsplan"),
    "resolution": ("resolution", "oplossing", "de oplossing"),
}


def sla_breach_soon(con: BaseBackend, ctx: EvalContext, rule: Rule) -> list[Candidate]:
    """Open tickets with an SLA milestone not yet met that falls due within the horizon."""
    hours = rule.param("within_business_hours")
    horizon = ctx.calendar.add_business_hours(ctx.as_of, hours)
    t = _open_tickets(con, ctx)
    out = []
    for name, done_col, due_col in MILESTONES:
        pending = t.filter(
            t[done_col].isnull(),
            t[due_col] > naive_utc(ctx.as_of),
            t[due_col] <= naive_utc(horizon),
        ).select(*TICKET_COLUMNS, milestone_due=t[due_col])
        for row in pending.to_pyarrow().to_pylist():
            due = aware(row["milestone_due"])
            assert due is not None
            triggered = subtract_business_hours(ctx.calendar, due, hours)
            en, nl, the_nl = MILESTONE_LABELS[name]
            out.append(
                _ticket_candidate(
                    ctx,
                    row,
                    f"ticket:{row['id']}:{name}:{due.isoformat()}",
                    triggered,
                    milestone=en,
                    milestone_nl=nl,
                    the_milestone_nl=the_nl,
                    sla_due=ctx.fmt(due),
                    _due=due,
                )
            )
    return out


def no_customer_update(con: BaseBackend, ctx: EvalContext, rule: Rule) -> list[Candidate]:
    """Open tickets whose last customer-visible activity is older than N business hours."""
    hours = rule.param("business_hours")
    cutoff = subtract_business_hours(ctx.calendar, ctx.as_of, hours)
    t = _open_tickets(con, ctx)
    last = t.last_customer_visible_activity_date_time.fill_null(t.create_date)
    stale = t.filter(last < naive_utc(cutoff)).select(*TICKET_COLUMNS, last_update=last)
    out = []
    for row in stale.to_pyarrow().to_pylist():
        last_update = aware(row["last_update"])
        assert last_update is not None
        triggered = ctx.calendar.add_business_hours(last_update, hours)
        out.append(
            _ticket_candidate(
                ctx,
                row,
                f"ticket:{row['id']}:{last_update.isoformat()}",
                triggered,
                last_update=ctx.fmt(last_update),
            )
        )
    return out


def overdue(con: BaseBackend, ctx: EvalContext, rule: Rule) -> list[Candidate]:
    """Tickets open at the as-of time whose due date has passed (contract `overdue_tickets`)."""
    t = _open_tickets(con, ctx)
    late = t.filter(t.due_date_time < naive_utc(ctx.as_of)).select(
        *TICKET_COLUMNS, due_date=t.due_date_time
    )
    out = []
    for row in late.to_pyarrow().to_pylist():
        due = aware(row["due_date"])
        assert due is not None
        out.append(
            _ticket_candidate(
                ctx, row, f"ticket:{row['id']}:{due.isoformat()}", due, ticket_due=ctx.fmt(due)
            )
        )
    return out


def late_time_booking(con: BaseBackend, ctx: EvalContext, rule: Rule) -> list[Candidate]:
    """Engineers who booked less than a share of their usual day for the previous business day.

    "Usual" is the smaller of the resource's daily capacity and the median of its booked
    days in the look-back window, so part-timers and people who book few hours are judged
    against their own normal, and a late booker stands out.
    """
    local = ctx.as_of.astimezone(ctx.tz)
    check = time.fromisoformat(rule.param("check_time"))
    if not ctx.calendar.is_business_day(local.date()) or local.time() < check:
        return []
    day = previous_business_day(ctx.calendar, local.date())
    since = day - timedelta(days=rule.param("active_within_days"))
    e = con.table("time_entries")
    recent = e.filter(e.date_worked >= since, e.date_worked <= day)
    per_day = recent.group_by(resource=recent.resource_id, worked=recent.date_worked).aggregate(
        hours=recent.hours_worked.sum()
    )
    per_resource = per_day.group_by("resource").aggregate(
        booked=(per_day.worked == day).ifelse(per_day.hours, 0.0).sum(),
        usual=(per_day.worked < day).ifelse(per_day.hours, ibis.null("float64")).median(),
    )
    triggered = datetime.combine(local.date(), check, tzinfo=ctx.tz)
    out = []
    for row in per_resource.to_pyarrow().to_pylist():
        info = ctx.directory.resources.get(row["resource"])
        if info is None or info.get("is_active") is False:
            continue
        capacity = ctx.settings.hours_per_day(row["resource"], info.get("available_hours_per_day"))
        expected = min(capacity, row["usual"]) if row["usual"] else capacity
        booked = row["booked"] or 0.0
        if booked >= rule.param("min_share") * expected:
            continue
        out.append(
            Candidate(
                key=f"resource:{row['resource']}:{day.isoformat()}",
                triggered_at=triggered,
                facts={
                    "engineer": info["name"],
                    "day": day.isoformat(),
                    "booked": Number(booked),
                    "expected": Number(expected),
                },
                resource_id=row["resource"],
            )
        )
    return out


SELECTORS: dict[str, Selector] = {
    "csat_low": Selector(
        csat_low,
        CsatLowParams,
        (*TICKET_FACTS, "contact", "phone", "contact_email", "rating", "completed"),
    ),
    "sla_breach_soon": Selector(
        sla_breach_soon,
        SlaBreachSoonParams,
        (*TICKET_FACTS, "milestone", "milestone_nl", "the_milestone_nl", "sla_due"),
    ),
    "no_customer_update": Selector(
        no_customer_update, NoCustomerUpdateParams, (*TICKET_FACTS, "last_update")
    ),
    "overdue": Selector(overdue, OverdueParams, (*TICKET_FACTS, "ticket_due")),
    "late_time_booking": Selector(
        late_time_booking,
        LateTimeBookingParams,
        ("engineer", "day", "booked", "expected", "due"),
    ),
    "contract_ending": Selector(
        contract_ending,
        ContractEndingParams,
        ("company", "contract", "end_date", "days_left", "due"),
    ),
    "loss_making": Selector(
        loss_making,
        LossMakingParams,
        ("company", "quarter", "revenue", "cost", "hours", "margin", "due"),
        money=True,
    ),
    "unbilled_time": Selector(
        unbilled_time,
        UnbilledTimeParams,
        ("company", "hours", "entries", "cycle_end", "oldest", "due"),
    ),
}


def money_rules(home: Path | None) -> set[str]:
    """Ids of the rules whose items show client money (and of their escalations)."""
    ids = {rule.id for rule in load_rules(home) if SELECTORS[rule.kind].money}
    return ids | {f"{rule_id}.escalated" for rule_id in ids}
