"""`expiring_contracts`: running contracts ending within 60 days that nothing renews yet, the
contracts the `contract_renewal` rule raises items for (a renewed one is no reason for red).
As-of Monday 2 November 2026: the window is 2 November up to and including 1 January."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.settings import Settings
from stip.store.schema import Batch
from stip.store.store import open_store

AS_OF = "2026-11-02T10:00"


def _contract(
    cid: int, company: int, start: date, end: date, status: int = 1, renews: int | None = None
) -> dict[str, object]:
    return {
        "source_system": "autotask",
        "id": cid,
        "company_id": company,
        "contract_name": f"Contract {cid}",
        "contract_type": 7,
        "status": status,
        "start_date": start,
        "end_date": end,
        "renewed_contract_id": renews,
    }


CONTRACTS = [
    # renewed by contract 2, which names it
    _contract(1, 10, date(2025, 12, 1), date(2026, 11, 30)),
    _contract(2, 10, date(2026, 12, 1), date(2027, 11, 30), renews=1),
    # followed by contract 4 of the same client, starting two weeks before it ends
    _contract(3, 11, date(2025, 12, 16), date(2026, 12, 15)),
    _contract(4, 11, date(2026, 12, 1), date(2027, 12, 15)),
    # nothing renews it: counts
    _contract(5, 12, date(2026, 1, 1), date(2026, 12, 31)),
    # no longer active: does not count
    _contract(6, 12, date(2026, 1, 1), date(2026, 12, 20), status=0),
    # ends after the 60 days
    _contract(7, 13, date(2026, 3, 1), date(2027, 3, 1)),
    # the client's other contract started long before this one ends: no renewal, counts
    _contract(8, 14, date(2025, 12, 11), date(2026, 12, 10)),
    _contract(9, 14, date(2026, 6, 1), date(2027, 6, 1)),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> KpiEngine:
    home = tmp_path_factory.mktemp("expiring")
    store = open_store(str(Path(home) / "stip.duckdb"))
    batch = Batch()
    batch.add("contracts", CONTRACTS)
    store.apply(batch)
    return KpiEngine(store, Settings(home=home), load_catalog(home=home))


def test_renewed_and_ended_contracts_do_not_count(engine: KpiEngine) -> None:
    (row,) = engine.values("expiring_contracts", "today", as_of=AS_OF).rows
    assert (row.value, row.n) == (2, 2)
    by = engine.values("expiring_contracts", "today", by="company", as_of=AS_OF).rows
    assert sorted((r.by["company_id"], r.value) for r in by) == [(12, 1), (14, 1)]


def test_the_as_of_moves_the_window(engine: KpiEngine) -> None:
    # on 1 December contracts 5 and 8 still end within 60 days, and 7 does not yet
    (row,) = engine.values("expiring_contracts", "today", as_of="2026-12-01T10:00").rows
    assert row.value == 2
    # on 11 December 8 has ended; 7 (1 March) is not within 60 days until 31 December
    (row,) = engine.values("expiring_contracts", "today", as_of="2026-12-11T10:00").rows
    assert row.value == 1
    (row,) = engine.values("expiring_contracts", "today", as_of="2027-01-02T10:00").rows
    assert row.value == 1  # only 7 now
