"""Billable hours not approved for billing yet, on a contract billed by the hour, are no loss
yet: their revenue comes with their billing. By hand, on both backends.

Resource 5 costs EUR 50 an hour; tickets 1 and 2 are of clients 1 and 2, on contracts 10 and
20; ticket 3, of client 1, is on none. November, as-of 27 November:

| entry | hours | contract                   | billable | approved | counts as cost       |
|-------|-------|----------------------------|----------|----------|----------------------|
| E1    | 4     | 10 (time & materials)      | yes      | yes      | 200 (billed EUR 400) |
| E2    | 5     | 10                         | yes      | not yet  | left out for now     |
| E3    | 1     | 10                         | no       | —        | 50                   |
| E4    | 8     | 20 (all-in, of client 2)   | yes      | not yet  | 400: the fee pays it |
| E5    | 2     | none (ticket 3, client 1)  | yes      | not yet  | left out for now     |

Contract 10: revenue 400, cost 250, no loss (before: cost 500, a loss of 100). Client 1 is
not charged E5 yet either.
Contract 20: fee 300 billed on 1 November, cost 400: a loss of 100, the one loss.
Agreement margin (400 + 300 − 250 − 400) / 700; client contribution: client 1 150,
client 2 −100.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from stip.semantic.engine import KpiEngine
from stip.store.schema import Batch

from .conftest import BACKENDS, backend_engine, two_contracts

SRC = {"source_system": "autotask"}
AS_OF = "2026-11-27T12:00"
APPROVED = datetime(2026, 11, 16, 9)  # UTC


def _entry(eid: int, contract: int | None, hours: float, billable: bool, approved: bool) -> dict:
    return {**SRC, "id": eid, "resource_id": 5, "contract_id": contract,
            "ticket_id": contract // 10 if contract else 3, "date_worked": date(2026, 11, 2 + eid),
            "hours_worked": hours, "is_non_billable": not billable,
            "billing_approval_date_time": APPROVED if approved else None}  # fmt: skip


def _batch() -> Batch:
    batch = two_contracts((1, 7))
    batch.add(
        "tickets",
        [
            {**SRC, "id": t, "company_id": client, "contract_id": contract}
            for t, client, contract in ((1, 1, 10), (2, 2, 20), (3, 1, None))
        ],
    )
    batch.add(
        "companies",
        [{**SRC, "id": c, "company_type": 1, "is_active": True, "user_count": 10} for c in (1, 2)],
    )
    batch.add("contract_services", [{**SRC, "id": 70, "contract_id": 20, "service_id": 900}])
    batch.add(
        "time_entries",
        [_entry(1, 10, 4.0, True, True), _entry(2, 10, 5.0, True, False),
         _entry(3, 10, 1.0, False, False), _entry(4, 20, 8.0, True, False),
         _entry(5, None, 2.0, True, False)],
    )  # fmt: skip
    batch.add(
        "billing_items",
        [{**SRC, "id": 101, "company_id": 1, "contract_id": 10, "time_entry_id": 1,
          "item_date": date(2026, 11, 3), "extended_price": 400.0},
         {**SRC, "id": 201, "company_id": 2, "contract_id": 20, "service_id": 900,
          "item_date": date(2026, 11, 1), "extended_price": 300.0, "our_cost": 0.0}],
    )  # fmt: skip
    return batch


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> KpiEngine:
    return backend_engine(request, tmp_path_factory.mktemp("unapproved"), _batch())


def test_unapproved_hourly_work_is_no_loss_yet_and_fee_work_still_costs(
    engine: KpiEngine,
) -> None:
    (count,) = engine.values("underwater_agreements", "this-month", as_of=AS_OF).rows
    assert count.value == 1
    (loss,) = engine.actions("underwater_agreements", "this-month", as_of=AS_OF).rows
    assert (loss["contract_id"], loss["revenue"], loss["cost"], loss["loss"]) == (
        20,
        300.0,
        400.0,
        100.0,
    )
    (margin,) = engine.values("agreement_gross_margin", "this-month", as_of=AS_OF).rows
    assert margin.value == pytest.approx(100 * (700 - 650) / 700)


def test_client_contribution_matches_cost_to_billing(engine: KpiEngine) -> None:
    rows = engine.values("client_contribution", "this-month", by="company", as_of=AS_OF).rows
    assert {r.by["company_id"]: r.value for r in rows} == {
        1: pytest.approx(150.0),
        2: pytest.approx(-100.0),
    }


def test_labour_cost_itself_counts_every_hour(engine: KpiEngine) -> None:
    (row,) = engine.values("labour_cost", "this-month", as_of=AS_OF).rows
    assert (row.value, row.n) == (pytest.approx(20 * 50.0), 5)


def test_cost_to_serve_counts_every_hour(engine: KpiEngine) -> None:
    """No revenue to match: client 1's 12 hours (E1, E2, E3, E5) × EUR 50 over 27/30 of a
    month elapsed, per user of its 10."""
    rows = engine.values("cost_to_serve_per_user", "this-month", by="company", as_of=AS_OF).rows
    assert {r.by["company_id"]: r.value for r in rows}[1] == pytest.approx(600 / 0.9 / 10)
