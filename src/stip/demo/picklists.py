"""The demo tenant's picklists, as a Dutch MSP would configure them in Autotask.

Values follow Autotask's conventions where it has them (ticket status 1 = New, 5 = Complete,
8 = In Progress; priority 4 = Critical, 1 = High, 2 = Medium, 3 = Low; ticket type 2 =
Incident), so the demo also exercises label lookup: a priority's value is not its rank.
`fields()` returns them in the `entityInformation/fields` shape for `map_picklists`.
"""

from __future__ import annotations

from typing import Any

from stip.demo.names import ISSUES

# Tickets.queueID
Q_FIRST, Q_SECOND, Q_FIELD, Q_PROJECTS, Q_MONITORING = (
    29683354,
    29683355,
    29683356,
    29683357,
    29683358,
)
QUEUES = {
    Q_FIRST: "Servicedesk 1e lijn",
    Q_SECOND: "Servicedesk 2e lijn",
    Q_FIELD: "Field services",
    Q_PROJECTS: "Projecten",
    Q_MONITORING: "Monitoring alerts",
}
# Tickets.priority in rank order (P1 first)
P1, P2, P3, P4 = 4, 1, 2, 3
PRIORITIES = {P1: "P1 Kritiek", P2: "P2 Hoog", P3: "P3 Normaal", P4: "P4 Laag"}
# Tickets.status
NEW, COMPLETE, WAITING_CUSTOMER, IN_PROGRESS, WAITING_MATERIALS, DISPATCHED = 1, 5, 7, 8, 9, 10
WAITING_VENDOR = 12
STATUSES = {
    NEW: "Nieuw",
    COMPLETE: "Gesloten",
    WAITING_CUSTOMER: "Wacht op klant",
    IN_PROGRESS: "In behandeling",
    WAITING_MATERIALS: "Wacht op materiaal",
    DISPATCHED: "Ingepland",
    WAITING_VENDOR: "Wacht op leverancier",
}
# Tickets.source
PORTAL, PHONE, EMAIL, RMM = -1, 1, 2, 8
SOURCES = {PORTAL: "Klantportaal", PHONE: "Telefoon", EMAIL: "E-mail", RMM: "RMM-melding"}
# Tickets.ticketType
SERVICE_REQUEST, INCIDENT, PROBLEM, CHANGE, ALERT = 1, 2, 3, 4, 5
TICKET_TYPES = {
    SERVICE_REQUEST: "Serviceverzoek",
    INCIDENT: "Incident",
    PROBLEM: "Probleem",
    CHANGE: "Wijzigingsverzoek",
    ALERT: "Melding (alert)",
}
# Tickets.serviceLevelAgreementID
SLA_PREMIUM, SLA_STANDARD, SLA_BASIC = 1, 2, 3
SLAS = {
    SLA_PREMIUM: "SLA Premium (all-in)",
    SLA_STANDARD: "SLA Standaard",
    SLA_BASIC: "SLA Basis",
}
# Tickets.issueType (subIssueType values are 100 * issue + n)
ISSUE_TYPES = {i + 1: name for i, name in enumerate(ISSUES)}
ISSUE_ALERT = len(ISSUE_TYPES) + 1
ISSUE_TYPES[ISSUE_ALERT] = "Monitoring"

# Contracts
TM, FIXED_PRICE, BLOCK_HOURS, RECURRING = 1, 3, 4, 7
CONTRACT_TYPES = {
    TM: "Nacalculatie (Time & Materials)",
    FIXED_PRICE: "Vaste prijs",
    BLOCK_HOURS: "Strippenkaart (urenblok)",
    RECURRING: "All-in (terugkerende dienst)",
}
CONTRACT_ACTIVE, CONTRACT_INACTIVE = 1, 0
CONTRACT_STATUSES = {CONTRACT_INACTIVE: "Inactief", CONTRACT_ACTIVE: "Actief"}
CATEGORY_MANAGED, CATEGORY_HOURS, CATEGORY_PROJECT = 1, 2, 3
CONTRACT_CATEGORIES = {
    CATEGORY_MANAGED: "Managed services",
    CATEGORY_HOURS: "Uren",
    CATEGORY_PROJECT: "Project",
}

# Companies
CUSTOMER, OWNER_COMPANY, VENDOR = 1, 5, 6
COMPANY_TYPES = {
    1: "Klant",
    2: "Lead",
    3: "Prospect",
    4: "Vervallen",
    5: "Eigen bedrijf",
    6: "Leverancier",
}
CLASS_A, CLASS_B, CLASS_C = 1, 2, 3
CLASSIFICATIONS = {CLASS_A: "A-klant", CLASS_B: "B-klant", CLASS_C: "C-klant"}

# TimeEntries.timeEntryType
TE_REGULAR, TE_TICKET, TE_TASK = 1, 2, 6
TIME_ENTRY_TYPES = {TE_REGULAR: "Interne uren", TE_TICKET: "Ticket", TE_TASK: "Projecttaak"}

# BillingItems.billingItemType
BI_LABOUR, BI_SERVICE, BI_BLOCK = 1, 5, 7
BILLING_ITEM_TYPES = {
    BI_LABOUR: "Arbeid",
    2: "Kosten",
    BI_SERVICE: "Terugkerende dienst",
    BI_BLOCK: "Urenblok",
}

# ConfigurationItems.configurationItemType
CI_WORKSTATION, CI_LAPTOP, CI_SERVER, CI_NETWORK, CI_PRINTER = 1, 2, 3, 4, 5
CI_TYPES = {
    CI_WORKSTATION: "Werkplek",
    CI_LAPTOP: "Laptop",
    CI_SERVER: "Server",
    CI_NETWORK: "Netwerkapparaat",
    CI_PRINTER: "Printer",
}

# Projects.status / Tasks.status
PROJECT_ACTIVE, PROJECT_COMPLETE = 1, 5
PROJECT_STATUSES = {0: "Inactief", PROJECT_ACTIVE: "Actief", PROJECT_COMPLETE: "Afgerond"}
TASK_NEW, TASK_COMPLETE, TASK_IN_PROGRESS = 1, 5, 8
TASK_STATUSES = {TASK_NEW: "Nieuw", TASK_COMPLETE: "Afgerond", TASK_IN_PROGRESS: "In uitvoering"}

# Invoices.paymentTerm
PAYMENT_TERMS = {1: "14 dagen", 2: "30 dagen"}
PAYMENT_TERM_DAYS = {1: 14, 2: 30}


def _picklist(
    name: str, labels: dict[int, str], parents: dict[int, int] | None = None
) -> dict[str, Any]:
    values = [
        {
            "value": str(value),
            "label": label,
            "isDefaultValue": order == 0,
            "sortOrder": order,
            "parentValue": str(parents[value]) if parents else None,
            "isActive": True,
            "isSystem": False,
        }
        for order, (value, label) in enumerate(labels.items())
    ]
    return {
        "name": name,
        "dataType": "integer",
        "isPickList": True,
        "picklistValues": values,
        "picklistParentValueField": "issueType" if parents else None,
    }


def _sub_issue_types() -> tuple[dict[int, str], dict[int, int]]:
    labels: dict[int, str] = {}
    parents: dict[int, int] = {}
    for issue, name in ISSUE_TYPES.items():
        for n, sub in enumerate(("Storing", "Vraag", "Wijziging"), start=1):
            labels[issue * 100 + n] = f"{name}: {sub}"
            parents[issue * 100 + n] = issue
    return labels, parents


def fields() -> dict[str, list[dict[str, Any]]]:
    """Per entity, the picklist fields as `entityInformation/fields` returns them."""
    inactive_status = _picklist("status", {**STATUSES, 13: "Heropend (oud)"})
    inactive_status["picklistValues"][-1]["isActive"] = False
    sub_labels, sub_parents = _sub_issue_types()
    return {
        "Tickets": [
            _picklist("queueID", QUEUES),
            _picklist("priority", PRIORITIES),
            inactive_status,
            _picklist("source", SOURCES),
            _picklist("ticketType", TICKET_TYPES),
            _picklist("serviceLevelAgreementID", SLAS),
            _picklist("issueType", ISSUE_TYPES),
            _picklist("subIssueType", sub_labels, sub_parents),
            {"name": "title", "dataType": "string", "isPickList": False},
        ],
        "Contracts": [
            _picklist("contractType", CONTRACT_TYPES),
            _picklist("status", CONTRACT_STATUSES),
            _picklist("contractCategory", CONTRACT_CATEGORIES),
        ],
        "Companies": [
            _picklist("companyType", COMPANY_TYPES),
            _picklist("classification", CLASSIFICATIONS),
        ],
        "TimeEntries": [_picklist("timeEntryType", TIME_ENTRY_TYPES)],
        "BillingItems": [_picklist("billingItemType", BILLING_ITEM_TYPES)],
        "ConfigurationItems": [_picklist("configurationItemType", CI_TYPES)],
        "Projects": [_picklist("status", PROJECT_STATUSES)],
        "Tasks": [_picklist("status", TASK_STATUSES)],
        "Invoices": [_picklist("paymentTerm", PAYMENT_TERMS)],
    }
