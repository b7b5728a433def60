"""A small hand-made MSP for the action-center tests (loaded by the conftest files).

Times are UTC (the store's convention); the MSP is in Europe/Amsterdam (UTC+2 in April 2026).
Monday 2026-04-27 is King's Day, a Dutch public holiday.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from stip.accounts.users import add_user, engine_for
from stip.app import Stip
from stip.store.schema import Batch

EVA, LARS, ANNA, BRAM = 1, 2, 3, 4
TEAM = 10
COMPANY = 100
SURVEY_COMPLETED = dt.datetime(2026, 4, 24, 13, 0)  # Friday 15:00 local


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts)  # type: ignore[arg-type]


def rows() -> dict[str, list[dict[str, Any]]]:
    src = {"source_system": "autotask"}
    return {
        "teams": [{**src, "id": TEAM, "name": "Servicedesk"}],
        "resources": [
            {
                **src,
                "id": EVA,
                "first_name": "Eva",
                "last_name": "de Vries",
                "email": "eva@msp.example",
                "is_active": True,
                "internal_cost": 50.0,
            },
            {
                **src,
                "id": LARS,
                "first_name": "Lars",
                "last_name": "Leider",
                "email": "lars@msp.example",
                "is_active": True,
                "internal_cost": 60.0,
            },
            {
                **src,
                "id": ANNA,
                "first_name": "Anna",
                "last_name": "Accountmanager",
                "email": "anna@msp.example",
                "is_active": True,
                "internal_cost": 55.0,
            },
            {
                **src,
                "id": BRAM,
                "first_name": "Bram",
                "last_name": "Bakker",
                "email": "bram@msp.example",
                "is_active": True,
                "internal_cost": 45.0,
            },
        ],
        "resource_role_departments": [
            {
                **src,
                "id": 1,
                "resource_id": EVA,
                "department_id": TEAM,
                "is_active": True,
                "is_default": True,
                "is_department_lead": False,
            },
            {
                **src,
                "id": 2,
                "resource_id": LARS,
                "department_id": TEAM,
                "is_active": True,
                "is_default": True,
                "is_department_lead": True,
            },
            {
                **src,
                "id": 3,
                "resource_id": BRAM,
                "department_id": TEAM,
                "is_active": True,
                "is_default": True,
                "is_department_lead": False,
            },
        ],
        "companies": [
            {
                **src,
                "id": COMPANY,
                "company_name": "Bakkerij Jansen",
                "owner_resource_id": ANNA,
                "is_active": True,
            },
        ],
        "contacts": [
            {
                **src,
                "id": 500,
                "company_id": COMPANY,
                "first_name": "Piet",
                "last_name": "Jansen",
                "phone": "+31 6 1234 5678",
            },
        ],
        "tickets": [
            # open; last customer update Thursday 09:00 local
            {
                **src,
                "id": 1000,
                "ticket_number": "T20260420.0001",
                "title": "Printer offline",
                "company_id": COMPANY,
                "contact_id": 500,
                "assigned_resource_id": EVA,
                "create_date": utc(2026, 4, 20, 8, 0),
                "due_date_time": utc(2026, 5, 30, 15, 0),
                "last_customer_visible_activity_date_time": utc(2026, 4, 23, 7, 0),
            },
            # overdue since Friday 12:00 local
            {
                **src,
                "id": 1001,
                "ticket_number": "T20260421.0002",
                "title": "Mail <b>bounce</b>",
                "company_id": COMPANY,
                "contact_id": 500,
                "assigned_resource_id": EVA,
                "create_date": utc(2026, 4, 21, 8, 0),
                "due_date_time": utc(2026, 4, 24, 10, 0),
                "last_customer_visible_activity_date_time": utc(2026, 4, 28, 6, 0),
            },
        ],
        "survey_results": [
            {
                **src,
                "id": 9000,
                "ticket_id": 1000,
                "company_id": COMPANY,
                "contact_id": 500,
                "complete_date": SURVEY_COMPLETED,
                "survey_rating": 4.0,
            },
            {
                **src,
                "id": 9001,
                "ticket_id": 1001,
                "company_id": COMPANY,
                "contact_id": 500,
                "complete_date": utc(2026, 4, 24, 14, 0),
                "survey_rating": 9.0,
            },
        ],
        "time_entries": [
            {
                **src,
                "id": 8001,
                "ticket_id": 1000,
                "resource_id": EVA,
                "date_worked": dt.date(2026, 2, 10),
                "hours_worked": 10.0,
                "is_non_billable": False,
            },
            {
                **src,
                "id": 8002,
                "ticket_id": 1000,
                "resource_id": EVA,
                "date_worked": dt.date(2026, 3, 20),
                "hours_worked": 2.0,
                "is_non_billable": False,
            },
            {
                **src,
                "id": 8003,
                "ticket_id": 1001,
                "resource_id": BRAM,
                "date_worked": dt.date(2026, 4, 22),
                "hours_worked": 8.0,
                "is_non_billable": True,
            },
            {
                **src,
                "id": 8004,
                "ticket_id": 1001,
                "resource_id": BRAM,
                "date_worked": dt.date(2026, 4, 24),
                "hours_worked": 5.0,
                "is_non_billable": True,
            },
            {
                **src,
                "id": 8005,
                "ticket_id": 1001,
                "resource_id": EVA,
                "date_worked": dt.date(2026, 4, 24),
                "hours_worked": 8.0,
                "is_non_billable": True,
            },
        ],
        "billing_items": [
            {
                **src,
                "id": 7001,
                "company_id": COMPANY,
                "ticket_id": 1000,
                "time_entry_id": 8001,
                "item_date": dt.date(2026, 2, 28),
                "extended_price": 400.0,
            },
        ],
        "contracts": [
            {
                **src,
                "id": 700,
                "company_id": COMPANY,
                "contract_name": "Managed Werkplek",
                "status": 1,
                "start_date": dt.date(2025, 6, 16),
                "end_date": dt.date(2026, 6, 15),
            },
            {
                **src,
                "id": 701,
                "company_id": COMPANY,
                "contract_name": "Backup",
                "status": 1,
                "start_date": dt.date(2025, 9, 1),
                "end_date": dt.date(2026, 8, 30),
            },
        ],
    }


def build(stip: Stip) -> Stip:
    batch = Batch()
    for table, table_rows in rows().items():
        batch.add(table, table_rows)
    stip.store.apply(batch)
    add_user(engine_for(stip.settings), "fien", "finance", "finance-pass-1")
    return stip


def local(stip: Stip, text: str) -> dt.datetime:
    """An as-of time given in the MSP's local time."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=stip.settings.tz)
