"""KPI texts may read the dimension columns (`dim_resource`, ...; docs/kpi-authoring.md), with
or without `--by`. They were only there when `--by` asked for that same dimension, so such a
KPI passed `stip kpi validate` and then failed with an internal error (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.settings import Settings
from stip.store.schema import Batch
from stip.store.store import open_store

from .msp_fixture import _entry, _ticket

AS_OF = "2026-11-02T09:00"

KPIS = """\
kpis:
  - id: assigned_created
    name: {en: Assigned tickets created, nl: Toegewezen nieuwe tickets}
    description: {en: d, nl: d}
    formula: {en: f, nl: f}
    unit: count
    direction: higher_better
    group: ticket_flow
    roles: [teamlead]
    dimensions: [resource, company]
    measure:
      type: count
      base: tickets
      time: create_date
      where: ["_.dim_resource.notnull()"]
    actions:
      fields: [dim_company]
      what: {en: look, nl: kijk}
      why: {en: assigned, nl: toegewezen}
  - id: acme_hours
    name: {en: Hours for Acme, nl: Uren voor Acme}
    description: {en: d, nl: d}
    formula: {en: f, nl: f}
    unit: h
    direction: higher_better
    group: workload
    roles: [teamlead]
    dimensions: [resource]
    measure:
      type: sum
      base: time_entries
      time: date_worked
      value: _.hours_worked
      where: ["_.dim_company == 1"]
  - id: clients_served
    name: {en: Clients served, nl: Bediende klanten}
    description: {en: d, nl: d}
    formula: {en: f, nl: f}
    unit: count
    direction: higher_better
    group: ticket_flow
    roles: [teamlead]
    dimensions: [resource]
    measure:
      type: count_distinct
      base: tickets
      time: create_date
      value: _.company_id
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> KpiEngine:
    """October 2026: T1 (resource 10, company 1), T2 (nobody, company 1), T3 (resource 20,
    company 2), T4 (nobody, company 2); 1.5 h on T1 and 2 h on T3 by resource 10."""
    home = tmp_path_factory.mktemp("dims")
    (home / "kpis").mkdir()
    (home / "kpis" / "mine.yaml").write_text(KPIS)
    store = open_store(str(Path(home) / "stip.duckdb"))
    batch = Batch()
    batch.add(
        "tickets",
        [
            _ticket(1, "2026-10-05T10:00", res=10, company=1, queue=None, prio=None),
            _ticket(2, "2026-10-06T10:00", res=None, company=1, queue=None, prio=None),
            _ticket(3, "2026-10-07T10:00", res=20, company=2, queue=None, prio=None),
            _ticket(4, "2026-10-08T10:00", res=None, company=2, queue=None, prio=None),
        ],
    )
    batch.add(
        "time_entries",
        [_entry(1, 10, "2026-10-05", 1.5, ticket=1), _entry(2, 10, "2026-10-07", 2.0, ticket=3)],
    )
    store.apply(batch)
    return KpiEngine(store, Settings(home=home), load_catalog(home=home))


def _values(engine: KpiEngine, kpi: str, by: str | None) -> dict[object, object]:
    rows = engine.values(kpi, "2026-10", by=by, as_of=AS_OF).to_json()["rows"]
    return {tuple(row["by"].values())[:1]: row["value"] for row in rows}


def test_a_dimension_column_in_a_condition_works_with_any_by(engine: KpiEngine) -> None:
    assert _values(engine, "assigned_created", None) == {(): 2}
    assert _values(engine, "assigned_created", "company") == {(1,): 1, (2,): 1}
    assert _values(engine, "assigned_created", "resource") == {(10,): 1, (20,): 1}
    assert _values(engine, "acme_hours", None) == {(): 1.5}
    assert _values(engine, "acme_hours", "resource") == {(10,): 1.5}


def test_a_dimension_column_in_an_action_list(engine: KpiEngine) -> None:
    rows = engine.actions("assigned_created", "2026-10", as_of=AS_OF).to_json()["rows"]
    assert sorted((row["ticket_id"], row["dim_company"]) for row in rows) == [(1, 1), (3, 2)]


def test_a_distinct_count_is_a_whole_number(engine: KpiEngine) -> None:
    """It came out as 26.0 where every other count is 26."""
    rows = engine.values("clients_served", "2026-10", as_of=AS_OF).to_json()["rows"]
    assert [(r["value"], r["n"]) for r in rows] == [(2, 4)]
    assert isinstance(rows[0]["value"], int)
    empty = engine.values("clients_served", "2026-09", as_of=AS_OF).to_json()["rows"]
    assert [(r["value"], r["n"]) for r in empty] == [(0, 0)]
    assert _values(engine, "clients_served", "resource") == {(10,): 1, (20,): 1, (None,): 2}
