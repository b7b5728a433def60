"""Parts of a KPI's row expressions that read only the period or as-of are computed once per
window (`hoist_period_terms`), not once per row; the values must not move."""

from __future__ import annotations

import math

from stip.semantic.engine import KpiEngine
from stip.semantic.expressions import hoist_period_terms
from stip.semantic.periods import parse_as_of

from .catalogue_fixture import AS_OF


def test_each_part_without_row_columns_becomes_one_column() -> None:
    texts = (
        "_.date_worked < as_of_date - interval(days=7)",
        "_.create_date < least(period_end, as_of) - interval(days=14)",
        "_.completed_date.isnull() | (_.completed_date >= least(period_end, as_of))",
        "(least(period_end, as_of).epoch_seconds() - _.create_date.epoch_seconds()) / 86400",
        "cases((_.hours > 1, as_of_date + interval(days=1)), else_=null())",
        "_.completed_date > as_of",
        "_.hours_worked * 2",
    )
    columns, rewritten = hoist_period_terms(texts)
    assert columns == {
        "p_t0": "as_of_date - interval(days=7)",
        "p_t1": "least(period_end, as_of) - interval(days=14)",
        "p_t2": "least(period_end, as_of)",
        "p_t3": "least(period_end, as_of).epoch_seconds()",
        "p_t4": "as_of_date + interval(days=1)",
    }
    assert [rewritten[t] for t in texts] == [
        "_.date_worked < _.p_t0",
        "_.create_date < _.p_t1",
        "_.completed_date.isnull() | (_.completed_date >= _.p_t2)",
        "(_.p_t3 - _.create_date.epoch_seconds()) / 86400",
        "cases((_.hours > 1, _.p_t4), else_=null())",
        # a bare period name is a column of the windows already; no period name, no change
        "_.completed_date > as_of",
        "_.hours_worked * 2",
    ]


def test_trend_points_equal_each_window_computed_alone(duck_engine: KpiEngine) -> None:
    """Every catalogue KPI with such a part: its tile's three trend points (August to October,
    each window with its own as-of) equal the values of each month computed on its own."""
    kpis = [
        kpi
        for kpi in duck_engine.catalog
        if kpi.measure.type not in ("function", "ratio")
        and hoist_period_terms(
            tuple(t for t in (*kpi.measure.where, kpi.measure.value, kpi.measure.condition) if t)
        )[0]
    ]
    assert len(kpis) >= 5, [k.id for k in kpis]
    moment = parse_as_of(AS_OF, duck_engine.settings.tz)
    months = [("2026-08", "2026-09-01T00:00"), ("2026-09", "2026-10-01T00:00"), ("2026-10", AS_OF)]
    tiles = duck_engine.tiles([k.id for k in kpis], "2026-10", moment, trend_points=3)
    checked = 0
    for tile in tiles:
        for point, (month, as_of) in zip(tile.trend, months, strict=True):
            alone = duck_engine.values(tile.kpi.id, month, as_of=as_of).rows[0].value
            assert _same(point, alone), (tile.kpi.id, month, point, alone)
            checked += point is not None and point != 0
    assert checked >= 5


def _same(a: float | int | None, b: float | int | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
