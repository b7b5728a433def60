"""Contract §5 on a small store: records whose dimension is null form one row with
`"<dim>_id": null`, also for the business-hours KPIs (their statistics are computed in
pandas, not in the database); `n` of `billable_hours` counts the entries summed.

Three tickets on Wednesday 3 June 2026 (CEST, UTC+2), one assigned, two not:

| ticket | engineer | created | first response     | resolved           |
|--------|----------|---------|--------------------|--------------------|
| T1     | 1        | 09:00   | 10:00 (1 bh)       | 11:00 (2 bh)       |
| T2     | none     | 09:00   | 12:00 (3 bh)       | 13:00 (4 bh)       |
| T3     | none     | 10:00   | 10:30 (0.5 bh)     | 11:00 (1 bh)       |
"""

from __future__ import annotations

import pytest

from stip.semantic.catalog import KpiCatalog
from stip.semantic.engine import KpiEngine
from stip.settings import Settings
from stip.store.schema import Batch

from .conftest import BACKENDS, backend_store
from .msp_fixture import SRC, _entry, _resource, _rrd, _ticket

AS_OF = "2026-07-01T09:00"
DIMS = ["resource", "company", "queue", "priority", "team"]


def _june_3(ident: int, engineer: int | None, created: str, first: str, resolved: str) -> dict:
    """A ticket of 3 June (times in UTC); one with an engineer has every other dimension too."""
    assigned = engineer is not None
    return _ticket(
        ident,
        f"2026-06-03T{created}",
        res=engineer,
        company=100 if assigned else None,
        queue=5 if assigned else None,
        prio=1 if assigned else None,
        first=f"2026-06-03T{first}",
        completed=f"2026-06-03T{resolved}",
        resolved=f"2026-06-03T{resolved}",
    )


def _batch() -> Batch:
    batch = Batch()
    batch.add(
        "tickets",
        [
            _june_3(1, 1, "07:00", "08:00", "09:00"),
            _june_3(2, None, "07:00", "10:00", "11:00"),
            _june_3(3, None, "08:00", "08:30", "09:00"),
        ],
    )
    batch.add(
        "time_entries",
        [
            _entry(1, 1, "2026-06-03", 2.0, ticket=1),
            _entry(2, 1, "2026-06-04", None, ticket=1),  # type: ignore[arg-type]
            _entry(3, 1, "2026-06-05", 1.5, ticket=1, non_billable=True),
        ],
    )
    batch.add("resources", [_resource(1, "Jan", "de Vries", True)])
    batch.add("teams", [{"source_system": SRC, "id": 10, "name": "Servicedesk"}])
    batch.add("resource_role_departments", [_rrd(1, 1, 10, True)])
    return batch


@pytest.fixture(scope="module", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    catalog: KpiCatalog,
) -> KpiEngine:
    home = tmp_path_factory.mktemp("null-dim")
    return KpiEngine(backend_store(request, home, _batch()), Settings(home=home), catalog)


@pytest.mark.parametrize("by", DIMS)
@pytest.mark.parametrize(
    ("kpi", "assigned", "unassigned"),
    [
        # T1 alone; T2 and T3: median of 3 and 0.5
        ("first_response_hours_median", 1.0, 1.75),
        # T1 alone; T2 and T3: mean of 4 and 1
        ("resolution_hours_mean", 2.0, 2.5),
    ],
)
def test_business_hours_kpis_give_the_null_dimension_its_own_row(
    engine: KpiEngine, kpi: str, by: str, assigned: float, unassigned: float
) -> None:
    rows = engine.values(kpi, "2026-06", by=by, as_of=AS_OF).to_json()["rows"]
    got = [(row["by"][f"{by}_id"], row["value"], row["n"]) for row in rows]
    ids = {"resource": 1, "company": 100, "queue": 5, "priority": 1, "team": 10}
    assert got == [(ids[by], pytest.approx(assigned), 1), (None, pytest.approx(unassigned), 2)]


@pytest.mark.parametrize("kpi", ["first_response_hours_median", "resolution_hours_mean"])
def test_business_hours_kpis_without_a_split(engine: KpiEngine, kpi: str) -> None:
    """Median of 1, 3, 0.5 is 1; mean of 2, 4, 1 is 7/3."""
    row = engine.values(kpi, "2026-06", as_of=AS_OF).to_json()["rows"][0]
    expected = 1.0 if kpi == "first_response_hours_median" else 7 / 3
    assert (row["value"], row["n"]) == (pytest.approx(expected), 3)


def test_billable_hours_n_counts_the_entries_summed(engine: KpiEngine) -> None:
    """E1 2 h; E2 has no hours (nothing to sum); E3 is non-billable: 2.0 h from 1 entry."""
    row = engine.values("billable_hours", "2026-06", as_of=AS_OF).to_json()["rows"][0]
    assert (row["value"], row["n"]) == (2.0, 1)
    split = engine.values("billable_hours", "2026-06", by="resource", as_of=AS_OF).to_json()
    assert [(r["by"]["resource_id"], r["value"], r["n"]) for r in split["rows"]] == [(1, 2.0, 1)]
