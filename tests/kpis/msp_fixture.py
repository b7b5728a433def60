"""A small hand-made MSP whose KPI values are computed by hand in the tests.

Times are UTC (as stored); the comments give local Amsterdam time. October 2026 runs from
2026-09-30T22:00Z to 2026-10-31T23:00Z (DST ends Sunday 25 October).
"""

from __future__ import annotations

from datetime import date, datetime

from stip.store.schema import Batch

SRC = "autotask"


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _ticket(
    ident: int,
    created: str,
    *,
    res: int | None,
    company: int | None,
    queue: int | None,
    prio: int | None,
    first: str | None = None,
    completed: str | None = None,
    resolved: str | None = None,
    due: str | None = None,
    sla: int | None = None,
    met: bool | None = None,
) -> dict[str, object]:
    return {
        "source_system": SRC,
        "id": ident,
        "ticket_number": f"T2026.{ident:04d}",
        "title": f"Ticket {ident}",
        "create_date": _dt(created),
        "first_response_date_time": _dt(first),
        "completed_date": _dt(completed),
        "resolved_date_time": _dt(resolved),
        "due_date_time": _dt(due),
        "assigned_resource_id": res,
        "company_id": company,
        "queue_id": queue,
        "priority": prio,
        "service_level_agreement_id": sla,
        "service_level_agreement_has_been_met": met,
    }


TICKETS = [
    # Mon 09:00 -> first response 10:30 (1.5 bh); resolved Tue 14:00 (8 + 6 = 14 bh)
    _ticket(
        1,
        "2026-10-05T07:00",
        res=1,
        company=100,
        queue=5,
        prio=1,
        first="2026-10-05T08:30",
        completed="2026-10-06T12:00",
        resolved="2026-10-06T12:00",
        due="2026-10-07T07:00",
        sla=1,
        met=True,
    ),
    # over a weekend: Fri 16:00 -> Mon 09:00 (1 + 1 = 2 bh); resolved Mon 12:00 (1 + 4 = 5 bh)
    _ticket(
        2,
        "2026-10-09T14:00",
        res=1,
        company=100,
        queue=5,
        prio=2,
        first="2026-10-12T07:00",
        completed="2026-10-12T10:00",
        resolved="2026-10-12T10:00",
        due="2026-10-13T07:00",
        sla=1,
        met=False,
    ),
    # over the DST change: Fri 15:00 CEST -> Mon 09:00 CET (2 + 1 = 3 bh); still open
    _ticket(
        3,
        "2026-10-23T13:00",
        res=2,
        company=200,
        queue=6,
        prio=1,
        first="2026-10-26T08:00",
        due="2026-10-27T10:00",
        sla=1,
        met=None,
    ),
    # unassigned, no queue; completed without a resolved time; SLA result unknown
    _ticket(
        4,
        "2026-10-14T09:00",
        res=None,
        company=200,
        queue=None,
        prio=2,
        completed="2026-10-20T09:00",
        sla=1,
        met=None,
    ),
    # created in September (Sun 12:00), resolved Fri 2 Oct 11:00: 9 days x 9 + 3 = 84 bh
    _ticket(
        5,
        "2026-09-20T10:00",
        res=2,
        company=100,
        queue=5,
        prio=1,
        first="2026-09-20T11:00",
        completed="2026-10-02T10:00",
        resolved="2026-10-02T09:00",
        sla=2,
        met=True,
    ),
    # Sat 31 Oct 23:30 local: still October locally
    _ticket(6, "2026-10-31T22:30", res=1, company=100, queue=5, prio=2, due="2026-11-01T08:00"),
    # Sun 1 Nov 00:30 local: November locally although October in UTC
    _ticket(7, "2026-10-31T23:30", res=None, company=None, queue=None, prio=None),
    # King's Day: Fri 24 Apr 16:00 -> Tue 28 Apr 09:00 = 1 + 0 + 1 = 2 bh
    _ticket(
        8,
        "2026-04-24T14:00",
        res=1,
        company=100,
        queue=5,
        prio=1,
        first="2026-04-28T07:00",
        completed="2026-04-28T12:00",
    ),
    # Good Friday and Easter Monday: Thu 2 Apr 15:00 -> Tue 7 Apr 09:00 = 2 + 0 + 0 + 1 = 3 bh
    _ticket(
        9,
        "2026-04-02T13:00",
        res=2,
        company=200,
        queue=6,
        prio=2,
        first="2026-04-07T07:00",
        completed="2026-05-01T10:00",
    ),
    # unassigned, overdue at 28 Oct 10:00 (completed only on the 29th)
    _ticket(
        10,
        "2026-10-20T08:00",
        res=None,
        company=200,
        queue=6,
        prio=2,
        completed="2026-10-29T08:00",
        due="2026-10-22T08:00",
    ),
    # open, due after the as-of: not overdue
    _ticket(11, "2026-10-26T08:00", res=1, company=100, queue=5, prio=1, due="2026-10-30T08:00"),
]


def _entry(
    ident: int,
    res: int,
    worked: str,
    hours: float,
    *,
    ticket: int | None = None,
    task: int | None = None,
    non_billable: bool | None = False,
    end: str | None = None,
    created: str | None = None,
) -> dict[str, object]:
    return {
        "source_system": SRC,
        "id": ident,
        "resource_id": res,
        "ticket_id": ticket,
        "task_id": task,
        "date_worked": date.fromisoformat(worked),
        "hours_worked": hours,
        "is_non_billable": non_billable,
        "end_date_time": _dt(end),
        "create_date_time": _dt(created),
    }


TIME_ENTRIES = [
    _entry(1, 1, "2026-10-05", 2.0, ticket=1, end="2026-10-05T09:00", created="2026-10-05T10:30"),
    # no end: the end of the local day 12 Oct is 22:00Z -> lag 10 h; non-billable
    _entry(2, 1, "2026-10-12", 1.5, ticket=2, non_billable=True, created="2026-10-13T08:00"),
    # no end: the end of 26 Oct (CET) is 23:00Z; entered 22:30Z -> lag -0.5 -> 0
    _entry(3, 2, "2026-10-26", 3.0, ticket=3, created="2026-10-26T22:30"),
    # inactive resource, on a project task of company 200
    _entry(4, 3, "2026-10-07", 4.0, task=900, end="2026-10-07T15:00", created="2026-10-09T15:00"),
    # internal time: no ticket, no task, no company; entered before it ended -> lag 0
    _entry(5, 4, "2026-10-01", 2.5, end="2026-10-01T10:00", created="2026-10-01T09:00"),
    # date-only boundaries: 1 Nov and 30 Sep are outside October
    _entry(6, 1, "2026-11-01", 1.0, ticket=6, created="2026-11-01T10:00"),
    _entry(7, 2, "2026-09-30", 1.0, ticket=3, created="2026-09-30T10:00"),
    # billable flag unknown (null): not billable; no create time: not in the lag
    _entry(8, 2, "2026-10-31", 0.5, ticket=4, non_billable=None),
    # non-billable time for company 400 (via task 901), lag 1 h
    _entry(
        9,
        2,
        "2026-10-16",
        1.0,
        task=901,
        non_billable=True,
        end="2026-10-16T11:00",
        created="2026-10-16T12:00",
    ),
]


def _survey(
    ident: int, ticket: int, company: int, contact: int | None, done: str, rating: float | None
) -> dict[str, object]:
    return {
        "source_system": SRC,
        "id": ident,
        "ticket_id": ticket,
        "company_id": company,
        "contact_id": contact,
        "complete_date": _dt(done),
        "survey_rating": rating,
    }


SURVEYS = [
    _survey(1, 1, 100, 500, "2026-10-07T10:00", 9.0),
    _survey(2, 2, 100, 500, "2026-10-13T10:00", 4.0),
    _survey(3, 3, 200, 501, "2026-10-27T10:00", 5.0),
    _survey(4, 2, 100, 500, "2026-10-14T10:00", 3.0),
    _survey(5, 4, 200, 501, "2026-10-20T10:00", None),
    _survey(6, 1, 100, 500, "2026-11-02T10:00", 2.0),
]


def _billing(ident: int, company: int, day: str, price: float) -> dict[str, object]:
    return {
        "source_system": SRC,
        "id": ident,
        "company_id": company,
        "item_date": date.fromisoformat(day),
        "extended_price": price,
    }


BILLING = [
    _billing(1, 100, "2026-10-15", 300.0),
    _billing(2, 200, "2026-10-31", 700.0),
    _billing(3, 300, "2026-10-10", 50.0),
    _billing(4, 100, "2026-11-01", 999.0),
]


def _resource(ident: int, first: str, last: str, active: bool, per_day: float | None = None):
    return {
        "source_system": SRC,
        "id": ident,
        "first_name": first,
        "last_name": last,
        "is_active": active,
        "available_hours_per_day": per_day,
    }


def _rrd(ident: int, res: int, dept: int, default: bool) -> dict[str, object]:
    return {
        "source_system": SRC,
        "id": ident,
        "resource_id": res,
        "department_id": dept,
        "role_id": 1,
        "is_default": default,
        "is_active": True,
    }


def _pick(field: str, value: int, label: str) -> dict[str, object]:
    return {
        "source_system": SRC,
        "entity": "Tickets",
        "field": field,
        "value": value,
        "label": label,
        "is_active": True,
    }


def build_batch() -> Batch:
    batch = Batch()
    batch.add("tickets", TICKETS)
    batch.add("time_entries", TIME_ENTRIES)
    batch.add("survey_results", SURVEYS)
    batch.add("billing_items", BILLING)
    batch.add(
        "resources",
        [
            _resource(1, "Jan", "de Vries", True),
            _resource(2, "Anna", "Bakker", True),
            _resource(3, "Piet", "Smit", False),
            _resource(4, "Eva", "Jansen", True, per_day=4.0),
        ],
    )
    batch.add(
        "teams",
        [
            {"source_system": SRC, "id": 10, "name": "Servicedesk"},
            {"source_system": SRC, "id": 20, "name": "Projecten"},
        ],
    )
    batch.add(
        "resource_role_departments",
        [_rrd(1, 1, 10, True), _rrd(2, 2, 10, True), _rrd(3, 3, 20, True), _rrd(4, 1, 20, False)],
    )
    batch.add(
        "companies",
        [
            {"source_system": SRC, "id": 100, "company_name": "Acme BV"},
            {"source_system": SRC, "id": 200, "company_name": "Globex"},
            {"source_system": SRC, "id": 300, "company_name": "Initech"},
            {"source_system": SRC, "id": 400, "company_name": "Umbrella"},
        ],
    )
    batch.add(
        "contacts",
        [
            {
                "source_system": SRC,
                "id": 500,
                "company_id": 100,
                "first_name": "Kees",
                "last_name": "Klant",
                "phone": None,
                "mobile_phone": None,
            },
            {
                "source_system": SRC,
                "id": 501,
                "company_id": 200,
                "first_name": "Lisa",
                "last_name": "Lid",
                "phone": None,
                "mobile_phone": "+31 6 5555 0101",
            },
        ],
    )
    batch.add(
        "projects",
        [
            {"source_system": SRC, "id": 800, "company_id": 200, "project_name": "Migratie"},
            {"source_system": SRC, "id": 801, "company_id": 400, "project_name": "Audit"},
        ],
    )
    batch.add(
        "tasks",
        [
            {"source_system": SRC, "id": 900, "project_id": 800, "title": "Servers"},
            {"source_system": SRC, "id": 901, "project_id": 801, "title": "Review"},
        ],
    )
    batch.add(
        "picklists",
        [
            _pick("queueID", 5, "Helpdesk"),
            _pick("queueID", 6, "Monitoring"),
            _pick("priority", 1, "High"),
            _pick("priority", 2, "Medium"),
        ],
    )
    return batch
