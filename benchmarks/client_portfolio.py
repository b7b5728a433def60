"""Benchmark: the clients page's figures (every active client, every column, fit judged).

    .venv/bin/python benchmarks/client_portfolio.py --db PATH [--period SPEC] [--as-of ISO]

Prints the cold time (new engine, empty cache), the warm time (same call again), how many
clients fit, and the process's peak RSS. Use a store from `stip demo --scale large`
(2,600 clients). The serve-time warm-up computes this view after every sync (web.warmup), so
a visitor meets the warm time.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.semantic.portfolio import COLUMNS, DEFAULT_PERIOD, portfolio
from stip.settings import Settings
from stip.store.store import open_store
from stip.web.people import Directory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--period", default=DEFAULT_PERIOD)
    parser.add_argument("--as-of", default=None)
    args = parser.parse_args()
    store = open_store(str(args.db))
    settings = Settings(home=args.db.parent / "bench-home")
    clients = [(c.id, c.name) for c in Directory(store).clients()]
    engine = KpiEngine(store, settings, load_catalog(home=settings.home))
    started = time.perf_counter()
    result = portfolio(engine, clients, COLUMNS, args.period, args.as_of, judge=True)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    portfolio(engine, clients, COLUMNS, args.period, args.as_of, judge=True)
    warm = time.perf_counter() - started
    fitting = sum(1 for row in result.rows if row.fits)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"store: {args.db} ({len(clients):,} active clients)")
    print(f"period {args.period}, as-of {result.as_of.isoformat()}, {len(COLUMNS)} columns")
    print(f"cold: {cold:.2f} s")
    print(f"warm: {warm:.3f} s")
    print(f"clients that fit: {fitting:,} of {len(result.rows):,}")
    print(f"peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
