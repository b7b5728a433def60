"""The client portfolio: per client, the figures an account manager compares side by side, and
whether the client still fits the MSP's model.

The brief's "delegate your customers": an MSP that moves to all-inclusive managed services at
a fixed price per user per month finds that some early clients no longer fit, and should know
which and why. A client fits when it pays a fixed monthly price (recurring revenue in the
period) and none of the fit KPIs is red against the targets the MSP set for them (a KPI
file's `targets:` in `$STIP_HOME/kpis/` overrides them, so the MSP's own standard decides).
The reasons a client does not fit are exactly those.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from stip.semantic.compute import empty_value
from stip.semantic.engine import KpiEngine
from stip.semantic.periods import Period
from stip.semantic.results import KpiResult

# The columns, in order: money, effort, satisfaction and service, renewals and cash.
COLUMNS = (
    "mrr",
    "revenue_per_user",
    "client_effective_rate",
    "agreement_gross_margin",
    "client_contribution",
    "reactive_tickets_per_user",
    "csat_positive_rate",
    "sla_compliance_overall",
    "expiring_contracts",
    "overdue_invoices",
)
# A client's fit is judged over a whole quarter by default: a month is too short to tell.
DEFAULT_PERIOD = "last-quarter"
# A fixed monthly price: MRR above 0 in the period.
FIXED_PRICE_KPI = "mrr"
# Red on any of these: the client does not fit the model (seat price, effective hourly rate,
# contract margin). Satisfaction is shown, not judged: per client a quarter often holds one or
# two survey answers, and one low rating is no reason to part with a client.
FIT_KPIS = ("revenue_per_user", "client_effective_rate", "agreement_gross_margin")
NO_FIXED_PRICE = "no_fixed_price"


@dataclass(frozen=True)
class Figure:
    value: float | int | None
    status: str  # green / amber / red, or none (no target or no value)


@dataclass
class ClientRow:
    company_id: int
    name: str
    figures: dict[str, Figure]
    # Why the client does not fit: NO_FIXED_PRICE and the ids of the red fit KPIs, in the
    # order of FIT_KPIS; None when fit was not judged.
    reasons: list[str] | None = field(default=None)

    @property
    def fits(self) -> bool | None:
        return None if self.reasons is None else not self.reasons


@dataclass
class Portfolio:
    columns: list[str]
    periods: dict[str, Period]  # per column: the period it was computed over
    as_of: datetime
    rows: list[ClientRow]
    judged: bool  # whether `reasons` were worked out
    # Fit was asked for but cannot be told: the store holds no recurring billing at all (a
    # PSA login that cannot read billing), so "no fixed price" would be a guess.
    fit_unknown: bool = False


def portfolio(
    engine: KpiEngine,
    clients: Iterable[tuple[int, str]],
    columns: Iterable[str],
    period: Period | str | None,
    as_of: datetime | str | None,
    judge: bool,
) -> Portfolio:
    """The figures of `columns` per client (one fused computation, by company) and, with
    `judge`, whether each client fits. A client without a record of a count or a sum (a
    contract ending, contribution) has 0 there; of anything else, no value."""
    shown = list(columns)
    needed = list(dict.fromkeys([*shown, *((FIXED_PRICE_KPI, *FIT_KPIS) if judge else ())]))
    results = engine.many_values(needed, period, "company", as_of)
    unknown = judge and any(r.no_data for r in results if r.kpi.id == FIXED_PRICE_KPI)
    judge = judge and not unknown
    by_kpi = {result.kpi.id: figures_per_client(result) for result in results}
    # A client without a row has none of the records a count or a sum adds up: 0 (§5 "Empty")
    absent = {result.kpi.id: _absent(result) for result in results}
    rows = []
    for company_id, name in clients:
        figures = {kpi_id: got.get(company_id, absent[kpi_id]) for kpi_id, got in by_kpi.items()}
        reasons = _reasons(figures) if judge else None
        rows.append(ClientRow(company_id, name, {k: figures[k] for k in shown}, reasons))
    as_of_time = results[0].as_of if results else engine.as_of(as_of)
    periods = {result.kpi.id: result.period for result in results if result.kpi.id in shown}
    return Portfolio(shown, periods, as_of_time, rows, judge, unknown)


def figures_per_client(result: KpiResult) -> dict[int, Figure]:
    """A KPI by company's value and status per client id."""
    return {
        int(row.by["company_id"]): Figure(row.value, row.status)
        for row in result.rows
        if row.by.get("company_id") is not None
    }


def _absent(result: KpiResult) -> Figure:
    kpi = result.kpi
    value = None if result.no_data else empty_value(kpi)
    return Figure(value, kpi.status(None if value is None else float(value), kpi.target, kpi.amber))


def _reasons(figures: dict[str, Figure]) -> list[str]:
    price = figures[FIXED_PRICE_KPI].value
    reasons = [] if price is not None and price > 0 else [NO_FIXED_PRICE]
    return reasons + [kpi_id for kpi_id in FIT_KPIS if figures[kpi_id].status == "red"]
