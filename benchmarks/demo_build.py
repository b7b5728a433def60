"""Builds the demo MSP at each scale into a fresh DuckDB store; prints time and row counts.

    .venv/bin/python benchmarks/demo_build.py --scale small --scale medium
    .venv/bin/python benchmarks/demo_build.py --scale large --db /tmp/stip-large.duckdb

`--db` keeps the store (one scale only), e.g. for the KPI benchmarks on the large scale.
Wall time depends on what else the machine runs; CPU time (all threads: the next part is
generated while the previous one is written) is printed too. Targets for large: >= 250,000
rows/s (generating and loading together), peak RSS <= 2 GB.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from stip.demo import build_demo
from stip.store.store import open_store


def run(scale: str, seed: int, path: Path) -> None:
    if path.exists():
        path.unlink()
    store = open_store(str(path))
    wall, cpu = time.perf_counter(), time.process_time()
    summary = build_demo(store, scale, seed)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = sum(summary.counts.values())
    print(
        f"scale={scale} seed={seed} wall={wall:.1f}s cpu={cpu:.1f}s rows={rows:,} "
        f"rate={rows / wall:,.0f} rows/s peak_rss={peak_mb:,.0f}MB "
        f"file={path.stat().st_size / 2**20:,.0f}MB"
    )
    for name, count in sorted(summary.counts.items()):
        print(f"  {name:<28}{count:>12,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", action="append", choices=["small", "medium", "large"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", type=Path, help="keep the store at this DuckDB path")
    args = parser.parse_args()
    scales = args.scale or ["small", "medium"]
    if args.db and len(scales) > 1:
        parser.error("--db takes one --scale")
    with tempfile.TemporaryDirectory() as tmp:
        for scale in scales:
            run(scale, args.seed, args.db or Path(tmp) / f"demo-{scale}.duckdb")


if __name__ == "__main__":
    main()
