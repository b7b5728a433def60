"""Tables the store derives from the synced ones and keeps current on every write.

`ticket_effort` holds, per ticket, what its time entries add up to. Five ticket KPIs (first-
touch and single-tech resolution, FCR, effort and cost per ticket) need every entry ever
logged on the tickets completed in a period; grouping millions of entries per ticket on each
dashboard was the slowest query of the owner dashboard on a large store (1.3 s of 7). Each
write recomputes only the tickets whose entries it changed, in the write's own transaction,
so a reader never sees entries and effort disagree.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from stip.store.schema import Column, Table
from stip.store.temp import key_table, temp_relation

TICKET_EFFORT = Table(
    "ticket_effort",
    None,
    (
        Column("source_system", "str"),
        Column("ticket_id", "int"),
        Column("entries", "int"),
        Column("lone_tech", "bool"),
        Column("hours", "float"),
        Column("cost", "float"),
    ),
    "Derived from time_entries and resources (never synced): per ticket, its time entries, "
    "whether one engineer logged all of them (lowest resource id = highest; null when none "
    "has a resource), Σ hours_worked and Σ hours_worked × the resource's internal_cost.",
    key=("source_system", "ticket_id"),
)
DERIVED: tuple[Table, ...] = (TICKET_EFFORT,)

_EFFORT = (
    "INSERT INTO ticket_effort (source_system, ticket_id, entries, lone_tech, hours, cost) "
    "SELECT e.source_system, e.ticket_id, COUNT(*), MIN(e.resource_id) = MAX(e.resource_id), "
    "SUM(COALESCE(e.hours_worked, 0)), "
    "SUM(COALESCE(e.hours_worked, 0) * COALESCE(r.internal_cost, 0)) "
    "FROM (SELECT * FROM time_entries e WHERE e.ticket_id IS NOT NULL AND {where}) e "
    "LEFT JOIN resources r ON r.source_system = e.source_system AND r.id = e.resource_id "
    "GROUP BY e.source_system, e.ticket_id"
)


def rebuild(cur: Any, pg: bool, source_system: str | None = None) -> None:
    """Recompute the effort of every ticket (of one source system) from scratch."""
    if source_system is None:
        cur.execute("DELETE FROM ticket_effort")
        cur.execute(_EFFORT.format(where="TRUE"))
        return
    mark = "%s" if pg else "?"
    cur.execute(f"DELETE FROM ticket_effort WHERE source_system = {mark}", [source_system])
    cur.execute(_EFFORT.format(where=f"e.source_system = {mark}"), [source_system])


WATCHED = {"time_entries": ("source_system", "ticket_id")}
"""What `Store` reports to `EffortUpkeep.removed` of the rows it deletes, per table."""


class EffortUpkeep:
    """Keeps `ticket_effort` right through one `Store.apply`. `before` the batch's writes it
    notes the source systems whose resources' internal cost changes (each is then recomputed
    whole: that is rare and touches most tickets); `removed` collects the tickets the old
    versions of changed or deleted entries were on; `after` the writes it recomputes those
    tickets and the ones the new entries are on."""

    def __init__(
        self,
        cur: Any,
        pg: bool,
        staged: dict[str, pa.Table],
        deletes: dict[str, list[tuple[str, int]]],
    ) -> None:
        self.cur, self.pg = cur, pg
        self.entries = staged.get("time_entries")
        self.resources = staged.get("resources")
        self.deleted_resources = deletes.get("resources", [])
        self.tickets: set[tuple[str, int]] = set()
        self.sources: set[str] = set()

    def before(self) -> None:
        self.sources |= {source for source, _ in self.deleted_resources}
        if self.resources is not None and self.resources.num_rows:
            costs = self.resources.select(["source_system", "id", "internal_cost"])
            with temp_relation(self.cur, self.pg, "stip_resource_costs", costs):
                self.cur.execute(
                    "SELECT DISTINCT s.source_system FROM stip_resource_costs s "
                    "LEFT JOIN resources r ON r.source_system = s.source_system AND r.id = s.id "
                    "WHERE r.id IS NULL OR r.internal_cost IS DISTINCT FROM s.internal_cost"
                )
                self.sources |= {row[0] for row in self.cur.fetchall()}

    def removed(self, table: str, rows: list[Any]) -> None:
        """The `WATCHED` columns of the rows `Store` deleted from `table`: the old versions
        of upserted rows, and deleted ones."""
        if table in WATCHED:
            self.tickets |= {(row[0], row[1]) for row in rows if row[1] is not None}

    def after(self) -> None:
        for source in sorted(self.sources):
            rebuild(self.cur, self.pg, source)
        self.tickets |= {pair for pair in _pairs(self.entries, "ticket_id") if pair[1] is not None}
        tickets = sorted(t for t in self.tickets if t[0] not in self.sources)
        if not tickets:
            return
        keys = key_table(tickets, ("source_system", "ticket_id"))
        with temp_relation(self.cur, self.pg, "stip_affected", keys):
            self.cur.execute(
                "DELETE FROM ticket_effort t WHERE EXISTS (SELECT 1 FROM stip_affected a "
                "WHERE a.source_system = t.source_system AND a.ticket_id = t.ticket_id)"
            )
            # IN, not EXISTS: DuckDB then semi-joins before the scan's filter (0.15 s, not
            # 1.2 s, for 500 tickets among 11M entries)
            self.cur.execute(
                _EFFORT.format(
                    where="(e.source_system, e.ticket_id) IN "
                    "(SELECT source_system, ticket_id FROM stip_affected)"
                )
            )


def _pairs(rows: pa.Table | None, column: str) -> list[tuple[str, int]]:
    """(source system, `column`) of each row."""
    if rows is None:
        return []
    return list(zip(rows["source_system"].to_pylist(), rows[column].to_pylist(), strict=True))
