"""Benchmark: the goals page (every goal's five levels, its teams and people).

    .venv/bin/python benchmarks/goals.py --db PATH [--file GOALS.yaml] [--as-of ISO]

Prints the cold time (new engine, empty cache), the warm time (same call again), the time
when the as-of moves one minute, and the process's peak RSS. Without `--file` it uses the
demo's goals file (five goals, two split by team or person). Use a store from `stip demo`
(medium) or `stip demo --scale large`. The serve-time warm-up computes this page after every
sync (web.warmup), so a visitor meets the warm time.
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import timedelta
from pathlib import Path

from stip.goals.demo import write_demo_goals
from stip.goals.loader import goals_file, load_goals
from stip.goals.progress import goal_progress
from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.settings import Settings
from stip.store.store import open_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--file", type=Path, help="goals file (default: the demo's)")
    parser.add_argument("--as-of", default=None)
    args = parser.parse_args()
    store = open_store(str(args.db))
    settings = Settings(home=args.db.parent / "bench-goals-home")
    catalog = load_catalog(home=settings.home)
    engine = KpiEngine(store, settings, catalog)
    as_of = engine.as_of(args.as_of)
    path = args.file
    if path is None:
        path = goals_file(settings.home)
        if not path.exists():
            write_demo_goals(KpiEngine(store, settings, catalog), as_of.date())
    goals = load_goals(path, catalog)
    started = time.perf_counter()
    progress = goal_progress(engine, goals, as_of)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    goal_progress(engine, goals, as_of)
    warm = time.perf_counter() - started
    started = time.perf_counter()
    goal_progress(engine, goals, as_of + timedelta(minutes=1))
    moved = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    members = sum(len(g.members) for g in progress.goals)
    print(f"store: {args.db}; goals: {path} ({len(progress.goals)} goals, {members} rows)")
    print(f"as-of {as_of.isoformat()}; this quarter: {dict(progress.summary())}")
    print(f"cold: {cold:.2f} s")
    print(f"warm: {warm:.3f} s")
    print(f"as-of one minute later: {moved:.2f} s")
    print(f"peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
