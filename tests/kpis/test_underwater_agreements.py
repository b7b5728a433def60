"""`underwater_agreements`, by hand.

October: it compares a contract's revenue and cost in cents, so a contract that breaks even
is not loss-making because of a float's last bit (0.1 + 0.2 > 0.3).

September: contract 3 of client 1 is billed EUR 100 to client 1 and EUR 100 to client 2 (its
parent, say), and 6 hours at EUR 50 were worked on it: revenue 200, cost 300, a loss of 100.
It is one loss-making contract of client 1, not two of 200 each (each billed company's share
once carried all of the contract's labour)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.settings import Settings
from stip.store.schema import Batch
from stip.store.store import open_store

SRC = {"source_system": "autotask"}


def _item(
    iid: int,
    contract: int,
    price: float,
    cost: float,
    company: int = 1,
    day: date = date(2026, 10, 1),
) -> dict[str, object]:
    return {**SRC, "id": iid, "company_id": company, "contract_id": contract, "service_id": 900,
            "item_date": day, "extended_price": price, "our_cost": cost}  # fmt: skip


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> KpiEngine:
    home = tmp_path_factory.mktemp("break-even")
    store = open_store(str(Path(home) / "stip.duckdb"))
    batch = Batch()
    batch.add("resources", [{**SRC, "id": 5, "is_active": True, "internal_cost": 50.0}])
    batch.add(
        "contracts",
        [{**SRC, "id": c, "company_id": 1, "contract_name": f"C{c}", "status": 1,
          "start_date": date(2026, 1, 1), "end_date": date(2026, 12, 31)} for c in (1, 2, 3)],
    )  # fmt: skip
    batch.add(
        "billing_items",
        [
            # contract 1: revenue 0.30, cost 0.10 + 0.20 (0.30000000000000004): breaks even
            _item(1, 1, 0.3, 0.1),
            _item(2, 1, 0.0, 0.2),
            # contract 2: revenue 0.30, cost 0.31: a loss of one cent
            _item(3, 2, 0.3, 0.31),
            # contract 3 in September, billed to its client and to client 2
            _item(4, 3, 100.0, 0.0, company=1, day=date(2026, 9, 1)),
            _item(5, 3, 100.0, 0.0, company=2, day=date(2026, 9, 1)),
        ],
    )
    batch.add(
        "time_entries",
        [{**SRC, "id": 1, "resource_id": 5, "contract_id": 3, "date_worked": date(2026, 9, 7),
          "hours_worked": 6.0}],
    )  # fmt: skip
    store.apply(batch)
    return KpiEngine(store, Settings(home=home), load_catalog(home=home))


def test_break_even_is_not_a_loss_and_a_cent_is(engine: KpiEngine) -> None:
    (row,) = engine.values("underwater_agreements", "2026-10", as_of="2026-11-02T10:00").rows
    assert row.value == 1
    (loss,) = engine.actions("underwater_agreements", "2026-10", as_of="2026-11-02T10:00").rows
    assert (loss["contract_id"], loss["revenue"], loss["cost"], loss["loss"]) == (
        2,
        0.3,
        0.31,
        0.01,
    )


def test_a_contract_billed_to_two_companies_is_one_contract(engine: KpiEngine) -> None:
    as_of = "2026-10-02T10:00"
    (row,) = engine.values("underwater_agreements", "2026-09", as_of=as_of).rows
    assert row.value == 1
    split = engine.values("underwater_agreements", "2026-09", by="company", as_of=as_of).rows
    assert [(r.by["company_id"], r.value) for r in split] == [(1, 1)]
    (loss,) = engine.actions("underwater_agreements", "2026-09", as_of=as_of).rows
    assert (loss["contract_id"], loss["company_id"]) == (3, 1)
    assert (loss["revenue"], loss["cost"], loss["loss"]) == (200, 300, 100)
    (margin,) = engine.values("agreement_gross_margin", "2026-09", as_of=as_of).rows
    assert margin.value == pytest.approx(100 * (200 - 300) / 200)
