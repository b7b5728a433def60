"""The team lead sees who is overloaded: the tile names the engineer, the KPI page lists
them with their open tickets, in English and Dutch; an engineer sees only themselves."""

from __future__ import annotations

from datetime import datetime

from stip.app import Stip
from stip.store.schema import Batch

from .conftest import TestClient, login

QUERY = "period=2026-10&as_of=2026-11-02T09:00"


def _load(stip: Stip) -> None:
    batch = Batch()
    batch.add(
        "resources",
        [
            {
                "source_system": "autotask",
                "id": 555,
                "first_name": "Ingrid",
                "last_name": "Smit",
                "is_active": True,
            },
            {
                "source_system": "autotask",
                "id": 556,
                "first_name": "Bas",
                "last_name": "Kok",
                "is_active": True,
            },
        ],
    )
    open_tickets = [
        {
            "source_system": "autotask",
            "id": 900000 + i,
            "assigned_resource_id": 555,
            "create_date": datetime(2026, 10, 1 + i % 28, 9),
        }
        for i in range(23)
    ] + [
        {
            "source_system": "autotask",
            "id": 901000 + i,
            "assigned_resource_id": 556,
            "create_date": datetime(2026, 10, 2, 9),
        }
        for i in range(20)
    ]
    batch.add("tickets", open_tickets)
    stip.store.apply(batch)


def test_the_team_lead_sees_who_is_overloaded(stip: Stip, client: TestClient) -> None:
    _load(stip)
    login(client, "teamlead")
    page = client.get(f"/d/teamlead?{QUERY}").text
    tile = page.split('data-kpi="overloaded_engineers"', 1)[1].split("</article>", 1)[0]
    assert 'data-status="amber"' in tile  # 1 engineer: target 0, amber up to 1
    assert "Share out some of the 23 open tickets of Ingrid Smit" in tile
    assert "Bas Kok" not in tile  # 20 is not more than 20
    kpi = client.get(f"/kpi/overloaded_engineers?lang=nl&{QUERY}").text
    assert "Overbelaste engineers" in kpi
    assert "<th>Openstaande tickets</th>" in kpi and "<th>Grens</th>" in kpi
    assert "<th>Ticket</th>" not in kpi and "<th>Klant</th>" not in kpi  # a list of people
    assert "Verdeel een deel van de 23 openstaande tickets van Ingrid Smit" in kpi
    login(client, "engineer")
    own = client.get(f"/kpi/overloaded_engineers?{QUERY}")
    assert own.status_code == 200 and "Ingrid Smit" not in own.text
