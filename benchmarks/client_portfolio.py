"""Benchmark: the clients page's figures (every active client, every column, fit judged) or
the price simulator (every active client at the default price per user).

    .venv/bin/python benchmarks/client_portfolio.py [clients|simulator] --db PATH
        [--period SPEC] [--as-of ISO]

Prints the cold time (new engine, empty cache), the warm time (same call again), for the
simulator the time at another price (the figures come from the cache; only the arithmetic
is new), what was judged, and the process's peak RSS. Use a store from `stip demo --scale
large` (2,600 clients) or the default demo. The serve-time warm-up computes both views after
every sync (web.warmup), so a visitor meets the warm time.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.semantic.portfolio import COLUMNS, DEFAULT_PERIOD, Portfolio, portfolio
from stip.semantic.pricing import Simulation, simulate
from stip.settings import Settings
from stip.store.store import open_store
from stip.web.people import Directory

T = TypeVar("T")


def timed(work: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("view", nargs="?", choices=("clients", "simulator"), default="clients")
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--period", default=DEFAULT_PERIOD)
    parser.add_argument("--as-of", default=None)
    args = parser.parse_args()
    store = open_store(str(args.db))
    settings = Settings(home=args.db.parent / "bench-home")
    clients = [(c.id, c.name) for c in Directory(store).clients()]
    engine = KpiEngine(store, settings, load_catalog(home=settings.home))
    as_of = engine.as_of(args.as_of)
    price, band = settings.price_per_user, settings.reprice_band

    print(f"store: {args.db} ({len(clients):,} active clients)")
    print(f"{args.view}: period {args.period}, as-of {as_of.isoformat()}")
    if args.view == "clients":

        def page() -> Portfolio:
            return portfolio(engine, clients, COLUMNS, args.period, as_of, judge=True)

        cold, result = timed(page)
        warm, _ = timed(page)
        fitting = sum(1 for row in result.rows if row.fits)
        print(f"cold: {cold:.2f} s\nwarm: {warm:.3f} s")
        print(f"{len(COLUMNS)} columns; clients that fit: {fitting:,} of {len(result.rows):,}")
    else:

        def simulator(at: float = price) -> Simulation:
            return simulate(engine, clients, at, band, args.period, as_of)

        cold, sim = timed(simulator)
        warm, _ = timed(simulator)
        other, _ = timed(lambda: simulator(price * 0.8))
        verdicts = Counter(sim.verdict(row) for row in sim.rows)
        print(f"cold: {cold:.2f} s\nwarm: {warm:.3f} s\nanother price: {other:.3f} s")
        print(f"verdicts at {price:g}: {dict(verdicts)}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
