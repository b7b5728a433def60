"""The snapshot bound (`semantic.bounds`): which rows it may drop, and that no value moves.

A snapshot measure pairs every row with every window; the bound drops first the rows that no
KPI of the group can count in any window. These tests pin what it reads from the `where`
lists, and compare every snapshot KPI of the catalogue with and without it, on DuckDB and
PostgreSQL, as a tile (value, comparisons, trend, actions), alone and split by each dimension.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from stip.semantic import compute
from stip.semantic.bounds import bounded_columns
from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.settings import load_settings
from stip.store.schema import Batch
from stip.store.store import open_store

from .catalogue_fixture import SRC

AS_OF = "2026-10-28T10:00"


def _snapshot_ids(engine: KpiEngine) -> list[str]:
    return [
        k.id
        for k in engine.catalog
        if k.measure.type not in ("function", "ratio") and k.measure.time is None
    ]


def test_a_group_is_bounded_only_by_what_every_kpi_in_it_requires(
    duck_engine: KpiEngine,
) -> None:
    get = duck_engine.catalog.get
    open_at_end = {("completed_date", "lower"), ("create_date", "upper")}
    assert bounded_columns([get("open_backlog"), get("unassigned_tickets")]) == open_at_end
    # unanswered also bounds the first response; the group keeps only what both bound
    assert bounded_columns([get("unanswered_tickets")]) == open_at_end | {
        ("first_response_date_time", "lower")
    }
    assert bounded_columns([get("open_backlog"), get("unanswered_tickets")]) == open_at_end
    # a constant limit is a bound too; an equality is not
    assert ("invoice_total", "lower") in bounded_columns([get("overdue_invoices")])
    assert bounded_columns([get("active_engineers")]) == set()
    assert bounded_columns([get("open_backlog"), get("active_engineers")]) == set()


def _everything(engine: KpiEngine, ids: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"tiles": [t.to_json() for t in engine.tiles(ids, "2026-10", AS_OF)]}
    for kpi_id in ids:
        kpi = engine.catalog.get(kpi_id)
        for by in (None, *kpi.dimensions):
            result = engine.values(kpi_id, "2026-10", by=by, as_of=AS_OF)
            out[f"{kpi_id} by {by}"] = [(r.by, r.value, r.n) for r in result.rows]
    return out


def _same_with_and_without_the_bound(engine: KpiEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = _snapshot_ids(engine)
    assert {"open_backlog", "unanswered_tickets", "overdue_invoices"} <= set(ids)
    bounded = _everything(KpiEngine(engine.store, engine.settings, engine.catalog), ids)
    monkeypatch.setattr(compute, "snapshot_bound", lambda *_args: None)
    unbounded = _everything(KpiEngine(engine.store, engine.settings, engine.catalog), ids)
    assert bounded == unbounded
    tiles = {t["kpi"]: t for t in bounded["tiles"]}
    # hand-checked in test_catalogue_values: T5 (Oct) and T6 (Sep) open at 1 Nov
    assert tiles["open_backlog"]["value"] == 2


def test_the_bound_changes_no_value_on_duckdb(
    duck_engine: KpiEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _same_with_and_without_the_bound(duck_engine, monkeypatch)


@pytest.mark.postgres
def test_the_bound_changes_no_value_on_postgres(
    pg_engine: KpiEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _same_with_and_without_the_bound(pg_engine, monkeypatch)


def _ticket(ticket_id: int, created: datetime, completed: datetime) -> dict[str, Any]:
    return {
        "source_system": SRC,
        "id": ticket_id,
        "create_date": created,
        "completed_date": completed,
        "first_response_date_time": created,
    }


def test_nothing_open_in_any_window_is_a_count_of_zero(tmp_path: Path) -> None:
    """Every ticket was closed years before the windows, so the bound leaves no row at all:
    each window still counts 0 open tickets (contract: counts are 0 when nothing matched)."""
    home = tmp_path / "home"
    store = open_store(str(tmp_path / "stip.duckdb"))
    batch = Batch()
    batch.add(
        "tickets",
        [
            _ticket(1, datetime(2020, 3, 2, 9), datetime(2020, 3, 3, 9)),
            _ticket(2, datetime(2021, 6, 1, 9), datetime(2021, 6, 4, 9)),
        ],
    )
    store.apply(batch)
    engine = KpiEngine(store, load_settings(home), load_catalog(home=home))
    ids = ["open_backlog", "unanswered_tickets", "avg_backlog_age", "aged_ticket_share"]
    backlog, unanswered, age, aged = engine.tiles(ids, "2026-10", AS_OF)
    assert (backlog.value, backlog.n, backlog.previous, backlog.last_year) == (0, 0, 0, 0)
    assert backlog.trend == [0] * 12
    assert (unanswered.value, unanswered.n) == (0, 0)
    # a mean and a share of no tickets have no value
    assert (age.value, age.n, aged.value, aged.n) == (None, 0, None, 0)
    assert engine.values("open_backlog", "2026-10", by="resource", as_of=AS_OF).rows == []
    # the two function KPIs that filter their tickets the same way before the pairing
    volume, stale = engine.tiles(["backlog_to_daily_volume", "stale_tickets"], "2026-10", AS_OF)
    assert (volume.value, volume.n, stale.value, stale.n) == (None, 0, None, 0)
