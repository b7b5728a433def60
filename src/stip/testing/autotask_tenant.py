"""A small, deterministic Autotask tenant (records in the API's JSON shape) for the fake
server, tests and benchmarks. Every field name is a Swagger field of its entity."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

BASE = datetime(2026, 9, 1, 8, 0)

TICKET_PICKLISTS: dict[str, list[tuple[int, str, bool]]] = {
    "status": [
        (1, "New", True),
        (5, "Complete", True),
        (8, "In Progress", True),
        (13, "Waiting Customer", False),
    ],
    "priority": [(1, "High", True), (2, "Medium", True), (3, "Low", True), (4, "Critical", True)],
    "queueID": [
        (29683354, "Service Desk", True),
        (29683355, "Monitoring", True),
        (29683356, "Old Queue", False),
    ],
}


SPAN_HOURS = 24 * 60
"""Change stamps stay within the 60 days after BASE: a stamp after the time a sync runs
would match every incremental filter (`field gte W - 15 min`) and be read again each run."""


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def sample_tenant(tickets: int = 300, seed: int = 7) -> dict[str, list[dict[str, Any]]]:
    """entity -> records; about 5 records of other entities per 10 tickets."""
    rng = random.Random(seed)
    n_companies = max(3, tickets // 15)
    companies = [
        {
            "id": 1000 + i,
            "companyName": f"Client {i}",
            "companyType": 1,
            "isActive": True,
            "createDate": _ts(BASE - timedelta(days=400 + i)),
            "lastActivityDate": _ts(BASE + timedelta(hours=i % SPAN_HOURS)),
            "userDefinedFields": [{"name": "Users", "value": str(5 + i % 40)}],
        }
        for i in range(n_companies)
    ]
    contacts = [
        {
            "id": 3000 + i,
            "companyID": 1000 + i % n_companies,
            "firstName": f"Contact{i}",
            "lastName": "Jansen",
            "isActive": 1,
            "lastModifiedDate": _ts(BASE + timedelta(hours=i % SPAN_HOURS)),
        }
        for i in range(n_companies * 2)
    ]
    resources = [
        {
            "id": 29682885 + i,
            "firstName": f"Eng{i}",
            "lastName": "de Vries",
            "isActive": i != 7,
            "userName": f"eng{i}",
            "internalCost": 45.0 + i,
        }
        for i in range(8)
    ]
    departments = [{"id": 50 + i, "name": f"Team {i}", "number": str(i)} for i in range(2)]
    roles = [
        {"id": 70 + i, "name": f"Role {i}", "hourlyRate": 90.0 + 10 * i, "isActive": True}
        for i in range(3)
    ]
    rrd = [
        {
            "id": 900 + i,
            "resourceID": 29682885 + i,
            "roleID": 70 + i % 3,
            "departmentID": 50 + i % 2,
            "isActive": True,
            "isDefault": True,
        }
        for i in range(8)
    ]
    contracts = [
        {
            "id": 5000 + i,
            "companyID": 1000 + i,
            "contractName": f"Managed {i}",
            "status": 1,
            "startDate": "2026-01-01T00:00:00",
            "lastModifiedDateTime": _ts(BASE + timedelta(days=i % 60)),
        }
        for i in range(n_companies)
    ]
    services = [
        {"id": 6000 + i, "contractID": 5000 + i, "serviceID": 1, "unitPrice": 25.0}
        for i in range(n_companies)
    ]
    units = [
        {
            "id": 6500 + i,
            "contractID": 5000 + i % n_companies,
            "contractServiceID": 6000 + i % n_companies,
            "units": 10,
            "price": 250.0,
            "startDate": "2026-10-01T00:00:00",
        }
        for i in range(n_companies * 2)
    ]
    blocks = [
        {"id": 6900 + i, "contractID": 5000 + i, "hours": 20.0, "isPaid": True}
        for i in range(min(3, n_companies))
    ]
    ticket_rows, entries, sla, surveys, billing = [], [], [], [], []
    for i in range(tickets):
        tid = 40000 + i
        created = BASE + timedelta(minutes=60 * 24 * 60 * i // tickets)
        done = i % 3 != 0
        ticket_rows.append(
            {
                "id": tid,
                "ticketNumber": f"T2026{i:05d}",
                "title": f"Ticket {i} <b>printer</b>",
                "companyID": 1000 + i % n_companies,
                "assignedResourceID": 29682885 + i % 8 if i % 11 else None,
                "queueID": rng.choice([29683354, 29683355]),
                "priority": rng.choice([1, 2, 3]),
                "status": 5 if done else 1,
                "serviceLevelAgreementID": 1 if i % 2 == 0 else None,
                "serviceLevelAgreementHasBeenMet": (i % 5 != 0) if done and i % 2 == 0 else None,
                "createDate": _ts(created),
                "completedDate": _ts(created + timedelta(hours=5)) if done else None,
                "dueDateTime": _ts(created + timedelta(days=2)),
                "lastActivityDate": _ts(created + timedelta(hours=6)),
            }
        )
        for j in range(2):
            entries.append(
                {
                    "id": 80000 + 2 * i + j,
                    "ticketID": tid,
                    "resourceID": 29682885 + (i + j) % 8,
                    "dateWorked": (created.date()).isoformat() + "T00:00:00",
                    "hoursWorked": 0.25 * (1 + (i + j) % 6),
                    "isNonBillable": j == 1,
                    "createDateTime": _ts(created + timedelta(hours=2)),
                    "lastModifiedDateTime": _ts(created + timedelta(hours=2)),
                }
            )
        if i % 2 == 0:
            sla.append(
                {
                    "id": 120000 + i,
                    "ticketID": tid,
                    "isFirstResponseMet": True,
                    "isResolutionMet": i % 5 != 0,
                    "resolutionElapsedHours": 3.5,
                }
            )
        if i % 10 == 0:
            surveys.append(
                {
                    "id": 150000 + i,
                    "ticketID": tid,
                    "companyID": 1000 + i % n_companies,
                    "surveyRating": float(3 + i % 8),
                    "sendDate": _ts(created),
                    "completeDate": _ts(created + timedelta(days=1)),
                }
            )
        billing.append(
            {
                "id": 170000 + i,
                "companyID": 1000 + i % n_companies,
                "ticketID": tid,
                "itemName": "Labour",
                "itemDate": created.date().isoformat() + "T00:00:00",
                "extendedPrice": 95.0,
                "quantity": 1.0,
            }
        )
    invoices = [
        {
            "id": 190000 + i,
            "companyID": 1000 + i % n_companies,
            "invoiceNumber": f"F{i}",
            "invoiceDateTime": _ts(BASE + timedelta(days=30 * i)),
            "invoiceTotal": 1000.0 + i,
        }
        for i in range(4)
    ]
    cis = [
        {
            "id": 200000 + i,
            "companyID": 1000 + i % n_companies,
            "isActive": True,
            "referenceTitle": f"PC-{i}",
            "lastModifiedTime": _ts(BASE + timedelta(hours=i % SPAN_HOURS)),
        }
        for i in range(n_companies * 3)
    ]
    projects = [
        {
            "id": 210000 + i,
            "companyID": 1000 + i,
            "projectName": f"Project {i}",
            "status": 1,
            "lastActivityDateTime": _ts(BASE),
        }
        for i in range(2)
    ]
    tasks = [
        {
            "id": 220000 + i,
            "projectID": 210000 + i % 2,
            "title": f"Task {i}",
            "status": 1,
            "lastActivityDateTime": _ts(BASE),
        }
        for i in range(6)
    ]
    return {
        "Companies": companies,
        "Contacts": contacts,
        "Resources": resources,
        "Departments": departments,
        "Roles": roles,
        "ResourceRoleDepartments": rrd,
        "Contracts": contracts,
        "ContractServices": services,
        "ContractServiceUnits": units,
        "ContractBlocks": blocks,
        "Tickets": ticket_rows,
        "TimeEntries": entries,
        "ServiceLevelAgreementResults": sla,
        "SurveyResults": surveys,
        "BillingItems": billing,
        "Invoices": invoices,
        "ConfigurationItems": cis,
        "Projects": projects,
        "Tasks": tasks,
    }
