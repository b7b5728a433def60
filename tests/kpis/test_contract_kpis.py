"""The 13 contract KPIs on the hand-made MSP (tests/kpis/msp_fixture.py), on DuckDB and
PostgreSQL. Every expected number is worked out by hand in the comments next to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stip.semantic.catalog import KpiCatalog
from stip.semantic.engine import KpiEngine
from stip.settings import Settings
from stip.store.store import Store

AS_OF = "2026-10-28T10:00"  # Wednesday, CET (after the DST change)
Rows = list[tuple[int | None, float | None, int]]

# (kpi, by, expected [(dim id, value, n), ...]) for October 2026; ids sorted, null last.
OCTOBER: list[tuple[str, str | None, Rows]] = [
    # T1 T2 T3 T4 T6 T10 T11; T7 (00:30 local on 1 Nov) and T5 (September) are out
    ("tickets_created", None, [(None, 7, 7)]),
    ("tickets_created", "resource", [(1, 4, 4), (2, 1, 1), (None, 2, 2)]),
    ("tickets_created", "queue", [(5, 4, 4), (6, 2, 2), (None, 1, 1)]),
    ("tickets_created", "team", [(10, 5, 5), (None, 2, 2)]),
    # T1 T2 T4 T5 T10
    ("tickets_completed", None, [(None, 5, 5)]),
    ("tickets_completed", "resource", [(1, 2, 2), (2, 1, 1), (None, 2, 2)]),
    # open at 31 Oct 23:00Z: T3, T6 (created 22:30Z), T11
    ("open_backlog", None, [(None, 3, 3)]),
    ("open_backlog", "resource", [(1, 2, 2), (2, 1, 1)]),
    # T3 (due 27 Oct) and T10 (due 22 Oct, completed only on the 29th)
    ("overdue_tickets", None, [(None, 2, 2)]),
    ("overdue_tickets", "resource", [(2, 1, 1), (None, 1, 1)]),
    ("overdue_tickets", "company", [(200, 2, 2)]),
    # T1 met, T2 not, T5 met; T4's result is unknown -> 2/3
    ("sla_met_rate", None, [(None, 200 / 3, 3)]),
    ("sla_met_rate", "resource", [(1, 50.0, 2), (2, 100.0, 1)]),
    ("sla_met_rate", "priority", [(1, 100.0, 2), (2, 0.0, 1)]),
    # T1 1.5, T2 2 (weekend), T3 3 (DST) business hours
    ("first_response_hours_median", None, [(None, 2.0, 3)]),
    ("first_response_hours_median", "resource", [(1, 1.75, 2), (2, 3.0, 1)]),
    # T1 14, T2 5, T5 84 business hours; T4 has no resolved time
    ("resolution_hours_mean", None, [(None, 103 / 3, 3)]),
    ("resolution_hours_mean", "resource", [(1, 9.5, 2), (2, 84.0, 1)]),
    # E1 2 + E3 3 + E4 4 + E5 2.5; E2/E9 non-billable, E8 unknown, E6/E7 outside
    ("billable_hours", None, [(None, 11.5, 4)]),
    ("billable_hours", "resource", [(1, 2.0, 1), (2, 3.0, 1), (3, 4.0, 1), (4, 2.5, 1)]),
    ("billable_hours", "company", [(100, 2.0, 1), (200, 7.0, 2), (None, 2.5, 1)]),
    # available: 22 business days x (8 + 8 + 4) = 440 h; Piet (3) is inactive
    ("billable_utilization", None, [(None, 1150 / 440, 4)]),
    (
        "billable_utilization",
        "resource",
        [(1, 200 / 176, 1), (2, 300 / 176, 1), (3, None, 1), (4, 250 / 88, 1)],
    ),
    ("billable_utilization", "team", [(10, 500 / 352, 2), (20, None, 1), (None, 250 / 88, 1)]),
    # lags 1.5, 10, 0 (-0.5), 48, 0 (-1), 1 -> median of 6 = (1 + 1.5) / 2
    ("time_entry_lag_hours_median", None, [(None, 1.25, 6)]),
    (
        "time_entry_lag_hours_median",
        "resource",
        [(1, 5.75, 2), (2, 0.5, 2), (3, 48.0, 1), (4, 0.0, 1)],
    ),
    # ratings 9, 4, 5, 3 (S5 has none) on a scale of 10
    ("csat_score", None, [(None, 52.5, 4)]),
    ("csat_score", "resource", [(1, 160 / 3, 3), (2, 50.0, 1)]),
    ("csat_score", "company", [(100, 160 / 3, 3), (200, 50.0, 1)]),
    # S2 (4), S3 (5), S4 (3) are below 6
    ("csat_low_responses", None, [(None, 3, 3)]),
    ("csat_low_responses", "resource", [(1, 2, 2), (2, 1, 1)]),
    # 1050 billed / 12 h of company time entries (E5 has no company); n = 3 items + 6 entries
    ("effective_hourly_rate", None, [(None, 87.5, 9)]),
    # by company, E5 (2.5 h, no company, no item without one) is the null row: rate 0
    (
        "effective_hourly_rate",
        "company",
        [(100, 300 / 3.5, 3), (200, 700 / 7.5, 4), (300, None, 1), (400, 0.0, 1), (None, 0.0, 1)],
    ),
]


def _rows(result: dict[str, Any], by: str | None) -> Rows:
    key = f"{by}_id"
    return [(row["by"].get(key) if by else None, row["value"], row["n"]) for row in result["rows"]]


def _check(actual: Rows, expected: Rows) -> None:
    assert [(a[0], a[2]) for a in actual] == [(e[0], e[2]) for e in expected]
    for (_, got, _), (_, want, _) in zip(actual, expected, strict=True):
        assert got == (None if want is None else pytest.approx(want, rel=1e-12))


@pytest.mark.parametrize(("kpi", "by", "expected"), OCTOBER, ids=lambda v: str(v)[:30])
def test_october_values(engine: KpiEngine, kpi: str, by: str | None, expected: Rows) -> None:
    result = engine.values(kpi, "2026-10", by=by, as_of=AS_OF).to_json()
    _check(_rows(result, by), expected)


def test_counts_and_ids_are_json_integers(engine: KpiEngine) -> None:
    result = engine.values("tickets_created", "2026-10", by="resource", as_of=AS_OF).to_json()
    for row in result["rows"]:
        assert type(row["value"]) is int and type(row["n"]) is int
        assert row["by"]["resource_id"] is None or type(row["by"]["resource_id"]) is int


def test_labels_come_from_resources_companies_and_picklists(engine: KpiEngine) -> None:
    by_resource = engine.values("tickets_created", "2026-10", by="resource", as_of=AS_OF)
    assert [r.by for r in by_resource.rows] == [
        {"resource_id": 1, "resource": "Jan de Vries"},
        {"resource_id": 2, "resource": "Anna Bakker"},
        {"resource_id": None, "resource": None},
    ]
    by_queue = engine.values("tickets_created", "2026-10", by="queue", as_of=AS_OF)
    assert [r.by.get("queue") for r in by_queue.rows] == ["Helpdesk", "Monitoring", None]
    by_prio = engine.values("tickets_created", "2026-10", by="priority", as_of=AS_OF)
    assert [r.by for r in by_prio.rows] == [
        {"priority_id": 1, "priority": "High"},
        {"priority_id": 2, "priority": "Medium"},
    ]
    by_team = engine.values("tickets_created", "2026-10", by="team", as_of=AS_OF)
    assert by_team.rows[0].by == {"team_id": 10, "team": "Servicedesk"}


@pytest.mark.parametrize(
    ("kpi", "value"),
    [
        ("tickets_created", 0),
        ("tickets_completed", 0),
        ("open_backlog", 0),
        ("csat_low_responses", 0),
        ("billable_hours", 0.0),
        ("sla_met_rate", None),
        ("first_response_hours_median", None),
        ("resolution_hours_mean", None),
        ("time_entry_lag_hours_median", None),
        ("csat_score", None),
        ("effective_hourly_rate", None),
    ],
)
def test_empty_period(engine: KpiEngine, kpi: str, value: float | None) -> None:
    result = engine.values(kpi, "2025-01", as_of=AS_OF).to_json()
    assert result["rows"] == [
        {
            "by": {},
            "value": value,
            "n": 0,
            "target": result["rows"][0]["target"],
            "status": "none" if value is None else result["rows"][0]["status"],
        }
    ]


def test_utilization_of_an_empty_period_is_zero_with_active_people(engine: KpiEngine) -> None:
    # January 2025 has 22 business days (New Year's Day off): nobody booked billable time
    row = engine.values("billable_utilization", "2025-01", as_of=AS_OF).rows[0]
    assert (row.value, row.n) == (0.0, 0)
    by_resource = engine.values("billable_utilization", "2025-01", by="resource", as_of=AS_OF)
    assert [(r.by["resource_id"], r.value) for r in by_resource.rows] == [
        (1, 0.0),
        (2, 0.0),
        (4, 0.0),
    ]


def test_first_response_median_over_dutch_holidays(engine: KpiEngine) -> None:
    # April 2026: T8 over King's Day = 2 bh, T9 over Good Friday + Easter Monday = 3 bh
    row = engine.values("first_response_hours_median", "2026-04", as_of=AS_OF).rows[0]
    assert (row.value, row.n) == (2.5, 2)


def test_overdue_depends_only_on_the_as_of(engine: KpiEngine) -> None:
    for period in ("2026-10", "2025-01", "today"):
        assert engine.values("overdue_tickets", period, as_of=AS_OF).rows[0].value == 2
    # 22 Oct 12:00 local = 10:00Z: only T10 (due 08:00Z) is open and past due
    assert engine.values("overdue_tickets", "2026-10", as_of="2026-10-22T12:00").rows[0].value == 1
    # 21 Oct: T10 is not due yet, T3 does not exist yet
    assert engine.values("overdue_tickets", "2026-10", as_of="2026-10-21T10:00").rows[0].value == 0


def test_as_of_inside_the_period_keeps_the_whole_period(engine: KpiEngine) -> None:
    result = engine.values("tickets_created", "this-month", as_of="2026-10-20T12:00").to_json()
    assert result["period"] == {
        "start": "2026-10-01T00:00:00+02:00",
        "end": "2026-11-01T00:00:00+01:00",
    }
    assert result["rows"][0]["value"] == 7
    mtd = engine.values("tickets_created", "mtd", as_of="2026-10-20T12:00").to_json()
    assert mtd["period"]["end"] == "2026-10-21T00:00:00+02:00"
    assert mtd["rows"][0]["value"] == 4  # T1 T2 T4 T10


def test_csat_low_default_period_is_last_7_days(engine: KpiEngine) -> None:
    # 21..27 October local: only S3 (27 Oct, rating 5)
    result = engine.values("csat_low_responses", None, as_of=AS_OF)
    assert result.period.spec == "last-7-days"
    assert (result.rows[0].value, result.rows[0].n) == (1, 1)


def test_csat_scale_is_a_setting(store: Store, catalog: KpiCatalog, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "h5", csat_scale_max=5.0)
    engine = KpiEngine(store, settings, catalog)
    assert engine.values("csat_score", "2026-10", as_of=AS_OF).rows[0].value == 105.0
    # below 3 on a 5-point scale: none of 9, 4, 5, 3
    assert engine.values("csat_low_responses", "2026-10", as_of=AS_OF).rows[0].value == 0


def test_available_hours_per_resource_are_a_setting(
    store: Store, catalog: KpiCatalog, tmp_path: Path
) -> None:
    """Jan (1) works 6 h a day; Eva (4) 8 h, over the 4 h the store holds; 22 business days:
    available 22 x (6 + 8 + 8) = 484 h."""
    settings = Settings(home=tmp_path / "h6", resource_hours_per_day={1: 6.0, 4: 8.0})
    engine = KpiEngine(store, settings, catalog)
    total = engine.values("billable_utilization", "2026-10", as_of=AS_OF).to_json()
    _check(_rows(total, None), [(None, 1150 / 484, 4)])
    split = engine.values("billable_utilization", "2026-10", by="resource", as_of=AS_OF)
    _check(
        _rows(split.to_json(), "resource"),
        [(1, 200 / 132, 1), (2, 300 / 176, 1), (3, None, 1), (4, 250 / 176, 1)],
    )


def test_contract_json_shape(engine: KpiEngine) -> None:
    result = engine.values("sla_met_rate", "2026-10", by="resource", as_of="2026-11-02T09:00")
    data = result.to_json()
    assert list(data) == ["kpi", "unit", "as_of", "period", "rows"]
    assert data["kpi"] == "sla_met_rate" and data["unit"] == "%"
    assert data["as_of"] == "2026-11-02T09:00:00+01:00"
    assert data["period"] == {
        "start": "2026-10-01T00:00:00+02:00",
        "end": "2026-11-01T00:00:00+01:00",
    }
    assert data["rows"][0] == {
        "by": {"resource_id": 1, "resource": "Jan de Vries"},
        "value": 50.0,
        "n": 2,
        "target": 95.0,
        "status": "red",
    }
