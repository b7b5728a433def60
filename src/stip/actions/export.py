"""Action items in the contract's JSON shape (`stip actions list --json`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from stip.actions.items import Item


def item_json(item: Item, tz: ZoneInfo, lang: str = "en") -> dict[str, Any]:
    """Exactly the contract's keys; `status` is "open" for every item listed as open."""
    return {
        "id": item.id,
        "rule": item.rule,
        "person": item.person,
        "person_id": item.person_id,
        "ticket_id": item.ticket_id,
        "company_id": item.company_id,
        "due": item.due_at.astimezone(tz).isoformat(),
        "status": "open",
        "why": item.why.get(lang) or item.why["en"],
    }


def list_json(items: list[Item], as_of: datetime, tz: ZoneInfo, lang: str = "en") -> dict[str, Any]:
    return {
        "as_of": as_of.astimezone(tz).isoformat(),
        "items": [item_json(item, tz, lang) for item in items],
    }
