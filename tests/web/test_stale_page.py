"""Stale data is said once, on the page's line, not again on each of its tiles."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from stip.app import Stip
from stip.store.schema import Batch

from .conftest import TestClient, login


@pytest.fixture(scope="module", autouse=True)
def _one_old_ticket(stip: Stip) -> None:
    """The newest data is a ticket of 1 October 2026: weeks old when viewed live."""
    batch = Batch()
    batch.add(
        "tickets",
        [{"source_system": "autotask", "id": 1, "create_date": datetime(2026, 10, 1, 9)}],
    )
    stip.store.apply(batch)


def test_a_stale_dashboard_says_so_once(client: TestClient) -> None:
    login(client, "owner")
    page = client.get("/d/owner").text
    assert page.count('class="stale-flag"') == 1  # the page's "data as of" line
    assert "stale data:" not in page
    tiles = re.findall(r'<article class="tile ([^"]*)"', page)
    assert tiles and not [t for t in tiles if "stale" in t.split()]
