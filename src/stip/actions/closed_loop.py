"""Closed-loop KPIs: is the follow-up on action items actually happening?

Computed from the action items (not the PSA), so they measure the loop Stip closes:

- `callback_within_2bd_rate` (%): of the low-rating call-back items whose rating came in
  during P, 100 x the share done within 2 business days (18 business hours); null if none.
- `action_time_to_act_median` (business h): median, over items done in P, of business
  hours from created to done; null if none.
- `action_items_created` / `action_items_done` (count): items created (escalations
  excluded) / marked done in P.
- `action_items_open` (count): items open at the as-of time.
- `action_items_open_per_person` (count): open items / people with open items; null if none.

`resource_ids` narrows every figure to the items of those people (a team, for the team lead).
"""

from __future__ import annotations

import statistics
from datetime import datetime
from typing import Any

from stip.actions.items import DONE, Item, item_store
from stip.app import Stip
from stip.semantic.business_hours import BusinessCalendar
from stip.semantic.periods import parse_as_of, parse_period

CALLBACK_RULE = "csat_low_callback"
CALLBACK_HOURS = 18.0

CLOSED_LOOP_KPIS: tuple[dict[str, Any], ...] = (
    {
        "id": "callback_within_2bd_rate",
        "unit": "%",
        "direction": "higher",
        "target": 90.0,
        "title": {
            "en": "Low ratings called back within 2 business days",
            "nl": "Lage scores binnen 2 werkdagen teruggebeld",
        },
        "dashboards": ["teamlead", "service_manager"],
    },
    {
        "id": "action_time_to_act_median",
        "unit": "business h",
        "direction": "lower",
        "target": 9.0,
        "title": {"en": "Median time to act on an action", "nl": "Mediane tijd tot actie"},
        "dashboards": ["teamlead", "service_manager"],
    },
    {
        "id": "action_items_created",
        "unit": "count",
        "direction": "lower",
        "target": None,
        "title": {"en": "Action items raised", "nl": "Acties aangemaakt"},
        "dashboards": ["service_manager"],
    },
    {
        "id": "action_items_done",
        "unit": "count",
        "direction": "higher",
        "target": None,
        "title": {"en": "Action items done", "nl": "Acties afgerond"},
        "dashboards": ["teamlead", "service_manager"],
    },
    {
        "id": "action_items_open",
        "unit": "count",
        "direction": "lower",
        "target": None,
        "title": {"en": "Open action items", "nl": "Open acties"},
        "dashboards": ["teamlead", "service_manager"],
    },
    {
        "id": "action_items_open_per_person",
        "unit": "count",
        "direction": "lower",
        "target": 5.0,
        "title": {"en": "Open action items per person", "nl": "Open acties per persoon"},
        "dashboards": ["teamlead", "service_manager"],
    },
)


def _in(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


def closed_loop_values(
    stip: Stip,
    period: str,
    as_of: datetime | str | None = None,
    resource_ids: list[int] | None = None,
    person_name: str | None = None,
) -> dict[str, float | int | None]:
    """Every closed-loop KPI for one period (contract period SPEC) and as-of time: of the
    items of `resource_ids`, or of the items routed by name to `person_name` (a user without
    a PSA resource, such as the team lead role), or of all items."""
    tz = stip.settings.tz
    when = as_of if isinstance(as_of, datetime) else parse_as_of(as_of, tz)
    p = parse_period(period, when, tz)
    calendar = BusinessCalendar(stip.settings)
    items = item_store(stip.settings).touching(p.start, p.end, person_ids=resource_ids)
    if person_name is not None:
        items = [i for i in items if i.person_id is None and i.person == person_name]
    return {
        "callback_within_2bd_rate": _callback_rate(items, p.start, p.end, calendar),
        "action_time_to_act_median": _time_to_act(items, p.start, p.end, calendar),
        "action_items_created": sum(
            1 for i in items if i.parent_id is None and _in(i.created_at, p.start, p.end)
        ),
        "action_items_done": sum(1 for i in items if _in(i.done_at, p.start, p.end)),
        **_open_figures(items, when),
    }


def _callback_rate(
    items: list[Item], start: datetime, end: datetime, calendar: BusinessCalendar
) -> float | None:
    calls = [i for i in items if i.rule == CALLBACK_RULE and _in(i.triggered_at, start, end)]
    if not calls:
        return None
    in_time = sum(
        1
        for i in calls
        if i.status == DONE
        and i.done_at is not None
        and calendar.hours_between(i.triggered_at, i.done_at) <= CALLBACK_HOURS
    )
    return 100.0 * in_time / len(calls)


def _time_to_act(
    items: list[Item], start: datetime, end: datetime, calendar: BusinessCalendar
) -> float | None:
    hours = [
        calendar.hours_between(i.created_at, i.done_at)
        for i in items
        if i.status == DONE and i.done_at is not None and _in(i.done_at, start, end)
    ]
    return statistics.median(hours) if hours else None


def open_per_person(items: list[Item], as_of: datetime) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        if item.is_open_at(as_of) and item.created_at <= as_of:
            counts[item.person or "-"] = counts.get(item.person or "-", 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _open_figures(items: list[Item], as_of: datetime) -> dict[str, float | int | None]:
    counts = open_per_person(items, as_of)
    total = sum(counts.values())
    return {
        "action_items_open": total,
        "action_items_open_per_person": total / len(counts) if counts else None,
    }
