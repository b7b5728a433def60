"""Catalogue KPIs on variants of the hand-checkable MSP, where one fact changes the answer.

Each store is the fixture (catalogue_fixture.py) with a few rows changed; the expected values
are worked out from the facts in test_catalogue_values.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.settings import load_settings
from stip.store.schema import Batch
from stip.store.store import open_store

from .catalogue_fixture import AS_OF, batch

Row = dict[str, object]


def _variant(
    home: Path, change: Callable[[str, Row], Row | None], url: str | None = None
) -> KpiEngine:
    """The fixture with `change(table, row)` applied to every row (None drops the row)."""
    varied = Batch()
    for table, rows in batch().upserts.items():
        kept = [new for row in rows if (new := change(table, dict(row))) is not None]
        if kept:
            varied.add(table, kept)
    store = open_store(url or str(home / "stip.duckdb"))
    store.apply(varied)
    return KpiEngine(store, load_settings(home), load_catalog(home=home))


def _value(engine: KpiEngine, kpi: str, period: str = "2026-10") -> tuple[object, int]:
    row = engine.values(kpi, period, as_of=AS_OF).rows[0]
    return row.value, row.n


# --- managed_attach_rate: only active customers, on both sides of the ratio -------------------


def _beta_offboarded(table: str, row: Row) -> Row:
    if table == "companies" and row["id"] == 2:
        row["is_active"] = False
    return row


def test_attach_rate_leaves_out_a_client_offboarded_since(tmp_path: Path) -> None:
    # Alfa and Beta were billed recurring revenue in October; Beta is no longer active, so
    # the active customers are Alfa and Gamma and only Alfa of them was billed: 1 / 2
    engine = _variant(tmp_path, _beta_offboarded)
    assert _value(engine, "managed_attach_rate") == (50.0, 2)


# --- repeat_incident_rate: same client and issue type; the sub-issue type does not matter -----


def _sub_issues(table: str, row: Row) -> Row:
    if table == "tickets":
        row["sub_issue_type"] = {1001: 7, 1002: 8, 1006: 9}.get(int(str(row["id"])))
    return row


def test_repeat_incidents_ignore_the_sub_issue_type(tmp_path: Path) -> None:
    # T1 still follows T6/T8 and T2 still follows T1 (same client, issue type 10), though
    # each now has another sub-issue type: 2 of the 3 reactive tickets created in October
    engine = _variant(tmp_path, _sub_issues)
    value, n = _value(engine, "repeat_incident_rate")
    assert n == 3 and value == pytest.approx(100 * 2 / 3)


# --- "no data" when the PSA lacks the input, never a made-up number ---------------------------

EMPTIED = {
    "tickets": (
        "resolved_date_time",
        "first_response_date_time",
        "last_customer_visible_activity_date_time",
        "resolution_plan_date_time",
        "source",
    )
}
DROPPED = ("billing_items", "survey_results")
# Each reads one of the inputs above; before they declared it, each showed a number here
# (0 %, 0, every contract loss-making, open tickets as unanswered or stale, ...).
NEEDY = [
    "fcr_rate",
    "sla_compliance_overall",
    "sla_breaches",
    "unanswered_tickets",
    "sla_response_compliance",
    "sla_plan_compliance",
    "stale_tickets",
    "self_service_share",
    "underwater_agreements",
    "revenue_per_employee",
    "realization_rate",
    "client_contribution",
    "csat_response_rate",
]


def _without_inputs(table: str, row: Row) -> Row | None:
    if table in DROPPED:
        return None
    for column in EMPTIED.get(table, ()):
        row[column] = None
    return row


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> KpiEngine:
    return _variant(tmp_path_factory.mktemp("bare-inputs"), _without_inputs)


@pytest.mark.parametrize("kpi", NEEDY)
def test_missing_input_shows_no_data(bare: KpiEngine, kpi: str) -> None:
    result = bare.values(kpi, "2026-10", as_of=AS_OF)
    assert result.no_data
    assert [row.value for row in result.rows] == [None]


def test_kpis_with_their_inputs_still_count(bare: KpiEngine) -> None:
    # the tickets and entries are there: T1-T5 and T7 created in October, 14.25 h worked
    assert _value(bare, "tickets_created") == (6, 6)
    assert _value(bare, "hours_logged") == (14.25, 8)


@pytest.mark.postgres
def test_variants_on_postgres(pg_url: str, tmp_path: Path) -> None:
    engine = _variant(tmp_path, _beta_offboarded, pg_url)
    assert _value(engine, "managed_attach_rate") == (50.0, 2)
