"""Per client: the account manager picks a client and sees that client's figures (the
brief: "per client: profitability, effective hourly rate, tickets per user, satisfaction").

Store: Acme (1001) with 3 tickets created in October 2026, Globex (1002) with 1, and a
vendor (1003) the picker leaves out. Tickets created in October: 4 in all, 3 for Acme."""

from __future__ import annotations

from datetime import datetime

import pytest

from stip.app import Stip
from stip.store.schema import Batch

from .conftest import TestClient, bearer, login

QUERY = "period=2026-10&as_of=2026-11-02T09:00"


@pytest.fixture(scope="module", autouse=True)
def _clients(stip: Stip) -> None:
    batch = Batch()
    batch.add(
        "companies",
        [
            {
                "source_system": "autotask",
                "id": 1001,
                "company_name": "Acme BV",
                "company_type": 1,
                "is_active": True,
            },
            {
                "source_system": "autotask",
                "id": 1002,
                "company_name": "Globex",
                "company_type": 1,
                "is_active": True,
            },
            {
                "source_system": "autotask",
                "id": 1003,
                "company_name": "Leverancier BV",
                "company_type": 3,
                "is_active": True,
            },
        ],
    )
    batch.add(
        "tickets",
        [
            {
                "source_system": "autotask",
                "id": 70 + i,
                "company_id": company,
                "create_date": datetime(2026, 10, 5 + i, 9),
            }
            for i, company in enumerate([1001, 1001, 1001, 1002])
        ],
    )
    stip.store.apply(batch)


def _tile(page: str, kpi: str) -> str:
    return page.split(f'data-kpi="{kpi}"', 1)[1].split("</article>", 1)[0]


def test_the_account_manager_picks_a_client(client: TestClient) -> None:
    login(client, "account_manager")
    everyone = client.get(f"/d/account_manager?{QUERY}").text
    assert '<select name="company" id="company-choice">' in everyone
    assert '<option value="1001">Acme BV</option>' in everyone
    assert "Leverancier BV" not in everyone  # a vendor is no client
    assert '<span class="num">4</span>' in _tile(everyone, "tickets_created")
    acme = client.get(f"/d/account_manager?{QUERY}&company=1001").text
    assert '<span class="scope">· Acme BV</span>' in acme
    assert '<option value="1001" selected>Acme BV</option>' in acme
    assert '<span class="num">3</span>' in _tile(acme, "tickets_created")
    # a KPI that has no per-client figure says so instead of showing a number
    assert "not for this selection" in _tile(acme, "client_churn_rate")
    dutch = client.get(f"/d/account_manager?lang=nl&{QUERY}&company=1001").text
    assert "niet voor deze selectie" in _tile(dutch, "client_churn_rate")
    assert "alle klanten" in dutch


def test_the_kpi_page_of_one_client(client: TestClient) -> None:
    login(client, "account_manager")
    page = client.get(f"/kpi/tickets_created?{QUERY}&company=1002").text
    assert '<span class="scope">· Globex</span>' in page
    assert "By Client" not in page  # one client: no breakdown per client


def test_the_api_takes_a_client(stip: Stip, client: TestClient) -> None:
    headers = bearer(stip, "account_manager")
    url = f"/api/v1/kpis/tickets_created/values?{QUERY}&company=1001"
    assert client.get(url, headers=headers).json()["rows"][0]["value"] == 3
    dash = client.get(f"/api/v1/dashboards/account_manager?{QUERY}&company=1002", headers=headers)
    tiles = {t["kpi"]: t["value"] for t in dash.json()["tiles"]}
    assert tiles["tickets_created"] == 1


@pytest.mark.parametrize(
    ("role", "company", "status"),
    [
        ("account_manager", "999999", 404),  # no such client: not a page of zeros
        ("account_manager", "acme", 400),
        ("engineer", "1001", 403),  # an engineer sees only their own figures
    ],
)
def test_bad_or_forbidden_clients(client: TestClient, role: str, company: str, status: int) -> None:
    login(client, role)
    dashboard = "engineer" if role == "engineer" else "account_manager"
    assert client.get(f"/d/{dashboard}?{QUERY}&company={company}").status_code == status
