"""KPIs that read the same rows share one query: more tiles of a family cost no more scans.

The queries are observed on the real DuckDB backend (every statement Ibis sends is recorded
and still run), on fresh engines so that nothing comes from a cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from ibis.backends.duckdb import Backend

from stip.semantic import compute
from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.settings import load_settings
from stip.store.schema import Batch
from stip.store.store import open_store

from .catalogue_fixture import SRC, TIME_ENTRIES, batch

AS_OF = "2026-10-28T10:00"
HOUR_KPIS = [
    "labour_cost",
    "utilization",
    "time_entry_compliance",
    "billable_utilization",
    "proactive_hours_share",
    "rhem",
    "client_contribution",
    "agreement_gross_margin",
    "blended_gross_margin",
    "effective_hourly_rate",
]


@contextmanager
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    statements: list[str] = []
    original = Backend._to_duckdb_relation

    def spy(self: Backend, expr: Any, **kwargs: Any) -> Any:
        statements.append(self.compile(expr.as_table(), **kwargs))
        return original(self, expr, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(Backend, "_to_duckdb_relation", spy)
        yield statements


MONEY_KPIS = [
    "mrr",
    "client_contribution",
    "agreement_gross_margin",
    "blended_gross_margin",
    "product_gross_margin",
    "top3_client_concentration",
    "effective_hourly_rate",
]


def _scans(engine: KpiEngine, kpis: list[str], monkeypatch: pytest.MonkeyPatch, table: str) -> int:
    fresh = KpiEngine(engine.store, engine.settings, engine.catalog)
    with recorded(monkeypatch) as statements:
        fresh.tiles(kpis, "2026-10", as_of=AS_OF, trend_points=3)
    return sum(f'"{table}"' in sql for sql in statements)


def _entry_scans(engine: KpiEngine, kpis: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    return _scans(engine, kpis, monkeypatch, "time_entries")


def test_hour_and_labour_kpis_share_one_scan_of_the_entries(
    duck_engine: KpiEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # labour_cost alone: the shared frame, plus the engine's own look at which columns
    # hold data and at the data's freshness.
    one = _entry_scans(duck_engine, ["labour_cost"], monkeypatch)
    assert _entry_scans(duck_engine, HOUR_KPIS, monkeypatch) == one


def test_revenue_and_margin_kpis_share_one_scan_of_the_billing_items(
    duck_engine: KpiEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # mrr alone: the shared per-window item totals, and its previous periods' recurring items.
    one = _scans(duck_engine, ["mrr"], monkeypatch, "billing_items")
    assert _scans(duck_engine, MONEY_KPIS, monkeypatch, "billing_items") == one


@pytest.mark.parametrize("kpis", [HOUR_KPIS, MONEY_KPIS])
def test_shared_frame_gives_the_same_values_alone_and_together(
    duck_engine: KpiEngine, kpis: list[str]
) -> None:
    together = KpiEngine(duck_engine.store, duck_engine.settings, duck_engine.catalog)
    tiles = {t.kpi.id: t for t in together.tiles(kpis, "2026-10", as_of=AS_OF)}
    for kpi in kpis:
        alone = KpiEngine(duck_engine.store, duck_engine.settings, duck_engine.catalog)
        (tile,) = alone.tiles([kpi], "2026-10", as_of=AS_OF)
        assert tile.value == pytest.approx(tiles[kpi].value), kpi
        assert tile.trend == pytest.approx(tiles[kpi].trend), kpi


def test_action_lists_of_a_dashboard_look_names_up_once(
    duck_engine: KpiEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every red or amber tile with an action list carries its rows; the names behind all
    of them (people, clients, contacts, tickets) cost one query per kind, not per tile."""
    fresh = KpiEngine(duck_engine.store, duck_engine.settings, duck_engine.catalog)
    ids = [k.id for k in fresh.catalog if k.has_actions]
    with recorded(monkeypatch) as statements:
        tiles = fresh.tiles(ids, "2026-10", as_of=AS_OF)
    acting = [t for t in tiles if t.actions]
    assert len(acting) >= 3
    name_lookups = [
        sql
        for sql in statements
        if any(f'FROM "{table}"' in sql for table in ("resources", "contacts"))
        and '"first_name"' in sql
    ]
    assert len(name_lookups) <= 2  # one for people, one for contacts


def test_a_shared_frame_never_outlives_its_read(tmp_path: Path) -> None:
    """Entries written after a dashboard was computed count in the next one: the shared
    frames belong to one connection, even though Ibis backends on the same database
    compare equal."""
    store = open_store(str(tmp_path / "stip.duckdb"))
    store.apply(batch())
    settings = load_settings(tmp_path)
    engine = KpiEngine(store, settings, load_catalog(home=tmp_path))
    (before,) = engine.tiles(["labour_cost"], "2026-10", as_of=AS_OF)
    assert before.value == pytest.approx(740.0)
    later = Batch()
    # Anna (internal cost 50/h) logs 2 more hours on T1 in October.
    entry = {**TIME_ENTRIES[0], "source_system": SRC, "id": 99, "hours_worked": 2.0}
    later.add("time_entries", [{**entry, "date_worked": date(2026, 10, 20)}])
    store.apply(later)
    (after,) = engine.tiles(["labour_cost"], "2026-10", as_of=AS_OF)
    assert after.value == pytest.approx(740.0 + 2 * 50.0)


def test_two_workers_give_what_one_gives(
    duck_engine: KpiEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine's two threads (one cursor each, one memo of shared frames) compute every
    catalogue tile exactly as a single thread does, and each shared frame still once."""
    ids = duck_engine.catalog.ids()
    results = {}
    for workers in (1, 2):
        monkeypatch.setattr(compute, "UNIT_WORKERS", workers)
        fresh = KpiEngine(duck_engine.store, duck_engine.settings, duck_engine.catalog)
        with recorded(monkeypatch) as statements:
            tiles = fresh.tiles(ids, "2026-10", as_of=AS_OF)
        results[workers] = ([t.to_json() for t in tiles], sorted(statements))
    assert results[2][0] == results[1][0]
    assert len(results[2][1]) == len(results[1][1])


def test_each_schema_is_looked_up_once_per_data_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every `con.table()` asks the catalogue for the table's columns; the two threads of a
    computation and the next computations on the same data share what was asked."""
    store = open_store(str(tmp_path / "stip.duckdb"))
    store.apply(batch())
    settings = load_settings(tmp_path)
    engine = KpiEngine(store, settings, load_catalog(home=tmp_path))
    asked: list[str] = []
    original = Backend.get_schema

    def spy(self: Backend, table_name: str, **kwargs: Any) -> Any:
        asked.append(table_name)
        return original(self, table_name, **kwargs)

    monkeypatch.setattr(Backend, "get_schema", spy)
    monkeypatch.setattr(compute, "UNIT_WORKERS", 2)
    engine.tiles(engine.catalog.ids(), "2026-10", as_of=AS_OF)
    assert "tickets" in asked and "time_entries" in asked
    assert len(asked) == len(set(asked))
    first = len(asked)
    engine.tiles(engine.catalog.ids(), "2026-09", as_of="2026-09-28T10:00")
    assert len(asked) == first
    later = Batch()
    entry = {**TIME_ENTRIES[0], "source_system": SRC, "id": 99, "hours_worked": 2.0}
    later.add("time_entries", [{**entry, "date_worked": date(2026, 10, 20)}])
    store.apply(later)
    engine.tiles(["labour_cost"], "2026-10", as_of=AS_OF)
    assert "time_entries" in asked[first:]
