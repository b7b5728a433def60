"""One pass per entity: read changed records page by page, and apply them so that a pass that
fails leaves the store as it was (contract §5), or, when it is too big to hold, resumes.

A pass of at most `HOLD_ROWS` records (every incremental run, small reloads) is held and
applied at once with the entity's closing `sync_state`: a pass stopped by an error touches
none of the entity's stored data. A larger pass (a first load, a full reload of a big table)
applies each page together with the entity's cursor in ONE `Store.apply`, so data and
checkpoint move together and the next run resumes where it stopped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from stip.connectors.autotask.client import AutotaskClient
from stip.connectors.autotask.entities import (
    DELETION_LOGS,
    PICKLIST_HOURS,
    PICKLISTS,
    RECONCILE_HOURS,
    SLA_SPEC,
    SPECS,
    EntitySpec,
)
from stip.connectors.autotask.group_commit import GroupCommit, Staged
from stip.connectors.autotask.mapping import (
    SOURCE_SYSTEM,
    map_picklists,
    map_records,
    parse_datetime,
)
from stip.connectors.autotask.query import IN_BATCH, Filter, any_of, cond
from stip.connectors.autotask.ranges import RangeReader
from stip.connectors.autotask.state import (
    EntityState,
    max_id,
    stored_ids,
    stored_parents,
    tickets_changed_since,
    utcnow,
)
from stip.store.schema import TABLES_BY_ENTITY, Batch
from stip.store.store import Store

log = logging.getLogger("stip.autotask")

OVERLAP = timedelta(minutes=15)
HOLD_ROWS = 50_000
"""Records a pass holds before it applies page by page instead (as dicts: ~150 MB)."""
MASS_DELETE_SHARE = 0.5
MASS_DELETE_MIN = 10


class SyncProgress(Protocol):
    """What a progress display gets told; all calls come from worker threads."""

    def start(self, entity: str, total: int | None) -> None: ...

    def advance(self, entity: str, records: int, requests: int, budget_used: float) -> None: ...

    def finish(self, entity: str, result: EntityResult) -> None: ...


@dataclass
class EntityResult:
    entity: str
    mode: str
    status: str = "ok"
    records: int = 0
    deleted: int = 0
    requests: int = 0
    error: str | None = None


class _Held:
    """A pass's changes not applied yet, held until they are more than `HOLD_ROWS` records;
    from then on each page is applied as it comes."""

    def __init__(self) -> None:
        self.batch = Batch()
        self.holding = True

    def add(self, table: str, rows: list[dict[str, Any]]) -> None:
        self.batch.add(table, rows)

    def delete(self, table: str, ids: list[int]) -> None:
        self.batch.delete(table, SOURCE_SYSTEM, ids)

    def spilling(self) -> bool:
        """Whether to apply what it holds now: once it holds more than `HOLD_ROWS`, and with
        every page after that."""
        self.holding = self.holding and len(self.batch) <= HOLD_ROWS
        return not self.holding

    def release(self) -> Batch:
        """What is held, to apply; empty afterwards."""
        out, self.batch = self.batch, Batch()
        return out


@dataclass
class Passes:
    store: Store
    client: AutotaskClient
    states: dict[str, EntityState]
    full: bool
    progress: SyncProgress | None = None
    apply_lock: threading.Lock = field(default_factory=threading.Lock)

    pending: Batch = field(default_factory=Batch)
    group: GroupCommit = field(init=False)
    failed: set[str] = field(default_factory=set)
    """Entities whose pass stopped on an error in this run (`sync._guarded`)."""

    def __post_init__(self) -> None:
        self.group = GroupCommit(self.store, self.apply_lock)

    def apply(self, batch: Batch) -> None:
        """DuckDB allows one writer: applies are serialised (each is one transaction)."""
        with self.apply_lock:
            self.store.apply(batch)

    def submit(self, build: Callable[[], Batch]) -> Staged:
        """Queue a page's batch for the committer, grouped with the pages queued meanwhile
        (`GroupCommit`); `wait()` on the result returns once it is applied."""
        return self.group.submit(build)

    def close(self) -> None:
        self.group.close()

    def sla_reload_due(self) -> bool:
        """SLA results are read whole (by id, like any entity) on a full run and until a
        reload completes; otherwise those of the changed tickets are (`sla_results`)."""
        return self.full or self.state(SLA_SPEC.entity).watermark is None

    def defer(self, batch: Batch) -> None:
        """Queue an entity's closing batch (final state, deletions) for `flush`: one apply
        per phase instead of one per entity. A kill before the flush leaves the entity's
        cursor at its last page, so the next run merely confirms there is nothing more."""
        with self.apply_lock:
            self.pending.merge(batch)

    def flush(self) -> None:
        with self.apply_lock:
            batch, self.pending = self.pending, Batch()
            if len(batch):
                self.store.apply(batch)

    def state(self, entity: str) -> EntityState:
        return self.states.setdefault(entity, EntityState(entity))

    def _requests(self, endpoints: Iterable[str]) -> int:
        return sum(self.client.requests[e] for e in endpoints)

    def _advance(self, entity: str, records: int, requests: int) -> None:
        if self.progress is not None:
            self.progress.advance(entity, records, requests, self.client.budget.used_share)

    def _finish(
        self, state: EntityState, result: EntityResult, started: datetime, batch: Batch
    ) -> EntityResult:
        state.last_status = "ok" if result.error is None else "warning"
        state.last_error = result.error
        state.last_id = None
        state.last_run_finished = utcnow()
        state.last_records = result.records
        state.last_requests = result.requests
        state.watermark = started
        state.data_as_of = started
        batch.add("sync_state", [state.row()])
        self.defer(batch)
        return result

    # records ------------------------------------------------------------------------------

    def records(self, spec: EntitySpec) -> EntityResult:
        state = self.state(spec.entity)
        now = utcnow()
        resuming = state.interrupted
        reload_due = state.last_full_at is None or now - state.last_full_at >= timedelta(
            hours=spec.reload_hours
        )
        full_pass = (
            self.full
            or state.watermark is None
            or (spec.strategy != "watermark" and reload_due)
            or (spec.strategy == "full" and resuming)
        )
        if spec.strategy == "full" and not full_pass:
            return EntityResult(spec.entity, "skipped", requests=0)
        base: list[Filter] = []
        if not full_pass:
            base = self._incremental_filters(spec, state)
        if spec.strategy == "by_ticket":
            # a reload clears the watermark until it completes, so only then is a cursor
            # left behind an SLA result id (a changed-tickets pass leaves a ticket id)
            resuming = resuming and state.watermark is None
            state.watermark = None
        started = state.last_run_started if resuming and state.last_run_started else now
        mode = "full" if full_pass else "incremental"
        before = self.client.requests[spec.entity]
        state.last_run_started = started
        if not resuming:
            # written with the first page applied: a pass stopped before it changed nothing
            state.last_status, state.last_id = "running", None
        total = None
        if full_pass and self.progress is not None:
            total = self.client.count(spec.entity, base or None)
        if self.progress is not None:
            self.progress.start(spec.entity, total)
        seen: set[int] | None = set() if full_pass and not resuming else None
        result = EntityResult(spec.entity, mode + (" (resumed)" if resuming else ""))
        held = _Held()

        def take(rows: list[dict[str, Any]], last: int | None) -> Batch:
            """The page's batch to apply now: nothing while the pass is held (builders run
            one at a time, in page order)."""
            batch = Batch()
            if not rows:
                return batch
            if seen is not None:
                seen.update(int(r["id"]) for r in rows)
            result.records += len(rows)
            self._advance(spec.entity, result.records, self.client.requests[spec.entity] - before)
            held.add(spec.table.name, rows)
            if not held.spilling():
                return batch
            state.last_id = last
            batch.merge(held.release())
            batch.add("sync_state", [state.row()])
            return batch

        reader = RangeReader(self.client, spec.entity, base, spec.include_fields, self.submit, take)
        reader.read(state.last_id, parallel=full_pass)
        batch = held.release()
        if full_pass:
            state.last_full_at = started
        if spec.reconcile and seen is None and self._reconcile_due(state, now):
            seen = {
                int(i["id"]) for page in self.client.query(spec.entity, [], ["id"]) for i in page
            }
        if seen is not None:
            result.deleted, result.error = self._delete_missing(spec.entity, seen, batch)
            state.last_reconciled_at = started
        result.requests = self.client.requests[spec.entity] - before
        return self._finish(state, result, started, batch)

    def _incremental_filters(self, spec: EntitySpec, state: EntityState) -> list[Filter]:
        since = (state.watermark or datetime(1900, 1, 1)) - OVERLAP
        if spec.strategy == "watermark":
            return [cond("gte", str(spec.watermark), since)]
        newest = max_id(self.store, spec.table.name)
        new = cond("gt", "id", newest if newest is not None else -1)
        changed = [cond("gte", name, since) for name in spec.changed]
        return [any_of(new, *changed)] if changed else [new]

    @staticmethod
    def _reconcile_due(state: EntityState, now: datetime) -> bool:
        last = state.last_reconciled_at
        return last is None or now - last >= timedelta(hours=RECONCILE_HOURS)

    def _delete_missing(self, entity: str, seen: set[int], batch: Batch) -> tuple[int, str | None]:
        """Anti-join: stored rows the tenant no longer has; refuses mass deletes."""
        table = TABLES_BY_ENTITY[entity].name
        stored = stored_ids(self.store, table)
        gone = sorted(stored - seen)
        if len(gone) > MASS_DELETE_MIN and len(gone) > MASS_DELETE_SHARE * len(stored):
            message = (
                f"{entity}: refused to delete {len(gone)} of {len(stored)} stored records "
                f"(more than {MASS_DELETE_SHARE:.0%}); check the API user's permissions"
            )
            log.warning(message)
            return 0, message
        self._delete(entity, gone, {}, batch)
        return len(gone), None

    def _delete(
        self,
        entity: str,
        ids: list[int],
        detail: dict[int, tuple[Any, Any]],
        batch: Batch,
    ) -> None:
        """Remove rows and record them in `deleted_records` (with the log's time and who)."""
        if not ids:
            return
        table = TABLES_BY_ENTITY[entity].name
        batch.delete(table, SOURCE_SYSTEM, ids)
        now = utcnow()
        batch.add(
            "deleted_records",
            [
                {
                    "source_system": SOURCE_SYSTEM,
                    "entity": entity,
                    "id": i,
                    "deleted_at": detail.get(i, (now, None))[0],
                    "deleted_by_resource_id": detail.get(i, (now, None))[1],
                }
                for i in ids
            ],
        )
        if entity == "Tickets":
            sla = stored_ids(self.store, "sla_results", "ticket_id", ids)
            batch.delete("sla_results", SOURCE_SYSTEM, sorted(sla))

    # SLA results of changed tickets ---------------------------------------------------------

    def sla_results(self, spec: EntitySpec) -> EntityResult:
        state = self.state(spec.entity)
        now = utcnow()
        resuming = state.interrupted
        full_pass = self.full or state.watermark is None
        since = None if full_pass or state.watermark is None else state.watermark - OVERLAP
        tickets = self.state("Tickets")
        started = state.last_run_started if resuming and state.last_run_started else now
        if tickets.watermark is not None:
            started = min(started, tickets.watermark)
        ticket_ids = tickets_changed_since(self.store, since)
        if resuming and state.last_id is not None:
            ticket_ids = [t for t in ticket_ids if t > int(state.last_id)]
        state.last_run_started = started
        if not resuming:
            # written with the first page applied: a pass stopped before it changed nothing
            state.last_status, state.last_id = "running", None
        before = self.client.requests[spec.entity]
        result = EntityResult(spec.entity, "full" if full_pass else "incremental")
        held = _Held()
        if self.progress is not None:
            self.progress.start(spec.entity, len(ticket_ids))
        for start in range(0, len(ticket_ids), IN_BATCH):
            chunk = ticket_ids[start : start + IN_BATCH]
            items = [
                item
                for page in self.client.query(
                    spec.entity, [cond("in", "ticketID", chunk)], spec.include_fields
                )
                for item in page
            ]
            rows = map_records(spec.entity, items)
            held.add(spec.table.name, rows)
            stale = stored_ids(self.store, spec.table.name, "ticket_id", chunk)
            held.delete(spec.table.name, sorted(stale - {r["id"] for r in rows}))
            result.records += len(rows)
            self._advance(
                spec.entity, start + len(chunk), self.client.requests[spec.entity] - before
            )
            if not held.spilling():
                continue
            state.last_id = chunk[-1]
            batch = held.release()
            batch.add("sync_state", [state.row()])
            self.apply(batch)
        result.requests = self.client.requests[spec.entity] - before
        return self._finish(state, result, started, held.release())

    # deleted-record logs ------------------------------------------------------------------

    def deletion_log(self, log_entity: str) -> EntityResult:
        """Tickets: delete the logged ids. Activity logs carry no time entry id, so the time
        entries of the named tickets/tasks are re-read and the missing ones deleted."""
        state = self.state(log_entity)
        started = utcnow()
        target = DELETION_LOGS[log_entity]
        if target in self.failed:
            # that entity's data stays as it was; the log is read again next run
            return EntityResult(log_entity, "skipped", requests=0)
        filters = []
        if not self.full and state.watermark is not None:
            filters = [cond("gte", "deletedDateTime", state.watermark - OVERLAP)]
        endpoints = (log_entity, target)
        before = self._requests(endpoints)
        state.last_run_started = started
        if not filters:
            state.last_full_at = started
        logs = [item for page in self.client.query(log_entity, filters) for item in page]
        result = EntityResult(log_entity, "incremental" if filters else "full")
        batch = Batch()
        if target == "Tickets":
            detail = {
                int(r["ticketID"]): (_when(r.get("deletedDateTime")), r.get("deletedByResourceID"))
                for r in logs
                if r.get("ticketID") is not None
            }
            existing = stored_ids(self.store, "tickets")
            ids = sorted(i for i in detail if i in existing)
            self._delete("Tickets", ids, detail, batch)
            result.deleted = len(ids)
        else:
            parent = "ticketID" if log_entity == "DeletedTicketActivityLogs" else "taskID"
            result.records, result.deleted = self._recheck_time_entries(logs, parent, batch)
        result.requests = self._requests(endpoints) - before
        return self._finish(state, result, started, batch)

    def _recheck_time_entries(
        self, logs: list[dict[str, Any]], parent: str, batch: Batch
    ) -> tuple[int, int]:
        parents: dict[int, tuple[Any, Any]] = {}
        for r in logs:
            if r.get(parent) is not None:
                parents[int(r[parent])] = (
                    _when(r.get("deletedDateTime")),
                    r.get("deletedByResourceID"),
                )
        spec = next(s for s in SPECS if s.entity == "TimeEntries")
        column = "ticket_id" if parent == "ticketID" else "task_id"
        ordered = sorted(parents)
        records = deleted = 0
        for start in range(0, len(ordered), IN_BATCH):
            chunk = ordered[start : start + IN_BATCH]
            items = [
                item
                for page in self.client.query(
                    "TimeEntries", [cond("in", parent, chunk)], spec.include_fields
                )
                for item in page
            ]
            rows = map_records("TimeEntries", items)
            batch.add("time_entries", rows)
            stored = stored_parents(self.store, "time_entries", column, chunk)
            gone = sorted(set(stored) - {int(r["id"]) for r in rows})
            detail = {i: parents.get(stored[i], (None, None)) for i in gone}
            self._delete("TimeEntries", gone, detail, batch)
            records += len(rows)
            deleted += len(gone)
        return records, deleted

    # picklists ----------------------------------------------------------------------------

    def picklists(self) -> EntityResult:
        state = self.state(PICKLISTS)
        now = utcnow()
        due = (
            self.full
            or state.last_full_at is None
            or now - state.last_full_at >= timedelta(hours=PICKLIST_HOURS)
        )
        if not due:
            return EntityResult(PICKLISTS, "skipped")
        entities = [s.entity for s in SPECS]
        before = self._requests(entities)
        batch = Batch()
        with ThreadPoolExecutor(6, thread_name_prefix="stip-picklists") as pool:
            answers = list(pool.map(self.client.fields, entities))
        for entity, fields in zip(entities, answers, strict=True):
            batch.add("picklists", map_picklists(entity, fields))
            queryable = {f["name"]: f.get("isQueryable", True) for f in fields}
            spec = next(s for s in SPECS if s.entity == entity)
            if spec.watermark and not queryable.get(spec.watermark, True):
                log.warning("%s.%s is not queryable for this API user", entity, spec.watermark)
        state.last_full_at = state.last_run_started = now
        result = EntityResult(PICKLISTS, "full", records=len(batch.upserts["picklists"]))
        result.requests = self._requests(entities) - before
        return self._finish(state, result, now, batch)


def _when(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) and value else None
