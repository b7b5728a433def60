"""The price simulator on a store whose people all have an internal cost of 0: nothing is
judged, and the page says which figure to fill in (not the user count, which is there)."""

from __future__ import annotations

import pytest

from kpis.pricing_fixture import ENGINEER, load
from stip.app import Stip
from stip.store.schema import Batch

from .conftest import TestClient, login

QUERY = "period=2026-10&as_of=2026-11-02T09:00"


@pytest.fixture(scope="module", autouse=True)
def _free_labour(stip: Stip) -> None:
    batch = Batch()
    load(batch)
    batch.add(
        "resources",
        [{"source_system": "autotask", "id": ENGINEER, "first_name": "Erik", "last_name": "Eng",
          "is_active": True, "internal_cost": 0.0}],
    )  # fmt: skip
    stip.store.apply(batch)


def test_the_page_names_the_missing_internal_costs(client: TestClient) -> None:
    login(client, "owner")
    page = client.get(f"/clients/simulate?{QUERY}").text
    assert "Nothing is judged: the simulation needs figures the store does not hold." in page
    assert "Give each person their internal (loaded hourly) cost in Autotask." in page
    assert "user_count_field" not in page
    assert "At other prices" not in page
