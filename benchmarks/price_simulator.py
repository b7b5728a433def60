"""Benchmark: the price simulator (every active client at one price per user per month).

    .venv/bin/python benchmarks/price_simulator.py --db PATH [--as-of ISO] [--period SPEC]

Prints the cold time (new engine, empty cache), the warm time (same call again), the time
at another price (the figures come from the cache; only the arithmetic is new), the
clients judged and the process's peak RSS. Use a store from `stip demo` (medium) or
`stip demo --scale large`. The serve-time warm-up computes the default view after every
sync (web.warmup), so a visitor meets the warm time.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections import Counter
from pathlib import Path

from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.semantic.portfolio import DEFAULT_PERIOD
from stip.semantic.pricing import Simulation, simulate
from stip.settings import Settings
from stip.store.store import open_store
from stip.web.people import Directory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--as-of", default=None)
    parser.add_argument("--period", default=DEFAULT_PERIOD)
    args = parser.parse_args()
    store = open_store(str(args.db))
    settings = Settings(home=args.db.parent / "bench-pricing-home")
    engine = KpiEngine(store, settings, load_catalog(home=settings.home))
    as_of = engine.as_of(args.as_of)
    clients = [(c.id, c.name) for c in Directory(store).clients()]

    def run(price: float) -> tuple[float, Simulation]:
        started = time.perf_counter()
        sim = simulate(engine, clients, price, settings.reprice_band, args.period, as_of)
        return time.perf_counter() - started, sim

    cold, sim = run(settings.price_per_user)
    warm, _ = run(settings.price_per_user)
    other, _ = run(settings.price_per_user * 0.8)
    verdicts = Counter(sim.verdict(row) for row in sim.rows)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"store: {args.db}; {len(clients)} clients, period {args.period}, as-of {as_of}")
    print(f"verdicts at {settings.price_per_user:g}: {dict(verdicts)}")
    print(f"cold: {cold:.2f} s")
    print(f"warm: {warm:.3f} s")
    print(f"another price: {other:.3f} s")
    print(f"peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
