"""Closed-loop KPIs computed from the action items, with hand-computed values."""

from __future__ import annotations

from types import ModuleType

import pytest

from stip.actions.closed_loop import closed_loop_values
from stip.actions.evaluate import evaluate
from stip.actions.items import Item, ItemStore, item_store
from stip.app import Stip
from stip.web.routes.actions import loop_tiles


def _evaluated(world: Stip, W: ModuleType) -> tuple[ItemStore, dict[str, Item]]:
    """The rules evaluated on Tuesday 28 April 10:30; the item store and its items by rule."""
    created = W.local(world, "2026-04-28T10:30")
    evaluate(world, created)
    store = item_store(world.settings)
    return store, {i.rule: i for i in store.items(created)}


def test_closed_loop_values_move_when_items_are_done(world: Stip, W: ModuleType) -> None:
    store, items = _evaluated(world, W)

    week17 = closed_loop_values(world, "2026-W17", W.local(world, "2026-04-28T10:45"))
    assert week17["callback_within_2bd_rate"] == 0.0
    assert week17["action_time_to_act_median"] is None

    store.done(items["csat_low_callback"].id, W.local(world, "2026-04-28T11:00"), "eva")
    store.done(items["overdue_ticket"].id, W.local(world, "2026-04-28T12:00"), "eva")
    as_of = W.local(world, "2026-04-28T12:00")
    # rating Friday 15:00, call-back Tuesday 11:00: 2 + 3 = 5 business hours <= 18
    assert closed_loop_values(world, "2026-W17", as_of)["callback_within_2bd_rate"] == 100.0
    week18 = closed_loop_values(world, "2026-W18", as_of)
    # created 10:30; done 11:00 (0.5 h) and 12:00 (1.5 h): median 1.0
    assert week18["action_time_to_act_median"] == 1.0
    assert week18["callback_within_2bd_rate"] is None
    assert (week18["action_items_created"], week18["action_items_done"]) == (6, 2)
    # open: Anna 2 (renewal, loss), Bram 1, fien 1
    assert week18["action_items_open"] == 4
    assert week18["action_items_open_per_person"] == pytest.approx(4 / 3)
    team = closed_loop_values(world, "2026-W18", as_of, resource_ids=[W.EVA, W.BRAM])
    assert (team["action_items_open"], team["action_items_done"]) == (1, 2)
    # a user without a PSA resource gets items by name: their own figures, not the MSP's
    fien = closed_loop_values(world, "2026-W18", as_of, person_name="fien")
    assert (fien["action_items_created"], fien["action_items_done"]) == (1, 0)
    assert (fien["action_items_open"], fien["action_items_open_per_person"]) == (1, 1.0)


def test_closed_loop_figures_read_in_the_page_language() -> None:
    """Dutch pages showed "5.8" and "0.6" (no unit) beside "5,8" everywhere else."""
    values = {
        "callback_within_2bd_rate": 100.0,
        "action_time_to_act_median": 0.6,
        "action_items_open": 29,
        "action_items_open_per_person": 5.8,
    }
    shown = {t["id"]: (t["value"], t["unit"]) for t in loop_tiles(values, "nl")}
    assert shown == {
        "callback_within_2bd_rate": ("100", "%"),
        "action_time_to_act_median": ("0,6", "wu"),
        "action_items_created": ("—", ""),
        "action_items_done": ("—", ""),
        "action_items_open": ("29", ""),
        "action_items_open_per_person": ("5,8", ""),
    }
    english = {t["id"]: (t["value"], t["unit"]) for t in loop_tiles(values, "en")}
    assert english["action_time_to_act_median"] == ("0.6", "bh")


def test_period_figures_read_only_live_items_and_those_of_the_period(
    world: Stip, W: ModuleType
) -> None:
    store, items = _evaluated(world, W)
    store.done(items["overdue_ticket"].id, W.local(world, "2026-04-28T12:00"), "eva")
    live = {i.id for i in store.all_items() if i.status in ("open", "snoozed")}

    # a week with no activity, months later: only the items still live are read
    later = store.touching(W.local(world, "2026-09-07T00:00"), W.local(world, "2026-09-14T00:00"))
    assert {i.id for i in later} == live
    values = closed_loop_values(world, "2026-W37", W.local(world, "2026-09-08T09:00"))
    assert (values["action_items_created"], values["action_items_done"]) == (0, 0)
    assert values["action_items_open"] == len(live)

    # the week it was done in also reads the done item; Eva's items are hers alone
    week = store.touching(
        W.local(world, "2026-04-27T00:00"), W.local(world, "2026-05-04T00:00"), person_ids=[W.EVA]
    )
    assert items["overdue_ticket"].id in {i.id for i in week}
    assert {i.person_id for i in week} == {W.EVA}
