"""Loss-making contracts are a count every lead sees, but the rows behind it name each
contract's loss: only the money roles see them (tile, KPI page, export, API).

Contract 7001 of Omega BV in October: revenue EUR 100 (one item, direct cost EUR 50) and
2 hours by an engineer who costs EUR 100 an hour, so a cost of 50 + 200 = EUR 250 and a loss
of EUR 150. Omega's account manager (its owner resource) is Karin Bos.
"""

from __future__ import annotations

from datetime import date

import pytest

from stip.accounts.secret import secret_key
from stip.accounts.shares import create_share
from stip.accounts.users import engine_for
from stip.app import Stip
from stip.store.schema import Batch

from .conftest import TestClient, bearer, login

QUERY = "period=2026-10&as_of=2026-11-02T09:00"
ROW = "Reprice or renegotiate contract Omega all-in with Omega BV: it lost EUR 150.00"


@pytest.fixture(scope="module", autouse=True)
def _loss(stip: Stip) -> None:
    src = {"source_system": "autotask"}
    batch = Batch()
    batch.add(
        "resources",
        [
            {**src, "id": 557, "first_name": "Karin", "last_name": "Bos", "is_active": True},
            {**src, "id": 558, "first_name": "Tom", "last_name": "Wit", "is_active": True,
             "internal_cost": 100.0},
        ],
    )  # fmt: skip
    batch.add(
        "companies",
        [{**src, "id": 700, "company_name": "Omega BV", "company_type": 1, "is_active": True,
          "owner_resource_id": 557}],
    )  # fmt: skip
    batch.add(
        "contracts",
        [{**src, "id": 7001, "company_id": 700, "contract_name": "Omega all-in", "status": 1,
          "contract_type": 7, "start_date": date(2026, 1, 1), "end_date": date(2027, 12, 31)}],
    )  # fmt: skip
    batch.add(
        "billing_items",
        [{**src, "id": 70001, "company_id": 700, "contract_id": 7001, "service_id": 900,
          "item_date": date(2026, 10, 1), "extended_price": 100.0, "our_cost": 50.0}],
    )  # fmt: skip
    batch.add(
        "time_entries",
        [{**src, "id": 70002, "resource_id": 558, "contract_id": 7001,
          "date_worked": date(2026, 10, 6), "hours_worked": 2.0}],
    )  # fmt: skip
    stip.store.apply(batch)


def _tile(page: str) -> str:
    return page.split('data-kpi="underwater_agreements"', 1)[1].split("</article>", 1)[0]


def test_the_account_manager_sees_which_contract_lost_what(stip: Stip, client: TestClient) -> None:
    login(client, "account_manager")
    tile = _tile(client.get(f"/d/account_manager?{QUERY}").text)
    assert 'data-status="amber"' in tile  # 1: target 0, amber up to 2
    assert ROW in tile
    page = client.get(f"/kpi/underwater_agreements?lang=nl&{QUERY}").text
    assert "Herprijs contract Omega all-in met Omega BV of onderhandel opnieuw" in page
    assert "Karin Bos" in page
    csv = client.get(f"/kpi/underwater_agreements/export.csv?table=actions&{QUERY}")
    assert csv.status_code == 200 and "Omega all-in" in csv.text
    api = f"/api/v1/kpis/underwater_agreements/actions?{QUERY}"
    (row,) = client.get(api, headers=bearer(stip, "account_manager")).json()["rows"]
    assert (row["contract_id"], row["revenue"], row["cost"], row["loss"]) == (7001, 100, 250, 150)
    assert row["person"] == "Karin Bos"


def test_a_team_lead_sees_the_count_but_not_the_amounts(stip: Stip, client: TestClient) -> None:
    login(client, "teamlead")
    tile = _tile(client.get(f"/d/teamlead?{QUERY}").text)
    assert 'data-status="amber"' in tile
    assert "Omega" not in tile and "EUR" not in tile
    page = client.get(f"/kpi/underwater_agreements?{QUERY}")
    assert page.status_code == 200
    assert "These records name amounts" in page.text
    # the count by client stays (Omega BV: 1), the amounts and the rows do not
    assert "Omega BV" in page.text and "Omega all-in" not in page.text
    assert "EUR 150" not in page.text and "export.csv?table=actions" not in page.text
    dutch = client.get(f"/kpi/underwater_agreements?lang=nl&{QUERY}").text
    assert "Deze records noemen bedragen" in dutch
    csv = client.get(f"/kpi/underwater_agreements/export.csv?table=actions&{QUERY}")
    assert csv.status_code == 403
    # the count itself stays open to the team lead, in every form
    assert client.get(f"/kpi/underwater_agreements/export.csv?{QUERY}").status_code == 200
    api = f"/api/v1/kpis/underwater_agreements/actions?{QUERY}"
    assert client.get(api, headers=bearer(stip, "teamlead")).status_code == 403
    values = f"/api/v1/kpis/underwater_agreements/values?{QUERY}"
    (row,) = client.get(values, headers=bearer(stip, "teamlead")).json()["rows"]
    assert row["value"] == 1


def test_a_share_link_shows_what_its_dashboards_role_sees(stip: Stip, client: TestClient) -> None:
    """A team lead's TV wall shows the count, not the losses; the owner's shows both."""
    accounts = engine_for(stip.settings)
    key = secret_key(stip.settings)
    client.cookies.clear()
    wall = create_share(accounts, key, "teamlead", "service desk wall").path
    tile = _tile(client.get(f"{wall}?period=last-month").text)
    assert 'data-status="amber"' in tile and "Omega" not in tile and "EUR" not in tile
    boardroom = create_share(accounts, key, "owner", "board room").path
    assert ROW in _tile(client.get(f"{boardroom}?period=last-month").text)
