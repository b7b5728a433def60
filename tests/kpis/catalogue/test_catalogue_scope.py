"""Scoped tiles: one engineer's scorecard, one team, one client (fixture as in
test_catalogue_values.py, period 2026-10)."""

from __future__ import annotations

import math

import pytest

from stip.semantic.compute import empty_value, supports_scope
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


SCOPES = {"resource": "resource_id", "team": "team_id", "company": "company_id"}


@pytest.mark.parametrize("dim", list(SCOPES))
def test_every_scoped_tile_equals_its_row_split_by_that_dimension(
    duck_engine: KpiEngine, dim: str
) -> None:
    """A scorecard for one engineer, team or client shows what `--by` shows on that one's
    row, for every KPI that can be both scoped and split that way: the scoped queries read
    the same rows, only filtered."""
    catalog = {k.id: k for k in duck_engine.catalog}
    expected: dict[int, dict[str, float | None]] = {}
    for kpi in duck_engine.catalog:
        if dim not in kpi.dimensions or not supports_scope(kpi, Scope(**{SCOPES[dim]: 1}), catalog):
            continue
        for row in duck_engine.values(kpi.id, "2026-10", by=dim, as_of=AS_OF).rows:
            if row.by[f"{dim}_id"] is not None:
                expected.setdefault(row.by[f"{dim}_id"], {})[kpi.id] = row.value
    # the fixture's engineers, team and clients with rows: 117, 57 and 183 values
    assert sum(map(len, expected.values())) >= {"resource": 100, "team": 50, "company": 150}[dim]
    for ident, values in expected.items():
        scope = Scope(**{SCOPES[dim]: ident})
        tiles = {
            t.kpi.id: t.value for t in duck_engine.tiles(list(values), "2026-10", AS_OF, scope, 2)
        }
        for kpi_id, value in values.items():
            got = tiles[kpi_id]
            same = got is None and value is None
            same = same or (got is not None and value is not None and math.isclose(got, value))
            assert same, (dim, ident, kpi_id, got, value)


def _same(got: float | None, value: float | None) -> bool:
    if got is None or value is None:
        return got is None and value is None
    return math.isclose(got, value, abs_tol=1e-9)


def test_a_list_of_one_client_is_that_client(duck_engine: KpiEngine) -> None:
    """An account manager's clients (`company_ids`) are filtered as one client is."""
    catalog = {k.id: k for k in duck_engine.catalog}
    kpis = [k.id for k in duck_engine.catalog if supports_scope(k, Scope(company_id=1), catalog)]
    assert len(kpis) > 60
    for ident in (1, 3):
        one = duck_engine.tiles(kpis, "2026-10", AS_OF, Scope(company_id=ident), 2)
        listed = duck_engine.tiles(kpis, "2026-10", AS_OF, Scope(company_ids=(ident,)), 2)
        for a, b in zip(one, listed, strict=True):
            assert _same(b.value, a.value) and _same(b.previous, a.previous), (ident, a.kpi.id)


def test_several_clients_add_up(duck_engine: KpiEngine) -> None:
    """Alfa and Beta together: every count and sum is the sum of their rows split by client;
    the contract margin is that of contracts 301 and 302, the only ones billed in October:
    100 × 810 / 2000 (test_catalogue_values.py), as for all clients."""
    catalog = {k.id: k for k in duck_engine.catalog}
    both = Scope(company_ids=(1, 2))
    additive = [
        k
        for k in duck_engine.catalog
        if "company" in k.dimensions
        and supports_scope(k, both, catalog)
        and empty_value(k) is not None
    ]
    assert len(additive) > 15
    tiles = {
        t.kpi.id: t.value
        for t in duck_engine.tiles([k.id for k in additive], "2026-10", AS_OF, both, 2)
    }
    for kpi in additive:
        rows = duck_engine.values(kpi.id, "2026-10", by="company", as_of=AS_OF).rows
        total = sum(r.value or 0 for r in rows if r.by["company_id"] in (1, 2))
        assert _same(tiles[kpi.id], total), (kpi.id, tiles[kpi.id], total)
    (margin,) = duck_engine.tiles(["agreement_gross_margin"], "2026-10", AS_OF, both, 2)
    assert margin.value is not None and math.isclose(margin.value, 100 * 810 / 2000)
