"""People, teams and clients from the store, for the scope switches and scope labels."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from stip.connectors.autotask.sync import WEB_URL_META
from stip.semantic.kpis_builtin.common import CUSTOMER_COMPANY_TYPE
from stip.store.store import Store


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


class Directory:
    """Active resources, teams and clients, re-read when the store's data version changes."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._version: str | None = None
        self._resources: list[Choice] = []
        self._all_names: dict[int, str] = {}
        self._teams: list[Choice] = []
        self._members: dict[int, set[int]] = {}
        self._clients: list[Choice] = []
        self._company_names: dict[int, str] = {}
        self._account_managers: dict[int, int] = {}  # client -> its owner resource
        self._web_url: str | None = None

    def _refresh(self) -> None:
        version = self.store.data_version()
        with self._lock:
            if version == self._version:
                return
            with self.store.read() as con:
                res = (
                    con.table("resources")
                    .select("id", "first_name", "last_name", "user_name", "is_active")
                    .to_pyarrow()
                    .to_pylist()
                )
                teams = con.table("teams").select("id", "name").to_pyarrow().to_pylist()
                companies = (
                    con.table("companies")
                    .select("id", "company_name", "company_type", "is_active", "owner_resource_id")
                    .to_pyarrow()
                    .to_pylist()
                )
                rrd = con.table("resource_role_departments")
                members = (
                    rrd.filter(rrd.is_default)
                    .select("resource_id", "department_id")
                    .to_pyarrow()
                    .to_pylist()
                )
            names = {
                int(r["id"]): " ".join(p for p in (r["first_name"], r["last_name"]) if p).strip()
                or str(r["user_name"] or r["id"])
                for r in res
            }
            self._all_names = names
            self._resources = sorted(
                (Choice(int(r["id"]), names[int(r["id"])]) for r in res if r["is_active"]),
                key=lambda c: c.name.lower(),
            )
            self._teams = sorted(
                (Choice(int(t["id"]), str(t["name"] or t["id"])) for t in teams),
                key=lambda c: c.name.lower(),
            )
            grouped: dict[int, set[int]] = {}
            for m in members:
                if m["department_id"] is not None and m["resource_id"] is not None:
                    grouped.setdefault(int(m["department_id"]), set()).add(int(m["resource_id"]))
            self._members = grouped
            self._company_names = {
                int(c["id"]): str(c["company_name"] or c["id"]) for c in companies
            }
            self._clients = sorted(
                (
                    Choice(int(c["id"]), self._company_names[int(c["id"])])
                    for c in companies
                    if c["is_active"] is not False
                    and c["company_type"] in (CUSTOMER_COMPANY_TYPE, None)
                ),
                key=lambda c: c.name.lower(),
            )
            self._account_managers = {
                int(c["id"]): int(c["owner_resource_id"])
                for c in companies
                if c["owner_resource_id"] is not None
            }
            self._web_url = self.store.meta(WEB_URL_META)
            self._version = version

    def resources(self, team_id: int | None = None) -> list[Choice]:
        self._refresh()
        if team_id is None:
            return list(self._resources)
        members = self._members.get(team_id, set())
        return [r for r in self._resources if r.id in members]

    def teams(self) -> list[Choice]:
        self._refresh()
        return list(self._teams)

    def resource_name(self, resource_id: int) -> str | None:
        self._refresh()
        return self._all_names.get(resource_id)

    def team_name(self, team_id: int) -> str | None:
        self._refresh()
        return next((t.name for t in self._teams if t.id == team_id), None)

    def clients(self) -> list[Choice]:
        """Active customers (and companies of no known type), by name."""
        self._refresh()
        return list(self._clients)

    def clients_of(self, resource_id: int) -> list[Choice]:
        """The active customers whose account manager (owner resource) `resource_id` is."""
        self._refresh()
        return [c for c in self._clients if self._account_managers.get(c.id) == resource_id]

    def company_name(self, company_id: int) -> str | None:
        self._refresh()
        return self._company_names.get(company_id)

    def psa_web_url(self) -> str | None:
        """The Autotask zone's web URL recorded by the sync, if known."""
        self._refresh()
        return self._web_url or None


def ticket_link(web_url: str | None, ticket_id: object) -> str | None:
    """A link to the ticket in Autotask, or None when the zone's web URL is unknown."""
    if not web_url or not isinstance(ticket_id, int) or not web_url.startswith("https://"):
        return None
    base = web_url if web_url.endswith("/") else web_url + "/"
    return f"{base}Mvc/ServiceDesk/TicketDetail.mvc?workspace=False&ticketId={ticket_id}"
