"""Evaluate the rules against the store and bring the action items up to date.

One evaluation: select the candidates of every enabled rule, decide who acts and by when,
then in one application-DB transaction insert new items, update live ones whose records
changed, re-open auto-resolved ones whose condition came back, auto-resolve live ones whose
condition is gone (rules with `auto_resolve`), and escalate items left undone too long.
Done and dismissed items are never touched again: a human closed them.
"""

from __future__ import annotations

import json
import time as timer
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Connection

from stip.actions import escalation
from stip.actions.clock import naive_utc
from stip.actions.items import (
    LIVE,
    OPEN,
    RESOLVED,
    SNOOZED,
    UPDATABLE,
    action_item_history,
    action_items,
    item_store,
    record_history,
)
from stip.actions.people import Directory, Person, load_directory
from stip.actions.rules import ROLE_ASSIGNEES, Rule, load_rules
from stip.actions.selectors import SELECTORS, Candidate
from stip.app import Stip
from stip.semantic.business_hours import BusinessCalendar
from stip.settings import Settings
from stip.textnumbers import Number
from stip.untrusted import clean_text

ACTOR = "stip"


@dataclass
class EvalContext:
    settings: Settings
    as_of: datetime
    calendar: BusinessCalendar
    directory: Directory

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.tz

    def fmt(self, value: datetime) -> str:
        return value.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")


@dataclass
class EvalResult:
    as_of: datetime
    created: int = 0
    updated: int = 0
    reopened: int = 0
    resolved: int = 0
    escalated: int = 0
    open_items: int = 0
    per_rule: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    # Set when the as-of lay before an evaluation already applied (then nothing was saved).
    rewound_from: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "rewound_from": self.rewound_from.isoformat() if self.rewound_from else None,
            "created": self.created,
            "updated": self.updated,
            "reopened": self.reopened,
            "resolved": self.resolved,
            "escalated": self.escalated,
            "open": self.open_items,
            "per_rule": self.per_rule,
            "seconds": round(self.seconds, 3),
        }


class _Facts(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "-"


def render(text: str, facts: dict[str, Any], lang: str) -> str:
    """A rule's text in `lang` with the record's facts: numbers written as that language
    writes them, and PSA text without harmful characters."""
    shown = {k: _shown(v, lang) for k, v in facts.items()}
    return text.format_map(_Facts(shown))


def _shown(value: Any, lang: str) -> Any:
    if isinstance(value, Number):
        return value.text(lang)
    return clean_text(value) if isinstance(value, str) else value


def role_holders(
    stip: Stip, directory_resources: dict[int, dict[str, Any]]
) -> dict[str, list[Person]]:
    """Active user accounts per role; a user linked to a resource carries its name and id."""
    from stip.accounts.users import engine_for, list_users

    holders: dict[str, list[Person]] = {}
    for user in sorted(list_users(engine_for(stip.settings)), key=lambda u: u.username):
        if not user.active:
            continue
        resource = directory_resources.get(user.resource_id) if user.resource_id else None
        name = resource["name"] if resource else user.username
        email = resource.get("email") if resource else None
        holders.setdefault(user.role, []).append(
            Person(name, user.resource_id if resource else None, user.role, email)
        )
    return holders


def resolve_who(ctx: EvalContext, who: str, candidate: Candidate) -> Person | None:
    d = ctx.directory
    if who in ("assigned_engineer", "resource"):
        return d.active(candidate.resource_id)  # someone who left: the fallback takes it
    if who == "team_lead":
        return d.team_lead(candidate.resource_id)
    if who == "account_manager":
        return d.account_manager(candidate.company_id)
    if who == "account_manager_role":
        return d.role("account_manager")
    if who in ROLE_ASSIGNEES:
        return d.role(who)
    return None


def desired_item(ctx: EvalContext, rule: Rule, candidate: Candidate) -> dict[str, Any]:
    """The row an item for this candidate should have now."""
    person = resolve_who(ctx, rule.who, candidate)
    if person is None and rule.fallback:
        person = resolve_who(ctx, rule.fallback, candidate)
    if person is None:
        person = ctx.directory.role("teamlead")
    if rule.deadline_business_hours is None and candidate.natural_due is not None:
        due = candidate.natural_due
    else:
        due = ctx.calendar.add_business_hours(
            candidate.triggered_at, rule.deadline_business_hours or 0
        )
    facts = {**candidate.facts, "due": ctx.fmt(due), "scale": Number(ctx.settings.csat_scale_max)}
    return {
        "dedupe_key": f"{rule.id}:{candidate.key}",
        "rule": rule.id,
        "person": person.name,
        "person_id": person.resource_id,
        "person_role": person.role,
        "subject_resource_id": candidate.resource_id,
        "ticket_id": candidate.ticket_id,
        "company_id": candidate.company_id,
        "contract_id": candidate.contract_id,
        "urgent": rule.urgent,
        "triggered_at": naive_utc(candidate.triggered_at),
        "due_at": naive_utc(due),
        "title_en": render(rule.title.en, facts, "en"),
        "title_nl": render(rule.title.nl, facts, "nl"),
        "why_en": render(rule.why.en, facts, "en"),
        "why_nl": render(rule.why.nl, facts, "nl"),
        "todo_en": render(rule.todo.en, facts, "en"),
        "todo_nl": render(rule.todo.nl, facts, "nl"),
        "facts": json.dumps({**candidate.facts, **candidate.extra}, sort_keys=True, default=str),
        "parent_id": None,
    }


def evaluate(
    stip: Stip,
    as_of: datetime | None = None,
    dry_run: bool = False,
    then: Callable[[Connection], None] | None = None,
) -> EvalResult:
    """Evaluate every enabled rule as of `as_of` (default now) and update the items.

    `dry_run` computes the same figures inside a transaction that is rolled back; so does an
    as-of before the latest one an evaluation already applied (`rewound_from`): items only
    move forward in time, and looking back must not resolve or reopen today's items.
    `then(conn)` runs inside the transaction, so it reads the items as evaluated.
    """
    started = timer.perf_counter()
    as_of = as_of or datetime.now(UTC)
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=stip.settings.tz)
    local = as_of.astimezone(stip.settings.tz)
    as_of = as_of.astimezone(UTC)
    rules = load_rules(stip.settings.home)
    engine = item_store(stip.settings).engine
    calendar = BusinessCalendar(stip.settings)
    result = EvalResult(as_of=local)
    desired: dict[str, dict[str, Any]] = {}
    with stip.store.read() as con:
        directory = load_directory(con, {})
        directory.role_holders = role_holders(stip, directory.resources)
        ctx = EvalContext(stip.settings, as_of, calendar, directory)
        for rule in rules:
            candidates = SELECTORS[rule.kind].fn(con, ctx, rule)
            result.per_rule[rule.id] = len(candidates)
            for candidate in candidates:
                row = desired_item(ctx, rule, candidate)
                desired[row["dedupe_key"]] = row
    auto_resolve = {rule.id: rule.auto_resolve for rule in rules}
    with engine.connect() as conn:
        transaction = conn.begin()
        applied = _latest_evaluation(conn)
        if applied is not None and naive_utc(as_of) < applied:
            result.rewound_from = applied.replace(tzinfo=UTC).astimezone(stip.settings.tz)
        _sync(conn, desired, auto_resolve, as_of, result, escalated=False)
        wanted = escalation.candidates(conn, ctx, rules)
        _sync(conn, wanted, {}, as_of, result, escalated=True)
        result.open_items = _count_open(conn, as_of)
        if then is not None:
            then(conn)
        if dry_run or result.rewound_from is not None:
            transaction.rollback()
        else:
            transaction.commit()
    result.seconds = timer.perf_counter() - started
    return result


def _latest_evaluation(conn: Connection) -> datetime | None:
    """The latest as-of (naive UTC) at which an evaluation changed an item."""
    h = action_item_history.c
    value: datetime | None = conn.execute(
        select(func.max(h.at)).where(h.actor == ACTOR)
    ).scalar_one()
    return value


def _count_open(conn: Connection, as_of: datetime) -> int:
    c = action_items.c
    rows = conn.execute(select(c.status, c.snoozed_until).where(c.status.in_(LIVE))).all()
    return sum(
        1
        for status, until in rows
        if status == OPEN or (until is not None and until <= naive_utc(as_of))
    )


def _sync(
    conn: Connection,
    desired: dict[str, dict[str, Any]],
    auto_resolve: dict[str, bool],
    as_of: datetime,
    result: EvalResult,
    *,
    escalated: bool,
) -> None:
    """Apply one set of wanted items (base items, or escalations) to the table."""
    c = action_items.c
    is_escalation = c.parent_id.isnot(None)
    scope = is_escalation if escalated else c.parent_id.is_(None)
    existing = {
        row.dedupe_key: row
        for row in conn.execute(select(action_items).where(scope, c.status.in_(LIVE)))
    }
    keys = [k for k in desired if k not in existing]
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        for row in conn.execute(select(action_items).where(c.dedupe_key.in_(chunk))):
            existing[row.dedupe_key] = row
    now = naive_utc(as_of)
    inserts: list[dict[str, Any]] = []
    for key, want in desired.items():
        found = existing.get(key)
        if found is None:
            inserts.append({**want, "status": OPEN, "created_at": now, "updated_at": now})
            continue
        row = found
        values: dict[str, Any] = {}
        events: list[tuple[str, str]] = []
        if row.status == RESOLVED:
            values.update(status=OPEN, closed_at=None)
            events.append(("reopened", ""))
            result.reopened += 1
        elif row.status not in LIVE:
            continue
        elif row.status == SNOOZED and row.snoozed_until is not None and row.snoozed_until <= now:
            values.update(status=OPEN, snoozed_until=None)
            events.append(("unsnoozed", ""))
        changed = [f for f in UPDATABLE if getattr(row, f) != want[f]]
        if changed:
            values.update({f: want[f] for f in changed})
            events.append(("updated", ", ".join(changed)))
            result.updated += 1
        if values:
            values["updated_at"] = now
            conn.execute(action_items.update().where(c.id == row.id).values(**values))
            for event, detail in events:
                record_history(conn, row.id, as_of, event, ACTOR, detail)
    if inserts:
        conn.execute(action_items.insert(), inserts)
        new_ids = conn.execute(
            select(c.id, c.dedupe_key).where(
                or_(
                    *[
                        c.dedupe_key.in_(inserts_chunk)
                        for inserts_chunk in _chunks([i["dedupe_key"] for i in inserts], 500)
                    ]
                )
            )
        ).all()
        history = [
            {
                "item_id": ident,
                "at": now,
                "event": "escalated" if escalated else "created",
                "actor": ACTOR,
                "detail": None,
            }
            for ident, _ in new_ids
        ]
        conn.execute(action_item_history.insert(), history)
        if escalated:
            result.escalated += len(inserts)
        else:
            result.created += len(inserts)
    for key, row in existing.items():
        if key in desired or row.status not in LIVE:
            continue
        if escalated or auto_resolve.get(row.rule, True):
            conn.execute(
                action_items.update()
                .where(c.id == row.id)
                .values(status=RESOLVED, closed_at=now, updated_at=now)
            )
            record_history(conn, row.id, as_of, "auto_resolved", ACTOR, "")
            result.resolved += 1


def _chunks(values: list[str], size: int) -> list[list[str]]:
    return [values[i : i + size] for i in range(0, len(values), size)]
