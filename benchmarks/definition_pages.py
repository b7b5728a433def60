"""Benchmark: the goals page (every goal's five levels, its teams and people) or the
deliverables page (every agreement's months).

    .venv/bin/python benchmarks/definition_pages.py goals|deliverables --db PATH
        [--file FILE.yaml] [--as-of ISO]

Prints the cold time (new engine, empty cache), the warm time (same call again), the time
when the as-of moves one minute, and the process's peak RSS. Without `--file` it uses the
demo's file (goals: five goals, two split by team or person; deliverables: two clients and
a team). Use a store from `stip demo` (medium) or `stip demo --scale large`. The serve-time
warm-up computes both pages after every sync (web.warmup), so a visitor meets the warm time.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from stip.deliverables.demo import write_demo_deliverables
from stip.deliverables.loader import deliverables_file, load_deliverables
from stip.deliverables.scorecard import scorecards
from stip.goals.demo import write_demo_goals
from stip.goals.loader import goals_file, load_goals
from stip.goals.progress import goal_progress
from stip.semantic.catalog import KpiCatalog, load_catalog
from stip.semantic.engine import KpiEngine
from stip.settings import Settings
from stip.store.store import open_store


@dataclass(frozen=True)
class Page:
    default: Callable[[Path], Path]
    write: Callable[[KpiEngine, date], Path | None]
    load: Callable[[Path, KpiCatalog], Any]
    compute: Callable[[KpiEngine, Any, datetime], Any]
    describe: Callable[[Any], str]


def _goals(progress: Any) -> str:
    members = sum(len(g.members) for g in progress.goals)
    return f"{len(progress.goals)} goals, {members} rows; this quarter: {dict(progress.summary())}"


def _deliverables(cards: Any) -> str:
    months = sum(len(line.months) for card in cards.cards for line in card.lines)
    return f"{len(cards.cards)} agreements, {months} deliverable-months"


PAGES = {
    "goals": Page(goals_file, write_demo_goals, load_goals, goal_progress, _goals),
    "deliverables": Page(
        deliverables_file, write_demo_deliverables, load_deliverables, scorecards, _deliverables
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", choices=sorted(PAGES))
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--file", type=Path, help="the definition file (default: the demo's)")
    parser.add_argument("--as-of", default=None)
    args = parser.parse_args()
    page = PAGES[args.page]
    store = open_store(str(args.db))
    settings = Settings(home=args.db.parent / f"bench-{args.page}-home")
    catalog = load_catalog(home=settings.home)
    engine = KpiEngine(store, settings, catalog)
    as_of = engine.as_of(args.as_of)
    path = args.file
    if path is None:
        path = page.default(settings.home)
        if not path.exists():
            page.write(KpiEngine(store, settings, catalog), as_of.date())
    spec = page.load(path, catalog)
    started = time.perf_counter()
    result = page.compute(engine, spec, as_of)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    page.compute(engine, spec, as_of)
    warm = time.perf_counter() - started
    started = time.perf_counter()
    page.compute(engine, spec, as_of + timedelta(minutes=1))
    moved = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"store: {args.db}; {args.page}: {path} ({page.describe(result)})")
    print(f"as-of {as_of.isoformat()}")
    print(f"cold: {cold:.2f} s")
    print(f"warm: {warm:.3f} s")
    print(f"as-of one minute later: {moved:.2f} s")
    print(f"peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
