from __future__ import annotations

import html
import re
from datetime import datetime

import pytest

from stip.app import Stip
from stip.store.schema import Batch

from .conftest import TestClient, login


@pytest.fixture(scope="module", autouse=True)
def people(stip: Stip) -> None:
    batch = Batch()
    batch.add(
        "resources",
        [
            {
                "source_system": "autotask",
                "id": 10,
                "first_name": "Jan",
                "last_name": "de Vries",
                "is_active": True,
            }
        ],
    )
    batch.add("teams", [{"source_system": "autotask", "id": 5, "name": "Servicedesk"}])
    stip.store.apply(batch)


def test_tv_rotation_points_at_the_next_dashboard(client: TestClient) -> None:
    login(client, "owner")
    page = client.get("/d/finance?tv=1&rotate=owner,finance,teamlead&period=2026-10").text
    nxt = html.unescape(re.search(r'data-rotate-next="([^"]+)"', page).group(1))
    assert nxt.startswith("/d/teamlead?") and "rotate=owner%2Cfinance%2Cteamlead" in nxt
    assert "tv=1" in nxt and "period=2026-10" in nxt
    last = client.get("/d/teamlead?tv=1&rotate=owner,finance,teamlead").text
    assert 'data-rotate-next="/d/owner?' in last
    assert 'class="topbar"' not in last


def test_switches_follow_the_role_and_the_url_keeps_the_view(client: TestClient) -> None:
    login(client, "teamlead")
    page = client.get("/d/teamlead?period=last-week&as_of=2026-11-02T09:00").text
    assert 'name="resource"' in page and 'name="team"' in page
    assert '<option value="10">Jan de Vries</option>' in page
    assert '<option value="5">Servicedesk</option>' in page
    assert '<option value="last-week" selected>' in page
    assert 'value="2026-11-02T09:00"' in page
    assert "26 Oct 2026 – 1 Nov 2026 (Last week)" in page
    grid = re.search(r'hx-get="([^"]+)"', page).group(1)
    assert "period=last-week" in grid and "as_of=2026-11-02T09%3A00" in html.unescape(grid)
    login(client, "engineer")
    page = client.get("/d/engineer").text
    assert 'name="resource"' not in page and 'name="team"' not in page


def test_custom_period_and_bad_input(client: TestClient) -> None:
    login(client, "owner")
    page = client.get("/d/owner?custom=2026-10-01..2026-10-15&as_of=2026-11-02T09:00").text
    assert "1 Oct 2026 – 15 Oct 2026 ·" in page
    bad = client.get("/d/owner?period=someday")
    assert bad.status_code == 400 and "period &#39;someday&#39; is not valid" in bad.text
    assert client.get("/d/owner?resource=abc").status_code == 400
    assert client.get("/d/nope").status_code == 404
    assert client.get("/kpi/open_backlogg").status_code == 404


def test_the_longest_custom_range_has_no_trend_before_1970(client: TestClient) -> None:
    """1970-2199 is a valid range; its trend and last year would start before 1970."""
    login(client, "owner")
    whole = "custom=1970-01-01..2199-12-31&as_of=2026-11-02T09:00"
    page = client.get(f"/d/owner?{whole}")
    assert page.status_code == 200 and "1 Jan 1970 – 31 Dec 2199" in page.text
    kpi = client.get(f"/kpi/tickets_created?{whole}")
    assert kpi.status_code == 200
    assert kpi.text.count("1 Jan 70") >= 1 and "1741" not in kpi.text


def test_money_tiles_are_hidden_for_roles_without_money(client: TestClient) -> None:
    login(client, "teamlead")
    page = client.get("/d/teamlead?as_of=2026-11-02T09:00").text
    assert "Not visible for your role" not in page  # the default omits money tiles
    login(client, "owner")
    page = client.get("/d/owner?as_of=2026-11-02T09:00").text
    assert 'data-kpi="effective_hourly_rate"' in page


def test_htmx_refresh_of_a_dead_session_or_link_reloads_the_page(client: TestClient) -> None:
    client.cookies.clear()
    response = client.get("/d/owner/grid", headers={"HX-Request": "true"})
    assert response.status_code == 401 and response.headers["hx-refresh"] == "true"
    gone = client.get("/s/not-a-link/grid", headers={"HX-Request": "true"})
    assert gone.status_code == 404 and gone.headers["hx-refresh"] == "true"


def test_follow_up_figures_show_on_the_team_lead_and_service_manager_dashboards(
    client: TestClient,
) -> None:
    login(client, "teamlead")
    page = client.get("/d/teamlead?as_of=2026-11-02T09:00").text
    assert 'id="closed-loop"' in page and 'id="loop-callback_within_2bd_rate"' in page
    assert 'id="closed-loop"' not in client.get("/d/teamlead?tv=1").text
    login(client, "service_manager")
    assert 'id="closed-loop"' in client.get("/d/service_manager?lang=nl").text
    login(client, "owner")
    assert 'id="closed-loop"' not in client.get("/d/owner").text


def test_a_long_action_list_shows_its_first_rows_and_says_the_exports_hold_all(
    stip: Stip, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stip.web.routes import kpis

    batch = Batch()
    # five tickets open since September: aged (over 14 days) in October
    tickets = [
        {"source_system": "autotask", "id": 800000 + i, "create_date": datetime(2026, 9, i, 9)}
        for i in range(1, 6)
    ]
    batch.add("tickets", tickets)
    stip.store.apply(batch)
    login(client, "owner")
    url = "/kpi/aged_ticket_share?period=2026-10&as_of=2026-11-02T09:00"
    csv_rows = client.get(url.replace("?", "/export.csv?") + "&table=actions").text.splitlines()
    listed = len(csv_rows) - 1
    assert listed >= 5
    monkeypatch.setattr(kpis, "PAGE_ACTION_ROWS", 3)
    page = client.get(url).text
    assert "Act on these (3+)" in page
    assert "Showing the first 3 rows; the CSV and Excel files hold them all." in page
    assert page.count("<tr>") == 3 + 1 + page.split('id="actions"')[0].count("<tr>")
    monkeypatch.setattr(kpis, "PAGE_ACTION_ROWS", listed)
    page = client.get(url).text
    assert f"Act on these ({listed})" in page and "Showing the first" not in page
