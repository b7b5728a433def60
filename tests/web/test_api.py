"""JSON API: contract shapes with hand-computed values, bearer auth, JSON errors."""

from __future__ import annotations

from datetime import datetime

import pytest

from stip.accounts.users import engine_for, list_users, set_resource
from stip.app import Stip
from stip.store.schema import Batch

from .conftest import TestClient, bearer

AS_OF = "2026-11-02T09:00:00+01:00"
AS_OF_Q = "2026-11-02T09%3A00%3A00%2B01%3A00"
OCTOBER = {"start": "2026-10-01T00:00:00+02:00", "end": "2026-11-01T00:00:00+01:00"}


@pytest.fixture(scope="module", autouse=True)
def tickets(stip: Stip) -> None:
    """Five tickets around October 2026 (stored UTC; periods are Amsterdam local):

    T1 2026-10-05 10:00Z res 10, T2 2026-10-20 10:00Z res 10, T3 2026-10-31 22:30Z res 20
    (23:30 CET, still October), T4 2026-09-30 22:30Z unassigned (00:30 CEST on 1 October),
    T5 2026-10-31 23:30Z res 20 (00:30 CET on 1 November). October: 4 tickets; by resource
    10 -> 2, 20 -> 1, unassigned -> 1.
    """

    def ticket(ident: int, created: datetime, resource: int | None) -> dict[str, object]:
        return {
            "source_system": "autotask",
            "id": ident,
            "ticket_number": f"T{ident}",
            "title": f"ticket {ident}",
            "company_id": 1,
            "assigned_resource_id": resource,
            "create_date": created,
        }

    batch = Batch()
    batch.add(
        "tickets",
        [
            ticket(1, datetime(2026, 10, 5, 10), 10),
            ticket(2, datetime(2026, 10, 20, 10), 10),
            ticket(3, datetime(2026, 10, 31, 22, 30), 20),
            ticket(4, datetime(2026, 9, 30, 22, 30), None),
            ticket(5, datetime(2026, 10, 31, 23, 30), 20),
        ],
    )
    batch.add(
        "resources",
        [
            {
                "source_system": "autotask",
                "id": 10,
                "first_name": "Jan",
                "last_name": "de Vries",
                "is_active": True,
            },
            {
                "source_system": "autotask",
                "id": 20,
                "first_name": "Eva",
                "last_name": "Jansen",
                "is_active": True,
            },
        ],
    )
    stip.store.apply(batch)
    engineer = next(u for u in list_users(engine_for(stip.settings)) if u.role == "engineer")
    set_resource(engine_for(stip.settings), engineer.id, 10)


def test_values_have_the_contract_shape_and_hand_computed_numbers(
    stip: Stip, client: TestClient
) -> None:
    body = client.get(
        f"/api/v1/kpis/tickets_created/values?period=2026-10&as_of={AS_OF_Q}",
        headers=bearer(stip, "teamlead"),
    ).json()
    assert set(body) == {"kpi", "unit", "as_of", "period", "rows"}
    assert body["kpi"] == "tickets_created" and body["unit"] == "count"
    assert body["as_of"] == AS_OF and body["period"] == OCTOBER
    assert len(body["rows"]) == 1
    row = body["rows"][0]
    assert set(row) == {"by", "value", "n", "target", "status"}
    assert row["by"] == {} and row["value"] == 4 and row["n"] == 4


def test_values_by_resource(stip: Stip, client: TestClient) -> None:
    body = client.get(
        f"/api/v1/kpis/tickets_created/values?period=2026-10&by=resource&as_of={AS_OF_Q}",
        headers=bearer(stip, "owner"),
    ).json()
    got = [(r["by"]["resource_id"], r["by"]["resource"], r["value"]) for r in body["rows"]]
    assert got == [(10, "Jan de Vries", 2), (20, "Eva Jansen", 1), (None, None, 1)]


def test_engineer_values_are_their_own(stip: Stip, client: TestClient) -> None:
    body = client.get(
        f"/api/v1/kpis/tickets_created/values?period=2026-10&as_of={AS_OF_Q}",
        headers=bearer(stip, "engineer"),
    ).json()
    assert body["rows"][0]["value"] == 2


def test_dashboard_has_the_contract_shape(stip: Stip, client: TestClient) -> None:
    listing = client.get("/api/v1/dashboards", headers=bearer(stip, "teamlead")).json()
    entry = next(d for d in listing["dashboards"] if d["id"] == "teamlead")
    assert set(entry) == {"id", "title", "role", "tiles"}
    assert entry["role"] == "teamlead" and entry["title"] == "Team lead"
    body = client.get(
        f"/api/v1/dashboards/teamlead?period=2026-10&as_of={AS_OF_Q}",
        headers=bearer(stip, "teamlead"),
    ).json()
    assert set(body) == {"id", "period", "tiles"}
    assert body["id"] == "teamlead" and body["period"] == OCTOBER
    assert len(body["tiles"]) == entry["tiles"]
    created = next(t for t in body["tiles"] if t["kpi"] == "tickets_created")
    assert set(created) == {"kpi", "value", "unit", "target", "status"}
    assert created["value"] == 4 and created["unit"] == "count"


def test_actions_shape(stip: Stip, client: TestClient) -> None:
    body = client.get(
        f"/api/v1/kpis/overdue_tickets/actions?as_of={AS_OF_Q}", headers=bearer(stip, "owner")
    ).json()
    assert set(body) == {"kpi", "as_of", "rows"} and body["kpi"] == "overdue_tickets"


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/api/v1/kpis/tickets_created/values?period=bogus", 400, "period 'bogus' is not valid"),
        ("/api/v1/kpis/tickets_creatd/values", 404, "Did you mean 'tickets_created'?"),
        ("/api/v1/kpis/tickets_created/values?by=colour", 400, "no dimension 'colour'"),
        ("/api/v1/kpis/tickets_created/values?as_of=yesterdayish", 400, "yesterdayish"),
        ("/api/v1/dashboards/nope", 404, "unknown dashboard 'nope'"),
        ("/api/v1/kpis/tickets_created/actions", 404, "has no action list"),
        # dates Python cannot shift by a window were an OverflowError: HTTP 500
        ("/api/v1/kpis/sla_met_rate/values?as_of=9999-12-31T23:59", 400, "outside the dates"),
        ("/api/v1/kpis/tickets_created/values?period=9999-W52", 400, "period '9999-W52'"),
        ("/api/v1/kpis/tickets_created/values?period=0001", 400, "outside the dates"),
        ("/api/v1/dashboards/owner?as_of=0001-01-01", 400, "outside the dates"),
        # nobody by that id: all-zero, all-green figures read as "all is well"
        ("/api/v1/kpis/tickets_created/values?resource=12345", 404, "no person 12345"),
        ("/api/v1/dashboards/teamlead?team=424242", 404, "no team 424242"),
        ("/api/v1/kpis/tickets_created/values?resource=20", 200, ""),
    ],
)
def test_errors_are_json_with_a_clear_message(
    stip: Stip, client: TestClient, path: str, status: int, message: str
) -> None:
    response = client.get(path, headers=bearer(stip, "owner"))
    assert response.status_code == status
    body = response.json()
    assert status == 200 or (body["status"] == status and message in body["error"])


def test_openapi_lists_the_v1_endpoints(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert set(spec["paths"]) >= {
        "/api/v1/dashboards",
        "/api/v1/dashboards/{dashboard_id}",
        "/api/v1/kpis/{kpi_id}/values",
        "/api/v1/kpis/{kpi_id}/actions",
    }
    docs = client.get("/api/docs").text
    assert "GET /api/v1/kpis/{kpi_id}/values" in docs and "Authorization: Bearer TOKEN" in docs


def test_without_as_of_the_api_computes_as_of_now_like_the_cli(
    stip: Stip, client: TestClient
) -> None:
    """The data here ends on 31 October; the API must not fall back to the data's time."""
    before = datetime.now(stip.settings.tz).replace(second=0, microsecond=0)
    body = client.get(
        "/api/v1/kpis/tickets_created/values?period=today", headers=bearer(stip, "teamlead")
    ).json()
    after = datetime.now(stip.settings.tz)
    as_of = datetime.fromisoformat(body["as_of"])
    assert before <= as_of <= after
    assert datetime.fromisoformat(body["period"]["start"]).date() == as_of.date()
