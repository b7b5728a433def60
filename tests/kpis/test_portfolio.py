"""The client portfolio: per client figures and whether the client fits, on a store small
enough to work out by hand (October 2026, targets of the catalogue).

- Alfa (10 users): a recurring service of EUR 1,500 and 10 hours at EUR 50 on its contract.
  MRR 1,500; seat price 1,500 / 10 = 150 (target 100: green); effective rate 1,500 / 10 h =
  150 €/h (target 100: green); contract margin (1,500 − 500) / 1,500 = 66.7 % (target 65:
  green); one incident: 1 / 10 users = 0.1 reactive tickets per user (target 0.2: green).
  Its one survey answer, 4 of 10, makes 0 % positive (red), but satisfaction is shown, not
  judged: it fits.
- Beta (4 users): a recurring service of EUR 200 and 2 hours on its contract. Seat price
  200 / 4 = 50 (amber from 75: red); effective rate 200 / 2 = 100 (green); margin
  (200 − 100) / 200 = 50 % (amber from 50: amber); one incident: 1 / 4 = 0.25 (amber up to
  0.5). It does not fit: the seat price.
- Gamma: one labour item of EUR 300 and no recurring revenue: no fixed price, and no seat
  price, effective rate or contract margin to judge. It has no user count, so no tickets per
  user either (a null user count once crashed that split by client).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.semantic.portfolio import COLUMNS, NO_FIXED_PRICE, portfolio
from stip.settings import Settings
from stip.store.schema import Batch
from stip.store.store import open_store

from .portfolio_fixture import CLIENTS, load

AS_OF = "2026-11-02T10:00"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> KpiEngine:
    home = tmp_path_factory.mktemp("portfolio")
    store = open_store(str(Path(home) / "stip.duckdb"))
    batch = Batch()
    load(batch)
    store.apply(batch)
    return KpiEngine(store, Settings(home=home), load_catalog(home=home))


def test_figures_and_fit_per_client(engine: KpiEngine) -> None:
    result = portfolio(engine, CLIENTS, COLUMNS, "2026-10", AS_OF, judge=True)
    rows = {row.name: row for row in result.rows}
    alfa, beta, gamma = rows["Alfa"], rows["Beta"], rows["Gamma"]
    assert alfa.figures["mrr"].value == pytest.approx(1500)
    assert alfa.figures["revenue_per_user"].value == pytest.approx(150)
    assert alfa.figures["revenue_per_user"].status == "green"
    assert alfa.figures["client_effective_rate"].value == pytest.approx(150)
    assert alfa.figures["agreement_gross_margin"].value == pytest.approx(100 * 1000 / 1500)
    assert alfa.figures["client_contribution"].value == pytest.approx(1000)
    assert alfa.figures["reactive_tickets_per_user"].value == pytest.approx(0.1)
    assert (
        alfa.figures["csat_positive_rate"].value,
        alfa.figures["csat_positive_rate"].status,
    ) == (
        0,
        "red",
    )
    assert (alfa.fits, alfa.reasons) == (True, [])
    assert beta.figures["revenue_per_user"].value == pytest.approx(50)
    assert beta.figures["client_effective_rate"].value == pytest.approx(100)
    assert beta.figures["agreement_gross_margin"].value == pytest.approx(50)
    assert beta.figures["agreement_gross_margin"].status == "amber"
    assert beta.figures["reactive_tickets_per_user"].value == pytest.approx(0.25)
    assert beta.figures["reactive_tickets_per_user"].status == "amber"
    assert (beta.fits, beta.reasons) == (False, ["revenue_per_user"])
    assert gamma.figures["mrr"].value == 0  # as on Gamma's own dashboard
    assert gamma.figures["revenue_per_user"].status == "none"
    assert gamma.figures["client_contribution"].value == pytest.approx(300)
    assert gamma.figures["reactive_tickets_per_user"].value is None
    assert (gamma.fits, gamma.reasons) == (False, [NO_FIXED_PRICE])
    assert result.periods["mrr"].start_date == date(2026, 10, 1)


def test_the_targets_the_msp_sets_decide_the_fit(tmp_path: Path) -> None:
    """A seat price target of 40 (amber from 30) makes Beta's 50 green: Beta fits."""
    store = open_store(str(tmp_path / "stip.duckdb"))
    batch = Batch()
    load(batch)
    store.apply(batch)
    (tmp_path / "kpis").mkdir()
    (tmp_path / "kpis" / "targets.yaml").write_text(
        "targets:\n  revenue_per_user: {target: 40, amber: 30}\n", encoding="utf-8"
    )
    engine = KpiEngine(store, Settings(home=tmp_path), load_catalog(home=tmp_path))
    result = portfolio(engine, CLIENTS, COLUMNS, "2026-10", AS_OF, judge=True)
    assert {row.name: row.fits for row in result.rows} == {
        "Alfa": True,
        "Beta": True,
        "Gamma": False,
    }


def test_without_judging_only_the_columns_asked_for(engine: KpiEngine) -> None:
    result = portfolio(
        engine, CLIENTS, ["csat_positive_rate", "expiring_contracts"], "2026-10", AS_OF, judge=False
    )
    assert result.columns == ["csat_positive_rate", "expiring_contracts"]
    for row in result.rows:
        assert list(row.figures) == ["csat_positive_rate", "expiring_contracts"]
        assert row.fits is None and row.reasons is None


def test_a_client_without_any_record(engine: KpiEngine) -> None:
    """Counts and sums are 0 (nothing to count, contract §5), everything else has no value;
    so has a count whose data the store lacks altogether (no invoices: "no data")."""
    result = portfolio(engine, [(99, "Nobody")], COLUMNS, "2026-10", AS_OF, judge=True)
    (row,) = result.rows
    zero = {"mrr", "client_contribution", "expiring_contracts"}
    assert {k for k, figure in row.figures.items() if figure.value is not None} == zero
    assert all(row.figures[k].value == 0 for k in zero)
    assert row.figures["expiring_contracts"].status == "green"  # target 0
    assert row.figures["client_contribution"].status == "none"  # no target
    assert row.reasons == [NO_FIXED_PRICE]


def test_without_any_recurring_billing_fit_is_unknown(tmp_path: Path) -> None:
    """A store without billing (a PSA login that cannot read it) cannot tell who pays a fixed
    price: no verdict, rather than "does not fit" for every client."""
    store = open_store(str(tmp_path / "stip.duckdb"))
    batch = Batch()
    load(batch)
    batch.upserts.pop("billing_items")
    store.apply(batch)
    engine = KpiEngine(store, Settings(home=tmp_path), load_catalog(home=tmp_path))
    result = portfolio(engine, CLIENTS, COLUMNS, "2026-10", AS_OF, judge=True)
    assert (result.judged, result.fit_unknown) == (False, True)
    assert all(row.fits is None and row.reasons is None for row in result.rows)
    assert all(row.figures["mrr"].value is None for row in result.rows)  # no data


@pytest.mark.postgres
def test_the_same_on_postgres(engine: KpiEngine, pg_url: str, tmp_path: Path) -> None:
    store = open_store(pg_url)
    batch = Batch()
    load(batch)
    store.apply(batch)
    pg = KpiEngine(store, Settings(home=tmp_path), load_catalog(home=tmp_path))
    duck = portfolio(engine, CLIENTS, COLUMNS, "2026-10", AS_OF, judge=True)
    other = portfolio(pg, CLIENTS, COLUMNS, "2026-10", AS_OF, judge=True)
    for mine, theirs in zip(duck.rows, other.rows, strict=True):
        assert mine.reasons == theirs.reasons
        for kpi_id, figure in mine.figures.items():
            got = theirs.figures[kpi_id]
            assert got.status == figure.status, kpi_id
            assert got.value == pytest.approx(figure.value), kpi_id
