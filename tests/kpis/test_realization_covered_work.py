"""`realization_rate` leaves out work a fixed fee or a block pays for, and work not approved
for billing yet, by hand (both backends).

Role 1's standard rate is EUR 100 an hour. Contract 1 is time and materials, contract 2 has
a recurring service (an all-in fee), contract 3 a prepaid block. Billable entries of October
(E1 to E5 approved for billing on 31 October):

| entry | hours | contract | billed     | counts as                                  |
|-------|-------|----------|------------|--------------------------------------------|
| E1    | 2     | 1        | EUR 200    | 200 of 200                                 |
| E2    | 1     | 1        | EUR 0      | 0 of 100: written off                      |
| E3    | 3     | 2        | EUR 0      | left out: the fee pays for it              |
| E4    | 1     | 3        | EUR 0      | left out: the block pays for it            |
| E5    | 2     | 2        | EUR 150    | 150 of 200: billed on top of the fee       |
| E6    | 1     | 1        | not yet    | left out: not approved, work in progress   |

Realization = 100 × (200 + 150) / (200 + 100 + 200) = 70 %, n = 3 entries. Before, E3 and E4
read as written off and E6 as well: 350 / 1,000 = 35 % over 6 entries.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from stip.semantic.engine import KpiEngine
from stip.store.schema import Batch

from .conftest import BACKENDS, backend_engine

SRC = {"source_system": "autotask"}
APPROVED = datetime(2026, 10, 31, 11, 0)  # UTC


def _batch() -> Batch:
    batch = Batch()
    batch.add("roles", [{**SRC, "id": 1, "hourly_rate": 100.0}])
    batch.add("resources", [{**SRC, "id": 5, "is_active": True, "internal_cost": 50.0}])
    batch.add("contract_services", [{**SRC, "id": 70, "contract_id": 2, "service_id": 900}])
    batch.add("contract_blocks", [{**SRC, "id": 80, "contract_id": 3, "hours": 10.0}])
    hours = {1: (2.0, 1), 2: (1.0, 1), 3: (3.0, 2), 4: (1.0, 3), 5: (2.0, 2), 6: (1.0, 1)}
    batch.add(
        "time_entries",
        [{**SRC, "id": e, "resource_id": 5, "role_id": 1, "contract_id": c,
          "date_worked": date(2026, 10, 5 + e), "hours_worked": h, "is_non_billable": False,
          "billing_approval_date_time": APPROVED if e <= 5 else None}
         for e, (h, c) in hours.items()],
    )  # fmt: skip
    billed = {1: 200.0, 2: 0.0, 3: 0.0, 4: 0.0, 5: 150.0}
    batch.add(
        "billing_items",
        [{**SRC, "id": 100 + e, "company_id": 1, "contract_id": hours[e][1], "time_entry_id": e,
          "item_date": date(2026, 10, 31), "extended_price": price}
         for e, price in billed.items()],
    )  # fmt: skip
    return batch


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> KpiEngine:
    home = tmp_path_factory.mktemp("realization")
    return backend_engine(request, home, _batch())


def test_covered_work_is_not_read_as_written_off(engine: KpiEngine) -> None:
    (row,) = engine.values("realization_rate", "2026-10", as_of="2026-11-02T10:00").rows
    assert (row.value, row.n) == (pytest.approx(100 * 350 / 500), 3)
