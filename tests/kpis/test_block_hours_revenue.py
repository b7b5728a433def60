"""A prepaid block of hours is contract revenue as its hours are used, by hand (both backends).

Resource 5 costs EUR 50 an hour. Contract 10 (client 1) buys two blocks of 10 hours:

| block | bought     | rate     | billing item                                   |
|-------|------------|----------|------------------------------------------------|
| 100   | 1 Sep 2026 | EUR 90   | 11: EUR 900, names block 100                   |
| 101   | 15 Oct     | EUR 120  | 12: EUR 1,200, names no block (an older store) |

so its hours are worth (10 × 90 + 10 × 120) / 20 = EUR 105. Work on contract 10:
September 4 billable hours (on ticket 1, which is on the contract); October 6 billable hours,
whose labour item 13 draws EUR 630 on block 100, and 2 non-billable hours. Item 14 is a
charge of EUR 50 (cost EUR 20) on 3 October.

- September: revenue 4 × 105 = 420, cost 4 × 50 = 200 (billed: EUR 900).
- October: revenue 6 × 105 + 50 = 680, cost 20 + 8 × 50 = 420 (billed: 1,200 + 630 + 50).

Contract 20 (client 2, no blocks) is billed a fee of EUR 300 in October and 8 hours are
worked on it: cost 400, a loss of 100, the one loss-making contract of October. Before
blocks were read this way, contract 10 lost 200 in November (no purchase, 4 hours worked).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.settings import Settings
from stip.store.schema import Batch
from stip.store.store import open_store

from .conftest import BACKENDS, backend_engine, two_contracts

SRC = {"source_system": "autotask"}
AS_OF = "2026-12-02T10:00"


def _item(iid: int, contract: int, day: date, price: float, **more: object) -> dict[str, object]:
    return {**SRC, "id": iid, "company_id": 1 if contract == 10 else 2, "contract_id": contract,
            "item_date": day, "extended_price": price, "our_cost": 0.0, **more}  # fmt: skip


def _entry(eid: int, day: date, hours: float, billable: bool = True, **more: object) -> dict:
    return {**SRC, "id": eid, "resource_id": 5, "date_worked": day, "hours_worked": hours,
            "is_non_billable": not billable, **more}  # fmt: skip


def _batch() -> Batch:
    batch = two_contracts((4, 7))
    batch.add(
        "contract_blocks",
        [{**SRC, "id": 100, "contract_id": 10, "date_purchased": date(2026, 9, 1), "hours": 10.0,
          "hourly_rate": 90.0},
         {**SRC, "id": 101, "contract_id": 10, "date_purchased": date(2026, 10, 15),
          "hours": 10.0, "hourly_rate": 120.0}],
    )  # fmt: skip
    batch.add("tickets", [{**SRC, "id": 1, "company_id": 1, "contract_id": 10}])
    batch.add(
        "time_entries",
        [
            _entry(1, date(2026, 9, 7), 4.0, ticket_id=1),
            _entry(2, date(2026, 10, 6), 6.0, contract_id=10),
            _entry(3, date(2026, 10, 20), 2.0, billable=False, contract_id=10),
            _entry(4, date(2026, 10, 8), 8.0, contract_id=20),
            _entry(5, date(2026, 11, 9), 4.0, contract_id=10),
        ],
    )
    batch.add(
        "billing_items",
        [
            _item(11, 10, date(2026, 9, 1), 900.0, contract_block_id=100),
            _item(12, 10, date(2026, 10, 15), 1200.0),
            _item(13, 10, date(2026, 10, 6), 630.0, time_entry_id=2, contract_block_id=100),
            _item(14, 10, date(2026, 10, 3), 50.0, our_cost=20.0),
            _item(21, 20, date(2026, 10, 1), 300.0, service_id=900),
        ],
    )
    return batch


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> KpiEngine:
    home = tmp_path_factory.mktemp("blocks")
    return backend_engine(request, home, _batch())


@pytest.mark.parametrize(
    ("month", "margin"),
    [("2026-09", (420 - 200) / 420), ("2026-10", (680 - 420 + 300 - 400) / (680 + 300))],
)
def test_agreement_margin_earns_a_block_as_its_hours_are_used(
    engine: KpiEngine, month: str, margin: float
) -> None:
    (row,) = engine.values("agreement_gross_margin", month, as_of=AS_OF).rows
    assert row.value == pytest.approx(100 * margin)


def test_a_month_without_a_purchase_is_no_loss_and_a_real_one_is(engine: KpiEngine) -> None:
    (loss,) = engine.actions("underwater_agreements", "2026-10", as_of=AS_OF).rows
    assert (loss["contract_id"], loss["revenue"], loss["cost"], loss["loss"]) == (
        20,
        300.0,
        400.0,
        100.0,
    )
    # November: 4 hours at 105 earned against 4 at 50: no loss, though nothing was billed
    (november,) = engine.values("underwater_agreements", "2026-11", as_of=AS_OF).rows
    assert november.value == 0
    (margin,) = engine.values("agreement_gross_margin", "2026-11", as_of=AS_OF).rows
    assert margin.value == pytest.approx(100 * (420 - 200) / 420)


def test_billed_revenue_still_counts_the_purchase_when_billed(engine: KpiEngine) -> None:
    """Billed revenue is what was billed: the purchase in its own month."""
    (row,) = engine.values("total_revenue", "2026-10", as_of=AS_OF).rows
    assert row.value == pytest.approx(1200 + 630 + 50 + 300)


def test_an_empty_month_has_no_loss_and_no_margin(engine: KpiEngine) -> None:
    """August: no block, no item, no hour on any contract."""
    (count,) = engine.values("underwater_agreements", "2026-08", as_of=AS_OF).rows
    (margin,) = engine.values("agreement_gross_margin", "2026-08", as_of=AS_OF).rows
    assert (count.value, margin.value) == (0, None)
    assert engine.actions("underwater_agreements", "2026-08", as_of=AS_OF).rows == []


def _duckdb_engine(folder: Path) -> KpiEngine:
    store = open_store(str(folder / "stip.duckdb"))
    store.apply(_batch())
    return KpiEngine(store, Settings(home=folder), load_catalog(home=folder))


@pytest.mark.parametrize("month", ["2026-10", "2026-11"])
def test_a_tiles_action_rows_match_the_list_of_the_kpi_alone(tmp_path: Path, month: str) -> None:
    """A tile's action rows reuse the per-contract frame its trend computed (13 windows);
    they must be the rows a fresh engine finds for that period alone."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tile,) = _duckdb_engine(tmp_path / "a").tiles(["underwater_agreements"], month, as_of=AS_OF)
    alone = _duckdb_engine(tmp_path / "b").actions("underwater_agreements", month, as_of=AS_OF)
    assert [(r["contract_id"], r["loss"]) for r in tile.actions] == [
        (r["contract_id"], r["loss"]) for r in alone.rows
    ]
    assert [r["contract_id"] for r in alone.rows] == ([20] if month == "2026-10" else [])


def test_revenue_per_employee_takes_a_block_purchase_as_billed_up_front(engine: KpiEngine) -> None:
    """Q4 so far (as-of 2 December): the block purchase of EUR 1,200, the charge of 50 on
    the contract and the fee of 300 over the 3 months begun; the labour item of 630 over
    the 2 + 2/31 months elapsed; one FTE (40 hours a week by default)."""
    (row,) = engine.values("revenue_per_employee", "2026-Q4", as_of=AS_OF).rows
    assert row.value == pytest.approx((1550 / 3 + 630 / (2 + 2 / 31)) * 12)


def test_revenue_per_employee_of_a_period_not_begun_is_no_value(engine: KpiEngine) -> None:
    """March 2027, as of 2 December 2026: no month begun or elapsed, so no value (not 0)."""
    (row,) = engine.values("revenue_per_employee", "2027-03", as_of=AS_OF).rows
    assert row.value is None
