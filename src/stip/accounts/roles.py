"""Roles and the declared permission table.

Every authorization decision in the web app and the API goes through the functions here, and
the authorization test walks every route for every role against this same table.
"""

from __future__ import annotations

from typing import Final

ENGINEER: Final = "engineer"
TEAMLEAD: Final = "teamlead"
SERVICE_MANAGER: Final = "service_manager"
ACCOUNT_MANAGER: Final = "account_manager"
FINANCE: Final = "finance"
OWNER: Final = "owner"
ADMIN: Final = "admin"

#: The roles that own a default dashboard (its id is the role id), in display order.
DASHBOARD_ROLES: Final = (ENGINEER, TEAMLEAD, SERVICE_MANAGER, ACCOUNT_MANAGER, FINANCE, OWNER)
ROLES: Final = (*DASHBOARD_ROLES, ADMIN)

ROLE_LABELS: Final[dict[str, dict[str, str]]] = {
    ENGINEER: {"en": "Engineer", "nl": "Engineer"},
    TEAMLEAD: {"en": "Team lead", "nl": "Teamleider"},
    SERVICE_MANAGER: {"en": "Service manager", "nl": "Servicemanager"},
    ACCOUNT_MANAGER: {"en": "Account manager", "nl": "Accountmanager"},
    FINANCE: {"en": "Finance", "nl": "Financiën"},
    OWNER: {"en": "Owner", "nl": "Eigenaar"},
    ADMIN: {"en": "Administrator", "nl": "Beheerder"},
}

#: Which dashboards (by the dashboard's `role`) each role may open.
DASHBOARD_ACCESS: Final[dict[str, frozenset[str]]] = {
    ENGINEER: frozenset({ENGINEER}),
    TEAMLEAD: frozenset({ENGINEER, TEAMLEAD}),
    SERVICE_MANAGER: frozenset({ENGINEER, TEAMLEAD, SERVICE_MANAGER}),
    ACCOUNT_MANAGER: frozenset({ACCOUNT_MANAGER}),
    FINANCE: frozenset({FINANCE}),
    OWNER: frozenset(DASHBOARD_ROLES),
    ADMIN: frozenset(DASHBOARD_ROLES),
}

#: Who may see money: client margins, revenue, rates.
MONEY_ROLES: Final = frozenset({ACCOUNT_MANAGER, FINANCE, OWNER, ADMIN})

#: Who may see figures of other people than themselves (an engineer sees only their own).
SEE_OTHERS_ROLES: Final = frozenset(
    {TEAMLEAD, SERVICE_MANAGER, ACCOUNT_MANAGER, FINANCE, OWNER, ADMIN}
)

#: Who may act on (acknowledge, close, snooze, dismiss) other people's action items: those who
#: lead people. Everyone acts on their own items; seeing others' figures is not enough.
ACT_FOR_OTHERS_ROLES: Final = frozenset({TEAMLEAD, SERVICE_MANAGER, OWNER, ADMIN})

#: Who manages users and share links.
ADMIN_ROLES: Final = frozenset({ADMIN})

#: A KPI is money when its unit is a currency amount (€, €/h, €/user/month, ...) or its id
#: names a margin or invoices (whose action list shows the amounts): amounts and client
#: margins are for MONEY_ROLES only.
MONEY_UNITS: Final = frozenset({"eur", "EUR", "EUR/h"})
MONEY_ID_WORDS: Final = ("margin", "invoice")


def is_role(role: str) -> bool:
    return role in ROLES


def can_view_dashboard(role: str, dashboard_role: str) -> bool:
    return dashboard_role in DASHBOARD_ACCESS.get(role, frozenset())


def can_see_money(role: str) -> bool:
    return role in MONEY_ROLES


def can_see_others(role: str) -> bool:
    return role in SEE_OTHERS_ROLES


def can_act_for_others(role: str) -> bool:
    return role in ACT_FOR_OTHERS_ROLES


def can_admin(role: str) -> bool:
    return role in ADMIN_ROLES


def is_money_unit(unit: str | None) -> bool:
    return bool(unit) and (unit in MONEY_UNITS or "€" in str(unit))


def is_money_kpi(kpi_id: str, unit: str | None) -> bool:
    return is_money_unit(unit) or any(word in kpi_id for word in MONEY_ID_WORDS)


def home_dashboard(role: str) -> str:
    """The dashboard a role lands on after login."""
    return role if role in DASHBOARD_ROLES else OWNER
