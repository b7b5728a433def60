"""The price simulator page, its exports and its API; the figures are those of
tests/kpis/test_pricing.py (October 2026, EUR 150 per user, 65 % margin target)."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest

from kpis.pricing_fixture import EXIT, KEEP, load
from stip.accounts.users import engine_for, get_user, set_resource
from stip.app import Stip
from stip.store.schema import Batch

from .conftest import TestClient, bearer, login

QUERY = "period=2026-10&as_of=2026-11-02T09:00"
MILA = 601
ROW_NAME = re.compile(r'<th scope="row">(?:<a href="[^"]*">)?(.*?)(?:</a>)?</th>')


@pytest.fixture(scope="module", autouse=True)
def _clients(stip: Stip) -> None:
    batch = Batch()
    load(batch)
    # PSA text is untrusted: a client's name must not become markup
    batch.add(
        "companies",
        [{"source_system": "autotask", "id": 7, "company_name": "<b>Zeta</b>", "company_type": 1,
          "is_active": True, "user_count": 3}],
    )  # fmt: skip
    # Mila is the account manager of Keep and Exit
    batch.add("resources", [{"source_system": "autotask", "id": MILA, "first_name": "Mila",
                             "last_name": "Maas", "is_active": True}])  # fmt: skip
    batch.upserts["companies"] = [
        {**c, "owner_resource_id": MILA} if c["id"] in (KEEP, EXIT) else c
        for c in batch.upserts["companies"]
    ]
    stip.store.apply(batch)


def _clients_table(page: str) -> str:
    return page[page.index("<h2>Per client</h2>") :]


def test_every_client_worst_first_with_its_verdict_and_reason(client: TestClient) -> None:
    login(client, "account_manager")
    page = client.get(f"/clients/simulate?{QUERY}").text
    # exit, change scope, re-price (highest price needed first), keep, then those not judged:
    # Zeta (nothing billed or worked) and the client without a user count
    assert ROW_NAME.findall(_clients_table(page)) == [
        "Exit BV",
        "Scope BV",
        "Pays BV",
        "Band BV",
        "Keep BV",
        "&lt;b&gt;Zeta&lt;/b&gt;",
        "Uncounted BV",
    ]
    assert "<b>Zeta</b>" not in page
    assert "1 keep" in page and "2 re-price" in page and "1 change scope" in page
    assert "1 exit" in page and "2 not judged" in page
    # Exit pays 50 and costs 140 today: a margin of (50 - 140) / 50
    assert "needs € 400 per user and pays € 50 today (margin -180 %)" in page
    assert "needs € 357 per user; 2.5 reactive hours per user a month" in page  # Scope
    assert "needs € 714 per user and pays € 1,000 today (margin 75.0 %)" in page  # Pays
    assert "needs € 171 per user for the target margin" in page  # Band
    assert "leaves a margin of 76.7 %" in page  # Keep: (150 - 35) / 150
    assert "no user count in the PSA" in page
    assert "nothing billed or worked in this period" in page  # Zeta
    # the judged clients would pay 31 users x 150 against 4,450 today
    assert "would pay € 4,650 a month for services, against € 4,450 today" in page


def test_a_price_needed_just_above_the_price_never_reads_as_the_price(
    client: TestClient,
) -> None:
    """Band needs 171.43: at a price of 171 the page must not say it needs 171."""
    login(client, "owner")
    page = client.get(f"/clients/simulate?{QUERY}&price=171").text
    assert "needs € 171.43 per user for the target margin" in page


def test_the_price_moves_the_verdicts_and_the_steps_link_to_each_price(
    client: TestClient,
) -> None:
    login(client, "finance")
    page = client.get(f"/clients/simulate?{QUERY}&price=210").text
    assert 'value="210"' in page
    # at 210 Band (needs 171.43) fits too
    assert "2 keep" in page and "1 re-price" in page
    steps = page[page.index("<h2>At other prices</h2>") : page.index("<h2>Per client</h2>")]
    assert re.findall(r">(\d[\d,.]*)</a></th>", steps) == [
        "126", "147", "168", "189", "210", "231", "252", "273", "294",
    ]  # fmt: skip
    assert 'aria-current="true"><th scope="row"><a href="/clients/simulate?' in steps
    assert "price=126" in steps
    # a decimal comma is read as a decimal point
    assert 'value="149.5"' in client.get(f"/clients/simulate?{QUERY}&price=149,5").text
    # cents survive the form and the links, however large the price
    cents = client.get(f"/clients/simulate?{QUERY}&price=12345.67").text
    assert 'value="12345.67"' in cents and "price=12345.67" in cents


def test_an_account_manager_starts_with_their_own_clients(client: TestClient, stip: Stip) -> None:
    """Mila (resource 601) manages Keep and Exit: the simulation and its totals hold those
    two; mine=0 gives every client."""
    accounts = engine_for(stip.settings)
    manager = get_user(accounts, "account_manager")
    assert manager is not None
    set_resource(accounts, manager.id, MILA)
    try:
        login(client, "account_manager")
        page = client.get(f"/clients/simulate?{QUERY}").text
        assert ROW_NAME.findall(_clients_table(page)) == ["Exit BV", "Keep BV"]
        assert "1 keep" in page and "1 exit" in page and "0 re-price" in page
        # 15 users x 150 against 800 + 250 today
        assert "would pay € 2,250 a month for services, against € 1,050 today" in page
        everyone = client.get(f"/clients/simulate?{QUERY}&mine=0").text
        assert len(ROW_NAME.findall(_clients_table(everyone))) == 7
    finally:
        set_resource(accounts, manager.id, None)


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("abc", "price must be an amount in euros per user per month, such as 150, not 'abc'"),
        ("0", "price per user 0 is out of range"),
        ("1e-26", "price per user 1e-26 is out of range"),
        ("1e9", "price per user 1e+09 is out of range"),
        ("nan", "price per user nan is out of range"),
    ],
)
def test_a_bad_price_is_a_400_that_says_why(client: TestClient, price: str, message: str) -> None:
    login(client, "owner")
    response = client.get(f"/clients/simulate?{QUERY}&price={price}")
    assert response.status_code == 400
    assert message in html.unescape(response.text)


@pytest.mark.parametrize("role", ["engineer", "teamlead", "service_manager"])
def test_roles_that_may_not_see_money_get_403(client: TestClient, role: str) -> None:
    login(client, role)
    for path in ("/clients/simulate", "/clients/simulate/export.csv"):
        response = client.get(f"{path}?{QUERY}")
        assert response.status_code == 403
        assert "the price simulator is for those who see money figures" in response.text
    if role != "engineer":  # the clients page links to the simulator only for money roles
        assert "/clients/simulate" not in client.get(f"/clients?{QUERY}").text


def test_the_clients_page_links_to_the_simulator(client: TestClient) -> None:
    login(client, "owner")
    page = client.get(f"/clients?{QUERY}&mine=0").text
    assert '<a href="/clients/simulate?period=2026-10&amp;as_of=2026-11-02T09%3A00' in page


def test_dutch(client: TestClient) -> None:
    login(client, "owner")
    page = client.get(f"/clients/simulate?{QUERY}&lang=nl").text
    assert "<h1>Prijssimulatie" in page
    assert "1 behouden" in page and "1 afscheid nemen" in page
    assert "heeft € 400 per gebruiker nodig en betaalt nu € 50 (marge -180 %)" in page
    assert "laat een marge van 76,7 % over" in page
    bad = client.get(f"/clients/simulate?{QUERY}&lang=nl&price=x")
    assert "de prijs moet een bedrag in euro per gebruiker per maand zijn" in bad.text


def test_csv_holds_every_client_with_its_figures(client: TestClient) -> None:
    login(client, "owner")
    response = client.get(f"/clients/simulate/export.csv?{QUERY}&price=150")
    assert response.status_code == 200
    assert "price-simulation-150-2026-10-01.csv" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["company"] for r in rows][0] == "Exit BV"
    by_name = {r["company"]: r for r in rows}
    keep = by_name["Keep BV"]
    assert (keep["users"], keep["verdict"]) == ("10", "keep")
    assert float(keep["needed_per_user"]) == pytest.approx(100.0)
    assert float(keep["change_per_month"]) == pytest.approx(700.0)
    assert by_name["Uncounted BV"]["verdict"] == ""
    xlsx = client.get(f"/clients/simulate/export.xlsx?{QUERY}")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_api_gives_the_same_simulation(client: TestClient, stip: Stip) -> None:
    response = client.get(
        f"/api/v1/clients/simulate?{QUERY}&price=150", headers=bearer(stip, "finance")
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["price"], data["margin_target"], data["band"], data["mine"]) == (
        150.0,
        65.0,
        25.0,
        False,
    )
    assert [c["company"] for c in data["clients"]][:2] == ["Exit BV", "Scope BV"]
    assert data["sensitivity"][4]["keep"] == 1
    denied = client.get(f"/api/v1/clients/simulate?{QUERY}", headers=bearer(stip, "teamlead"))
    assert denied.status_code == 403
