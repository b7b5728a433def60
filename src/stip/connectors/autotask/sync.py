"""`run_sync`: one Autotask sync run (incremental by default, `full=True` re-reads all).

Phase 1 syncs the entities (several at a time, each entity's pages in order); phase 2 the
ones that depend on them: SLA results of changed tickets, the deleted-record logs, and
picklists. A run holds `$STIP_HOME/sync.lock` and the store's own lock, so two syncs never
interleave; every run is a `sync_runs` row, every entity a `sync_state` row (the sync status
page reads both).
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from stip.connectors.autotask.budget import Budget
from stip.connectors.autotask.client import AutotaskAuthError, AutotaskClient
from stip.connectors.autotask.entities import DELETION_LOGS, SLA_SPEC, SPECS
from stip.connectors.autotask.mapping import SOURCE_SYSTEM
from stip.connectors.autotask.passes import EntityResult, Passes, SyncProgress
from stip.connectors.autotask.state import snapshot, utcnow
from stip.connectors.autotask.udfcheck import unfilled_udfs
from stip.errors import ConnectorError, UserError
from stip.store.schema import Batch
from stip.store.store import Store

if TYPE_CHECKING:
    from stip.app import Stip

log = logging.getLogger("stip.autotask")

WORKERS = 6


@dataclass
class SyncReport:
    run_id: int
    mode: str
    started: datetime
    finished: datetime | None = None
    status: str = "running"
    results: list[EntityResult] = field(default_factory=list)
    requests: int = 0
    budget_used: float = 0.0
    #: after the run: settings the data does not bear out (`udfcheck`)
    warnings: list[str] = field(default_factory=list)

    @property
    def records(self) -> int:
        return sum(r.records for r in self.results)

    @property
    def errors(self) -> list[EntityResult]:
        return [r for r in self.results if r.status == "error"]

    @property
    def seconds(self) -> float:
        end = self.finished or utcnow()
        return (end - self.started).total_seconds()

    def message(self) -> str:
        if self.errors:
            return "; ".join(str(r.error) for r in self.errors)
        warnings = [r.error for r in self.results if r.error]
        return "; ".join(str(w) for w in warnings) or (
            f"{self.records} records in {self.requests} requests"
        )


WEB_URL_META = "autotask_web_url"
"""`stip_meta` key holding the zone's `webUrl`, for links from Stip to records in Autotask."""


def run_sync(
    stip: Stip,
    full: bool = False,
    progress: SyncProgress | None = None,
    *,
    client: AutotaskClient | None = None,
) -> SyncReport:
    """Sync Autotask into the store; raises ConnectorError when credentials are refused.

    Entity failures (e.g. a persistent HTTP 500) do not raise: they are in the report, in
    `sync_state.last_error`, and that entity's stored data stays as it was.
    """
    store = stip.store
    with _run_lock(stip):
        started = utcnow()
        snap = snapshot(store, started - timedelta(hours=1))
        prior = [
            ((started - run["started"]).total_seconds(), int(run["requests"] or 0))
            for run in snap.recent
        ]
        report = SyncReport(snap.next_run_id, "full" if full else "incremental", started)
        with _client(stip, client, prior) as api:
            _start_run(store, report, snap.interrupted)
            passes = Passes(store, api, snap.states, full, progress)
            _run(passes, report)
            report.warnings = unfilled_udfs(store, api.udf_columns)
            for warning in report.warnings:
                log.warning("sync %s: %s", report.run_id, warning)
            if api.web_url and store.meta(WEB_URL_META) != api.web_url:
                store.set_meta(WEB_URL_META, api.web_url)
    return report


def _run(passes: Passes, report: SyncReport) -> None:
    api = passes.client
    try:
        api.threshold()
        # a reload of SLA results needs no tickets: it runs with the other entities
        reload = passes.sla_reload_due()
        sla = (SLA_SPEC.entity, _bind(passes.records if reload else passes.sla_results, SLA_SPEC))
        first = [(s.entity, _bind(passes.records, s)) for s in SPECS]
        _phase(passes, report, [*first, sla] if reload else first)
        passes.flush()
        tail: list[tuple[str, Callable[[], EntityResult]]] = [
            *([] if reload else [sla]),
            *[(name, _bind(passes.deletion_log, name)) for name in DELETION_LOGS],
            ("Picklists", passes.picklists),
        ]
        _phase(passes, report, tail)
    except BaseException as exc:
        report.status = "error"
        text = str(exc) if isinstance(exc, AutotaskAuthError) else f"{type(exc).__name__}: {exc}"
        report.results.append(EntityResult("*", "run", "error", error=text))
        raise
    finally:
        passes.close()
        report.finished = utcnow()
        report.requests = api.total_requests
        report.budget_used = api.budget.used_share
        if report.status == "running":
            report.status = "partial" if report.errors else "ok"
        passes.defer(_run_batch(report))
        passes.flush()
        log.info(
            "sync run %s %s: %s records, %s requests, %.1fs",
            report.run_id,
            report.status,
            report.records,
            report.requests,
            report.seconds,
        )


def _bind(method: Callable[[Any], EntityResult], arg: Any) -> Callable[[], EntityResult]:
    return lambda: method(arg)


def _phase(
    passes: Passes, report: SyncReport, jobs: list[tuple[str, Callable[[], EntityResult]]]
) -> None:
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="stip-sync") as pool:
        started = {
            name: pool.submit(_guarded, passes, name, job)
            for name, job in sorted(jobs, key=lambda job: _largest_first(passes, job[0]))
        }
        futures = [(name, started[name]) for name, _ in jobs]
        for _, future in futures:
            result = future.result()
            report.results.append(result)
            if passes.progress is not None:
                passes.progress.finish(result.entity, result)


LIKELY_LARGEST = ("TimeEntries", "Tickets", "ServiceLevelAgreementResults", "BillingItems")
"""Started first on a first run; later runs start the entities with the most records of
their last pass first, so the longest pass does not start last."""


def _largest_first(passes: Passes, entity: str) -> tuple[int, int]:
    hint = LIKELY_LARGEST.index(entity) if entity in LIKELY_LARGEST else len(LIKELY_LARGEST)
    return -(passes.state(entity).last_records or 0), hint


def _guarded(passes: Passes, entity: str, job: Callable[[], EntityResult]) -> EntityResult:
    """An entity's failure stops that entity only; its stored data is left as it was."""
    try:
        return job()
    except AutotaskAuthError:
        raise
    except ConnectorError as exc:
        log.error("sync of %s stopped: %s", entity, exc)
        passes.failed.add(entity)
        state = passes.state(entity)
        state.last_status = "error"
        state.last_error = str(exc)
        state.last_run_finished = utcnow()
        state.last_requests = passes.client.requests[entity]
        batch = Batch()
        batch.add("sync_state", [state.row()])
        passes.defer(batch)
        return EntityResult(entity, "stopped", "error", error=str(exc))


@contextmanager
def _client(
    stip: Stip, given: AutotaskClient | None, prior: list[tuple[float, int]]
) -> Iterator[AutotaskClient]:
    if given is not None:
        yield given
        return
    settings = stip.settings.autotask
    with AutotaskClient(settings, budget=Budget(settings.budget_share, prior=prior)) as api:
        yield api


@contextmanager
def _run_lock(stip: Stip) -> Iterator[None]:
    """One sync at a time per STIP_HOME (the API budget is the home's) and per store (two
    homes may share one with --db/STIP_DB); the OS drops the locks if the process dies."""
    home = stip.settings.home
    home.mkdir(parents=True, exist_ok=True)
    busy = "another Autotask sync is running for {}; wait for it to finish"
    with open(home / "sync.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UserError(busy.format(home)) from None
        try:
            with stip.store.exclusive("sync") as mine:
                if not mine:
                    raise UserError(busy.format(f"the store {stip.store.label}"))
                yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _start_run(store: Store, report: SyncReport, interrupted: list[dict[str, Any]]) -> None:
    """The new run's row, and runs still 'running' while we hold the lock were killed."""
    for row in interrupted:
        row.update(status="interrupted", message="the sync process stopped before the end")
    batch = _run_batch(report)
    batch.add("sync_runs", interrupted)
    store.apply(batch)


def _run_batch(report: SyncReport) -> Batch:
    batch = Batch()
    batch.add(
        "sync_runs",
        [
            {
                "source_system": SOURCE_SYSTEM,
                "id": report.run_id,
                "started": report.started,
                "finished": report.finished,
                "mode": report.mode,
                "status": report.status,
                "records": report.records,
                "requests": report.requests,
                "errors": len(report.errors),
                "message": None if report.status == "running" else report.message(),
            }
        ],
    )
    return batch
