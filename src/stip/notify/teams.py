"""Microsoft Teams: an Adaptive Card (schema 1.5) posted to a Workflows / incoming webhook.

The body is the Workflows "message with attachments" envelope; the card carries the item's
title, why, what to do, deadline and person, and an `Action.OpenUrl` back to Stip.

Teams renders Markdown in card texts, and the texts hold PSA text (ticket titles, names) that
anyone who can mail the service desk controls. Backslash escapes render differently per Teams
client, so `plain` breaks the one harmful construct, a link (`[text](url)` and `<url>`), with a
zero-width space that leaves the text as it reads.
"""

from __future__ import annotations

from typing import Any

import httpx

from stip.actions.items import Item
from stip.actions.labels import label

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
_NO_JOIN = "\u200b"


def plain(text: str) -> str:
    """`text` without Markdown links or autolinks (see the module docstring)."""
    return text.replace("](", "]" + _NO_JOIN + "(").replace("<", "<" + _NO_JOIN)


def item_card(item: Item, lang: str, due_text: str, link: str) -> dict[str, Any]:
    """The Adaptive Card for one action item."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": label("urgent_action", lang) if item.urgent else label("action", lang),
            "size": "Small",
            "weight": "Bolder",
            "color": "Attention" if item.urgent else "Accent",
        },
        {
            "type": "TextBlock",
            "text": plain(item.title.get(lang) or item.title["en"]),
            "size": "Large",
            "weight": "Bolder",
            "wrap": True,
        },
        {"type": "TextBlock", "text": plain(item.why.get(lang) or item.why["en"]), "wrap": True},
        {
            "type": "FactSet",
            "facts": [
                {"title": label("person", lang), "value": plain(item.person or "-")},
                {"title": label("due", lang), "value": due_text},
                {
                    "title": label("todo", lang),
                    "value": plain(item.todo.get(lang) or item.todo["en"]),
                },
            ],
        },
    ]
    return {
        "$schema": CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": label("open_in_stip", lang), "url": link}],
    }


def envelope(card: dict[str, Any]) -> dict[str, Any]:
    """The webhook body: one message with the card as its only attachment."""
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def post(url: str, payload: dict[str, Any], timeout: float = 10.0) -> None:
    """POST the payload; anything but a 2xx answer is an error (and so retried)."""
    response = httpx.post(url, json=payload, timeout=timeout)
    if response.status_code // 100 != 2:
        raise RuntimeError(
            f"Teams webhook answered HTTP {response.status_code}: {response.text[:200]}"
        )
