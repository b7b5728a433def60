"""Three clients in October 2026 whose figures are worked out in test_portfolio.py.

Alfa and Gamma are managed by Mila Maas (resource 501), Beta by Ruben Rook (502). Delta is
no longer active and Echo is a vendor: neither is a client on the clients page.
"""

from __future__ import annotations

from datetime import date, datetime

from stip.store.schema import Batch

SRC = {"source_system": "autotask"}
ALFA, BETA, GAMMA, DELTA, ECHO = 1, 2, 3, 4, 5
MILA, RUBEN, ENGINEER = 501, 502, 503
CLIENTS = [(ALFA, "Alfa"), (BETA, "Beta"), (GAMMA, "Gamma")]


def _company(
    cid: int, name: str, users: int | None, owner: int, **extra: object
) -> dict[str, object]:
    return {**SRC, "id": cid, "company_name": name, "company_type": 1, "is_active": True,
            "user_count": users, "owner_resource_id": owner, **extra}  # fmt: skip


def _item(
    iid: int, company: int, contract: int | None, price: float, recurring: bool
) -> dict[str, object]:
    return {**SRC, "id": iid, "company_id": company, "contract_id": contract,
            "service_id": 900 if recurring else None, "item_date": date(2026, 10, 1),
            "extended_price": price, "our_cost": 0.0}  # fmt: skip


def _entry(eid: int, ticket: int, contract: int, hours: float) -> dict[str, object]:
    return {**SRC, "id": eid, "ticket_id": ticket, "resource_id": ENGINEER,
            "contract_id": contract, "date_worked": date(2026, 10, 6),
            "hours_worked": hours}  # fmt: skip


def load(batch: Batch) -> None:
    batch.add(
        "resources",
        [
            {**SRC, "id": MILA, "first_name": "Mila", "last_name": "Maas", "is_active": True},
            {**SRC, "id": RUBEN, "first_name": "Ruben", "last_name": "Rook", "is_active": True},
            {**SRC, "id": ENGINEER, "first_name": "Erik", "last_name": "Eng", "is_active": True,
             "internal_cost": 50.0},
        ],
    )  # fmt: skip
    batch.add(
        "companies",
        [
            _company(ALFA, "Alfa", 10, MILA),
            _company(BETA, "Beta", 4, RUBEN),
            _company(GAMMA, "Gamma", None, MILA),
            _company(DELTA, "Delta", 5, MILA, is_active=False),
            _company(ECHO, "Echo", 5, MILA, company_type=3),
        ],
    )
    batch.add(
        "contracts",
        [
            {**SRC, "id": 11, "company_id": ALFA, "contract_name": "Alfa all-in", "status": 1,
             "start_date": date(2026, 1, 1), "end_date": date(2027, 12, 31)},
            {**SRC, "id": 12, "company_id": BETA, "contract_name": "Beta all-in", "status": 1,
             "start_date": date(2026, 1, 1), "end_date": date(2027, 12, 31)},
        ],
    )  # fmt: skip
    batch.add(
        "billing_items",
        [
            _item(1, ALFA, 11, 1500.0, recurring=True),
            _item(2, BETA, 12, 200.0, recurring=True),
            _item(3, GAMMA, None, 300.0, recurring=False),
        ],
    )
    # an incident each (reactive), the client's hours worked on it
    batch.add(
        "tickets",
        [
            {**SRC, "id": 101, "company_id": ALFA, "contract_id": 11, "ticket_type": 2,
             "create_date": datetime(2026, 10, 5, 9), "completed_date": datetime(2026, 10, 6, 9)},
            {**SRC, "id": 102, "company_id": BETA, "contract_id": 12, "ticket_type": 2,
             "create_date": datetime(2026, 10, 5, 9), "completed_date": datetime(2026, 10, 6, 9)},
        ],
    )  # fmt: skip
    batch.add("time_entries", [_entry(1, 101, 11, 10.0), _entry(2, 102, 12, 2.0)])
    # one survey answer: Alfa rated its incident 4 of 10 (not positive)
    batch.add(
        "survey_results",
        [{**SRC, "id": 1, "ticket_id": 101, "company_id": ALFA, "survey_rating": 4.0,
          "complete_date": datetime(2026, 10, 7, 12)}],
    )  # fmt: skip
