"""Sync bookkeeping in the store: `sync_state` rows per entity and reads the sync needs
(stored ids, max id, tickets changed since a time), all through Ibis expressions."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import ibis

from stip.connectors.autotask.mapping import SOURCE_SYSTEM
from stip.store.store import Store


def utcnow() -> datetime:
    """Naive UTC, as the store keeps instants."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class EntityState:
    """One `sync_state` row. A `last_id` marks an unfinished pass (killed, or stopped by an
    error) whose cursor and start (`last_run_started`) the next run resumes from."""

    entity: str
    watermark: datetime | None = None
    last_id: int | None = None
    last_full_at: datetime | None = None
    last_reconciled_at: datetime | None = None
    last_run_started: datetime | None = None
    last_run_finished: datetime | None = None
    last_status: str | None = None
    last_records: int | None = None
    last_requests: int | None = None
    last_error: str | None = None
    data_as_of: datetime | None = None

    @property
    def interrupted(self) -> bool:
        return self.last_id is not None

    def row(self) -> dict[str, Any]:
        return {"source_system": SOURCE_SYSTEM, **asdict(self)}


def load_states(store: Store) -> dict[str, EntityState]:
    names = set(EntityState.__dataclass_fields__)
    with store.read() as con:
        table = con.table("sync_state")
        rows = table.filter(table.source_system == SOURCE_SYSTEM).to_pyarrow().to_pylist()
    return {
        row["entity"]: EntityState(**{k: v for k, v in row.items() if k in names}) for row in rows
    }


def stored_ids(
    store: Store, table_name: str, column: str | None = None, values: list[int] | None = None
) -> set[int]:
    """Ids in a table, optionally only rows whose `column` is in `values`."""
    with store.read() as con:
        table = con.table(table_name)
        expr = table.filter(table.source_system == SOURCE_SYSTEM)
        if column is not None:
            expr = expr.filter(expr[column].isin(_values(values or [])))
        return set(expr.select("id").to_pyarrow()["id"].to_pylist())


def _values(values: list[int]) -> Any:
    """A column of `values` to match with `isin`: as a memtable, not as literals (Ibis takes
    about 1.5 s to compile an `isin` of 400 literals; a memtable is one parameter)."""
    return ibis.memtable({"value": values}, schema={"value": "int64"}).value


def stored_parents(store: Store, table_name: str, column: str, values: list[int]) -> dict[int, int]:
    """id -> `column` for rows whose `column` is in `values`."""
    with store.read() as con:
        table = con.table(table_name)
        expr = table.filter(
            (table.source_system == SOURCE_SYSTEM) & table[column].isin(_values(values))
        )
        data = expr.select("id", column).to_pyarrow()
    return dict(zip(data["id"].to_pylist(), data[column].to_pylist(), strict=True))


def max_id(store: Store, table_name: str) -> int | None:
    with store.read() as con:
        table = con.table(table_name)
        value = table.filter(table.source_system == SOURCE_SYSTEM).id.max().to_pyarrow()
    result = value.as_py()
    return int(result) if result is not None else None


def tickets_changed_since(store: Store, since: datetime | None) -> list[int]:
    with store.read() as con:
        table = con.table("tickets")
        expr = table.filter(table.source_system == SOURCE_SYSTEM)
        if since is not None:
            expr = expr.filter(expr.last_activity_date >= since)
        return sorted(expr.select("id").to_pyarrow()["id"].to_pylist())


@dataclass
class Snapshot:
    """What a run needs to know before it starts, read in one go."""

    states: dict[str, EntityState]
    next_run_id: int
    interrupted: list[dict[str, Any]]
    recent: list[dict[str, Any]]


def snapshot(store: Store, since: datetime) -> Snapshot:
    names = set(EntityState.__dataclass_fields__)
    with store.read() as con:
        table = con.table("sync_state")
        rows = table.filter(table.source_system == SOURCE_SYSTEM).to_pyarrow().to_pylist()
        runs = con.table("sync_runs")
        mine = runs.filter(runs.source_system == SOURCE_SYSTEM)
        last = mine.id.max().to_pyarrow().as_py()
        interrupted = mine.filter(mine.status == "running").to_pyarrow().to_pylist()
        recent = mine.filter(mine.started >= since).to_pyarrow().to_pylist()
    states = {
        row["entity"]: EntityState(**{k: v for k, v in row.items() if k in names}) for row in rows
    }
    return Snapshot(states, int(last or 0) + 1, interrupted, recent)


def next_run_id(store: Store) -> int:
    with store.read() as con:
        table = con.table("sync_runs")
        value = table.filter(table.source_system == SOURCE_SYSTEM).id.max().to_pyarrow()
    return int(value.as_py() or 0) + 1
