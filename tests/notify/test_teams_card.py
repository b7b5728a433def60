"""The Teams card of an item whose texts hold PSA text someone outside the MSP wrote."""

from __future__ import annotations

from datetime import UTC, datetime

from stip.actions.items import Item
from stip.notify.teams import item_card, plain

LURE = "Printer [klik hier](https://evil.example/login) en <https://evil.example>"


def _item(title: str) -> Item:
    at = datetime(2026, 4, 28, 8, 30, tzinfo=UTC)
    return Item(
        id=7, rule="overdue_ticket", status="open", person="Eva [x](https://e.example)",
        person_id=1, person_role=None, subject_resource_id=1, ticket_id=1001, company_id=100,
        contract_id=None, urgent=True, triggered_at=at, due_at=at, created_at=at, updated_at=at,
        acknowledged_at=None, done_at=None, closed_at=None, snoozed_until=None, reason=None,
        title={"en": title, "nl": title}, why={"en": title, "nl": title},
        todo={"en": title, "nl": title}, facts={}, parent_id=None, dedupe_key="k",
    )  # fmt: skip


def test_psa_text_cannot_become_a_link_in_the_card() -> None:
    card = item_card(_item(LURE), "nl", "28-04 10:30", "http://stip.example/actions/me#item-7")
    texts = [block["text"] for block in card["body"] if block["type"] == "TextBlock"]
    facts = [fact["value"] for fact in card["body"][-1]["facts"]]
    for text in [*texts[1:], *facts]:
        assert "](" not in text and "<https" not in text
    # the words still read the same; only an invisible space sits between ] and (
    assert texts[1].replace("\u200b", "") == LURE
    # the card's own link back to Stip is untouched
    assert card["actions"][0]["url"] == "http://stip.example/actions/me#item-7"


def test_plain_leaves_ordinary_text_alone() -> None:
    assert plain("Bel Piet Jansen (Bakkerij Jansen) terug") == (
        "Bel Piet Jansen (Bakkerij Jansen) terug"
    )
