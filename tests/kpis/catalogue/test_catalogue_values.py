"""Every built-in KPI against a value computed by hand on the fixture (catalogue_fixture.py).

Period 2026-10 (22 business days), as-of Mon 2 Nov 2026 10:00 local. Shorthand used in the
comments: T1..T8 = tickets 1001..1008, E1..E9 = time entries, S1..S4 = surveys, B1..B8 =
billing items, I1..I4 = invoices. Business hours (bh) are Mon-Fri 08:00-17:00 local.

Facts reused below
- created in October: T1 T2 T3 T4 T5 T7 (6); completed in October: T1 T2 T3 T4 T7 T8 (6)
- bh to first response: T1 0.5, T2 2 (Tue 16-17 + Wed 8-9), T3 3 (Fri 15-17 + Mon 8-9),
  T4 0.25, T7 0.5
- bh to resolve: T1 2, T2 5, T3 4, T4 1, T7 40 (3+9+9+9+9+1, across DST), T8 107
  (Tue 15 Sep 10-17 = 7, 16-18 Sep 27, 21-25 Sep 45, 28-30 Sep 27, 1 Oct 8-9 = 1)
- October hours: E1 1.5 (Anna, T1), E2 3 (Anna, T2), E3 1 (Bram, T3), E4 0.75 non-billable
  (Bram, T4), E5 2 (Bram, T7), E6 1 (Anna, T7), E7 4 internal non-billable (Anna),
  E9 1 (Cees, inactive, T6) = 14.25 h; billable 9.5 h. E8 (2 h, T8) is on 30 Sep.
- labour cost October: Anna (1.5+3+1+4) × 50 = 475, Bram (1+0.75+2) × 60 = 225,
  Cees 1 × 40 = 40 -> 740
- available hours: 2 active × 8 h × 22 days = 352
- revenue October: B1 1100 (recurring, Alfa, cost 200), B2 500 (recurring, Beta, cost 450),
  B3 300 (labour E2), B4 100 (labour E3), B5 400 (product, Alfa, cost 300) = 2400;
  September recurring: Alfa 1000, Beta 600, Gamma 200 = 1800
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from stip.semantic.engine import KpiEngine
from stip.semantic.results import Tile

from .catalogue_fixture import AS_OF

# (kpi, expected value, expected n); period 2026-10 unless a fourth element names another.
EXPECTED: list[tuple[Any, ...]] = [
    # --- contract KPIs (recomputed here so the whole catalogue is pinned on one fixture) ---
    ("tickets_created", 6, 6),
    ("tickets_completed", 6, 6),
    ("open_backlog", 2, 2),  # T5 (Oct) and T6 (Sep) open at 1 Nov
    ("overdue_tickets", 1, 1),  # T5 due 20 Oct; T6 due 10 Nov
    ("sla_met_rate", 50.0, 4),  # T1 yes, T2 no, T4 yes, T7 no
    ("first_response_hours_median", 0.5, 5),  # 0.25 0.5 0.5 2 3
    ("resolution_hours_mean", 26.5, 6),  # (2+5+4+1+40+107)/6
    ("billable_hours", 9.5, 6),
    ("billable_utilization", 100 * 9.5 / 352, 6),
    ("time_entry_lag_hours_median", 0.25, 8),  # lags 0 0 0 0 0.5 1 24 48
    ("csat_score", 70.0, 3),  # mean(9, 4, 8) = 7 of 10; S4 has no rating
    ("csat_low_responses", 1, 1),  # S2 (4 < 6)
    ("effective_hourly_rate", 2400 / 10.25, 12),  # E7 has no company: 14.25 - 4 h
    # --- ticket flow ---
    ("kill_rate", 100.0, 6),  # 6 completed / 6 created
    ("backlog_to_daily_volume", 100 * 2 / (6 / 31), 2),  # 2 open / (6 per 31 days)
    # T5 created 17 Oct 09:00Z, T6 28 Sep 07:00Z, reference 31 Oct 23:00Z:
    # 14 d 14 h = 14.5833 d and 33 d 16 h = 33.6667 d
    ("avg_backlog_age", (14 + 14 / 24 + 33 + 16 / 24) / 2, 2),
    ("aged_ticket_share", 100.0, 2),  # both open tickets are older than 14 days
    ("sla_breaches", 2, 2),  # T2 answered after 08:30, T7 resolved after 22 Oct
    ("p1_incidents", 1, 1),  # T1: priority 1 is labelled "P1 Kritiek", type incident
    ("after_hours_share", 100 / 6, 6),  # T5 on a Saturday
    ("self_service_share", 100 / 6, 6),  # T3 via "Klantportaal"
    ("rmm_alert_share", 100 / 6, 6),  # T4 (RMM alert id, "Monitoring alert")
    ("unassigned_tickets", 1, 1),  # T5
    ("stale_tickets", 2, 2),  # T5 (no update since 17 Oct), T6 (last update 20 Oct)
    # --- responsiveness ---
    ("first_response_time_avg", (0.5 + 2 + 3 + 0.25 + 0.5) / 5, 5),
    ("sla_response_compliance", 75.0, 4),  # T1 T4 T7 in time, T2 late
    ("sla_plan_compliance", 50.0, 2),  # T1 in time, T2 (10:00 > 09:00) late
    ("sla_resolution_compliance", 75.0, 4),  # T1 T2 T4 in time, T7 late
    ("sla_compliance_overall", 50.0, 4),  # T1 T4 meet all; T2 (response) T7 (resolution)
    ("mttr", (2 + 5 + 107) / 3, 3),  # incidents T1 T2 T8
    ("median_ttr", 4.5, 6),  # 1 2 4 5 40 107 -> (4+5)/2
    ("fcr_rate", 20.0, 5),  # T4 (alert) out; only T1 has <=1 entry and same-day resolve
    ("first_touch_resolution", 100 * 5 / 6, 6),  # T7 has two entries
    ("single_tech_resolution", 100 * 5 / 6, 6),  # T7 has Anna and Bram
    ("same_day_close_rate", 100 * 2 / 6, 6),  # resolved in Oct: T1 and T4 same day
    ("repeat_incident_rate", 100 * 2 / 3, 3),  # T1 (after T6/T8), T2 (after T1); T5 not
    ("unanswered_tickets", 1, 1),  # T5
    # --- workload (5 active endpoints: Alfa 3, Beta 2; 35 users) ---
    ("reactive_tickets_per_endpoint", 3 / 5, 5),  # T1 T2 T5
    ("reactive_tickets_per_user", 3 / 35, 35),
    ("rhem", (1.5 + 3 + 1) / 5, 5),  # E1 E2 and E9 (T6 is an incident)
    ("reactive_hours_per_user", 5.5 / 35, 35),
    ("tickets_per_client", 6 / 3, 3),
    ("effort_per_ticket", (1.5 + 3 + 1 + 0.75 + 3 + 2) / 6, 6),  # T8 includes E8 (Sep)
    ("proactive_hours_share", 100 * (1 + 0.75 + 2 + 1) / 10.25, 7),  # T3 T4 T7 of ticket hours
    ("avg_handle_time", 10.25 / 6, 6),  # T1 1.5, T2 3, T3 1, T4 .75, T6 1, T7 3
    ("managed_endpoints", 5, 5),
    # --- customer experience ---
    ("csat_positive_rate", 100 * 2 / 3, 3),  # 9 and 8 are >= 8
    ("csat_avg_score", 7.0, 3),
    ("csat_responses", 3, 3),
    ("csat_response_rate", 50.0, 6),  # 3 responses / 6 completed
    ("negative_feedback_rate", 100 / 3, 3),
    ("engineer_csat", 100 * (10 + 5 + 8) / 3 / 10, 3),
    ("client_csat", 60.0, 2),  # company ratings 8 and 4
    # --- revenue ---
    ("total_revenue", 2400.0, 5),
    ("recurring_revenue", 1600.0, 2),
    ("non_recurring_labor_revenue", 400.0, 2),
    ("mrr", 1600.0, 2),
    ("arr", 19200.0, 2),
    ("recurring_revenue_share", 100 * 1600 / 2400, 5),
    ("net_new_mrr", -200.0, 3),  # 1600 - 1800; Alfa +100, Beta -100, Gamma -200
    ("mrr_growth_rate", -100 * 200 / 1800, 3),
    ("gross_revenue_retention", 100 * 1500 / 1800, 3),  # min(1100,1000)+min(500,600)+0
    ("net_revenue_retention", 100 * 1600 / 1800, 3),
    ("client_churn_rate", 100 / 3, 3),  # Gamma
    ("revenue_churn_rate", 100 * 300 / 1800, 3),  # Beta 100 + Gamma 200
    ("client_retention_rate", 200 / 3, 3),
    ("avg_mrr_per_client", 800.0, 2),
    ("revenue_per_user", 1600 / 30, 30),  # Alfa 20 + Beta 10 users
    ("revenue_per_endpoint", 1600 / 5, 5),
    ("top3_client_concentration", 100.0, 2),  # only two clients billed
    ("managed_attach_rate", 100 * 2 / 3, 3),
    ("expiring_contracts", 2, 2),  # 301 and 304 end 31 Dec, within 60 days of 2 Nov
    # September: Aug had no recurring revenue, so growth is undefined
    ("mrr", 1800.0, 3, "2026-09"),
    ("net_new_mrr", 1800.0, 3, "2026-09"),
    ("mrr_growth_rate", None, 0, "2026-09"),
    # a period still running at the as-of (2 Nov): 2026 so far bills Jan..Nov (11 months
    # begun); recurring Sep 1800 + Oct 1600
    ("mrr", 3400 / 11, 3, "2026"),
    # August holds no tickets, entries or items: counts and sums of functions are 0, not null
    ("p1_incidents", 0, 0, "2026-08"),
    ("labour_cost", 0.0, 0, "2026-08"),
    ("client_contribution", 0.0, 0, "2026-08"),
    ("underwater_agreements", 0, 0, "2026-08"),
    # Q4 so far: October plus 2 of November's 30 days; reactive T1 T2 T5 over 5 endpoints
    ("reactive_tickets_per_endpoint", 3 / 5 / (1 + 2 / 30), 5, "2026-Q4"),
    # --- profitability ---
    ("labour_cost", 740.0, 8),
    ("client_effective_rate", 1600 / 10.25, 2),  # Alfa 5.5 h + Beta 4.75 h
    # contract 301: 1400 - 200 - (75+150+40) = 935; 302: 600 - 450 - 275 = -125
    ("agreement_gross_margin", 100 * 810 / 2000, 2),
    ("underwater_agreements", 1, 1),  # 302; n of a count is the count
    ("client_contribution", 1035.0 - 125.0, 2),  # Alfa 1800-500-265, Beta 600-450-275
    ("service_gross_margin", 100 * (2000 - 650 - 740) / 2000, 4),  # B1-B4 are services
    ("blended_gross_margin", 100 * (2400 - 950 - 740) / 2400, 5),
    ("product_gross_margin", 25.0, 1),  # B5: (400 - 300) / 400, the one charge
    ("recurring_to_tech_payroll", 1600 / (4400 * 52 / 12), 2),  # (40×50 + 40×60) × 52/12
    ("revenue_per_employee", 2400 * 12 / 2, 2),
    # Q4 so far: the fees B1 + B2 over the 2 months begun, the other 800 billed over October
    # plus 2 of November's 30 days; 2 FTE
    ("revenue_per_employee", (1600 / 2 + 800 / (1 + 2 / 30)) * 12 / 2, 2, "2026-Q4"),
    ("ms_revenue_per_employee", 1600 * 12 / 2, 2),
    # B3+B4 of the 6.5 approved billable hours × €100 (E5 and E9 are not approved yet)
    ("realization_rate", 100 * 400 / (6.5 * 100), 4),
    ("unbilled_billable_time", 3.0, 2),  # E5 (21 Oct) and E9 (8 Oct) never approved
    ("cost_per_ticket", 620 / 6, 6),  # 75+150+60+45+170+120
    ("cost_to_serve_per_user", 540 / 35, 35),  # Alfa 265 + Beta 275
    # Alfa labour 265 + recurring items' cost 200, Beta 275 + 450; Gamma's 5 users cost 0
    ("full_cost_per_user", (465 + 725) / 35, 35),
    # Alfa B1 1100 + labour B3 300, Beta B2 500 + B4 100 (B5 is a product sale)
    ("service_revenue_per_user", (1400 + 600) / 35, 35),
    # Q4 so far: the fees B1 + B2 over the 2 months begun (October, November), the hours
    # billed B3 + B4 over October plus 2 of November's 30 days
    ("service_revenue_per_user", (1600 / 2 + 400 / (1 + 2 / 30)) / 35, 35, "2026-Q4"),
    ("full_cost_per_user", (650 / 2 + 540 / (1 + 2 / 30)) / 35, 35, "2026-Q4"),
    ("dso", 1850 / (1650 / 31), 3),  # open I1+I3+I4 = 1850; invoiced I1+I4 = 1650
    ("open_receivables", 1850.0, 3),
    # a closed month: what was open when it closed (I2 30 Sep, paid 20 Oct; I3), not on 2 Nov
    ("open_receivables", 800.0, 2, "2026-09"),
    ("receivables_over_60_days", 200.0, 1),  # I3 due 15 Aug
    ("ar_over_60_days", 100 * 200 / 1850, 3),
    ("overdue_invoices", 1, 1),  # I3 (I4 is a credit note)
    ("gross_invoiced", 1700.0, 1),
    ("credit_notes", 50.0, 1),
    ("credit_note_rate", 100 * 50 / 1700, 1),
    ("block_hours_burn", 75.0, 1),  # 15 of 20 h
    ("project_hours_variance", 25.0, 1),  # (50 - 40) / 40
    # --- people ---
    ("hours_logged", 14.25, 8),
    ("non_billable_hours", 4.75, 2),
    ("non_billable_share", 100 * 4.75 / 14.25, 8),
    ("utilization", 100 * 10.25 / 352, 7),  # all but E7 are on tickets
    ("time_entry_compliance", 100 * 14.25 / 352, 8),
    ("same_day_entry_rate", 75.0, 8),  # E3 and E9 entered on a later day
    ("active_engineers", 2, 2),
    ("open_tickets_per_engineer", 1.0, 2),
    ("overloaded_engineers", 0, 0),  # Anna's 1 open ticket is far below the limit of 20
    ("tickets_closed_per_engineer", 3.0, 2),
    ("loaded_cost_per_hour", 740 / 14.25, 8),
    ("endpoints_per_tech", 2.5, 2),
    ("users_per_tech", 17.5, 2),
]

# (kpi, by, {dimension id: expected value}) on 2026-10
BY: list[tuple[str, str, dict[int | None, float | None]]] = [
    ("reactive_tickets_per_endpoint", "company", {1: 2 / 3, 2: 0.0}),
    ("labour_cost", "resource", {101: 475.0, 102: 225.0, 103: 40.0}),
    ("client_contribution", "company", {1: 1035.0, 2: -125.0}),
    ("mrr", "company", {1: 1100.0, 2: 500.0}),
    # Cees is inactive but has an hour: no available hours, so no value
    ("utilization", "resource", {101: 100 * 5.5 / 176, 102: 100 * 3.75 / 176, 103: None}),
    ("open_tickets_per_engineer", "resource", {101: 1.0, 102: 0.0}),
    ("effort_per_ticket", "resource", {101: 6.5 / 3, 102: 4.75 / 3}),
    ("first_touch_resolution", "queue", {5: 80.0, 6: 100.0}),
    ("csat_positive_rate", "company", {1: 50.0, 2: 100.0}),
    ("unassigned_tickets", "company", {3: 1}),
    ("kill_rate", "resource", {101: 3 / 2 * 100, 102: 100.0, None: 0.0}),
]


def _close(actual: float | int | None, expected: float | int | None) -> bool:
    if expected is None or actual is None:
        return actual is expected
    return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9)


def _tiles(engine: KpiEngine) -> dict[str, Tile]:
    """All KPIs for 2026-10 in one fused computation (with September as the previous window)."""
    ids = engine.catalog.ids()
    return {t.kpi.id: t for t in engine.tiles(ids, "2026-10", as_of=AS_OF, trend_points=2)}


@pytest.fixture(scope="module")
def duck_tiles(duck_engine: KpiEngine) -> dict[str, Tile]:
    return _tiles(duck_engine)


def _check(engine: KpiEngine, tiles: dict[str, Tile], case: tuple[Any, ...]) -> str | None:
    kpi, value, n, *rest = case
    if rest:
        period = rest[0]
        row = engine.values(kpi, period, as_of=AS_OF).rows[0]
        got, got_n = row.value, row.n
    else:
        period = "2026-10"
        got, got_n = tiles[kpi].value, tiles[kpi].n
    if _close(got, value) and got_n == n:
        return None
    return f"{kpi} {period}: got {got!r} (n={got_n}), expected {value!r} (n={n})"


@pytest.mark.parametrize("case", EXPECTED, ids=lambda c: "-".join(map(str, [c[0], *c[3:]])))
def test_value_duckdb(
    duck_engine: KpiEngine, duck_tiles: dict[str, Tile], case: tuple[Any, ...]
) -> None:
    assert _check(duck_engine, duck_tiles, case) is None


# a sample through `values()`, the path of `stip kpi values`: same numbers as the tiles
VALUES_SAMPLE = [
    "kill_rate",
    "avg_backlog_age",
    "stale_tickets",
    "mttr",
    "fcr_rate",
    "rhem",
    "csat_response_rate",
    "net_revenue_retention",
    "agreement_gross_margin",
    "dso",
    "utilization",
    "loaded_cost_per_hour",
]


@pytest.mark.parametrize("kpi", VALUES_SAMPLE)
def test_values_api_matches(duck_engine: KpiEngine, kpi: str) -> None:
    case = next(c for c in EXPECTED if c[0] == kpi and len(c) == 3)
    row = duck_engine.values(kpi, "2026-10", as_of=AS_OF).rows[0]
    assert _close(row.value, case[1]) and row.n == case[2]


def test_previous_period_in_tiles(duck_tiles: dict[str, Tile]) -> None:
    # September: recurring 1000 + 600 + 200; August had none, so growth is undefined
    assert duck_tiles["mrr"].previous == 1800.0
    assert duck_tiles["net_new_mrr"].previous == 1800.0
    assert duck_tiles["mrr_growth_rate"].previous is None
    assert duck_tiles["mrr"].trend == [1800.0, 1600.0]
    # September: T6 and T8 created, none completed -> kill rate 0
    assert duck_tiles["kill_rate"].previous == 0.0


@pytest.mark.parametrize("case", BY, ids=lambda c: f"{c[0]}-by-{c[1]}")
def test_by_dimension_duckdb(
    duck_engine: KpiEngine, case: tuple[str, str, dict[int | None, float | None]]
) -> None:
    kpi, by, expected = case
    rows = duck_engine.values(kpi, "2026-10", by=by, as_of=AS_OF).rows
    got = {row.by.get(f"{by}_id"): row.value for row in rows}
    assert set(got) == set(expected)
    for key, value in expected.items():
        assert _close(got[key], value), (key, got[key], value)


def test_counts_are_integers(duck_tiles: dict[str, Tile]) -> None:
    """A count is a whole number in JSON (12, not 12.0), whether YAML or a function makes it."""
    counts = [t for t in duck_tiles.values() if t.kpi.unit == "count"]
    assert len(counts) >= 15
    for tile in counts:
        assert type(tile.value) is int, (tile.kpi.id, tile.value)
        assert all(type(point) is int for point in tile.trend if point is not None), tile.kpi.id


def test_every_builtin_kpi_is_pinned(duck_engine: KpiEngine) -> None:
    assert {case[0] for case in EXPECTED} == set(duck_engine.catalog.ids())


@pytest.mark.postgres
def test_all_values_on_postgres(pg_engine: KpiEngine) -> None:
    """The same hand-computed values, on PostgreSQL (one database for the whole table)."""
    tiles = _tiles(pg_engine)
    problems = [p for case in EXPECTED if (p := _check(pg_engine, tiles, case))]
    assert problems == []
    for kpi in VALUES_SAMPLE:
        case = next(c for c in EXPECTED if c[0] == kpi and len(c) == 3)
        row = pg_engine.values(kpi, "2026-10", as_of=AS_OF).rows[0]
        assert _close(row.value, case[1]) and row.n == case[2], kpi


@pytest.mark.postgres
def test_by_dimension_on_postgres(pg_engine: KpiEngine) -> None:
    for kpi, by, expected in BY:
        rows = pg_engine.values(kpi, "2026-10", by=by, as_of=AS_OF).rows
        got = {row.by.get(f"{by}_id"): row.value for row in rows}
        assert set(got) == set(expected), kpi
        assert all(_close(got[k], v) for k, v in expected.items()), (kpi, got)


PER_TICKET = [
    "effort_per_ticket",
    "cost_per_ticket",
    "first_touch_resolution",
    "single_tech_resolution",
    "fcr_rate",
]


@pytest.mark.parametrize("kpi", PER_TICKET)
def test_per_ticket_kpis_of_a_period_without_completed_tickets(
    duck_engine: KpiEngine, kpi: str
) -> None:
    """January 2025 has no ticket completed: no value (not 0) and n 0; split, no rows."""
    rows = duck_engine.values(kpi, "2025-01", as_of=AS_OF).rows
    assert [(row.value, row.n) for row in rows] == [(None, 0)]
    assert duck_engine.values(kpi, "2025-01", by="company", as_of=AS_OF).rows == []
