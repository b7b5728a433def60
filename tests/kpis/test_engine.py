"""Tiles, action lists, scopes, caching and "no data" on the hand-made MSP (both backends)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from stip.errors import QueryError
from stip.semantic.catalog import KpiCatalog, validate_dirs
from stip.semantic.engine import KpiEngine
from stip.semantic.query import Scope
from stip.settings import Settings
from stip.store.schema import Batch
from stip.store.store import Store, open_store

from .msp_fixture import build_batch

AS_OF = "2026-10-28T10:00"


def test_tiles_value_previous_last_year_and_trend(engine: KpiEngine) -> None:
    tiles = engine.tiles(
        ["tickets_created", "billable_utilization", "first_response_hours_median"],
        "2026-10",
        as_of=AS_OF,
        trend_points=3,
    )
    created, utilization, response = tiles
    # The store holds data up to 31 October, after the as-of: October's value is the whole
    # month, so it is compared with whole months. August: none; September: T5; October: 7.
    assert (created.value, created.previous, created.last_year) == (7, 1, 0)
    assert created.trend == [0, 1, 7]
    assert created.previous_period is not None and created.last_year_period is not None
    assert created.previous_period.spec == "2026-09"
    assert created.last_year_period.spec == "2025-10-01..2025-10-31"
    assert created.status == "none" and created.target is None
    # September: E7 1 h billable / (22 business days x 20 h)
    assert utilization.previous == pytest.approx(100 / 440)
    assert utilization.value == pytest.approx(1150 / 440)
    assert utilization.status == "red" and utilization.actions == []
    # September: T5 answered on a Sunday -> 0 business hours; August: no tickets -> null
    assert response.trend == [None, 0.0, 2.0]
    assert response.status == "amber"  # target 1, amber up to 4
    assert response.data_as_of is not None


def test_totals_so_far_compare_with_the_same_days(
    fresh_store: Store, catalog: KpiCatalog, tmp_path: Path
) -> None:
    """The last sync's data is as of Friday 9 October 12:00: a live view of October so far.
    Tickets created 1-9 October: T1 (5th), T2 (9th) = 2; 1-9 September: none; the whole of
    September: T5 (20th). Hours booked 1-9 October vs 1-9 September: a total too; the SLA
    rate is a rate and keeps the whole of September."""
    batch = Batch()
    state = {"source_system": "autotask", "entity": "Tickets"}
    batch.add("sync_state", [{**state, "data_as_of": datetime(2026, 10, 9, 10)}])
    fresh_store.apply(batch)
    engine = KpiEngine(fresh_store, Settings(home=tmp_path / "h"), catalog)
    created, rate = engine.tiles(
        ["tickets_created", "sla_met_rate"], "this-month", as_of="2026-10-09T12:00"
    )
    assert created.value == 7  # the period is never cut at the as-of
    assert created.previous_period is not None and created.last_year_period is not None
    assert created.previous_period.spec == "2026-09-01..2026-09-09"
    assert created.last_year_period.spec == "2025-10-01..2025-10-09"
    assert (created.previous, created.trend[-2]) == (0, 1)
    assert rate.previous_period is not None and rate.previous_period.spec == "2026-09"


def test_red_tiles_carry_their_first_three_actions(engine: KpiEngine) -> None:
    (low,) = engine.tiles(["csat_low_responses"], "2026-10", as_of=AS_OF)
    assert low.status == "red" and low.value == 3
    assert [a["ticket_id"] for a in low.actions] == [3, 2, 2]  # newest first


def test_overdue_actions_list_tickets_with_their_assignee(engine: KpiEngine) -> None:
    data = engine.actions("overdue_tickets", as_of=AS_OF).to_json()
    assert data["kpi"] == "overdue_tickets"
    assert data["as_of"] == "2026-10-28T10:00:00+01:00"
    rows = data["rows"]
    # ordered by due date: T10 (22 Oct, unassigned) then T3 (27 Oct, Anna Bakker)
    assert [r["ticket_id"] for r in rows] == [10, 3]
    assert (rows[0]["person_id"], rows[0]["person"]) == (None, None)
    assert rows[1]["person_id"] == 2 and rows[1]["person"] == "Anna Bakker"
    assert rows[1]["resource_id"] == 2 and rows[1]["company_id"] == 200
    assert rows[1]["ticket_number"] == "T2026.0003" and rows[1]["title"] == "Ticket 3"
    assert rows[1]["due_date_time"] == "2026-10-27T11:00:00+01:00"
    assert rows[1]["what"]["en"] == "Work on ticket T2026.0003: Ticket 3"
    assert rows[1]["why"]["nl"] == (
        "De vervaldatum was 2026-10-27 11:00 en het ticket staat nog open."
    )


def test_csat_low_actions_one_row_per_survey_result(engine: KpiEngine) -> None:
    rows = engine.actions("csat_low_responses", "2026-10", as_of=AS_OF).to_json()["rows"]
    assert [(r["survey_result_id"], r["ticket_id"], r["survey_rating"]) for r in rows] == [
        (3, 3, 5.0),
        (4, 2, 3.0),
        (2, 2, 4.0),
    ]
    first = rows[0]
    assert (first["person"], first["company"], first["contact"]) == (
        "Anna Bakker",
        "Globex",
        "Lisa Lid",
    )
    # the brief: a name and a phone number to call back (her mobile: no office phone)
    assert first["contact_phone"] == "+31 6 5555 0101"
    assert first["what"] == {
        "en": "Call Lisa Lid at Globex back on +31 6 5555 0101 about ticket T2026.0003",
        "nl": "Bel Lisa Lid van Globex terug op +31 6 5555 0101 over ticket T2026.0003",
    }


def test_csat_low_action_without_company_or_contact_reads_them_from_its_ticket(
    tmp_path: Path, catalog: KpiCatalog
) -> None:
    """Survey 3 (ticket 3, rated 5) without company and contact: the one to call back is
    ticket 3's contact at ticket 3's company, not "Call — at —"."""
    store = open_store(str(tmp_path / "survey.duckdb"))
    batch = build_batch()
    batch.upserts["tickets"] = [
        {**row, "contact_id": 501} if row["id"] == 3 else row for row in batch.upserts["tickets"]
    ]
    batch.upserts["survey_results"] = [
        {**row, "company_id": None, "contact_id": None} if row["id"] == 3 else row
        for row in batch.upserts["survey_results"]
    ]
    store.apply(batch)
    engine = KpiEngine(store, Settings(home=tmp_path / "h"), catalog)
    first = engine.actions("csat_low_responses", "2026-10", as_of=AS_OF).to_json()["rows"][0]
    assert (first["survey_result_id"], first["company_id"], first["contact_id"]) == (3, 200, 501)
    assert (first["company"], first["contact"]) == ("Globex", "Lisa Lid")
    assert first["what"]["en"] == (
        "Call Lisa Lid at Globex back on +31 6 5555 0101 about ticket T2026.0003"
    )
    # the count by client still follows the survey's own company (contract §4): a null row
    by_company = engine.values("csat_low_responses", "2026-10", by="company", as_of=AS_OF)
    assert [(r.by["company_id"], r.value) for r in by_company.rows] == [(100, 2), (None, 1)]


def test_kpis_without_actions_return_an_empty_list(engine: KpiEngine) -> None:
    assert engine.actions("tickets_created", "2026-10", as_of=AS_OF).rows == []


@pytest.mark.parametrize(
    ("scope", "created", "utilization", "rate"),
    [
        (Scope(resource_id=1), 4, 200 / 176, None),
        (Scope(team_id=10), 5, 500 / 352, None),
        (Scope(company_id=100), 4, None, 300 / 3.5),
    ],
)
def test_scope(
    engine: KpiEngine, scope: Scope, created: int, utilization: float | None, rate: float | None
) -> None:
    def value(kpi: str) -> float | int | None:
        return engine.values(kpi, "2026-10", as_of=AS_OF, scope=scope).rows[0].value

    assert value("tickets_created") == created
    assert value("billable_utilization") == (utilization and pytest.approx(utilization))
    assert value("effective_hourly_rate") == (rate and pytest.approx(rate))


def test_scoped_actions_only_show_the_scope(engine: KpiEngine) -> None:
    rows = engine.actions("overdue_tickets", as_of=AS_OF, scope=Scope(resource_id=2)).rows
    assert [r["ticket_id"] for r in rows] == [3]


def test_bad_dimension_and_unknown_kpi_are_query_errors(engine: KpiEngine) -> None:
    with pytest.raises(QueryError, match="cannot be split by company"):
        engine.values("billable_utilization", "2026-10", by="company")
    with pytest.raises(QueryError, match="not a dimension"):
        engine.values("tickets_created", "2026-10", by="colour")
    with pytest.raises(QueryError, match="Did you mean 'tickets_created'"):
        engine.values("tickets_creatd", "2026-10")
    with pytest.raises(QueryError, match="period '2026-13'"):
        engine.values("tickets_created", "2026-13")


def test_now_as_of_is_truncated_to_the_minute(engine: KpiEngine) -> None:
    result = engine.values("tickets_created", "2026-10")
    assert result.as_of.second == 0 and result.as_of.microsecond == 0
    assert abs((datetime.now(result.as_of.tzinfo) - result.as_of).total_seconds()) < 120


@pytest.fixture
def fresh_store(tmp_path: Path) -> Store:
    store = open_store(str(tmp_path / "fresh.duckdb"))
    store.apply(build_batch())
    return store


def test_cache_follows_the_data_version(fresh_store: Store, catalog: KpiCatalog, tmp_path: Path):
    engine = KpiEngine(fresh_store, Settings(home=tmp_path / "h"), catalog)
    first = engine.values("tickets_created", "2026-10", as_of=AS_OF)
    assert engine.values("tickets_created", "2026-10", as_of=AS_OF).rows == first.rows
    batch = Batch()
    batch.add(
        "tickets",
        [{"source_system": "autotask", "id": 99, "create_date": datetime(2026, 10, 2, 9)}],
    )
    fresh_store.apply(batch)
    assert engine.values("tickets_created", "2026-10", as_of=AS_OF).rows[0].value == 8


def test_missing_psa_data_shows_no_data(tmp_path: Path, catalog: KpiCatalog) -> None:
    store = open_store(str(tmp_path / "nofr.duckdb"))
    batch = build_batch()
    # new rows: the fixture's own row dicts are shared with every other module's store
    tickets = batch.upserts["tickets"]
    batch.upserts["tickets"] = [{**row, "first_response_date_time": None} for row in tickets]
    store.apply(batch)
    engine = KpiEngine(store, Settings(home=tmp_path / "h"), catalog)
    result = engine.values("first_response_hours_median", "2026-10", as_of=AS_OF)
    assert result.no_data and result.rows[0].value is None
    (tile,) = engine.tiles(["first_response_hours_median"], "2026-10", as_of=AS_OF)
    assert tile.no_data and tile.value is None and tile.status == "none"
    assert engine.values("tickets_created", "2026-10", as_of=AS_OF).rows[0].value == 7


def test_moving_as_of_recomputes_only_what_depends_on_it(
    fresh_store: Store, catalog: KpiCatalog, tmp_path: Path
) -> None:
    from stip.semantic.compute import QUERY_LOG

    engine = KpiEngine(fresh_store, Settings(home=tmp_path / "h"), catalog)
    kpis = ["tickets_created", "overdue_tickets"]
    engine.tiles(kpis, "2026-10", as_of="2026-10-29T08:00", trend_points=3)
    log: list[tuple[str, float]] = []
    token = QUERY_LOG.set(log)
    later = engine.tiles(kpis, "2026-10", as_of="2026-10-29T10:00", trend_points=3)
    QUERY_LOG.reset(token)
    # One query: overdue_tickets for the current window only (the as-of moved inside it,
    # on the same day, so the "so far" windows of the comparisons stay the same).
    assert len(log) == 1 and "tickets_created" not in log[0][0]
    assert '"p_as_of"' in log[0][0] and '"p_idx"' in log[0][0]
    # T10 was completed on the 29th at 09:00Z: only T3 is still overdue
    assert [t.value for t in later] == [7, 1]


BILLED = """\
kpis:
  - id: billed
    name: {en: Billed, nl: Gefactureerd}
    description: {en: d, nl: d}
    formula: {en: f, nl: f}
    unit: "€"
    direction: higher_better
    group: revenue
    roles: [finance]
    grain: month
    measure: {type: sum, base: billing_items, time: item_date, value: _.extended_price}
"""


def test_a_month_grain_kpi_shows_a_week_as_its_month(store: Store, tmp_path: Path) -> None:
    """Billing runs monthly: a weekly team-lead dashboard showed 0 % attach rate, MRR 0 and
    22 loss-making contracts for a week without invoices. October billing: 300 on the 15th,
    700 on the 31st, 50 on the 10th (1,050); November: 999 on the 1st."""
    folder = tmp_path / "kpis"
    folder.mkdir()
    (folder / "billed.yaml").write_text(BILLED)
    catalog, issues = validate_dirs([folder])
    assert issues == []
    engine = KpiEngine(store, Settings(home=tmp_path / "h"), catalog)
    week = engine.values("billed", "2026-W43", as_of=AS_OF).to_json()  # 19-25 October
    assert week["period"] == {
        "start": "2026-10-01T00:00:00+02:00",
        "end": "2026-11-01T00:00:00+01:00",
    }
    assert week["rows"][0]["value"] == 1050.0
    tile = engine.tiles(["billed"], "this-week", as_of="2026-11-04T10:00")[0]
    assert (tile.period.spec, tile.value, tile.previous) == ("2026-11", 999.0, 1050.0)
    assert engine.values("billed", "2026-Q4", as_of=AS_OF).rows[0].value == 2049.0
