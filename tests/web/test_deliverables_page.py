"""The deliverables page and `GET /api/v1/deliverables` on the hand-made store of
tests/deliverables (figures worked out in test_scorecard.py), as of 18 November 2026, 12:00."""

from __future__ import annotations

import pytest

from deliverables.deliverables_fixture import DELIVERABLES, build_batch
from stip.app import Stip

from .conftest import TestClient, bearer, login

AS_OF = "as_of=2026-11-18T12:00"


@pytest.fixture(scope="module", autouse=True)
def _deliverables(stip: Stip) -> None:
    stip.store.apply(build_batch())
    (stip.settings.home / "deliverables.yaml").write_text(DELIVERABLES, encoding="utf-8")


def test_the_owner_sees_every_month_and_the_credits(client: TestClient) -> None:
    login(client, "owner")
    page = client.get(f"/deliverables?{AS_OF}").text
    assert "Acme managed services" in page and "C-100" in page and "Acme BV" in page
    # SLA met rate: September 50 % missed, October 75 % met (exactly the target)
    assert "50.0 %" in page and "75.0 %" in page
    september = "period=2026-09&amp;as_of=2026-10-01T00%3A00%3A00%2B02%3A00"
    assert f'<a href="/kpi/sla_met_rate?company=100&amp;{september}">50.0 %' in page
    assert "Tickets logged" in page  # the deliverable's own title
    assert "at least 75.0 % · credit 8.0 % of the fee, bonus 2.0 % of the fee" in page
    # September -90 EUR (credit capped at 10 %), October -30: -120 in all
    assert "1 of 3 met" in page and "-90" in page and "-120" in page
    assert "fee 1,000 € a month · credit at most 10.0 % of the fee a month" in page
    assert "0 of 2 months with every deliverable met" in page
    assert "unknown in the PSA: client 300" in page  # the ghost client
    assert "Field partner" in page and "Bas as a contractor" in page


def test_a_team_lead_sees_no_money(client: TestClient) -> None:
    login(client, "teamlead")
    page = client.get(f"/deliverables?{AS_OF}").text
    assert "Acme managed services" in page and "50.0 %" in page
    assert "Credit and bonus" not in page and "-120" not in page and "fee" not in page
    assert "credit 8.0 %" not in page


def test_an_engineer_may_not_open_it(client: TestClient) -> None:
    login(client, "engineer")
    assert client.get(f"/deliverables?{AS_OF}").status_code == 403
    assert 'href="/deliverables"' not in client.get("/d/engineer").text


def test_the_page_reads_in_dutch(client: TestClient) -> None:
    login(client, "owner")
    page = client.get(f"/deliverables?{AS_OF}&lang=nl").text
    assert "Afspraken" in page and "Acme beheerdiensten" in page and "Aangemaakte tickets" in page
    assert "minstens 75,0 %" in page and "hoogstens 3" in page
    assert "1 van 3 gehaald" in page and "tot nu toe" in page
    assert "0 van 2 maanden met elke afspraak gehaald" in page
    assert "onbekend in de PSA: klant 300" in page
    assert "gemist" in page and "buiten de looptijd" in page


def test_the_api_gives_the_scorecards_as_the_role_may_see_them(stip: Stip) -> None:
    from fastapi.testclient import TestClient as Plain

    from stip.web.app import create_app

    api = Plain(create_app(stip))
    owner = api.get(f"/api/v1/deliverables?{AS_OF}", headers=bearer(stip, "owner")).json()
    acme = next(a for a in owner["agreements"] if a["id"] == "acme")
    assert owner["months"] == ["2026-09", "2026-10", "2026-11"]
    assert (acme["amount"], acme["fee"], acme["hidden"]) == (-120.0, 1000.0, False)
    assert [m["amount"] for m in acme["months"]] == [-90.0, -30.0, -10.0]
    lead = api.get(f"/api/v1/deliverables?{AS_OF}", headers=bearer(stip, "teamlead")).json()
    acme = next(a for a in lead["agreements"] if a["id"] == "acme")
    assert (acme["amount"], acme["fee"], acme["hidden"]) == (None, None, True)
    assert {m["amount"] for m in acme["months"]} == {None}
    assert acme["deliverables"][0]["months"][0]["value"] == 50.0  # not money: shown
    engineer = api.get("/api/v1/deliverables", headers=bearer(stip, "engineer"))
    assert engineer.status_code == 403


def test_a_broken_or_missing_file(stip: Stip, client: TestClient) -> None:
    path = stip.settings.home / "deliverables.yaml"
    try:
        path.write_text(DELIVERABLES.replace("kpi: tickets_completed", "kpi: tickets_done", 1))
        login(client, "owner")
        page = client.get(f"/deliverables?{AS_OF}")
        assert page.status_code == 500
        assert "deliverables.yaml:" in page.text and "tickets_done" in page.text
        login(client, "teamlead")
        page = client.get(f"/deliverables?{AS_OF}")
        assert page.status_code == 500 and "tickets_done" not in page.text
        assert "an admin or the owner must fix it" in page.text
        path.unlink()
        assert "No deliverables yet." in client.get("/deliverables").text
        missing = client.get("/api/v1/deliverables", headers=bearer(stip, "owner"))
        assert missing.status_code == 404 and "deliverables.yaml" in missing.text
    finally:
        path.write_text(DELIVERABLES, encoding="utf-8")


def _pdf_text(body: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_a_report_for_the_client_as_a_pdf(client: TestClient) -> None:
    login(client, "owner")
    page = client.get(f"/deliverables?{AS_OF}").text
    assert '<a href="/deliverables/acme/report.pdf?as_of=2026-11-18T12%3A00">' in page
    pdf = client.get(f"/deliverables/acme/report.pdf?{AS_OF}")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert 'filename="deliverables-acme.pdf"' in pdf.headers["content-disposition"]
    text = _pdf_text(pdf.content)
    # the two ended months only: September and October (November is still running)
    assert "Acme managed services" in text and "Acme BV · contract C-100" in text
    assert "Months Sept 2026 to Oct 2026, as of 18 Nov 2026 12:00" in text
    assert "Deliverable Sept 2026 Oct 2026\n" in text
    assert "50.0 ✗" in text and "75.0 ✓" in text  # the SLA: missed, then met at the target
    assert "1/3" in text and "2/3" in text
    assert (
        "-90 €" in text and "-30 €" in text and "Credit and bonus over these months: -120 €" in text
    )
    dutch = _pdf_text(client.get(f"/deliverables/acme/report.pdf?{AS_OF}&lang=nl").content)
    assert "Maanden sep 2026 tot en met okt 2026" in dutch and "Afspraken gehaald" in dutch


def test_the_report_leaves_money_out_for_a_team_lead(client: TestClient) -> None:
    login(client, "teamlead")
    text = _pdf_text(client.get(f"/deliverables/acme/report.pdf?{AS_OF}").content)
    assert "50.0 ✗" in text
    assert "Credit and bonus" not in text and "€" not in text
    assert client.get(f"/deliverables/nope/report.pdf?{AS_OF}").status_code == 404
    login(client, "engineer")
    assert client.get(f"/deliverables/acme/report.pdf?{AS_OF}").status_code == 403


def test_a_report_of_more_than_six_months_is_landscape(stip: Stip, client: TestClient) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    path = stip.settings.home / "deliverables.yaml"
    try:
        path.write_text(DELIVERABLES.replace("months: 2", "months: 8"), encoding="utf-8")
        login(client, "owner")
        body = client.get(f"/deliverables/acme/report.pdf?{AS_OF}").content
        box = PdfReader(BytesIO(body)).pages[0].mediabox
        assert box.width > box.height  # A4 across: eight months and the names fit
        assert "Months Mar 2026 to Oct 2026" in _pdf_text(body)
    finally:
        path.write_text(DELIVERABLES, encoding="utf-8")


def test_each_value_links_to_the_same_number_on_its_kpi_page(client: TestClient) -> None:
    """The evidence behind a cell is the KPI page of the same client, span and as-of: an
    ended month read at its end, the running one up to the as-of's day."""
    import re

    login(client, "owner")
    page = client.get(f"/deliverables?{AS_OF}").text
    links = dict(
        (href.replace("&amp;", "&"), value)
        for href, value in re.findall(
            r'<a href="(/kpi/tickets_created\?company=100[^"]*)">(\d+) ', page
        )
    )
    running = (
        "/kpi/tickets_created?company=100&period=2026-11-01..2026-11-18"
        "&as_of=2026-11-18T12%3A00%3A00%2B01%3A00"
    )
    assert links[running] == "2"  # T7 and T8 so far
    assert len(links) == 3
    for href, value in links.items():
        shown = client.get(href).text
        assert f'<p class="tile-value"><span class="num">{value}</span>' in shown, href


def test_a_deliverable_on_a_money_kpi_is_left_out_for_a_team_lead(
    stip: Stip, client: TestClient
) -> None:
    """Its value and its verdict: the month's count of met deliverables leaves it out."""
    path = stip.settings.home / "deliverables.yaml"
    money = "      - kpi: tickets_completed\n        target: 3\n        credit: 4\n"
    margin = money + "      - kpi: agreement_gross_margin\n        target: 65\n"
    try:
        path.write_text(DELIVERABLES.replace(money, margin, 1), encoding="utf-8")
        login(client, "owner")
        owner = client.get(f"/deliverables?{AS_OF}").text
        assert "Agreement gross margin" in owner
        login(client, "teamlead")
        lead = client.get(f"/deliverables?{AS_OF}").text
        assert "Agreement gross margin" not in lead
        assert "Deliverables on money KPIs left out: 1." in lead
        # September: SLA and completed missed, created met, as without the margin line
        assert "1 of 3 met" in lead
        api = client.get(f"/api/v1/deliverables?{AS_OF}", headers=bearer(stip, "teamlead"))
        acme = api.json()["agreements"][0]
        assert [d["kpi"] for d in acme["deliverables"]] == [
            "sla_met_rate", "tickets_created", "tickets_completed"
        ]  # fmt: skip
        assert acme["hidden_deliverables"] == 1 and acme["months"][0]["met"] == 1
    finally:
        path.write_text(DELIVERABLES, encoding="utf-8")


def test_the_clients_page_names_each_clients_agreement(client: TestClient) -> None:
    """Live as-of (the data's own time, 17 November): October is the latest ended month.
    Acme missed in October, Bakker met everything."""
    login(client, "account_manager")
    page = client.get("/clients?period=2026-10").text
    assert '<a href="/deliverables#agreement-acme" title="Acme managed services">' in page
    assert '<span class="dot dot-missed"></span> agreement: missed last month' in page
    assert '<a href="/deliverables#agreement-bakker" title="Bakker support">' in page
    assert "agreement: met last month" in page
    assert "#agreement-old_acme" not in page  # ended in September: no longer in force
    dutch = client.get("/clients?period=2026-10&lang=nl").text
    assert "afspraken vorige maand: gemist" in dutch


def test_a_share_link_shows_one_agreement_to_its_client(stip: Stip, client: TestClient) -> None:
    """Without a login: one agreement, its values and verdicts; no amounts, no links into
    Stip, no other agreement. Revoked, or gone from the file, the link is gone."""
    import re

    from .conftest import csrf

    login(client, "admin")
    admin = client.get("/admin/shares").text
    assert '<option value="agreement:acme">Acme managed services</option>' in admin
    wrong = client.post(
        "/admin/shares", data={"dashboard_id": "agreement:nope", "csrf_token": csrf(client)}
    )
    assert wrong.status_code == 400
    made = client.post(
        "/admin/shares",
        data={"dashboard_id": "agreement:acme", "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    path = made.headers["location"].split("created=", 1)[1]
    assert "Agreement: Acme managed services" in client.get("/admin/shares").text
    assert "Overeenkomst: Acme beheerdiensten" in client.get("/admin/shares?lang=nl").text
    link_id = re.findall(r"/admin/shares/(\w+)/revoke", client.get("/admin/shares").text)[0]
    client.cookies.clear()
    page = client.get(path)
    assert page.status_code == 200
    assert "Acme managed services" in page.text and "50.0 %" in page.text
    assert "Bakker" not in page.text and "/kpi/" not in page.text and "€" not in page.text
    assert "report.pdf" not in page.text and 'class="topbar"' not in page.text
    assert client.get(path + "/grid").status_code == 404  # an agreement has no grid
    dutch = client.get(path + "?lang=nl").text
    assert "Een alleen-lezen weergave van één overeenkomst" in dutch
    assert "Acme beheerdiensten" in dutch and "tot nu toe" in dutch
    path_file = stip.settings.home / "deliverables.yaml"
    try:
        path_file.write_text(DELIVERABLES.replace("  acme:", "  acme2:", 1), encoding="utf-8")
        assert client.get(path).status_code == 404  # gone from the file
    finally:
        path_file.write_text(DELIVERABLES, encoding="utf-8")
    login(client, "admin")
    client.post(f"/admin/shares/{link_id}/revoke", data={"csrf_token": csrf(client)})
    client.cookies.clear()
    assert client.get(path).status_code == 404
