"""Statistical guardrails: a person, team or client is not judged on a handful of records
(stip.semantic.guardrails; fixture as in test_catalogue_values.py, period 2026-10).

Anna (resource 101) has two ratings in October: S1 9 (positive) and S2 4, so 50 % positive
against a target of 90 %. The whole MSP has three (S3 8 is Bram's): 66.7 %.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stip.errors import DefinitionError
from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.semantic.guardrails import interval, too_few
from stip.semantic.query import Scope

from .catalogue_fixture import AS_OF

ANNA = Scope(resource_id=101)


def test_a_person_on_too_few_records_is_shown_not_judged(duck_engine: KpiEngine) -> None:
    (tile,) = duck_engine.tiles(["csat_positive_rate"], "2026-10", as_of=AS_OF, scope=ANNA)
    assert (tile.value, tile.n) == (50.0, 2)
    assert tile.status == "none" and tile.few
    assert tile.to_json()["few"] is True
    assert tile.actions == []


def test_the_whole_msp_is_judged_whatever_its_count(duck_engine: KpiEngine) -> None:
    (tile,) = duck_engine.tiles(["csat_positive_rate"], "2026-10", as_of=AS_OF)
    assert (tile.value, tile.n) == (pytest.approx(200 / 3), 3)
    assert tile.status == "red" and not tile.few


def test_counts_have_no_minimum(duck_engine: KpiEngine) -> None:
    (tile,) = duck_engine.tiles(["tickets_created"], "2026-10", as_of=AS_OF, scope=ANNA)
    assert tile.value == 2 and not tile.few


def test_the_contract_values_keep_their_status(duck_engine: KpiEngine) -> None:
    """`stip kpi values --by resource` (contract §2) colours every row against the target."""
    result = duck_engine.values("csat_positive_rate", "2026-10", by="resource", as_of=AS_OF)
    anna = next(row for row in result.rows if row.by["resource_id"] == 101)
    assert (anna.value, anna.n, anna.status) == (50.0, 2, "red")


def test_a_lower_minimum_in_the_targets_file_judges_anna(tmp_path: Path) -> None:
    kpis = tmp_path / "kpis"
    kpis.mkdir()
    (kpis / "targets.yaml").write_text(
        "targets:\n  csat_positive_rate: {min_n: 2}\n", encoding="utf-8"
    )
    kpi = load_catalog(home=tmp_path).get("csat_positive_rate")
    assert (kpi.min_n, kpi.target) == (2, 90.0)  # the target stays the KPI's own
    assert not too_few(kpi, 50.0, 2) and too_few(kpi, 50.0, 1)
    assert not too_few(kpi, None, 0)  # no value is no value, not too few


def test_a_minimum_below_two_is_a_file_line_error(tmp_path: Path) -> None:
    kpis = tmp_path / "kpis"
    kpis.mkdir()
    (kpis / "targets.yaml").write_text(
        "targets:\n  csat_positive_rate:\n    min_n: 1\n", encoding="utf-8"
    )
    with pytest.raises(DefinitionError) as caught:
        load_catalog(home=tmp_path)
    assert "targets.yaml:3: targets.csat_positive_rate: min_n" in str(caught.value)


@pytest.mark.parametrize(
    ("value", "n", "low", "high"),
    [
        # Wilson, z = 1.96: centre (p + z²/2n) / (1 + z²/n), half-width
        # z √(p(1-p)/n + z²/4n²) / (1 + z²/n)
        (75.0, 4, 30.06, 95.44),  # 3 of 4
        (50.0, 4, 15.00, 85.00),  # 2 of 4: symmetric around 50
        (0.0, 5, 0.0, 43.45),  # 0 of 5: z²/n / (1 + z²/n) = 0.7683 / 1.7683
        (90.0, 50, 78.64, 95.65),  # 45 of 50: a narrower band
    ],
)
def test_the_interval_of_a_share(
    duck_engine: KpiEngine, value: float, n: int, low: float, high: float
) -> None:
    kpi = duck_engine.catalog.get("sla_met_rate")
    bounds = interval(kpi, value, n)
    assert bounds == (pytest.approx(low, abs=0.01), pytest.approx(high, abs=0.01))


def test_no_interval_for_what_is_not_a_share_or_has_no_records(duck_engine: KpiEngine) -> None:
    catalog = duck_engine.catalog
    assert interval(catalog.get("csat_score"), 70.0, 3) is None  # a mean
    assert interval(catalog.get("sla_met_rate"), None, 0) is None
