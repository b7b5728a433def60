"""Benchmark: all tiles of the biggest role dashboard for one as-of, on a large store.

    .venv/bin/python benchmarks/kpi_dashboard.py --db PATH [--as-of ISO] [--period SPEC]
    .venv/bin/python benchmarks/kpi_dashboard.py --db /tmp/kpi-bench.duckdb --generate

Prints the cold time (new engine, empty cache), the warm time (same call again: cache), the
time when the as-of moves one minute, the process's peak RSS and the floor: every SQL query
behind the tiles run once more, plainly on the DuckDB connection (no Ibis, no pandas), in a
separate pass after the timed runs. Targets: warm <= 0.5 s, cold <= 3 s, peak <= 2 GB.
`--generate` first builds a synthetic store (2M tickets, 10M time entries) when PATH does
not exist yet (see kpi_synthetic.py); otherwise use a store from `stip demo --scale large`.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from stip.semantic import compute
from stip.semantic.catalog import load_catalog
from stip.semantic.compute import UNIT_LOG
from stip.semantic.engine import KpiEngine
from stip.semantic.models import ROLES
from stip.semantic.periods import parse_as_of
from stip.settings import Settings
from stip.store.store import open_store


def biggest_dashboard(catalog_ids: set[str]) -> tuple[str, list[str]]:
    """The role dashboard with the most tiles (from the dashboard files, else the catalogue)."""
    try:
        import yaml

        from stip.semantic.catalog import BUILTIN_DIR

        folder = BUILTIN_DIR.parent / "dashboards"
        best: tuple[str, list[str]] = ("", [])
        for path in sorted(folder.glob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            ids = [k for k in _kpi_refs(yaml.safe_load(text)) if k in catalog_ids]
            if len(dict.fromkeys(ids)) > len(best[1]):
                best = (path.stem, list(dict.fromkeys(ids)))
        if best[1]:
            return best
    except (OSError, ValueError):
        pass
    return "", []


def _kpi_refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["kpi"]] if isinstance(node.get("kpi"), str) else []
        for value in node.values():
            found += _kpi_refs(value)
        return found
    if isinstance(node, list):
        return [k for item in node for k in _kpi_refs(item)]
    return []


def floor(
    engine: KpiEngine, kpi_ids: list[str], period: str, as_of: str
) -> list[tuple[str, float]]:
    """Each SQL query a cold `tiles` call runs, timed when run plainly on the DuckDB connection.

    A fresh engine computes the tiles again, one query at a time, while every query Ibis sends
    is first run (and timed) as plain SQL, fetched to Arrow; the engine's own time in this
    pass is not reported.
    """
    from ibis.backends.duckdb import Backend

    log: list[tuple[str, float]] = []
    original = Backend._to_duckdb_relation

    def timed(self: Backend, expr: Any, **kwargs: Any) -> Any:
        self._run_pre_execute_hooks(expr)
        sql = self.compile(expr.as_table(), **kwargs)
        started = time.perf_counter()
        self.con.sql(sql).to_arrow_table()
        log.append((sql, time.perf_counter() - started))
        return original(self, expr, **kwargs)

    Backend._to_duckdb_relation = timed  # type: ignore[method-assign]
    workers, compute.UNIT_WORKERS = compute.UNIT_WORKERS, 1  # one query at a time
    try:
        engine.tiles(kpi_ids, period, as_of=as_of)
    finally:
        Backend._to_duckdb_relation = original  # type: ignore[method-assign]
        compute.UNIT_WORKERS = workers
    return log


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="DuckDB path (or postgres:// URL)")
    parser.add_argument("--as-of", default="2026-10-28T10:00")
    parser.add_argument("--period", default="this-month")
    parser.add_argument("--units", type=int, default=8, help="how many slowest units to list")
    parser.add_argument("--floor-sql", type=Path, help="write the floor's queries (slowest first)")
    parser.add_argument("--generate", action="store_true", help="build a synthetic store first")
    parser.add_argument(
        "--all-kpis", action="store_true", help="every catalogue KPI on one dashboard (worst case)"
    )
    parser.add_argument(
        "--contract", action="store_true", help="only the 13 contract KPIs (contract.yaml)"
    )
    args = parser.parse_args()
    if args.generate and not Path(args.db).exists():
        from kpi_synthetic import generate

        started = time.perf_counter()
        generate(open_store(args.db))
        print(f"generated synthetic store in {time.perf_counter() - started:.1f} s")
    store = open_store(args.db)
    settings = Settings(home=Path(args.db).parent / "bench-home")
    catalog = load_catalog(home=settings.home)
    role, kpi_ids = biggest_dashboard(set(catalog.ids()))
    if args.all_kpis:
        role, kpi_ids = "all KPIs", catalog.ids()
    elif args.contract:
        role = "contract KPIs"
        kpi_ids = [k.id for k in catalog if k.source.endswith("contract.yaml")]
    elif not kpi_ids:
        counts = Counter(role for kpi in catalog for role in kpi.roles)
        role = max(ROLES, key=lambda r: counts[r])
        kpi_ids = [kpi.id for kpi in catalog.for_role(role)]
    with store.read() as con:
        sizes = {t: con.table(t).count().execute() for t in ("tickets", "time_entries")}
    print(f"store: {args.db} ({sizes['tickets']:,} tickets, {sizes['time_entries']:,} entries)")
    print(f"dashboard: {role} ({len(kpi_ids)} tiles), period {args.period}, as-of {args.as_of}")

    engine = KpiEngine(store, settings, catalog)
    units: list[tuple[str, float]] = []
    unit_token = UNIT_LOG.set(units)
    started, cpu = time.perf_counter(), time.process_time()
    tiles = engine.tiles(kpi_ids, args.period, as_of=args.as_of)
    cold, cpu = time.perf_counter() - started, time.process_time() - cpu
    UNIT_LOG.reset(unit_token)
    started = time.perf_counter()
    engine.tiles(kpi_ids, args.period, as_of=args.as_of)
    warm = time.perf_counter() - started
    next_minute = (parse_as_of(args.as_of, settings.tz) + timedelta(minutes=1)).isoformat()
    started = time.perf_counter()
    engine.tiles(kpi_ids, args.period, as_of=next_minute)
    moved = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"cold: {cold:.2f} s (target <= 3 s; CPU time of all threads {cpu:.2f} s)")
    print(f"warm: {warm:.3f} s (target <= 0.5 s)")
    print(f"as-of one minute later (only as-of dependent KPIs recomputed): {moved:.2f} s")
    if not store.is_postgres:
        log = floor(KpiEngine(store, settings, catalog), kpi_ids, args.period, args.as_of)
        queries = sum(seconds for _, seconds in log)
        print(f"floor: {len(log)} SQL queries behind the tiles, run once plainly: {queries:.2f} s")
        ranked = sorted(log, key=lambda item: -item[1])
        for sql, seconds in ranked[:5]:
            print(f"  {seconds:6.2f} s  {' '.join(sql.split())[:110]}")
        if args.floor_sql:
            text = "".join(f"-- {seconds:.3f} s\n{sql};\n\n" for sql, seconds in ranked)
            args.floor_sql.write_text(text, encoding="utf-8")
    print(f"slowest units of work ({len(units)} in all, {sum(u[1] for u in units):.2f} s):")
    for label, seconds in sorted(units, key=lambda item: -item[1])[: args.units]:
        print(f"  {seconds:6.2f} s  {label}")
    print(f"peak RSS: {peak_mb:.0f} MB (target <= 2048 MB)")
    missing = [t.kpi.id for t in tiles if t.value is None]
    print(f"tiles without a value: {len(missing)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    sys.exit(main())
