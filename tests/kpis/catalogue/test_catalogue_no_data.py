"""KPIs that need data a PSA may lack show "no data" (null), never a wrong number.

The store here is the fixture with the optional data taken away: no configuration items,
invoices, hour blocks, projects or role rates; no user counts, internal costs, engineer or
company ratings, SLA due times, issue types, contract services, item costs or billing
approvals.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.settings import load_settings
from stip.store.schema import Batch
from stip.store.store import open_store

from .catalogue_fixture import AS_OF, batch

DROPPED_TABLES = ("configuration_items", "invoices", "contract_blocks", "projects", "roles")
NULLED = {
    "companies": ("user_count",),
    "resources": ("internal_cost",),
    "survey_results": ("resource_rating", "company_rating"),
    "tickets": (
        "first_response_due_date_time",
        "resolution_plan_due_date_time",
        "resolved_due_date_time",
        "issue_type",
    ),
    "billing_items": ("service_id", "our_cost"),
    "time_entries": ("billing_approval_date_time",),
    "contracts": ("end_date",),
}
MISSING = {f"{table}.{column}" for table, columns in NULLED.items() for column in columns} | {
    "configuration_items.id",
    "invoices.invoice_total",
    "invoices.due_date",
    "contract_blocks.hours",
    "projects.estimated_time",
    "roles.hourly_rate",
}


def _bare_batch() -> Batch:
    full = batch()
    bare = Batch()
    for table, rows in full.upserts.items():
        if table in DROPPED_TABLES:
            continue
        gone = NULLED.get(table, ())
        bare.add(table, [{k: (None if k in gone else v) for k, v in row.items()} for row in rows])
    return bare


@pytest.fixture(scope="module")
def bare_engine(tmp_path_factory: pytest.TempPathFactory) -> KpiEngine:
    home: Path = tmp_path_factory.mktemp("bare")
    store = open_store(str(home / "stip.duckdb"))
    store.apply(_bare_batch())
    return KpiEngine(store, load_settings(home), load_catalog(home=home))


def test_kpis_needing_missing_data_show_no_data(bare_engine: KpiEngine) -> None:
    needy = [k for k in bare_engine.catalog if set(k.requires) & MISSING]
    assert len(needy) >= 40
    for kpi in needy:
        result = bare_engine.values(kpi.id, "2026-10", as_of=AS_OF)
        assert result.no_data, kpi.id
        assert [row.value for row in result.rows] == [None], kpi.id
        assert result.rows[0].status == "none", kpi.id


def test_other_kpis_still_compute(bare_engine: KpiEngine) -> None:
    # hand-computed on the full fixture; none of these needs the removed data
    assert bare_engine.values("tickets_created", "2026-10", as_of=AS_OF).rows[0].value == 6
    assert bare_engine.values("total_revenue", "2026-10", as_of=AS_OF).rows[0].value == 2400.0
    assert bare_engine.values("csat_avg_score", "2026-10", as_of=AS_OF).rows[0].value == 7.0
    assert bare_engine.values("hours_logged", "2026-10", as_of=AS_OF).rows[0].value == 14.25
