"""A store and deliverables file whose scorecards are worked out by hand in
test_scorecard.py (the CLI tests read them too).

Stored times are UTC; the months are Europe/Amsterdam's (UTC+2 up to 25 October 2026, UTC+1
after). Every ticket is created and completed at least a day away from a month's edge but
T12: 30 September 22:30 UTC is 1 October 00:30 in Amsterdam, so it counts in October. Nothing
happens after the as-of (Wednesday 18 November 2026, 12:00).
"""

from __future__ import annotations

from datetime import datetime

from stip.store.schema import Batch

SRC = {"source_system": "autotask"}
ACME, BAKKER, GHOST = 100, 200, 300  # GHOST: a client the store does not know
ANNA, BAS, COR = 1, 2, 3
SERVICEDESK, FIELD = 10, 11
AS_OF = "2026-11-18T12:00"
DELIVERABLES = """\
kind: Deliverables
version: 1
months: 2
agreements:
  acme:
    title: {en: Acme managed services, nl: Acme beheerdiensten}
    client: 100
    contract: C-100
    start: 2026-09-01
    fee: 1000
    credit_cap: 10
    deliverables:
      - kpi: sla_met_rate
        target: 75
        credit: 8
        bonus: 2
      - kpi: tickets_created
        title: {en: Tickets logged, nl: Aangemaakte tickets}
        target: 3
        credit: 5
        bonus: 1
      - kpi: tickets_completed
        target: 3
        credit: 4
  bakker:
    title: {en: Bakker support, nl: Bakker ondersteuning}
    client: 200
    start: 2026-10-01
    deliverables:
      - kpi: sla_met_rate
        credit: 10
        bonus: 5
      - kpi: tickets_created
        target: 3
  ghost:
    title: {en: Ghost client, nl: Spookklant}
    client: 300
    fee: 500
    deliverables:
      - kpi: sla_met_rate
        target: 90
        credit: 10
      - kpi: tickets_created
        target: 0
        bonus: 1
      - kpi: same_day_close_rate
        credit: 20
  old_acme:
    title: {en: Acme before, nl: Acme eerder}
    client: 100
    end: 2026-09-30
    deliverables:
      - kpi: tickets_created
        target: 5
  field_partner:
    title: {en: Field partner, nl: Veldpartner}
    team: 11
    fee: 2000
    deliverables:
      - kpi: tickets_completed
        target: 2
        credit: 10
      - kpi: sla_met_rate
        target: 90
        bonus: 5
  bas:
    title: {en: Bas as a contractor, nl: Bas als zzp'er}
    resource: 2
    deliverables:
      - kpi: sla_met_rate
        target: 50
      - kpi: tickets_created
        target: 1
"""


def _ticket(
    tid: int,
    company: int,
    resource: int,
    created: datetime,
    completed: datetime | None = None,
    sla_met: bool | None = None,
) -> dict[str, object]:
    """A ticket; `sla_met` None: no SLA on it (not in the SLA met rate)."""
    return {**SRC, "id": tid, "ticket_number": f"T{tid}", "title": f"Ticket {tid}",
            "company_id": company, "assigned_resource_id": resource, "create_date": created,
            "completed_date": completed,
            "service_level_agreement_id": None if sla_met is None else 1,
            "service_level_agreement_has_been_met": sla_met}  # fmt: skip


def d(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour)


# (ticket, client, assigned to, created, completed, SLA met); nobody has a resolved time,
# so same_day_close_rate (requires tickets.resolved_date_time) has no data at all.
TICKETS = [
    _ticket(1, ACME, ANNA, d(9, 8), d(9, 8, 15), True),
    _ticket(2, ACME, ANNA, d(9, 15), d(9, 17), False),
    _ticket(3, ACME, ANNA, d(10, 6), d(10, 6, 11), True),
    _ticket(4, ACME, BAS, d(10, 13), d(10, 14), True),
    _ticket(5, ACME, COR, d(10, 20), d(10, 21), True),
    _ticket(6, ACME, BAS, d(10, 27), d(10, 30), False),
    _ticket(7, ACME, ANNA, d(11, 3), d(11, 4), True),
    _ticket(8, ACME, ANNA, d(11, 10)),  # still open
    _ticket(9, BAKKER, COR, d(10, 7), d(10, 8), True),
    _ticket(10, BAKKER, ANNA, d(10, 9), d(10, 9, 14)),  # no SLA
    _ticket(11, BAKKER, COR, d(11, 16), d(11, 17), True),
    _ticket(12, BAKKER, ANNA, datetime(2026, 9, 30, 22, 30)),  # 1 October, local time
]


def build_batch() -> Batch:
    batch = Batch()
    batch.add(
        "companies",
        [{**SRC, "id": ACME, "company_name": "Acme BV", "is_active": True},
         {**SRC, "id": BAKKER, "company_name": "Bakker & Zn", "is_active": True}],
    )  # fmt: skip
    people = [(ANNA, "Anna", "Jansen"), (BAS, "Bas", "de Vries"), (COR, "Cor", "Smit")]
    batch.add(
        "resources",
        [{**SRC, "id": i, "first_name": f, "last_name": n, "is_active": True}
         for i, f, n in people],
    )  # fmt: skip
    batch.add(
        "teams",
        [{**SRC, "id": SERVICEDESK, "name": "Servicedesk"}, {**SRC, "id": FIELD, "name": "Field"}],
    )
    # Cor's default team is Field; he also helps out in Servicedesk (not his default)
    memberships = [(ANNA, SERVICEDESK, True), (BAS, SERVICEDESK, True), (COR, FIELD, True),
                   (COR, SERVICEDESK, False)]  # fmt: skip
    batch.add(
        "resource_role_departments",
        [
            {**SRC, "id": n, "resource_id": r, "department_id": t, "is_default": default,
             "is_active": True}
            for n, (r, t, default) in enumerate(memberships, start=1)
        ],
    )  # fmt: skip
    batch.add("tickets", TICKETS)
    return batch
