"""`stip demo` as a user runs it, and the demo on the real PostgreSQL server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from stip.demo import build_demo
from stip.store.store import open_store

from .helpers import END


@pytest.mark.slow
def test_stip_demo_no_serve_small_exits_0_and_fills_the_store(stip_home: Path) -> None:
    env = {**os.environ, "STIP_HOME": str(stip_home)}
    done = subprocess.run(
        [sys.executable, "-m", "stip", "demo", "--no-serve", "--scale", "small", "--seed", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Planted stories" in done.stdout
    with duckdb.connect(str(stip_home / "stip.duckdb"), read_only=True) as con:
        tickets = con.execute("SELECT count(*) FROM tickets").fetchone()
    assert tickets is not None and tickets[0] >= 1_000


def test_stip_demo_rejects_an_unknown_scale(stip_home: Path) -> None:
    env = {**os.environ, "STIP_HOME": str(stip_home)}
    done = subprocess.run(
        [sys.executable, "-m", "stip", "demo", "--no-serve", "--scale", "huge"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "huge" in done.stderr
    assert not (stip_home / "stip.duckdb").exists()


@pytest.mark.postgres
def test_demo_loads_into_postgresql(pg_url: str) -> None:
    store = open_store(pg_url)
    summary = build_demo(store, "small", 1, END)
    with store.read() as con:
        tickets = con.table("tickets").count().execute()
        entries = con.table("time_entries").count().execute()
    assert tickets == summary.counts["tickets"] >= 1_000
    assert entries == summary.counts["time_entries"] >= 5_000
