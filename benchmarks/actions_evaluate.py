"""`stip actions evaluate` over all rules on the demo MSP: the target is <= 5 s on medium.

    .venv/bin/python benchmarks/actions_evaluate.py                 # builds a medium demo
    .venv/bin/python benchmarks/actions_evaluate.py --home /tmp/h   # reuses a STIP_HOME

Prints, for the first evaluation (creates every item), a steady-state one (nothing changed)
and the command as a user runs it (a fresh `python -m stip` process, imports included):
wall and CPU seconds, and the items per rule. Wall time depends on what else the machine runs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stip.actions.evaluate import evaluate
from stip.app import Stip
from stip.demo import build_demo


def timed(label: str, stip: Stip, as_of: object) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    result = evaluate(stip, as_of)  # type: ignore[arg-type]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"{label:<12} wall={wall:.2f}s cpu={cpu:.2f}s created={result.created} "
        f"updated={result.updated} resolved={result.resolved} escalated={result.escalated} "
        f"open={result.open_items}"
    )
    for rule, count in sorted(result.per_rule.items()):
        print(f"    {rule:<24}{count:>8,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--scale", default="medium")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="stip-bench-actions-")) / "home"
    os.environ["STIP_HOME"] = str(home)
    stip = Stip.load(str(home))
    if not stip.store.exists() or stip.store.meta("data_version") is None:
        started = time.perf_counter()
        summary = build_demo(stip.store, args.scale, 1)
        print(
            f"built {args.scale} demo in {time.perf_counter() - started:.1f}s "
            f"({sum(summary.counts.values()):,} rows) at {home}"
        )
        as_of = summary.end
    else:
        as_of = None
    timed("first", stip, as_of)
    timed("steady", stip, as_of)
    command = [sys.executable, "-m", "stip", "actions", "evaluate"]
    if as_of is not None:
        command += ["--as-of", as_of.isoformat()]
    wall = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
    wall = time.perf_counter() - wall
    print(f"{'command':<12} wall={wall:.2f}s exit={done.returncode} {done.stdout.strip()}")


if __name__ == "__main__":
    main()
