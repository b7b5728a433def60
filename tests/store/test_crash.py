"""A load killed with SIGKILL leaves the previous state readable and consistent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from stip.store.schema import Batch
from stip.store.store import Store, open_store

OLD_ROWS = 1_000
NEW_ROWS = 1_500_000

LOADER = textwrap.dedent(
    """
    import sys
    import pyarrow as pa
    from stip.store.schema import Batch
    from stip.store.store import open_store

    store = open_store(sys.argv[1])
    n = int(sys.argv[2])
    rows = pa.table({
        "source_system": pa.array(["autotask"] * n),
        "id": pa.array(range(10_000, 10_000 + n), pa.int64()),
        "title": pa.array(["new"] * n),
    })
    print("loading", flush=True)
    store.apply(Batch(), arrow={"tickets": rows})
    print("done", flush=True)
    """
)


REPLACER = textwrap.dedent(
    """
    import sys
    import pyarrow as pa
    from stip.store.store import open_store

    store = open_store(sys.argv[1])
    n = int(sys.argv[2])

    def parts():
        for lo in range(10_000, 10_000 + n, 100_000):
            idents = range(lo, min(lo + 100_000, 10_000 + n))
            yield "tickets", pa.table({
                "source_system": pa.array(["autotask"] * len(idents)),
                "id": pa.array(idents, pa.int64()),
                "title": pa.array(["new"] * len(idents)),
            })

    print("loading", flush=True)
    store.replace_source("autotask", parts())
    print("done", flush=True)
    """
)


def _seed(path: Path) -> tuple[Store, str]:
    store = open_store(str(path))
    old = Batch()
    old.add(
        "tickets",
        [{"source_system": "autotask", "id": i, "title": "old"} for i in range(OLD_ROWS)],
    )
    store.apply(old)
    return store, store.data_version()


def _kill_after(script: str, path: Path, delay: float) -> None:
    loader = subprocess.Popen(
        [sys.executable, "-c", script, str(path), str(NEW_ROWS)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    assert loader.stdout is not None
    assert loader.stdout.readline().strip() == "loading"
    time.sleep(delay)
    loader.send_signal(signal.SIGKILL)
    loader.wait(timeout=60)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("script", "rows_after", "titles_after"),
    [
        pytest.param(LOADER, OLD_ROWS + NEW_ROWS, {"old", "new"}, id="apply"),
        pytest.param(REPLACER, NEW_ROWS, {"new"}, id="replace_source"),
    ],
)
@pytest.mark.parametrize("delay", [0.0, 0.5, 2.0])
def test_kill_during_a_load_leaves_the_previous_state(
    tmp_path: Path, script: str, rows_after: int, titles_after: set[str], delay: float
) -> None:
    path = tmp_path / "stip.duckdb"
    store, version = _seed(path)
    _kill_after(script, path, delay)

    with store.read() as con:
        tickets = con.table("tickets")
        count = tickets.count().execute()
        titles = set(tickets.title.to_pyarrow().to_pylist())
    if delay == 0.0:
        # killed right as the load starts (1.5M rows take far longer to commit)
        assert count == OLD_ROWS
    if count == OLD_ROWS:
        assert titles == {"old"}
        assert store.data_version() == version
    else:
        # the kill came after the commit: all of the new rows, never part of them
        assert count == rows_after
        assert titles == titles_after
        assert store.data_version() != version
    # a later whole-source load clears what a killed one left behind and lands whole
    store.replace_source("autotask", iter([]))
    with store.read() as con:
        assert con.table("tickets").count().execute() == 0
        assert not [t for t in con.list_tables() if t.startswith("stip_staging__")]
