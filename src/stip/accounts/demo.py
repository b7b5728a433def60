"""Demo accounts: one user per role (admin included), for `stip demo`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import ibis

from stip.accounts import roles
from stip.accounts.users import add_user, engine_for, get_user, set_resource, verify_password
from stip.semantic.kpis_builtin.common import CUSTOMER_COMPANY_TYPE

if TYPE_CHECKING:
    from stip.app import Stip

SERVICEDESK_WORDS = ("servicedesk", "service desk", "helpdesk", "support")


def demo_password(role: str) -> str:
    return f"stip-{role}"


def demo_engineer_resource(stip: Stip) -> int | None:
    """The demo's planted overloaded engineer; else the busiest active service desk engineer."""
    marker = stip.store.meta("demo")
    if marker:
        planted = json.loads(marker).get("stories", {}).get("overloaded_resource_id")
        if isinstance(planted, int):
            return planted
    with stip.store.read() as con:
        resources = con.table("resources")
        active = resources.filter(resources.is_active).select("id").to_pyarrow().to_pylist()
        teams = con.table("teams").select("id", "name").to_pyarrow().to_pylist()
        rrd = con.table("resource_role_departments")
        members = rrd.select("resource_id", "department_id").to_pyarrow().to_pylist()
        tickets = con.table("tickets")
        still_open = tickets.filter(
            tickets.completed_date.isnull() & tickets.assigned_resource_id.notnull()
        )
        open_counts = (
            still_open.group_by("assigned_resource_id")
            .aggregate(n=still_open.count())
            .to_pyarrow()
            .to_pylist()
        )
    active_ids = {int(r["id"]) for r in active}
    desk = {
        int(t["id"])
        for t in teams
        if any(word in str(t["name"] or "").lower() for word in SERVICEDESK_WORDS)
    }
    candidates = {
        int(m["resource_id"])
        for m in members
        if m["department_id"] in desk and m["resource_id"] in active_ids
    } or active_ids
    if not candidates:
        return None
    load = {int(r["assigned_resource_id"]): int(r["n"]) for r in open_counts}
    return max(sorted(candidates), key=lambda rid: load.get(rid, 0))


def demo_account_manager_resource(stip: Stip) -> int | None:
    """The active resource who is account manager (owner) of the most active customers, so
    the demo account manager has clients of their own ("my clients")."""
    with stip.store.read() as con:
        companies = con.table("companies")
        resources = con.table("resources").filter(lambda r: r.is_active)
        owned = companies.filter(
            companies.is_active.fill_null(True)
            & (companies.company_type == CUSTOMER_COMPANY_TYPE)
            & companies.owner_resource_id.isin(resources.id)
        )
        counts = (
            owned.group_by("owner_resource_id")
            .aggregate(n=owned.count())
            .order_by([ibis.desc("n"), "owner_resource_id"])
            .limit(1)
            .to_pyarrow()
            .to_pylist()
        )
    return int(counts[0]["owner_resource_id"]) if counts else None


def ensure_demo_users(stip: Stip) -> list[tuple[str, str, str]]:
    """Create (or keep) user `<role>` with password `stip-<role>` for every role.

    Idempotent: existing users are left as they are; the engineer and the account manager
    are linked to a real resource of the store (an unlinked one gets linked). Returns
    (username, role, password) per role; the password is "(unchanged)" for an existing user
    whose password is no longer the demo one.
    """
    engine = engine_for(stip.settings)
    linked = {
        roles.ENGINEER: demo_engineer_resource(stip),
        roles.ACCOUNT_MANAGER: demo_account_manager_resource(stip),
    }
    out: list[tuple[str, str, str]] = []
    for role in roles.ROLES:
        password = demo_password(role)
        resource = linked.get(role)
        user = get_user(engine, role)
        if user is None:
            user = add_user(engine, role, role, password, resource_id=resource)
        elif user.resource_id is None and resource is not None:
            set_resource(engine, user.id, resource)
        shown = password if verify_password(engine, role, password) else "(unchanged)"
        out.append((user.username, user.role, shown))
    return out
