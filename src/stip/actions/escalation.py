"""Escalation: an item left undone for too many business hours gets a second item for the
person it escalates to (by default the assignee's team lead; for the lead's own item, the
service manager). The escalation item closes by itself once the original item is done,
dismissed or resolved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from stip.actions.clock import aware, naive_utc
from stip.actions.items import LIVE, action_items

if TYPE_CHECKING:
    from stip.actions.evaluate import EvalContext
    from stip.actions.people import Person
    from stip.actions.rules import Rule

SUFFIX = "#escalated"
DEFAULT_DEADLINE_HOURS = 4.0


def candidates(conn: Connection, ctx: EvalContext, rules: list[Rule]) -> dict[str, dict[str, Any]]:
    from stip.actions.evaluate import resolve_who
    from stip.actions.selectors import Candidate

    c = action_items.c
    wanted: dict[str, dict[str, Any]] = {}
    for rule in rules:
        if rule.escalate is None:
            continue
        after = rule.escalate.after_business_hours
        rows = conn.execute(
            select(action_items).where(c.rule == rule.id, c.parent_id.is_(None), c.status.in_(LIVE))
        ).all()
        for parent in rows:
            triggered = aware(parent.triggered_at)
            assert triggered is not None
            if ctx.calendar.hours_between(triggered, ctx.as_of) < after:
                continue
            subject = Candidate(
                key="",
                triggered_at=triggered,
                facts={},
                resource_id=parent.subject_resource_id,
                company_id=parent.company_id,
            )
            person = resolve_who(ctx, rule.escalate.to, subject) or ctx.directory.role("teamlead")
            if _same(person, parent):
                # the lead's own item: escalating to them again changes nothing
                person = ctx.directory.role("service_manager")
                if _same(person, parent):
                    continue
            escalated_at = ctx.calendar.add_business_hours(triggered, after)
            due = ctx.calendar.add_business_hours(
                escalated_at, rule.deadline_business_hours or DEFAULT_DEADLINE_HOURS
            )
            who = parent.person or "-"
            wanted[parent.dedupe_key + SUFFIX] = {
                "dedupe_key": parent.dedupe_key + SUFFIX,
                "rule": rule.id + ".escalated",
                "person": person.name,
                "person_id": person.resource_id,
                "person_role": person.role,
                "subject_resource_id": parent.subject_resource_id,
                "ticket_id": parent.ticket_id,
                "company_id": parent.company_id,
                "contract_id": parent.contract_id,
                "urgent": True,
                "triggered_at": naive_utc(escalated_at),
                "due_at": naive_utc(due),
                "title_en": f"Escalated: {parent.title_en}",
                "title_nl": f"Geëscaleerd: {parent.title_nl}",
                "why_en": (
                    f"{who} has not done this within {after:g} business hours. {parent.why_en}"
                ),
                "why_nl": (
                    f"{who} heeft dit niet binnen {after:g} werkuren gedaan. {parent.why_nl}"
                ),
                "todo_en": f"Talk to {who} today and make sure it happens: {parent.todo_en}",
                "todo_nl": f"Spreek {who} vandaag aan en zorg dat het gebeurt: {parent.todo_nl}",
                "facts": parent.facts,
                "parent_id": parent.id,
            }
    return wanted


def _same(person: Person, item: Any) -> bool:
    """Whether `person` is the one the item is already for."""
    if person.resource_id is not None:
        return person.resource_id == item.person_id
    return item.person_id is None and person.name == item.person
