"""A running period's totals are compared like for like: on 20 October, the tickets
created so far this month are compared with those of 1-20 September and 1-20 October 2025,
not with the whole months. Rates, averages and states are compared with the whole periods,
and so are KPIs billed per whole month (`grain: month`).

Every catalogue KPI's `previous` and `last_year` on a tile must equal the KPI computed alone
over the period the tile names for them. The fixture's last sync is as of the as-of (a live
view); with data after the as-of the period's value is the whole month, compared with whole
months (tests/kpis/test_engine.py).
"""

from __future__ import annotations

import math
from datetime import UTC

import pytest

from stip.semantic.compute import accumulates
from stip.semantic.engine import KpiEngine
from stip.semantic.periods import Period
from stip.semantic.results import Tile
from stip.store.schema import Batch

AS_OF = "2026-10-20T10:00"


def _alone(engine: KpiEngine, tile: Tile, period: Period | None) -> float | int | None:
    assert period is not None
    moment = min(engine.as_of(AS_OF), period.end)
    return engine.values(tile.kpi.id, period, as_of=moment).rows[0].value


def _same(a: float | int | None, b: float | int | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


SO_FAR = {"previous": "2026-09-01..2026-09-20", "last_year": "2025-10-01..2025-10-20"}
WHOLE = {"previous": "2026-09", "last_year": "2025-10-01..2025-10-31"}


def _live(engine: KpiEngine, as_of: str = AS_OF) -> KpiEngine:
    """The last sync's data is as of the as-of, as for someone looking "now"."""
    moment = engine.as_of(as_of).astimezone(UTC).replace(tzinfo=None)
    batch = Batch()
    state = {"source_system": "autotask", "entity": "Tickets"}
    batch.add("sync_state", [{**state, "data_as_of": moment}])
    engine.store.apply(batch)
    return KpiEngine(engine.store, engine.settings, engine.catalog)


def _check(engine: KpiEngine) -> None:
    engine = _live(engine)
    tiles = engine.tiles(engine.catalog.ids(), "2026-10", as_of=AS_OF, trend_points=3)
    catalog = {k.id: k for k in engine.catalog}
    wrong = []
    for tile in tiles:
        partial = tile.kpi.grain != "month" and accumulates(tile.kpi, catalog)
        expected = SO_FAR if partial else WHOLE
        for name in ("previous", "last_year"):
            period = getattr(tile, f"{name}_period")
            assert period is not None and period.spec == expected[name], tile.kpi.id
            alone = _alone(engine, tile, period)
            if not _same(getattr(tile, name), alone):
                wrong.append(f"{tile.kpi.id} {name}: {getattr(tile, name)!r} != {alone!r}")
    assert wrong == []
    # The fixture tells the two apart: September up to the 20th is not the whole month.
    differ = [t.kpi.id for t in tiles if not _same(t.previous, t.trend[-2])]
    assert {"tickets_created", "billable_hours", "hours_logged", "labour_cost"} <= set(differ)


@pytest.mark.parametrize(
    ("kpi", "adds_up"),
    [
        ("tickets_created", True),  # a count of events in the period
        ("tickets_completed", True),
        ("billable_hours", True),  # a total
        ("csat_low_responses", True),
        ("hours_logged", True),
        ("tickets_closed_per_engineer", True),  # a total per head
        ("non_billable_share", False),  # a share of two totals
        ("sla_met_rate", False),  # a rate
        ("resolution_hours_mean", False),  # an average
        ("first_response_hours_median", False),
        ("open_backlog", False),  # a state at the end of the period
        ("overdue_tickets", False),  # a state at the as-of
        ("billable_utilization", False),
        ("effective_hourly_rate", False),
    ],
)
def test_which_kpis_add_up_over_a_period(duck_engine: KpiEngine, kpi: str, adds_up: bool) -> None:
    catalog = {k.id: k for k in duck_engine.catalog}
    assert accumulates(catalog[kpi], catalog) is adds_up


def test_comparisons_equal_each_kpi_alone_duckdb(duck_engine: KpiEngine) -> None:
    _check(duck_engine)


def test_comparisons_equal_each_kpi_alone_postgres(pg_engine: KpiEngine) -> None:
    _check(pg_engine)


def test_a_closed_period_is_compared_with_the_whole_one_before(duck_engine: KpiEngine) -> None:
    (tile,) = duck_engine.tiles(["tickets_created"], "2026-09", as_of=AS_OF)
    assert tile.previous_period is not None and tile.last_year_period is not None
    assert (tile.previous_period.spec, tile.last_year_period.spec) == (
        "2026-08",
        "2025-09-01..2025-09-30",
    )
    assert tile.previous == tile.trend[-2]


@pytest.mark.parametrize(
    ("as_of", "previous"),
    [
        ("2026-10-01T00:00", "2026-09"),  # nothing of October has passed: not running
        ("2026-10-31T23:59", "2026-09"),  # the last day: the whole months
        ("2026-10-01T09:00", "2026-09-01..2026-09-01"),
    ],
)
def test_the_edges_of_a_running_month(duck_engine: KpiEngine, as_of: str, previous: str) -> None:
    (tile,) = _live(duck_engine, as_of).tiles(["tickets_created"], "2026-10", as_of=as_of)
    assert tile.previous_period is not None and tile.previous_period.spec == previous
