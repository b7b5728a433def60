"""On the small demo MSP, the shipped rules find every planted story and give it to the right
person."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from stip.actions.evaluate import evaluate
from stip.actions.items import item_store
from stip.app import Stip
from stip.demo import build_demo


def test_rules_find_the_planted_stories(stip_home: Path) -> None:
    stip = Stip.load()
    end = dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)  # Thursday 16:00 local
    stories = build_demo(stip.store, "small", 1, end).stories
    result = evaluate(stip, end)
    assert result.created > 0 and result.seconds < 60
    items = item_store(stip.settings).items(end)
    by_rule: dict[str, list] = {}
    for item in items:
        by_rule.setdefault(item.rule, []).append(item)

    low = [i for i in by_rule["csat_low_callback"] if i.company_id == stories.low_rating_company_id]
    assert len(low) >= 5
    assert all(i.person_id is not None and i.ticket_id is not None for i in low)

    (renewal,) = [
        i for i in by_rule["contract_renewal"] if i.contract_id == stories.expiring_contract_id
    ]
    with stip.store.read() as con:
        owner = (
            con.table("companies")
            .filter(lambda t: t.id == stories.expiring_company_id)
            .select("owner_resource_id")
            .to_pyarrow()
            .to_pylist()[0]["owner_resource_id"]
        )
    assert renewal.person_id == owner

    assert stories.loss_making_company_id in {i.company_id for i in by_rule["loss_making_client"]}
    assert stories.late_booker_resource_id in {i.person_id for i in by_rule["late_time_booking"]}
    # overdue items = the contract's overdue_tickets at T, computed here with pandas
    with stip.store.read() as con:
        tickets = con.table("tickets").to_pandas()
    t = end.replace(tzinfo=None)
    open_at_t = (tickets.create_date <= t) & (
        tickets.completed_date.isna() | (tickets.completed_date > t)
    )
    overdue = tickets[open_at_t & (tickets.due_date_time < t)]
    assert sorted(i.ticket_id for i in by_rule["overdue_ticket"]) == sorted(overdue.id)
    assignee = dict(zip(overdue.id, overdue.assigned_resource_id, strict=True))
    assert all(
        i.person_id == assignee[i.ticket_id]
        for i in by_rule["overdue_ticket"]
        if pd.notna(assignee[i.ticket_id])  # unassigned tickets fall back to a team lead
    )
