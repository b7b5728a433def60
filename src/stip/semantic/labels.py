"""Display names for source ids: resources, companies, contacts, teams, queues, priorities."""

from __future__ import annotations

from collections.abc import Iterable

from ibis.backends import BaseBackend

PICKLIST_FIELDS = {"queue": "queueID", "priority": "priority"}
#: Ticket columns that hold a picklist value -> the Autotask field whose labels they use.
TICKET_PICKLISTS = {
    "queue_id": "queueID",
    "priority": "priority",
    "status": "status",
    "ticket_type": "ticketType",
    "issue_type": "issueType",
    "sub_issue_type": "subIssueType",
    "source": "source",
}


def _clean(ids: Iterable[int | None]) -> list[int]:
    return sorted({int(i) for i in ids if i is not None})


def person_names(con: BaseBackend, ids: Iterable[int | None]) -> dict[int, str]:
    """Resource display name = first name + ' ' + last name."""
    wanted = _clean(ids)
    if not wanted:
        return {}
    table = con.table("resources")
    rows = (
        table.filter(table.id.isin(wanted))
        .select("id", "first_name", "last_name")
        .to_pyarrow()
        .to_pylist()
    )
    return {
        r["id"]: " ".join(p for p in (r["first_name"], r["last_name"]) if p).strip()
        or f"#{r['id']}"
        for r in rows
    }


def _simple(
    con: BaseBackend, table_name: str, column: str, ids: Iterable[int | None]
) -> dict[int, str]:
    wanted = _clean(ids)
    if not wanted:
        return {}
    table = con.table(table_name)
    rows = table.filter(table.id.isin(wanted)).select("id", column).to_pyarrow().to_pylist()
    return {r["id"]: r[column] for r in rows if r[column] is not None}


def contacts(con: BaseBackend, ids: Iterable[int | None]) -> dict[int, tuple[str, str | None]]:
    """Name and phone number (the office phone, else the mobile) of each contact."""
    wanted = _clean(ids)
    if not wanted:
        return {}
    table = con.table("contacts")
    rows = (
        table.filter(table.id.isin(wanted))
        .select("id", "first_name", "last_name", "phone", "mobile_phone")
        .to_pyarrow()
        .to_pylist()
    )
    return {
        r["id"]: (
            " ".join(p for p in (r["first_name"], r["last_name"]) if p),
            r["phone"] or r["mobile_phone"],
        )
        for r in rows
    }


def picklist_labels(con: BaseBackend, field: str, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = _clean(ids)
    if not wanted:
        return {}
    table = con.table("picklists")
    rows = (
        table.filter(
            (table.entity == "Tickets") & (table.field == field) & table.value.isin(wanted)
        )
        .select("value", "label")
        .to_pyarrow()
        .to_pylist()
    )
    return {r["value"]: r["label"] for r in rows}


def dimension_labels(con: BaseBackend, dim: str, ids: Iterable[int | None]) -> dict[int, str]:
    """Labels for the ids of one `--by` dimension."""
    if dim == "resource":
        return person_names(con, ids)
    if dim == "company":
        return _simple(con, "companies", "company_name", ids)
    if dim == "team":
        return _simple(con, "teams", "name", ids)
    return picklist_labels(con, PICKLIST_FIELDS[dim], ids)


def ticket_info(con: BaseBackend, ids: Iterable[int | None]) -> dict[int, dict[str, str | None]]:
    wanted = _clean(ids)
    if not wanted:
        return {}
    table = con.table("tickets")
    rows = (
        table.filter(table.id.isin(wanted))
        .select("id", "ticket_number", "title", "assigned_resource_id", "company_id", "contact_id")
        .to_pyarrow()
        .to_pylist()
    )
    return {r["id"]: r for r in rows}
