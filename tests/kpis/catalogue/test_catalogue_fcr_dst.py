"""FCR's same-day test uses the local date in force when the ticket was created and resolved,
also for a ticket completed long after, across a DST change.

Two tickets completed in November 2026 (CET, UTC+1) were created and resolved in July
(CEST, UTC+2), late in the evening:
- F1: created 23:30, resolved 00:30 the next day (local): two days, so not FCR. With
  November's offset the two times (21:30Z, 22:30Z) would read 22:30 and 23:30, one day.
- F2: created 22:30, resolved 23:45 the same day: FCR.
Neither has a time entry (at most one entry is allowed). Expected: 1 of 2 = 50 %.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.settings import load_settings
from stip.store.schema import Batch
from stip.store.store import open_store

from .catalogue_fixture import SRC, L, _ticket

TICKETS = [
    _ticket(2001, 1, 101, created=L(2026, 7, 10, 23, 30), resolved=L(2026, 7, 11, 0, 30),
            completed=L(2026, 11, 3, 9)),
    _ticket(2002, 1, 101, created=L(2026, 7, 10, 22, 30), resolved=L(2026, 7, 10, 23, 45),
            completed=L(2026, 11, 4, 9)),
]  # fmt: skip


BACKENDS = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_fcr_same_day_uses_the_offset_of_the_day_itself(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    duck = str(tmp_path / "stip.duckdb")
    url = duck if backend == "duckdb" else request.getfixturevalue("pg_url")
    store = open_store(url)
    batch = Batch()
    batch.add("tickets", [{"source_system": SRC, **row} for row in TICKETS])
    store.apply(batch)
    engine = KpiEngine(store, load_settings(tmp_path), load_catalog(home=tmp_path))
    (row,) = engine.values("fcr_rate", "2026-11", as_of="2026-11-20T10:00").rows
    assert (row.value, row.n) == (50.0, 2)
