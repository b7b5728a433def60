"""Who is who: resources, teams and their leads, account managers, and role holders.

Built once per evaluation from the store's small dimension tables (resources, teams,
resource_role_departments, companies) plus Stip's user accounts for role assignees
(finance, owner, ...), who often have no resource in the PSA.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ibis.backends import BaseBackend


@dataclass(frozen=True)
class Person:
    """Someone an action item is for: a PSA resource, or a role holder without one."""

    name: str
    resource_id: int | None = None
    role: str | None = None
    email: str | None = None


@dataclass
class Directory:
    resources: dict[int, dict[str, Any]] = field(default_factory=dict)
    team_of: dict[int, int] = field(default_factory=dict)
    team_names: dict[int, str] = field(default_factory=dict)
    leads: dict[int, int] = field(default_factory=dict)
    companies: dict[int, dict[str, Any]] = field(default_factory=dict)
    role_holders: dict[str, list[Person]] = field(default_factory=dict)

    def resource(self, resource_id: int | None) -> Person | None:
        if resource_id is None or resource_id not in self.resources:
            return None
        row = self.resources[resource_id]
        return Person(row["name"], resource_id, None, row.get("email"))

    def resource_name(self, resource_id: int | None) -> str:
        person = self.resource(resource_id)
        return person.name if person else "-"

    def active(self, resource_id: int | None) -> Person | None:
        """The resource, unless it is set inactive (someone who left acts on nothing)."""
        row = self.resources.get(resource_id) if resource_id is not None else None
        if row is None or row.get("is_active") is False:
            return None
        return self.resource(resource_id)

    def team_lead(self, resource_id: int | None) -> Person | None:
        team = self.team_of.get(resource_id) if resource_id is not None else None
        lead = self.leads.get(team) if team is not None else None
        return self.active(lead)

    def account_manager(self, company_id: int | None) -> Person | None:
        company = self.companies.get(company_id) if company_id is not None else None
        return self.active(company.get("owner_resource_id")) if company else None

    def role(self, role: str) -> Person:
        holders = self.role_holders.get(role)
        return holders[0] if holders else Person(role, None, role)

    def company_name(self, company_id: int | None) -> str:
        company = self.companies.get(company_id) if company_id is not None else None
        return company["company_name"] if company and company["company_name"] else "-"

    def members(self, team_id: int) -> list[int]:
        return sorted(r for r, t in self.team_of.items() if t == team_id)


def _rows(con: BaseBackend, table: str, columns: list[str]) -> list[dict[str, Any]]:
    return con.table(table).select(*columns).to_pyarrow().to_pylist()


def load_directory(con: BaseBackend, role_holders: dict[str, list[Person]]) -> Directory:
    """Read the dimension tables once; a resource's team is its default active department."""
    directory = Directory(role_holders=role_holders)
    for row in _rows(
        con,
        "resources",
        [
            "id",
            "first_name",
            "last_name",
            "email",
            "is_active",
            "internal_cost",
            "available_hours_per_day",
        ],
    ):
        name = " ".join(p for p in (row["first_name"], row["last_name"]) if p) or str(row["id"])
        directory.resources[row["id"]] = {**row, "name": name}
    for row in _rows(con, "teams", ["id", "name"]):
        directory.team_names[row["id"]] = row["name"] or str(row["id"])
    memberships = _rows(
        con,
        "resource_role_departments",
        ["resource_id", "department_id", "is_active", "is_default", "is_department_lead"],
    )
    # A resource's team is its default department (the lowest id if several), else its
    # lowest; a lead leads each department it has a lead row in, and is a member of its own
    # default department like anyone else.
    memberships = [
        row
        for row in memberships
        if row["is_active"] is not False and row["resource_id"] is not None
    ]
    memberships.sort(key=lambda r: (not r["is_default"], r["department_id"] or 0))
    for row in memberships:
        directory.team_of.setdefault(row["resource_id"], row["department_id"])
        if row["is_department_lead"] and directory.active(row["resource_id"]):
            directory.leads.setdefault(row["department_id"], row["resource_id"])
    for row in _rows(con, "companies", ["id", "company_name", "owner_resource_id", "phone"]):
        directory.companies[row["id"]] = row
    return directory
