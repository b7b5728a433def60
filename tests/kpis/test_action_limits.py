"""Action lists hold every record behind the KPI (contract §4: `overdue_tickets` "its actions
list those tickets"), unless the caller asks for the first few or the KPI's definition sets
a `limit`. 501 tickets, all open and overdue at the as-of."""

from __future__ import annotations

from pathlib import Path

import pytest

from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.settings import Settings
from stip.store.schema import Batch
from stip.store.store import open_store

from .msp_fixture import _ticket

AS_OF = "2026-10-28T10:00"
TICKETS = 501


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> KpiEngine:
    home = tmp_path_factory.mktemp("action-limits")
    store = open_store(str(Path(home) / "stip.duckdb"))
    batch = Batch()
    batch.add(
        "tickets",
        [
            # created 1 to 501 minutes after 09:00 UTC on 1 October, all due on 2 October
            _ticket(
                i,
                f"2026-10-01T{9 + i // 60:02d}:{i % 60:02d}",
                res=1,
                company=100,
                queue=5,
                prio=1,
                due="2026-10-02T09:00",
            )
            for i in range(1, TICKETS + 1)
        ],
    )
    store.apply(batch)
    return KpiEngine(store, Settings(home=home), load_catalog(home=home))


def test_a_contract_action_list_holds_every_record(engine: KpiEngine) -> None:
    assert engine.values("overdue_tickets", "2026-10", as_of=AS_OF).rows[0].value == TICKETS
    rows = engine.actions("overdue_tickets", "2026-10", as_of=AS_OF).to_json()["rows"]
    assert len(rows) == TICKETS
    assert len({row["ticket_id"] for row in rows}) == TICKETS


def test_the_caller_can_ask_for_the_first_rows(engine: KpiEngine) -> None:
    rows = engine.actions("overdue_tickets", "2026-10", as_of=AS_OF, limit=3).to_json()["rows"]
    everything = engine.actions("overdue_tickets", "2026-10", as_of=AS_OF).to_json()["rows"]
    assert [r["ticket_id"] for r in rows] == [r["ticket_id"] for r in everything[:3]]


def test_a_definition_limit_caps_the_list(engine: KpiEngine) -> None:
    """`avg_backlog_age` lists the 50 oldest open tickets (its `limit: 50`), oldest first."""
    kpi = engine.catalog.get("avg_backlog_age")
    assert kpi.actions is not None and kpi.actions.limit == 50
    rows = engine.actions("avg_backlog_age", "2026-10", as_of=AS_OF).to_json()["rows"]
    assert [row["ticket_id"] for row in rows] == list(range(1, 51))
    few = engine.actions("avg_backlog_age", "2026-10", as_of=AS_OF, limit=5).to_json()["rows"]
    assert [row["ticket_id"] for row in few] == [1, 2, 3, 4, 5]
