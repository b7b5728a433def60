"""Who gets what, deadlines in business hours, escalation, dedupe and auto-close."""

from __future__ import annotations

import datetime as dt
from types import ModuleType

from stip.actions.evaluate import evaluate
from stip.actions.items import item_store
from stip.app import Stip
from stip.store.schema import Batch


def _by_rule(stip: Stip, as_of: dt.datetime) -> dict[str, list]:
    out: dict[str, list] = {}
    for item in item_store(stip.settings).items(as_of):
        out.setdefault(item.rule, []).append(item)
    return out


def test_who_gets_what_with_business_hour_deadlines(world: Stip, W: ModuleType) -> None:
    as_of = W.local(world, "2026-04-28T10:30")  # Tuesday after King's Day
    result = evaluate(world, as_of)
    items = _by_rule(world, as_of)
    assert set(items) == {
        "csat_low_callback",
        "overdue_ticket",
        "late_time_booking",
        "contract_renewal",
        "loss_making_client",
        "unbilled_time",
    }
    assert result.created == 6

    (csat,) = items["csat_low_callback"]
    assert (csat.person, csat.person_id, csat.ticket_id, csat.company_id) == (
        "Eva de Vries",
        W.EVA,
        1000,
        W.COMPANY,
    )
    # Friday 15:00 + 9 business hours: Fri 15-17 (2 h), weekend, King's Day, Tue 08-15 (7 h)
    assert csat.due_at == W.local(world, "2026-04-28T15:00")
    assert "Piet Jansen" in csat.why["en"] and "4/10" in csat.why["en"]
    assert csat.why["nl"].startswith("Piet Jansen van Bakkerij Jansen gaf ticket")
    assert "+31 6 1234 5678" in csat.todo["nl"]

    (overdue,) = items["overdue_ticket"]
    # due Friday 12:00 local + 4 business hours = Friday 16:00
    assert (overdue.person_id, overdue.ticket_id) == (W.EVA, 1001)
    assert overdue.due_at == W.local(world, "2026-04-24T16:00")

    (late,) = items["late_time_booking"]
    # the previous business day of Tuesday is Friday (Monday is a holiday): 5 of 8 h
    assert (late.person, late.person_id) == ("Bram Bakker", W.BRAM)
    assert late.why["en"] == "Bram Bakker has booked 5 of 8 hours for 2026-04-24."
    assert late.why["nl"] == "Bram Bakker heeft 5 van 8 uur geschreven voor 2026-04-24."
    assert late.due_at == W.local(world, "2026-04-28T12:00")

    (renewal,) = items["contract_renewal"]
    assert (renewal.person, renewal.person_id, renewal.contract_id) == (
        "Anna Accountmanager",
        W.ANNA,
        700,
    )
    assert "2026-06-15" in renewal.why["en"] and "48 days" in renewal.why["en"]

    (loss,) = items["loss_making_client"]
    # Q1 2026: billed 400; 12 h x EUR 50 = 600
    assert loss.person_id == W.ANNA
    assert loss.why["en"] == (
        "In 2026-Q1 Bakkerij Jansen was billed EUR 400 while 12.0 hours cost EUR 600 "
        "(margin EUR -200)."
    )
    # Dutch numbers: a decimal comma ("12,0 uur"), and "EUR 3.585" would be the grouping
    assert loss.why["nl"] == (
        "In 2026-Q1 is Bakkerij Jansen EUR 400 gefactureerd terwijl 12,0 uur EUR 600 kostte "
        "(marge EUR -200)."
    )

    (unbilled,) = items["unbilled_time"]
    # entry 8002 (2 h, March) has no billing item; 8001 is billed; April is this cycle
    assert (unbilled.person, unbilled.person_id, unbilled.person_role) == (
        "fien",
        None,
        "finance",
    )
    assert unbilled.facts["hours"] == "2.0" and unbilled.facts["oldest"] == "2026-03-20"


def test_a_survey_without_a_contact_calls_back_its_tickets_contact(
    world: Stip, W: ModuleType
) -> None:
    survey = {**next(r for r in W.rows()["survey_results"] if r["id"] == 9000)}
    survey["contact_id"] = None
    batch = Batch()
    batch.add("survey_results", [survey])
    world.store.apply(batch)
    as_of = W.local(world, "2026-04-28T10:30")
    evaluate(world, as_of)
    (csat,) = _by_rule(world, as_of)["csat_low_callback"]
    # ticket 1000's contact: Piet Jansen, and his number
    assert csat.why["en"].startswith("Piet Jansen of Bakkerij Jansen rated ticket")
    assert "+31 6 1234 5678" in csat.todo["en"]


def test_late_booking_waits_for_ten_and_no_update_counts_business_days(
    world: Stip, W: ModuleType
) -> None:
    evaluate(world, W.local(world, "2026-04-28T09:00"))
    items = _by_rule(world, W.local(world, "2026-04-28T09:00"))
    assert "late_time_booking" not in items
    # last update Thursday 09:00 + 27 business hours = Wednesday 09:00 (Monday is a holiday)
    assert "no_customer_update" not in items
    evaluate(world, W.local(world, "2026-04-29T08:59"))
    assert "no_customer_update" not in _by_rule(world, W.local(world, "2026-04-29T08:59"))
    as_of = W.local(world, "2026-04-29T09:01")
    evaluate(world, as_of)
    (stale,) = _by_rule(world, as_of)["no_customer_update"]
    assert stale.ticket_id == 1000
    assert stale.triggered_at == W.local(world, "2026-04-29T09:00")
    assert stale.due_at == W.local(world, "2026-04-29T13:00")


def test_reevaluation_never_duplicates_and_updates_changed_records(
    world: Stip, W: ModuleType
) -> None:
    as_of = W.local(world, "2026-04-28T10:30")
    evaluate(world, as_of)
    store = item_store(world.settings)
    before = {i.dedupe_key: i.id for i in store.all_items()}
    again = evaluate(world, as_of)
    assert (again.created, again.updated, again.resolved) == (0, 0, 0)
    assert {i.dedupe_key: i.id for i in store.all_items()} == before

    ticket = dict(next(r for r in W.rows()["tickets"] if r["id"] == 1001))
    ticket["assigned_resource_id"] = W.BRAM
    batch = Batch()
    batch.add("tickets", [ticket])
    world.store.apply(batch)
    changed = evaluate(world, as_of)
    assert (changed.created, changed.updated) == (0, 1)
    (overdue,) = _by_rule(world, as_of)["overdue_ticket"]
    assert overdue.id == before[overdue.dedupe_key]
    assert (overdue.person, overdue.person_id) == ("Bram Bakker", W.BRAM)
    events = [h["event"] for h in store.history(overdue.id)]
    assert events == ["created", "updated"]


def test_resolving_the_ticket_auto_closes_the_item(world: Stip, W: ModuleType) -> None:
    as_of = W.local(world, "2026-04-28T10:30")
    evaluate(world, as_of)
    (overdue,) = _by_rule(world, as_of)["overdue_ticket"]
    ticket = dict(next(r for r in W.rows()["tickets"] if r["id"] == 1001))
    ticket["completed_date"] = dt.datetime(2026, 4, 28, 8, 45)
    batch = Batch()
    batch.add("tickets", [ticket])
    world.store.apply(batch)
    later = W.local(world, "2026-04-28T11:00")
    result = evaluate(world, later)
    assert result.resolved == 1
    store = item_store(world.settings)
    closed = store.get(overdue.id)
    assert closed.status == "resolved"
    assert closed.closed_at == later
    assert "overdue_ticket" not in _by_rule(world, later)
    # a low rating is not "resolved" by time passing: the call-back stays open
    assert store.get(_by_rule(world, later)["csat_low_callback"][0].id).status == "open"


def test_escalation_to_team_lead_after_two_business_days(world: Stip, W: ModuleType) -> None:
    # 18 business hours after Friday 15:00: Fri 2 + Tue 9 + Wed 7 = Wednesday 15:00
    before = W.local(world, "2026-04-29T14:59")
    evaluate(world, before)
    assert "csat_low_callback.escalated" not in _by_rule(world, before)
    after = W.local(world, "2026-04-29T15:01")
    result = evaluate(world, after)
    assert result.escalated == 1
    items = _by_rule(world, after)
    (escalated,) = items["csat_low_callback.escalated"]
    (callback,) = items["csat_low_callback"]
    assert (escalated.person, escalated.person_id) == ("Lars Leider", W.LARS)
    assert escalated.parent_id == callback.id and escalated.urgent
    assert escalated.why["en"].startswith("Eva de Vries has not done this within 18 business")
    # escalation due 9 business hours after Wednesday 15:00 = Thursday 15:00
    assert escalated.due_at == W.local(world, "2026-04-30T15:00")
    assert evaluate(world, after).escalated == 0

    store = item_store(world.settings)
    store.done(callback.id, at=W.local(world, "2026-04-29T16:00"), actor="eva")
    result = evaluate(world, W.local(world, "2026-04-29T16:05"))
    assert result.resolved == 1
    assert store.get(escalated.id).status == "resolved"
    assert store.get(callback.id).status == "done"
    assert [h["event"] for h in store.history(callback.id)] == ["created", "done"]


def test_renewal_and_usual_hours_silence_their_rules(world: Stip, W: ModuleType) -> None:
    as_of = W.local(world, "2026-04-28T10:30")
    evaluate(world, as_of)
    batch = Batch()
    batch.add(
        "contracts",
        [
            {
                "source_system": "autotask",
                "id": 702,
                "company_id": W.COMPANY,
                "status": 1,
                "contract_name": "Managed Werkplek 2026",
                "renewed_contract_id": 700,
                "start_date": dt.date(2027, 1, 1),
                "end_date": dt.date(2027, 12, 31),
            }
        ],
    )
    # Bram usually books 5 h a day: 5 h on Friday is his normal day
    batch.add(
        "time_entries",
        [
            {
                "source_system": "autotask",
                "id": 8100 + n,
                "ticket_id": 1001,
                "resource_id": W.BRAM,
                "date_worked": day,
                "hours_worked": 5.0,
                "is_non_billable": True,
            }
            for n, day in enumerate(
                [dt.date(2026, 4, 20), dt.date(2026, 4, 21), dt.date(2026, 4, 23)]
            )
        ],
    )
    world.store.apply(batch)
    result = evaluate(world, W.local(world, "2026-04-28T10:35"))
    assert result.resolved == 2
    rules = set(_by_rule(world, W.local(world, "2026-04-28T10:35")))
    assert "contract_renewal" not in rules and "late_time_booking" not in rules


def test_sla_breach_soon_counts_two_business_hours_across_weekend_and_holiday(
    world: Stip, W: ModuleType
) -> None:
    tickets = {r["id"]: dict(r) for r in W.rows()["tickets"]}
    tickets[1001]["resolved_due_date_time"] = dt.datetime(2026, 4, 28, 7, 0)  # Tue 09:00 local
    tickets[1000]["first_response_due_date_time"] = dt.datetime(2026, 4, 28, 10, 0)  # Tue 12:00
    tickets[1000]["first_response_date_time"] = dt.datetime(2026, 4, 20, 9, 0)  # already met
    batch = Batch()
    batch.add("tickets", list(tickets.values()))
    world.store.apply(batch)
    # Friday 16:30: 0.5 h left on Friday, Monday is King's Day, so 2 business hours reach
    # Tuesday 09:30 and the resolution due Tuesday 09:00 is about to breach
    friday = W.local(world, "2026-04-24T16:30")
    evaluate(world, friday)
    (soon,) = _by_rule(world, friday)["sla_breach_soon"]
    assert (soon.ticket_id, soon.person_id, soon.urgent) == (1001, W.EVA, True)
    assert soon.due_at == W.local(world, "2026-04-28T09:00")
    assert soon.triggered_at == W.local(world, "2026-04-24T16:00")
    assert soon.why["en"].startswith("The SLA resolution for ticket T20260421.0002")
    # the met first response never raises an item; once Eva leaves, her team lead gets it
    resources = [dict(r) for r in W.rows()["resources"]]
    next(r for r in resources if r["id"] == W.EVA)["is_active"] = False
    batch = Batch()
    batch.add("resources", resources)
    world.store.apply(batch)
    evaluate(world, friday)
    (soon,) = _by_rule(world, friday)["sla_breach_soon"]
    assert (soon.person, soon.person_id) == ("Lars Leider", W.LARS)
    # Tuesday 09:01 the milestone has passed: no longer "about to breach"
    after = W.local(world, "2026-04-28T09:01")
    evaluate(world, after)
    assert "sla_breach_soon" not in _by_rule(world, after)


def test_listing_an_earlier_as_of_hides_items_triggered_later(world: Stip, W: ModuleType) -> None:
    evaluate(world, W.local(world, "2026-04-28T10:30"))
    friday = W.local(world, "2026-04-24T14:00")  # the low rating arrives at 15:00
    evaluate(world, friday)
    rules = set(_by_rule(world, friday))
    assert "csat_low_callback" not in rules and "overdue_ticket" in rules
    assert "csat_low_callback" in _by_rule(world, W.local(world, "2026-04-24T15:00"))


def test_the_renewal_rule_and_the_kpi_share_the_last_day(world: Stip, W: ModuleType) -> None:
    """Contract 700 ends 15 June 2026. On 16 April it ends in exactly 60 days: the rule raises
    its item and the `expiring_contracts` tile counts it; on 15 April (61 days) neither does.
    The rule said 'within 60 days' up to 60 days, the KPI up to 59."""
    from stip.semantic.engine import KpiEngine

    engine = KpiEngine(world.store, world.settings)
    for day, expected in (("2026-04-15", 0), ("2026-04-16", 1)):
        as_of = W.local(world, f"{day}T10:00")
        evaluate(world, as_of)
        renewals = _by_rule(world, as_of).get("contract_renewal", [])
        assert [item.contract_id for item in renewals] == [700] * expected
        (row,) = engine.values("expiring_contracts", "today", as_of=as_of).rows
        assert row.value == expected
    assert "(60 days)" in renewals[0].why["en"]
