"""The clients page: every client side by side for the account manager, with whether each
still fits; the figures are those of tests/kpis/test_portfolio.py (October 2026)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from kpis.portfolio_fixture import MILA, RUBEN, load
from stip.accounts.users import engine_for, get_user, set_resource
from stip.app import Stip
from stip.store.schema import Batch

from .conftest import TestClient, bearer, login

QUERY = "period=2026-10&as_of=2026-11-02T09:00"
PINNED = "period=2026-10&amp;as_of=2026-11-02T09%3A00"  # QUERY in a link
ROW_NAME = re.compile(r'<th scope="row">(?:<a href="[^"]*">)?(.*?)(?:</a>)?</th>')


@pytest.fixture(scope="module", autouse=True)
def _clients(stip: Stip) -> None:
    batch = Batch()
    load(batch)
    # PSA text is untrusted: a client's name must not become markup
    batch.add(
        "companies",
        [{"source_system": "autotask", "id": 6, "company_name": "<b>Zeta</b>", "company_type": 1,
          "is_active": True}],
    )  # fmt: skip
    stip.store.apply(batch)
    accounts = engine_for(stip.settings)
    manager = get_user(accounts, "account_manager")
    assert manager is not None
    set_resource(accounts, manager.id, MILA)


def _names(page: str) -> list[str]:
    """The client names of the table, in its order (as escaped in the HTML)."""
    return ROW_NAME.findall(page)


def test_an_account_manager_starts_with_their_own_clients(client: TestClient) -> None:
    login(client, "account_manager")
    page = client.get(f"/clients?{QUERY}").text
    # Mila manages Alfa and Gamma (Delta is inactive, Echo a vendor); by fit, worst first
    assert _names(page) == ["Gamma", "Alfa"]
    assert "1 of 2 clients fit." in page
    # worst first: the most reasons, which a screen reader hears as descending
    assert '<th scope="col" aria-sort="descending"><a href="/clients?' in page
    assert "no fixed monthly price" in page
    # a client's own dashboard, for the same period and as-of
    assert f'href="/d/account_manager?company=1&amp;{PINNED}"' in page
    everyone = client.get(f"/clients?{QUERY}&mine=0").text
    # one reason each, then by name ("<" before letters), the client that fits last
    assert _names(everyone) == ["&lt;b&gt;Zeta&lt;/b&gt;", "Beta", "Gamma", "Alfa"]
    assert "<b>Zeta</b>" not in everyone
    assert "Revenue per user (seat price)" in everyone  # Beta's reason


def test_sorting_and_searching(client: TestClient) -> None:
    login(client, "account_manager")
    by_price = client.get(f"/clients?{QUERY}&mine=0&sort=revenue_per_user").text
    # 50 (Beta) before 150 (Alfa); clients without a seat price last, by name
    assert _names(by_price) == ["Beta", "Alfa", "&lt;b&gt;Zeta&lt;/b&gt;", "Gamma"]
    assert '<th scope="col" aria-sort="ascending" class="num"><a' in by_price
    desc = client.get(f"/clients?{QUERY}&mine=0&sort=revenue_per_user&desc=1").text
    assert '<th scope="col" aria-sort="descending" class="num"><a' in desc
    assert _names(desc) == ["Alfa", "Beta", "&lt;b&gt;Zeta&lt;/b&gt;", "Gamma"]
    found = client.get(f"/clients?{QUERY}&mine=0&q=ET").text
    assert _names(found) == ["&lt;b&gt;Zeta&lt;/b&gt;", "Beta"]
    assert "No clients match." in client.get(f"/clients?{QUERY}&q=nobody").text


def test_the_export_holds_the_figures(client: TestClient) -> None:
    login(client, "account_manager")
    response = client.get(f"/clients/export.csv?{QUERY}&mine=0&sort=name")
    assert response.status_code == 200
    assert "clients-2026-10-01.csv" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["company"] for r in rows] == ["<b>Zeta</b>", "Alfa", "Beta", "Gamma"]
    beta = rows[2]
    assert (beta["fits"], beta["reasons"]) == ("False", "revenue_per_user")
    assert float(beta["revenue_per_user"]) == pytest.approx(50)
    assert beta["revenue_per_user_status"] == "red"
    xlsx = client.get(f"/clients/export.xlsx?{QUERY}")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_in_dutch(client: TestClient) -> None:
    login(client, "account_manager")
    page = client.get(f"/clients?{QUERY}&lang=nl").text
    assert "<h1>Klanten" in page
    assert "1 van de 2 klanten passen." in page
    assert "geen vaste maandprijs" in page
    assert "mijn klanten" in page


def test_a_team_lead_sees_the_service_figures_without_money_or_fit(client: TestClient) -> None:
    login(client, "teamlead")
    page = client.get(f"/clients?{QUERY}").text
    assert _names(page) == ["&lt;b&gt;Zeta&lt;/b&gt;", "Alfa", "Beta", "Gamma"]  # by name
    assert "Reactive tickets per user" in page
    assert "Revenue per user" not in page and "MRR" not in page
    assert "clients fit" not in page and "no fixed monthly price" not in page
    assert client.get(f"/clients?{QUERY}&sort=fit").status_code == 400
    rows = client.get(f"/clients/export.csv?{QUERY}").content.decode("utf-8-sig")
    assert "mrr" not in rows and "fits" not in rows


def test_engineers_and_bad_input(client: TestClient) -> None:
    login(client, "engineer")
    assert client.get("/clients").status_code == 403
    login(client, "owner")
    assert client.get("/clients?sort=nonsense").status_code == 400
    assert client.get("/clients?mine=2").status_code == 400
    assert client.get("/clients/export.pdf").status_code == 400
    # the owner is linked to no resource: all clients, no "my clients" switch
    page = client.get(f"/clients?{QUERY}").text
    assert len(_names(page)) == 4 and 'name="mine"' not in page


def test_the_account_manager_dashboard_for_my_clients(stip: Stip, client: TestClient) -> None:
    """Mila's clients are Alfa (MRR 1,500) and Gamma (none); Beta (200) is Ruben's."""
    login(client, "account_manager")
    page = client.get(f"/d/account_manager?company=mine&{QUERY}").text
    assert "· my clients" in page
    assert '<option value="mine" selected>my clients</option>' in page
    clients_page = client.get(f"/clients?{QUERY}").text
    assert f'href="/d/account_manager?company=mine&amp;{PINNED}"' in clients_page
    token = bearer(stip, "account_manager")
    api = f"/api/v1/kpis/mrr/values?{QUERY}"
    (mine,) = client.get(f"{api}&company=mine", headers=token).json()["rows"]
    (every,) = client.get(api, headers=token).json()["rows"]
    assert (mine["value"], every["value"]) == (1500, 1700)
    board = client.get(f"/api/v1/dashboards/account_manager?company=mine&{QUERY}", headers=token)
    tiles = {t["kpi"]: t["value"] for t in board.json()["tiles"]}
    assert tiles["mrr"] == 1500 and tiles["expiring_contracts"] == 0


def test_my_clients_needs_clients_of_ones_own(stip: Stip, client: TestClient) -> None:
    login(client, "owner")  # linked to no resource
    response = client.get(f"/d/account_manager?company=mine&{QUERY}")
    assert response.status_code == 400 and "my clients" in response.text
    assert 'value="mine"' not in client.get(f"/d/account_manager?{QUERY}").text
    login(client, "engineer")
    assert (
        client.get(
            "/api/v1/kpis/mrr/values?company=mine", headers=bearer(stip, "engineer")
        ).status_code
        == 403
    )


def test_a_custom_range_as_on_the_dashboards(client: TestClient) -> None:
    """The period select decides (scope.chosen_period): "custom" reads the range box."""
    login(client, "account_manager")
    ranged = (
        "/clients/export.csv?as_of=2026-11-02T09:00&period=custom&custom=2026-10-05..2026-10-20"
    )
    assert "clients-2026-10-05.csv" in client.get(ranged).headers["content-disposition"]
    page = client.get("/clients?as_of=2026-11-02T09:00&period=custom&custom=2026-10-05..2026-10-20")
    assert 'name="shown_custom" value="2026-10-05..2026-10-20"' in page.text
    # MRR, seat price, rates, margin and contribution are billed per month: all of October
    assert "Figures billed per month cover 1 Oct 2026 – 31 Oct 2026." in page.text
    # a range left in the box loses to another choice of the select
    left = (
        "/clients/export.csv?as_of=2026-11-02T09:00&period=last-month&custom=2026-10-05..2026-10-20"
    )
    assert "clients-2026-10-01.csv" in client.get(left).headers["content-disposition"]


def test_an_empty_mine_is_the_default(client: TestClient) -> None:
    login(client, "account_manager")
    assert _names(client.get(f"/clients?{QUERY}&mine=").text) == ["Gamma", "Alfa"]


def _mrr_tile(page: str) -> str:
    return page.split('data-kpi="mrr"', 1)[1].split("</article>", 1)[0]


def test_relinking_a_user_changes_my_clients_at_once(stip: Stip, client: TestClient) -> None:
    """The dashboard's view cache is keyed by the user's linked resource too."""
    accounts = engine_for(stip.settings)
    manager = get_user(accounts, "account_manager")
    assert manager is not None
    login(client, "account_manager")
    mine = f"/d/account_manager?company=mine&{QUERY}"
    assert ">1,500<" in _mrr_tile(client.get(mine).text)  # Mila's Alfa
    set_resource(accounts, manager.id, RUBEN)
    try:
        login(client, "account_manager")
        assert ">200<" in _mrr_tile(client.get(mine).text)  # Ruben's Beta
    finally:
        set_resource(accounts, manager.id, MILA)


def test_the_api_gives_the_same_figures(stip: Stip, client: TestClient) -> None:
    api = f"/api/v1/clients?{QUERY}&mine=0&sort=name"
    body = client.get(api, headers=bearer(stip, "account_manager")).json()
    assert [c["kpi"] for c in body["columns"]][:2] == ["mrr", "revenue_per_user"]
    assert body["columns"][0]["period"]["start"].startswith("2026-10-01")
    beta = next(c for c in body["clients"] if c["company"] == "Beta")
    assert (beta["fits"], beta["reasons"]) == (False, ["revenue_per_user"])
    assert beta["figures"]["revenue_per_user"] == {"value": 50.0, "status": "red"}
    assert body["fit_judged"] is True and body["mine"] is False
    mine = client.get(f"/api/v1/clients?{QUERY}", headers=bearer(stip, "account_manager")).json()
    assert [c["company"] for c in mine["clients"]] == ["Gamma", "Alfa"]  # by fit, worst first
    lead = client.get(api, headers=bearer(stip, "teamlead")).json()
    assert "mrr" not in {c["kpi"] for c in lead["columns"]} and lead["fit_judged"] is False
    assert all(c["fits"] is None for c in lead["clients"])
    assert client.get(api, headers=bearer(stip, "engineer")).status_code == 403
    bad = client.get("/api/v1/clients?sort=nonsense", headers=bearer(stip, "owner"))
    assert bad.status_code == 400 and "cannot sort by 'nonsense'" in bad.json()["error"]
