"""Six clients in October 2026 for the price simulator, worked out in test_pricing.py.

One engineer (Erik, EUR 50 an hour). Tickets of type 2 are incidents (reactive), of type 1
service requests. All items and entries are dated in October.
"""

from __future__ import annotations

from datetime import date, datetime

from stip.store.schema import Batch

SRC = {"source_system": "autotask"}
KEEP, BAND, PAYS, SCOPE, EXIT, UNCOUNTED = 1, 2, 3, 4, 5, 6
CLIENTS = [
    (KEEP, "Keep BV"),
    (BAND, "Band BV"),
    (PAYS, "Pays BV"),
    (SCOPE, "Scope BV"),
    (EXIT, "Exit BV"),
    (UNCOUNTED, "Uncounted BV"),
]
USERS = {KEEP: 10, BAND: 10, PAYS: 2, SCOPE: 4, EXIT: 5, UNCOUNTED: None}
ENGINEER = 501
INCIDENT, REQUEST = 2, 1


def _item(
    iid: int,
    company: int,
    price: float,
    cost: float = 0.0,
    *,
    contract: int | None = None,
    service: bool = False,
    entry: int | None = None,
) -> dict[str, object]:
    return {**SRC, "id": iid, "company_id": company, "contract_id": contract,
            "service_id": 900 if service else None, "time_entry_id": entry,
            "item_date": date(2026, 10, 1), "extended_price": price,
            "our_cost": cost}  # fmt: skip


def _ticket(tid: int, company: int, kind: int) -> dict[str, object]:
    return {**SRC, "id": tid, "company_id": company, "ticket_type": kind,
            "create_date": datetime(2026, 10, 5, 9),
            "completed_date": datetime(2026, 10, 6, 9)}  # fmt: skip


def _entry(eid: int, ticket: int, hours: float) -> dict[str, object]:
    return {**SRC, "id": eid, "ticket_id": ticket, "resource_id": ENGINEER,
            "date_worked": date(2026, 10, 6), "hours_worked": hours}  # fmt: skip


def load(batch: Batch) -> None:
    batch.add(
        "resources",
        [{**SRC, "id": ENGINEER, "first_name": "Erik", "last_name": "Eng", "is_active": True,
          "internal_cost": 50.0}],
    )  # fmt: skip
    batch.add(
        "companies",
        [
            {**SRC, "id": cid, "company_name": name, "company_type": 1, "is_active": True,
             "user_count": USERS[cid]}
            for cid, name in CLIENTS
        ],
    )  # fmt: skip
    batch.add(
        "billing_items",
        [
            # Keep: a fixed fee of 800 whose licences cost 100; a product sale outside any
            # contract (1,000, cost 900) that is no service and is left out
            _item(1, KEEP, 800.0, 100.0, contract=11, service=True),
            _item(2, KEEP, 1000.0, 900.0),
            # Band: a block of hours bought on its contract (no service, no time entry)
            _item(3, BAND, 1000.0, contract=12),
            # Pays: 10 hours billed at 200 an hour
            _item(4, PAYS, 2000.0, entry=3),
            _item(5, SCOPE, 400.0, contract=14, service=True),
            # Exit: a fixed fee of 250 whose licences cost 500
            _item(6, EXIT, 250.0, 500.0, contract=15, service=True),
            _item(7, UNCOUNTED, 300.0, contract=16, service=True),
        ],
    )
    batch.add(
        "tickets",
        [
            _ticket(101, KEEP, INCIDENT),
            _ticket(102, BAND, REQUEST),
            _ticket(103, PAYS, INCIDENT),
            _ticket(104, SCOPE, INCIDENT),
            _ticket(105, EXIT, REQUEST),
            _ticket(106, UNCOUNTED, INCIDENT),
        ],
    )
    batch.add(
        "time_entries",
        [
            _entry(1, 101, 5.0),
            _entry(2, 102, 12.0),
            _entry(3, 103, 10.0),
            _entry(4, 104, 10.0),
            _entry(5, 105, 4.0),
            _entry(6, 106, 1.0),
        ],
    )
