"""A tiny, hand-checkable MSP in canonical rows, for the catalogue KPI tests.

All times below are written as *local* Europe/Amsterdam wall time (`L(...)`) and stored as
naive UTC, as the connector stores them. October 2026 has 22 business days (no Dutch
holidays); DST ends on Sunday 25 October (UTC+2 before, UTC+1 after).

The as-of used by the tests is Monday 2 November 2026 10:00 local; the main period is
`2026-10`, the previous one `2026-09`.

People: Anna (101, active, €50/h cost), Bram (102, active, €60/h), Cees (103, inactive, €40/h).
Team 201 "Servicedesk" holds Anna and Bram. Clients: Alfa (1, owner Bram, 20 users),
Beta (2, owner Bram, 10 users), Gamma (3, owner Anna, 5 users). Picklists: ticket type
1 Service Request / 2 Incident / 3 Problem / 5 Alert; priority 1 "P1 Kritiek" ... 4 "P4 Laag";
source 2 Telefoon / 4 E-mail / -1 Klantportaal / 8 Monitoring alert.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from stip.store.schema import Batch

TZ = ZoneInfo("Europe/Amsterdam")
SRC = "autotask"


def L(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:  # noqa: N802
    """Local wall time -> naive UTC (how timestamps are stored)."""
    return datetime(y, m, d, hh, mm, tzinfo=TZ).astimezone(UTC).replace(tzinfo=None)


AS_OF = "2026-11-02T10:00:00"


def _rows(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{"source_system": SRC, **row} for row in rows]


def _ticket(
    id: int,
    company: int | None,
    resource: int | None,
    *,
    queue: int = 5,
    priority: int = 3,
    type: int = 2,
    source: int = 4,
    created: datetime,
    first: datetime | None = None,
    first_due: datetime | None = None,
    plan: datetime | None = None,
    plan_due: datetime | None = None,
    resolved: datetime | None = None,
    resolved_due: datetime | None = None,
    completed: datetime | None = None,
    due: datetime | None = None,
    sla: int | None = None,
    met: bool | None = None,
    contract: int | None = None,
    issue: int | None = None,
    rmm: str | None = None,
    visible: datetime | None = None,
) -> dict[str, object]:
    return {
        "id": id,
        "ticket_number": f"T2026.{id}",
        "title": f"Ticket {id}",
        "company_id": company,
        "assigned_resource_id": resource,
        "completed_by_resource_id": resource if completed else None,
        "queue_id": queue,
        "priority": priority,
        "ticket_type": type,
        "source": source,
        "status": 5 if completed else 1,
        "create_date": created,
        "first_response_date_time": first,
        "first_response_due_date_time": first_due,
        "resolution_plan_date_time": plan,
        "resolution_plan_due_date_time": plan_due,
        "resolved_date_time": resolved,
        "resolved_due_date_time": resolved_due,
        "completed_date": completed,
        "due_date_time": due,
        "service_level_agreement_id": sla,
        "service_level_agreement_has_been_met": met,
        "contract_id": contract,
        "issue_type": issue,
        "rmm_alert_id": rmm,
        "last_customer_visible_activity_date_time": visible,
    }


TICKETS = [
    # T1: P1 incident by phone, Alfa, Anna. 0.5 bh to respond, 2 bh to resolve. SLA met.
    _ticket(1001, 1, 101, priority=1, type=2, source=2, created=L(2026, 10, 5, 9),
            first=L(2026, 10, 5, 9, 30), first_due=L(2026, 10, 5, 10),
            plan=L(2026, 10, 5, 10), plan_due=L(2026, 10, 5, 11),
            resolved=L(2026, 10, 5, 11), resolved_due=L(2026, 10, 5, 13),
            completed=L(2026, 10, 5, 11), due=L(2026, 10, 5, 17), sla=1, met=True,
            contract=301, issue=10),
    # T2: incident by e-mail Tue 16:00, first response Wed 09:00 (2 bh, after its due 08:30),
    # resolved Wed 12:00 (5 bh); SLA not met.
    _ticket(1002, 1, 101, created=L(2026, 10, 6, 16), first=L(2026, 10, 7, 9),
            first_due=L(2026, 10, 7, 8, 30), plan=L(2026, 10, 7, 10),
            plan_due=L(2026, 10, 7, 9), resolved=L(2026, 10, 7, 12),
            resolved_due=L(2026, 10, 8, 16), completed=L(2026, 10, 7, 12),
            due=L(2026, 10, 8, 16), sla=1, met=False, contract=301, issue=10),
    # T3: service request via the portal, Fri 15:00 -> Mon 09:00 first response (3 bh),
    # resolved Mon 10:00 (4 bh). No SLA.
    _ticket(1003, 2, 102, priority=2, type=1, source=-1, created=L(2026, 10, 9, 15),
            first=L(2026, 10, 12, 9), resolved=L(2026, 10, 12, 10),
            completed=L(2026, 10, 12, 10), due=L(2026, 10, 14, 17), contract=302),
    # T4: RMM alert in the monitoring queue: 0.25 bh response, 1 bh to resolve. SLA met.
    _ticket(1004, 2, 102, queue=6, type=5, source=8, created=L(2026, 10, 14, 10),
            first=L(2026, 10, 14, 10, 15), first_due=L(2026, 10, 14, 12),
            resolved=L(2026, 10, 14, 11), resolved_due=L(2026, 10, 15, 10),
            completed=L(2026, 10, 14, 11), due=L(2026, 10, 15, 10), sla=2, met=True,
            contract=302, rmm="A-1"),
    # T5: unassigned phone incident for Gamma, created Saturday 17 Oct 11:00 (after hours);
    # never answered, still open at the as-of and overdue since 20 Oct 17:00.
    _ticket(1005, 3, None, source=2, created=L(2026, 10, 17, 11), due=L(2026, 10, 20, 17),
            issue=10),
    # T6: created in September (28 Sep 09:00), still open at the as-of; due 10 Nov.
    _ticket(1006, 1, 101, priority=2, created=L(2026, 9, 28, 9), first=L(2026, 9, 28, 10),
            due=L(2026, 11, 10, 17), contract=301, issue=10,
            visible=L(2026, 10, 20, 12)),
    # T7: P4 request Tue 20 Oct 14:00 -> resolved Tue 27 Oct 09:00 across the DST change:
    # 3 + 9 + 9 + 9 + 9 + 1 = 40 bh. Response met (0.5 bh), resolution missed.
    _ticket(1007, 2, 102, priority=4, type=1, source=2, created=L(2026, 10, 20, 14),
            first=L(2026, 10, 20, 14, 30), first_due=L(2026, 10, 20, 16),
            resolved=L(2026, 10, 27, 9), resolved_due=L(2026, 10, 22, 17),
            completed=L(2026, 10, 27, 9), due=L(2026, 10, 22, 17), sla=2, met=False,
            contract=302),
    # T8: created 15 Sep 10:00 (previous period), resolved 1 Oct 09:00, completed 1 Oct 10:00.
    _ticket(1008, 1, 101, created=L(2026, 9, 15, 10), first=L(2026, 9, 15, 11),
            resolved=L(2026, 10, 1, 9), completed=L(2026, 10, 1, 10), contract=301, issue=10),
]  # fmt: skip


def _entry(
    id: int,
    ticket: int | None,
    resource: int,
    worked: date,
    start: datetime | None,
    end: datetime | None,
    hours: float,
    billable: bool,
    created: datetime,
    *,
    contract: int | None = None,
    role: int = 1,
    approved: datetime | None = None,
) -> dict[str, object]:
    return {
        "id": id,
        "ticket_id": ticket,
        "resource_id": resource,
        "role_id": role,
        "contract_id": contract,
        "date_worked": worked,
        "start_date_time": start,
        "end_date_time": end,
        "hours_worked": hours,
        "hours_to_bill": hours if billable else 0.0,
        "is_non_billable": not billable,
        "time_entry_type": 2 if ticket else 1,
        "create_date_time": created,
        "billing_approval_date_time": approved,
    }


TIME_ENTRIES = [
    # E1 T1 Anna 1.5 h billable, entered at its end (lag 0).
    _entry(1, 1001, 101, date(2026, 10, 5), L(2026, 10, 5, 9, 30), L(2026, 10, 5, 11), 1.5,
           True, L(2026, 10, 5, 11), contract=301, approved=L(2026, 10, 31, 12)),
    # E2 T2 Anna 3 h billable, entered 1 h after its end.
    _entry(2, 1002, 101, date(2026, 10, 7), L(2026, 10, 7, 9), L(2026, 10, 7, 12), 3.0,
           True, L(2026, 10, 7, 13), contract=301, approved=L(2026, 10, 31, 12)),
    # E3 T3 Bram 1 h billable, entered 24 h late (next day).
    _entry(3, 1003, 102, date(2026, 10, 12), L(2026, 10, 12, 9), L(2026, 10, 12, 10), 1.0,
           True, L(2026, 10, 13, 10), contract=302, approved=L(2026, 10, 31, 12)),
    # E4 T4 Bram 0.75 h non-billable, lag 0.
    _entry(4, 1004, 102, date(2026, 10, 14), L(2026, 10, 14, 10, 15), L(2026, 10, 14, 11),
           0.75, False, L(2026, 10, 14, 11), contract=302),
    # E5 T7 Bram 2 h billable, lag 0.5 h; never approved (unbilled).
    _entry(5, 1007, 102, date(2026, 10, 21), L(2026, 10, 21, 9), L(2026, 10, 21, 11), 2.0,
           True, L(2026, 10, 21, 11, 30), contract=302),
    # E6 T7 Anna 1 h billable, after DST, lag 0.
    _entry(6, 1007, 101, date(2026, 10, 27), L(2026, 10, 27, 8), L(2026, 10, 27, 9), 1.0,
           True, L(2026, 10, 27, 9), contract=302, approved=L(2026, 10, 31, 12)),
    # E7 internal time (no ticket) Anna 4 h, no end time: lag from the end of 16 Oct
    # (local midnight) is negative -> 0.
    _entry(7, None, 101, date(2026, 10, 16), None, None, 4.0, False, L(2026, 10, 16, 18)),
    # E8 T8 Bram 2 h billable on 30 Sep (previous period).
    _entry(8, 1008, 102, date(2026, 9, 30), L(2026, 9, 30, 14), L(2026, 9, 30, 16), 2.0,
           True, L(2026, 9, 30, 16), contract=301, approved=L(2026, 9, 30, 18)),
    # E9 T6 Cees (inactive) 1 h billable on 8 Oct, entered 2 days late (48 h); unbilled.
    _entry(9, 1006, 103, date(2026, 10, 8), L(2026, 10, 8, 9), L(2026, 10, 8, 10), 1.0,
           True, L(2026, 10, 10, 10), contract=301),
]  # fmt: skip

SURVEYS = [
    # rating / resource rating / company rating on a 0-10 scale
    {"id": 1, "ticket_id": 1001, "company_id": 1, "contact_id": 11, "survey_rating": 9.0,
     "resource_rating": 10.0, "company_rating": 8.0, "send_date": L(2026, 10, 5, 12),
     "complete_date": L(2026, 10, 6, 9)},
    {"id": 2, "ticket_id": 1002, "company_id": 1, "contact_id": 11, "survey_rating": 4.0,
     "resource_rating": 5.0, "company_rating": 4.0, "send_date": L(2026, 10, 7, 13),
     "complete_date": L(2026, 10, 8, 9)},
    {"id": 3, "ticket_id": 1003, "company_id": 2, "contact_id": 21, "survey_rating": 8.0,
     "resource_rating": 8.0, "company_rating": None, "send_date": L(2026, 10, 12, 11),
     "complete_date": L(2026, 10, 13, 9)},
    {"id": 4, "ticket_id": 1007, "company_id": 2, "contact_id": 21, "survey_rating": None,
     "resource_rating": None, "company_rating": None, "send_date": L(2026, 10, 27, 10),
     "complete_date": L(2026, 10, 28, 9)},
]  # fmt: skip

# Revenue: service_id set = recurring contract service; time_entry_id set = labour;
# neither = product / other charge.
BILLING = [
    {"id": 1, "company_id": 1, "contract_id": 301, "service_id": 900,
     "item_date": date(2026, 10, 1), "extended_price": 1100.0, "our_cost": 200.0},
    {"id": 2, "company_id": 2, "contract_id": 302, "service_id": 900,
     "item_date": date(2026, 10, 1), "extended_price": 500.0, "our_cost": 450.0},
    {"id": 3, "company_id": 1, "contract_id": 301, "time_entry_id": 2,
     "item_date": date(2026, 10, 7), "extended_price": 300.0, "our_cost": 0.0},
    {"id": 4, "company_id": 2, "contract_id": 302, "time_entry_id": 3,
     "item_date": date(2026, 10, 12), "extended_price": 100.0, "our_cost": 0.0},
    {"id": 5, "company_id": 1, "item_date": date(2026, 10, 10), "extended_price": 400.0,
     "our_cost": 300.0},
    {"id": 6, "company_id": 1, "contract_id": 301, "service_id": 900,
     "item_date": date(2026, 9, 1), "extended_price": 1000.0, "our_cost": 200.0},
    {"id": 7, "company_id": 2, "contract_id": 302, "service_id": 900,
     "item_date": date(2026, 9, 1), "extended_price": 600.0, "our_cost": 100.0},
    {"id": 8, "company_id": 3, "contract_id": 303, "service_id": 900,
     "item_date": date(2026, 9, 1), "extended_price": 200.0, "our_cost": 20.0},
]  # fmt: skip

INVOICES = [
    {"id": 1, "company_id": 1, "invoice_number": "F-1", "invoice_date_time": L(2026, 10, 31, 12),
     "due_date": date(2026, 11, 14), "invoice_total": 1700.0, "is_voided": False},
    {"id": 2, "company_id": 2, "invoice_number": "F-2", "invoice_date_time": L(2026, 9, 30, 12),
     "due_date": date(2026, 10, 14), "paid_date": L(2026, 10, 20, 12), "invoice_total": 600.0,
     "is_voided": False},
    {"id": 3, "company_id": 3, "invoice_number": "F-3", "invoice_date_time": L(2026, 8, 1, 12),
     "due_date": date(2026, 8, 15), "invoice_total": 200.0, "is_voided": False},
    {"id": 4, "company_id": 2, "invoice_number": "F-4", "invoice_date_time": L(2026, 10, 15, 12),
     "due_date": date(2026, 10, 29), "invoice_total": -50.0, "is_voided": False},
]  # fmt: skip

CONTRACTS = [
    {"id": 301, "company_id": 1, "contract_name": "Alfa all-in", "contract_type": 7,
     "status": 1, "start_date": date(2025, 1, 1), "end_date": date(2026, 12, 31)},
    {"id": 302, "company_id": 2, "contract_name": "Beta all-in", "contract_type": 7,
     "status": 1, "start_date": date(2026, 1, 1), "end_date": date(2027, 12, 31)},
    {"id": 303, "company_id": 3, "contract_name": "Gamma beheer", "contract_type": 7,
     "status": 0, "start_date": date(2025, 1, 1), "end_date": date(2026, 9, 30)},
    {"id": 304, "company_id": 2, "contract_name": "Beta strippenkaart", "contract_type": 4,
     "status": 1, "start_date": date(2026, 1, 1), "end_date": date(2026, 12, 31)},
]  # fmt: skip

BLOCKS = [
    {"id": 1, "contract_id": 304, "start_date": date(2026, 1, 1), "end_date": date(2026, 12, 31),
     "hours": 20.0, "hours_approved": 15.0},
]  # fmt: skip

COMPANIES = [
    {"id": 1, "company_name": "Alfa BV", "company_type": 1, "is_active": True,
     "owner_resource_id": 102, "user_count": 20},
    {"id": 2, "company_name": "Beta BV", "company_type": 1, "is_active": True,
     "owner_resource_id": 102, "user_count": 10},
    {"id": 3, "company_name": "Gamma BV", "company_type": 1, "is_active": True,
     "owner_resource_id": 101, "user_count": 5},
]  # fmt: skip

RESOURCES = [
    {"id": 101, "first_name": "Anna", "last_name": "Jansen", "is_active": True,
     "internal_cost": 50.0, "weekly_hours": 40.0},
    {"id": 102, "first_name": "Bram", "last_name": "de Vries", "is_active": True,
     "internal_cost": 60.0, "weekly_hours": 40.0},
    {"id": 103, "first_name": "Cees", "last_name": "Bakker", "is_active": False,
     "internal_cost": 40.0, "weekly_hours": 32.0},
]  # fmt: skip

ROLES = [{"id": 1, "name": "Engineer", "hourly_rate": 100.0, "is_active": True}]

# Endpoints: Alfa 3 active (+1 retired), Beta 2 active, Gamma none.
CONFIGURATION_ITEMS = [
    {"id": 501, "company_id": 1, "is_active": True},
    {"id": 502, "company_id": 1, "is_active": True},
    {"id": 503, "company_id": 1, "is_active": True},
    {"id": 504, "company_id": 1, "is_active": False},
    {"id": 505, "company_id": 2, "is_active": True},
    {"id": 506, "company_id": 2, "is_active": True},
]

PROJECTS = [
    {"id": 601, "company_id": 2, "project_name": "Migratie", "status": 5,
     "completed_date_time": L(2026, 10, 23, 16), "estimated_time": 40.0, "actual_hours": 50.0},
]  # fmt: skip

CONTACTS = [
    {
        "id": 11,
        "company_id": 1,
        "first_name": "Els",
        "last_name": "Visser",
        "phone": "+31 20 555 0111",
    },
    {"id": 21, "company_id": 2, "first_name": "Joost", "last_name": "Smit", "phone": None},
]
TEAMS = [{"id": 201, "name": "Servicedesk"}]
MEMBERS = [
    {"id": 1, "resource_id": 101, "department_id": 201, "is_default": True, "is_active": True},
    {"id": 2, "resource_id": 102, "department_id": 201, "is_default": True, "is_active": True},
]


def _picklist(entity: str, field: str, values: dict[int, str]) -> list[dict[str, object]]:
    return [
        {"source_system": SRC, "entity": entity, "field": field, "value": value, "label": label,
         "is_active": True, "sort_order": index, "parent_value": None}
        for index, (value, label) in enumerate(values.items())
    ]  # fmt: skip


PICKLISTS = [
    *_picklist("Tickets", "queueID", {5: "Servicedesk", 6: "Monitoring"}),
    *_picklist("Tickets", "priority", {1: "P1 Kritiek", 2: "P2 Hoog", 3: "P3 Normaal",
                                       4: "P4 Laag"}),
    *_picklist("Tickets", "ticketType", {1: "Service Request", 2: "Incident", 3: "Problem",
                                         4: "Change Request", 5: "Alert"}),
    *_picklist("Tickets", "source", {-1: "Klantportaal", 2: "Telefoon", 4: "E-mail",
                                     8: "Monitoring alert"}),
]  # fmt: skip


def batch() -> Batch:
    """The whole fixture as one batch."""
    b = Batch()
    b.add("tickets", _rows(TICKETS))
    b.add("time_entries", _rows(TIME_ENTRIES))
    b.add("survey_results", _rows(SURVEYS))
    b.add("billing_items", _rows(BILLING))
    b.add("invoices", _rows(INVOICES))
    b.add("contracts", _rows(CONTRACTS))
    b.add("contract_blocks", _rows(BLOCKS))
    b.add("companies", _rows(COMPANIES))
    b.add("resources", _rows(RESOURCES))
    b.add("roles", _rows(ROLES))
    b.add("configuration_items", _rows(CONFIGURATION_ITEMS))
    b.add("projects", _rows(PROJECTS))
    b.add("contacts", _rows(CONTACTS))
    b.add("teams", _rows(TEAMS))
    b.add("resource_role_departments", _rows(MEMBERS))
    b.add("picklists", PICKLISTS)
    return b
