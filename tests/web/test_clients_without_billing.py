"""The clients page on a store without any billing (a PSA login that cannot read it): it
says fit cannot be judged, in English and Dutch, instead of "no fixed monthly price" for all."""

from __future__ import annotations

import pytest

from kpis.portfolio_fixture import MILA, load
from stip.accounts.users import engine_for, get_user, set_resource
from stip.app import Stip
from stip.store.schema import Batch

from .conftest import TestClient, login

QUERY = "period=2026-10&as_of=2026-11-02T09:00"


@pytest.fixture(scope="module", autouse=True)
def _clients_without_billing(stip: Stip) -> None:
    batch = Batch()
    load(batch)
    batch.upserts.pop("billing_items")
    stip.store.apply(batch)
    accounts = engine_for(stip.settings)
    manager = get_user(accounts, "account_manager")
    assert manager is not None
    set_resource(accounts, manager.id, MILA)


def test_fit_is_not_judged_without_billing(client: TestClient) -> None:
    login(client, "account_manager")
    page = client.get(f"/clients?{QUERY}").text
    assert "Whether a client fits needs its recurring billing" in page
    assert "2 clients." in page and "clients fit" not in page
    assert "no fixed monthly price" not in page and ">Fits<" not in page
    dutch = client.get(f"/clients?{QUERY}&lang=nl").text
    assert "Of een klant past, blijkt uit zijn terugkerende facturatie" in dutch
    assert "Dashboard van mijn klanten" in dutch
