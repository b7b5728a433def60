"""Scoped tiles: one engineer's scorecard, one team, one client (fixture as in
test_catalogue_values.py, period 2026-10)."""

from __future__ import annotations

import math

import pytest

from stip.semantic.engine import KpiEngine
from stip.semantic.query import Scope

from .catalogue_fixture import AS_OF

CASES: list[tuple[Scope, dict[str, float | None]]] = [
    (
        Scope(resource_id=101),  # Anna
        {
            "tickets_created": 2,  # T1 T2
            "effort_per_ticket": (1.5 + 3 + 2) / 3,  # T1 T2 T8
            "csat_positive_rate": 50.0,  # S1 9 yes, S2 4 no
            "utilization": 100 * 5.5 / 176,  # E1 E2 E6 on tickets; E7 is internal
            "labour_cost": 475.0,  # (1.5 + 3 + 1 + 4) × 50
            "open_tickets_per_engineer": 1.0,  # T6
            "mrr": None,  # revenue has no engineer
        },
    ),
    (
        Scope(team_id=201),  # Anna and Bram; T5 is unassigned, E9 is Cees's
        {"tickets_created": 5, "labour_cost": 700.0, "billable_hours": 8.5},
    ),
    (
        Scope(company_id=1),  # Alfa
        {
            "tickets_created": 2,
            "mrr": 1100.0,
            "client_contribution": 1035.0,  # 1800 - 500 - 265
            "reactive_tickets_per_endpoint": 2 / 3,  # T1 T2 over 3 endpoints
        },
    ),
]


@pytest.mark.parametrize("scope, expected", CASES, ids=["anna", "team", "alfa"])
def test_scoped_tiles(duck_engine: KpiEngine, scope: Scope, expected: dict[str, float]) -> None:
    tiles = {t.kpi.id: t for t in duck_engine.tiles(list(expected), "2026-10", AS_OF, scope, 2)}
    for kpi, value in expected.items():
        got = tiles[kpi].value
        if value is None:
            assert got is None, kpi
        else:
            assert got is not None and math.isclose(got, value), (kpi, got, value)
