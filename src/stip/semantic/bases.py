"""Base relations: a canonical table plus the dimension columns KPIs group and scope by.

Every base is its canonical table with extra `dim_<dimension>` columns holding the source id
of the record's resource, company, queue, priority and team, following contract §4: tickets
by `assignedResourceID`, time entries by `resourceID` and by their ticket's (or their task's
project's) company, survey results by their ticket's assigned resource. Only the dimensions a
query needs are joined in, so plain counts never pay for a join.
"""

from __future__ import annotations

from collections.abc import Iterable

import ibis
import ibis.expr.datatypes as dt
from ibis.backends import BaseBackend

from stip.store.schema import IBIS_TYPES, TABLES_BY_NAME

DIM_COLUMNS = {
    "resource": "dim_resource",
    "company": "dim_company",
    "queue": "dim_queue",
    "priority": "dim_priority",
    "team": "dim_team",
}

# Per base: which dimensions it has. Tables not listed get what their own columns give.
_SPECIAL = {
    "tickets": ("resource", "company", "queue", "priority", "team"),
    "time_entries": ("resource", "company", "queue", "priority", "team"),
    "survey_results": ("resource", "company", "queue", "priority", "team"),
    "billing_items": ("company",),
    "companies": ("company",),
    "resources": ("resource", "team"),
}
_RESOURCE_COLUMNS = ("assigned_resource_id", "resource_id", "project_lead_resource_id")
# On every base with a client: the client's account manager (the company's owner resource in
# the PSA), the person who acts on money matters such as an unpaid invoice.
ACCOUNT_MANAGER = "account_manager_id"
# Columns the dimension joins and action lists use; kept when a base is narrowed.
KEY_COLUMNS = frozenset(
    {
        "source_system",
        "id",
        "ticket_id",
        "task_id",
        "contact_id",
        "company_id",
        "queue_id",
        "priority",
        *_RESOURCE_COLUMNS,
    }
)


def base_names() -> list[str]:
    return sorted(name for name, table in TABLES_BY_NAME.items() if "id" in table.column_names)


def base_dimensions(name: str) -> tuple[str, ...]:
    """The dimensions a base supports."""
    if name in _SPECIAL:
        return _SPECIAL[name]
    columns = TABLES_BY_NAME[name].column_names
    dims: list[str] = []
    if any(c in columns for c in _RESOURCE_COLUMNS):
        dims += ["resource", "team"]
    if "company_id" in columns:
        dims.append("company")
    if "queue_id" in columns:
        dims.append("queue")
    if "priority" in columns:
        dims.append("priority")
    return tuple(dims)


def base_schema(name: str) -> ibis.Schema:
    """Columns of a base with all its dimension columns (for validating expressions)."""
    fields = {c.name: IBIS_TYPES[c.type] for c in TABLES_BY_NAME[name].columns}
    for dim in base_dimensions(name):
        fields[DIM_COLUMNS[dim]] = dt.int64
    if "company" in base_dimensions(name):
        fields[ACCOUNT_MANAGER] = dt.int64
    return ibis.schema(fields)


def base_table(
    con: BaseBackend,
    name: str,
    dims: Iterable[str] = (),
    ticket_columns: dict[str, str] | None = None,
    columns: Iterable[str] | None = None,
) -> ibis.Table:
    """The base relation with the requested dimension columns (`dim_<name>`).

    For time entries, `ticket_columns` (new name -> tickets column) adds columns of the
    entry's ticket through the same join that gives the ticket's dimensions. With `columns`,
    only those (and the key columns) are kept: a narrow relation compiles to SQL in about
    half the time of one carrying every column of a wide table through each step.
    """
    manager = False
    if columns is not None:
        # expressions may read the dimension columns themselves (docs/kpi-authoring.md)
        columns = set(columns)
        dims = [*dims, *(dim for dim, column in DIM_COLUMNS.items() if column in columns)]
        manager = ACCOUNT_MANAGER in columns and "company" in base_dimensions(name)
        dims = [*dims, *(["company"] if manager else [])]
    wanted = [d for d in dict.fromkeys(dims) if d in base_dimensions(name)]
    table = con.table(name)
    if columns is not None:
        keep = set(columns) | KEY_COLUMNS
        table = table.select(*(c for c in table.columns if c in keep))
    table = _dimensions(con, name, table, wanted, ticket_columns or {})
    return _with_account_manager(con, table) if manager else table


def _dimensions(
    con: BaseBackend,
    name: str,
    table: ibis.Table,
    wanted: list[str],
    ticket_columns: dict[str, str],
) -> ibis.Table:
    if name == "tickets":
        return _ticket_dims(con, table, wanted)
    if name == "time_entries":
        return _time_entry_dims(con, table, wanted, ticket_columns)
    if name == "survey_results":
        return _survey_dims(con, table, wanted)
    if name == "companies":
        return table.mutate(dim_company=table.id)
    if name == "resources":
        table = table.mutate(dim_resource=table.id)
        return _with_team(con, table) if "team" in wanted else table
    columns = table.columns
    extra: dict[str, ibis.Value] = {}
    if "resource" in wanted or "team" in wanted:
        column = next(c for c in _RESOURCE_COLUMNS if c in columns)
        extra["dim_resource"] = table[column]
    if "company" in wanted:
        extra["dim_company"] = table.company_id
    if "queue" in wanted:
        extra["dim_queue"] = table.queue_id
    if "priority" in wanted:
        extra["dim_priority"] = table.priority
    table = table.mutate(**extra) if extra else table
    return _with_team(con, table) if "team" in wanted else table


def _with_account_manager(con: BaseBackend, table: ibis.Table) -> ibis.Table:
    """`account_manager_id`: the owner resource of the record's client (`dim_company`)."""
    companies = con.table("companies")
    owners = companies.select(
        a_source=companies.source_system,
        a_id=companies.id,
        **{ACCOUNT_MANAGER: companies.owner_resource_id},
    )
    return table.left_join(
        owners, [table.source_system == owners.a_source, table.dim_company == owners.a_id]
    ).drop("a_source", "a_id")


def _ticket_dims(con: BaseBackend, table: ibis.Table, wanted: list[str]) -> ibis.Table:
    extra = {
        "resource": table.assigned_resource_id,
        "company": table.company_id,
        "queue": table.queue_id,
        "priority": table.priority,
    }
    needs_resource = "resource" in wanted or "team" in wanted
    table = table.mutate(
        **{
            DIM_COLUMNS[d]: value
            for d, value in extra.items()
            if d in wanted or (d == "resource" and needs_resource)
        }
    )
    return _with_team(con, table) if "team" in wanted else table


def _ticket_lookup(con: BaseBackend, columns: dict[str, str]) -> ibis.Table:
    tickets = con.table("tickets")
    return tickets.select(
        t_source=tickets.source_system,
        t_id=tickets.id,
        **{k: tickets[v] for k, v in columns.items()},
    )


def _time_entry_dims(
    con: BaseBackend, table: ibis.Table, wanted: list[str], extra: dict[str, str]
) -> ibis.Table:
    if "resource" in wanted or "team" in wanted:
        table = table.mutate(dim_resource=table.resource_id)
    ticket_cols = dict(extra)
    if "company" in wanted:
        ticket_cols["t_company"] = "company_id"
    if "queue" in wanted:
        ticket_cols["dim_queue"] = "queue_id"
    if "priority" in wanted:
        ticket_cols["dim_priority"] = "priority"
    if ticket_cols:
        lookup = _ticket_lookup(con, ticket_cols)
        table = table.left_join(
            lookup,
            [table.source_system == lookup.t_source, table.ticket_id == lookup.t_id],
        ).drop("t_source", "t_id")
    if "company" in wanted:
        tasks = con.table("tasks")
        projects = con.table("projects")
        task_company = tasks.join(
            projects,
            [tasks.source_system == projects.source_system, tasks.project_id == projects.id],
        ).select(k_source=tasks.source_system, k_id=tasks.id, k_company=projects.company_id)
        table = (
            table.left_join(
                task_company,
                [table.source_system == task_company.k_source, table.task_id == task_company.k_id],
            )
            .mutate(dim_company=ibis.coalesce(ibis._.t_company, ibis._.k_company))
            .drop("t_company", "k_source", "k_id", "k_company")
        )
    return _with_team(con, table) if "team" in wanted else table


def _survey_dims(con: BaseBackend, table: ibis.Table, wanted: list[str]) -> ibis.Table:
    if "company" in wanted:
        table = table.mutate(dim_company=table.company_id)
    ticket_cols = {}
    if "resource" in wanted or "team" in wanted:
        ticket_cols["dim_resource"] = "assigned_resource_id"
    if "queue" in wanted:
        ticket_cols["dim_queue"] = "queue_id"
    if "priority" in wanted:
        ticket_cols["dim_priority"] = "priority"
    if ticket_cols:
        lookup = _ticket_lookup(con, ticket_cols)
        table = table.left_join(
            lookup,
            [table.source_system == lookup.t_source, table.ticket_id == lookup.t_id],
        ).drop("t_source", "t_id")
    return _with_team(con, table) if "team" in wanted else table


def team_lookup(con: BaseBackend) -> ibis.Table:
    """resource -> team (department) from the default resource-role-department row."""
    rrd = con.table("resource_role_departments")
    return (
        rrd.filter(rrd.is_default)
        .group_by(m_source=rrd.source_system, m_resource=rrd.resource_id)
        .aggregate(m_team=rrd.department_id.min())
    )


def _with_team(con: BaseBackend, table: ibis.Table) -> ibis.Table:
    teams = team_lookup(con)
    return (
        table.left_join(
            teams,
            [table.source_system == teams.m_source, table.dim_resource == teams.m_resource],
        )
        .mutate(dim_team=ibis._.m_team)
        .drop("m_source", "m_resource", "m_team")
    )
