"""The price simulator and the two KPIs behind it, on pricing_fixture.py (October 2026).

Erik costs EUR 50 an hour; the margin target is agreement_gross_margin's (65 %), so a client
needs cost / 0.35 per user; the price is EUR 150 and re-pricing goes up to 25 % above it
(187.50). Per client (users; services billed; labour + direct cost of the services):

- Keep (10): fee 800 (the product sale of 1,000 is left out); 5 h = 250 + licences 100.
  Today 80, cost 35, needs 100: keep. 5 reactive hours / 10 users = 0.5 (amber).
- Band (10): a block of hours of 1,000; 12 h = 600. Today 100, cost 60, needs 171.43:
  within 187.50, re-price.
- Pays (2): 10 h billed for 2,000; 10 h = 500. Today 1,000, cost 250, needs 714.29: far
  above the band, but it pays more than that today: re-price. 10 reactive h / 2 users: red.
- Scope (4): fee 400; 10 reactive h = 500. Today 100, cost 125, needs 357.14; 2.5 reactive
  hours per user is red: change scope.
- Exit (5): fee 250 whose licences cost 500; 4 h (a request) = 200. Today 50, cost 140,
  needs 400, normal load: exit.
- Uncounted: no user count in the PSA: not judged, and its money is in no figure per user.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from stip.errors import QueryError
from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.semantic.pricing import COST, REVENUE, Simulation, simulate
from stip.settings import Settings
from stip.store.schema import Batch
from stip.store.store import open_store

from .pricing_fixture import BAND, CLIENTS, EXIT, KEEP, PAYS, SCOPE, UNCOUNTED, load

AS_OF = "2026-11-02T10:00"
NEEDS = 1 / 0.35


def engine_on(url: str, home: Path, *extra: tuple[str, list[dict[str, object]]]) -> KpiEngine:
    """The fixture on `url`, with `extra` (table, rows) upserted over it."""
    store = open_store(url)
    batch = Batch()
    load(batch)
    for table, rows in extra:
        batch.add(table, rows)
    store.apply(batch)
    return KpiEngine(store, Settings(home=home), load_catalog(home=home))


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> KpiEngine:
    home = tmp_path_factory.mktemp("pricing")
    return engine_on(str(home / "stip.duckdb"), home)


def run(engine: KpiEngine, price: float = 150.0) -> Simulation:
    return simulate(engine, CLIENTS, price, 25.0, "2026-10", AS_OF)


def per_client(engine: KpiEngine, kpi_id: str) -> dict[int, tuple[float, int]]:
    (result,) = engine.many_values([kpi_id], "2026-10", "company", AS_OF)
    return {row.by["company_id"]: (row.value, row.n) for row in result.rows}


def test_service_revenue_per_user_by_client(engine: KpiEngine) -> None:
    assert per_client(engine, REVENUE) == {
        KEEP: (pytest.approx(80.0), 10),  # the product sale is no service
        BAND: (pytest.approx(100.0), 10),  # a block of hours is
        PAYS: (pytest.approx(1000.0), 2),
        SCOPE: (pytest.approx(100.0), 4),
        EXIT: (pytest.approx(50.0), 5),
    }


def test_full_cost_per_user_by_client(engine: KpiEngine) -> None:
    assert per_client(engine, COST) == {
        KEEP: (pytest.approx(35.0), 10),
        BAND: (pytest.approx(60.0), 10),
        PAYS: (pytest.approx(250.0), 2),
        SCOPE: (pytest.approx(125.0), 4),
        EXIT: (pytest.approx(140.0), 5),
    }


@pytest.mark.parametrize(
    ("kpi_id", "expected"),
    [
        (REVENUE, (800 + 1000 + 2000 + 400 + 250) / 31),
        (COST, (350 + 600 + 500 + 500 + 700) / 31),
        # Uncounted's hour (EUR 50) is no longer spread over the other clients' users
        ("cost_to_serve_per_user", (250 + 600 + 500 + 500 + 200) / 31),
    ],
)
def test_totals_leave_out_clients_without_a_user_count(
    engine: KpiEngine, kpi_id: str, expected: float
) -> None:
    (result,) = engine.many_values([kpi_id], "2026-10", None, AS_OF)
    assert [(row.value, row.n) for row in result.rows] == [(pytest.approx(expected), 31)]


def test_verdict_and_figures_per_client(engine: KpiEngine) -> None:
    sim = run(engine)
    assert sim.judged and sim.terms.margin == 65.0
    rows = {row.company_id: row for row in sim.rows}
    assert {cid: sim.verdict(row) for cid, row in rows.items()} == {
        KEEP: "keep",
        BAND: "reprice",
        PAYS: "reprice",
        SCOPE: "scope",
        EXIT: "exit",
        UNCOUNTED: None,
    }
    keep = rows[KEEP]
    assert keep.needed(sim.terms) == pytest.approx(35 * NEEDS)  # 100
    assert keep.margin(150.0) == pytest.approx(100 * 115 / 150)
    assert keep.change(150.0) == pytest.approx(10 * 70)
    assert (keep.load.value, keep.load.status) == (pytest.approx(0.5), "amber")
    assert rows[BAND].needed(sim.terms) == pytest.approx(60 * NEEDS)  # 171.43
    assert rows[PAYS].change(150.0) == pytest.approx(2 * (150 - 1000))
    assert rows[PAYS].load.status == "red"
    assert rows[EXIT].margin(150.0) == pytest.approx(100 * 10 / 150)
    uncounted = rows[UNCOUNTED]
    assert (uncounted.users, uncounted.today, uncounted.cost) == (None, None, None)
    assert uncounted.change(150.0) is None


def test_sensitivity_applies_the_same_rules_at_each_price(engine: KpiEngine) -> None:
    steps = {step.price: step for step in run(engine).steps()}
    assert list(steps) == [90, 105, 120, 135, 150, 165, 180, 195, 210]
    # at 90 Keep (needs 100) is within the band (112.50); Band (171.43) is not and pays 100
    assert steps[90].counts == {"keep": 0, "reprice": 2, "scope": 1, "exit": 2}
    assert steps[150].counts == {"keep": 1, "reprice": 2, "scope": 1, "exit": 1}
    assert steps[210].counts == {"keep": 2, "reprice": 1, "scope": 1, "exit": 1}
    judged = steps[150]
    assert judged.revenue == pytest.approx(31 * 150)
    assert judged.today == pytest.approx(4450.0)
    assert judged.margin == pytest.approx(100 * (4650 - 2650) / 4650)
    assert steps[90].margin == pytest.approx(100 * (2790 - 2650) / 2790)


def test_margin_target_follows_an_override(tmp_path: Path) -> None:
    """With a 50 % margin target Band needs 60 / 0.5 = 120: it fits at 150."""
    kpis = tmp_path / "kpis"
    kpis.mkdir()
    (kpis / "targets.yaml").write_text(
        "targets:\n  agreement_gross_margin: {target: 50, amber: 40}\n", encoding="utf-8"
    )
    sim = run(engine_on(str(tmp_path / "stip.duckdb"), tmp_path))
    assert sim.terms.margin == 50.0
    band = next(row for row in sim.rows if row.company_id == BAND)
    assert band.needed(sim.terms) == pytest.approx(120.0)
    assert sim.verdict(band) == "keep"


def test_no_user_counts_anywhere_judges_nothing(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "stip.duckdb"))
    batch = Batch()
    load(batch)
    batch.upserts["companies"] = [{**c, "user_count": None} for c in batch.upserts["companies"]]
    store.apply(batch)
    engine = KpiEngine(store, Settings(home=tmp_path), load_catalog(home=tmp_path))
    sim = run(engine)
    assert sim.missing == ["companies.user_count"]
    assert not sim.judged
    assert [sim.verdict(row) for row in sim.rows] == [None] * len(CLIENTS)
    assert all(step.counts == dict.fromkeys(step.counts, 0) for step in sim.steps())


@pytest.mark.parametrize("price", [0.0, -10.0, 0.009, 1e-26, 100_001.0, float("nan")])
def test_a_price_out_of_range_is_a_clear_error(engine: KpiEngine, price: float) -> None:
    with pytest.raises(QueryError, match="price per user .* out of range"):
        run(engine, price)


def test_json_names_every_figure(engine: KpiEngine) -> None:
    data = run(engine).to_json()
    assert (data["price"], data["margin_target"], data["band"]) == (150.0, 65.0, 25.0)
    assert data["period"]["start"].startswith("2026-10-01T00:00:00")
    keep = data["clients"][0]
    assert keep["company"] == "Keep BV" and keep["verdict"] == "keep"
    assert keep["needed"] == pytest.approx(100.0)
    assert keep["reactive_hours_per_user"] == {"value": pytest.approx(0.5), "status": "amber"}
    assert data["sensitivity"][4] == {
        "price": 150.0,
        "keep": 1,
        "reprice": 2,
        "scope": 1,
        "exit": 1,
        "revenue": pytest.approx(4650.0),
        "today": pytest.approx(4450.0),
        "margin": pytest.approx(100 * 2000 / 4650),
    }


def test_postgresql_gives_the_same_simulation(
    pg_url: str, engine: KpiEngine, tmp_path: Path
) -> None:
    assert run(engine_on(pg_url, tmp_path)).to_json() == run(engine).to_json()


def _company(cid: int, name: str, users: int | None) -> dict[str, object]:
    return {"source_system": "autotask", "id": cid, "company_name": name, "company_type": 1,
            "is_active": True, "user_count": users}  # fmt: skip


def test_a_client_nothing_was_billed_to_or_worked_for_is_not_judged(tmp_path: Path) -> None:
    """No figures are no reason to keep a client (they read as a 100 % margin)."""
    engine = engine_on(
        str(tmp_path / "stip.duckdb"), tmp_path, ("companies", [_company(8, "Idle BV", 8)])
    )
    sim = simulate(engine, [*CLIENTS, (8, "Idle BV")], 150.0, 25.0, "2026-10", AS_OF)
    idle = next(row for row in sim.rows if row.company_id == 8)
    assert (idle.users, idle.today, idle.cost) == (8, 0.0, 0.0)
    assert sim.verdict(idle) is None and idle.unjudged == "no_figures"
    assert sim.to_json()["clients"][-1]["not_judged"] == "no_figures"
    assert sim.step(150.0).counts == {"keep": 1, "reprice": 2, "scope": 1, "exit": 1}


def test_a_period_without_figures_judges_no_client(engine: KpiEngine) -> None:
    sim = simulate(engine, CLIENTS, 150.0, 25.0, "2020-01", AS_OF)
    assert sim.judged  # the store holds user counts and costs
    assert {row.unjudged for row in sim.rows} == {"no_figures", "no_user_count"}
    assert [sim.verdict(row) for row in sim.rows] == [None] * len(CLIENTS)


def test_a_running_month_counts_the_fee_whole_and_the_hours_so_far(tmp_path: Path) -> None:
    """On Monday 2 November 10:00, November's fee (billed on the 1st) is a whole month's;
    the hours worked on the 2nd are 2/30 of a month's."""
    november = [
        {"source_system": "autotask", "id": 21, "company_id": KEEP, "contract_id": 11,
         "service_id": 900, "item_date": date(2026, 11, 1), "extended_price": 800.0,
         "our_cost": 100.0},
    ]  # fmt: skip
    entry = {"source_system": "autotask", "id": 21, "ticket_id": 101, "resource_id": 501,
             "date_worked": date(2026, 11, 2), "hours_worked": 2.0}  # fmt: skip
    engine = engine_on(
        str(tmp_path / "stip.duckdb"),
        tmp_path,
        ("billing_items", november),
        ("time_entries", [entry]),
    )
    sim = simulate(engine, CLIENTS, 150.0, 25.0, "2026-11", AS_OF)
    keep = next(row for row in sim.rows if row.company_id == KEEP)
    assert keep.today == pytest.approx(800 / 10)  # not 800 / (2/30) per month
    assert keep.cost == pytest.approx((100 + 2 * 50 / (2 / 30)) / 10)


def test_no_internal_cost_above_zero_judges_nothing(tmp_path: Path) -> None:
    """A PSA may send 0 for a cost nobody filled in: all labour would be free."""
    free = {"source_system": "autotask", "id": 501, "first_name": "Erik", "last_name": "Eng",
            "is_active": True, "internal_cost": 0.0}  # fmt: skip
    engine = engine_on(str(tmp_path / "stip.duckdb"), tmp_path, ("resources", [free]))
    sim = run(engine)
    assert sim.missing == ["resources.internal_cost"] and not sim.judged
    assert sim.uncosted == 1


def test_a_negative_user_count_counts_as_none(tmp_path: Path) -> None:
    """A typo of -5000 users must not shrink the users the totals divide by."""
    engine = engine_on(
        str(tmp_path / "stip.duckdb"),
        tmp_path,
        ("companies", [_company(UNCOUNTED, "Uncounted BV", -5000)]),
    )
    (result,) = engine.many_values([REVENUE], "2026-10", None, AS_OF)
    assert [(row.value, row.n) for row in result.rows] == [(pytest.approx(4450 / 31), 31)]


def test_the_steps_keep_the_price_itself_and_stay_within_range(engine: KpiEngine) -> None:
    assert [step.price for step in run(engine, 150.5).steps()][4] == 150.5
    assert max(step.price for step in run(engine, 100_000.0).steps()) == 100_000.0
    assert [step.price for step in run(engine, 0.01).steps()] == [0.01]
