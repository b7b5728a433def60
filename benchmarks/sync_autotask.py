"""Autotask sync against the fake server: requests and records/s for a full first sync, an
incremental run against the unchanged tenant, and an incremental run after changes.

    .venv/bin/python benchmarks/sync_autotask.py --tickets 5000 [--latency 0.2] [--db URL]

The fake runs in a child process (`FakeAutotaskProcess`), as the real API is not in the
sync's process; each line prints the sync process's CPU time and the fake's. `--latency`
adds that many seconds to every fake API answer (the real API answers in roughly
0.2-1.5 s), so the figures show how much of a run is the store and how much the API.
`--profile FILE` writes a yappi profile (all threads) of the full sync, if yappi is
installed.

For the full sync it also prints the requests used against the minimum (records / 500) and
the time against the ideal of 3 concurrent requests per entity endpoint with the run's
`WORKERS` entities at once: with p_e = max(1, ceil(records_e / 500)) pages per entity and
s_e = ceil(p_e / 3) sequential rounds, ideal = latency * max(max_e s_e, sum_e s_e / WORKERS).
The entities-one-after-another ideal (latency * sum_e s_e) is printed too.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from stip.app import Stip
from stip.connectors.autotask.entities import SPECS
from stip.connectors.autotask.query import MAX_RECORDS
from stip.connectors.autotask.sync import WORKERS, SyncReport, run_sync
from stip.testing.fake_autotask_process import FakeAutotaskProcess


def _line(label: str, report: SyncReport, seconds: float, cpu: float, fake_cpu: float) -> str:
    rate = report.records / seconds if seconds else 0.0
    return (
        f"{label:<28} {report.records:>8} records {report.requests:>5} requests "
        f"{seconds:>7.1f} s {rate:>8.0f} records/s  cpu {cpu:.1f} s (fake {fake_cpu:.1f} s)"
    )


def _ideal(counts: dict[str, int], latency: float, report: SyncReport, seconds: float) -> str:
    rounds = [
        math.ceil(max(1, math.ceil(counts.get(s.entity, 0) / MAX_RECORDS)) / 3) for s in SPECS
    ]
    ideal = latency * max(max(rounds), sum(rounds) / WORKERS)
    serial = latency * sum(rounds)
    minimum = report.records / MAX_RECORDS
    return (
        f"  requests {report.requests} vs minimum {minimum:.0f} (records/500): "
        f"{report.requests / minimum:.2f}x\n"
        f"  ideal at 3-way concurrency, {WORKERS} entities at once: {ideal:.1f} s "
        f"-> {ideal / seconds:.0%} of ideal; entities one after another: {serial:.1f} s "
        f"-> {serial / seconds:.0%}"
    )


@contextmanager
def _profiled(path: str | None) -> Iterator[None]:
    if path is None:
        yield
        return
    import yappi  # type: ignore[import-not-found]  # optional, not a dependency

    yappi.set_clock_type("cpu")
    yappi.start()
    try:
        yield
    finally:
        yappi.stop()
        yappi.get_func_stats().save(path, type="pstat")
        stats: Any = yappi.get_thread_stats()
        stats.print_all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--db", default=None, help="store URL (default: a fresh DuckDB file)")
    parser.add_argument("--profile", default=None, help="write a yappi profile of the full sync")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="stip-sync-bench-")
    with FakeAutotaskProcess(args.tickets, latency=args.latency) as fake:
        counts = fake.record_counts()
        os.environ.update(fake.env)
        os.environ["STIP_HOME"] = home
        stip = Stip.load(db=args.db)
        size = sum(counts.values())
        print(f"tenant: {size} records ({args.tickets} tickets), store {stip.store.url}")
        for label, change in (
            ("full (first) sync", False),
            ("incremental, unchanged", False),
            ("incremental, 1% changed", True),
        ):
            if change:
                stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
                fake.touch("Tickets", 100, {"title": "changed", "lastActivityDate": stamp})
            fake.reset_log()
            fake_cpu = fake.cpu_time()
            started, cpu = time.perf_counter(), time.process_time()
            with _profiled(args.profile if label.startswith("full") else None):
                report = run_sync(stip)
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu
            print(_line(label, report, seconds, cpu, fake.cpu_time() - fake_cpu))
            if label.startswith("full") and args.latency:
                print(_ideal(counts, args.latency, report, seconds))
            assert report.requests == fake.log_length(), "client and server disagree on requests"


if __name__ == "__main__":
    main()
