"""The price simulator: every client at one all-in price per user per month.

Brief point 7: an MSP that moves to all-inclusive managed services at a fixed price per user
per month (the article's example is EUR 150) finds that some early clients no longer fit, and
should know which and why before the honest conversation. Per client this sets what its users
pay for services today (`service_revenue_per_user`) and what serving them costs
(`full_cost_per_user`) against the price, and works out the price the client would need to
leave the MSP's margin target (the target of `agreement_gross_margin`, which a KPI override in
`$STIP_HOME/kpis/` changes). The verdict, in this order:

- keep: the price leaves at least the target margin;
- re-price: the price needed is at most `band` % above it, or the client already pays that
  much today (it stays, at a price of its own);
- change scope: its break/fix load (`reactive_hours_per_user`) is red: lower the load
  (standardise, replace what keeps breaking) before talking price;
- exit: none of these: at this price the client costs more than the model carries, and it
  does not pay what it needs today.

Not judged: a client without a user count in the PSA, and one nothing was billed to or
worked for in the period (no figures are no reason to keep it). Nothing is judged when the
store lacks user counts or internal costs altogether (a cost of 0 for everyone included).
The sensitivity table applies the same rules at prices around the chosen one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from ibis.backends import BaseBackend

from stip.errors import QueryError
from stip.semantic.engine import KpiEngine
from stip.semantic.periods import Period
from stip.semantic.portfolio import Figure, figures_per_client
from stip.semantic.results import KpiResult

REVENUE = "service_revenue_per_user"
COST = "full_cost_per_user"
LOAD = "reactive_hours_per_user"
SATISFACTION = "csat_positive_rate"
MARGIN = "agreement_gross_margin"
KPIS = (REVENUE, COST, LOAD, SATISFACTION)
KEEP, REPRICE, SCOPE, EXIT = "keep", "reprice", "scope", "exit"
VERDICTS = (KEEP, REPRICE, SCOPE, EXIT)
# The prices of the sensitivity table, as shares of the chosen price.
STEPS = (0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4)
MIN_PRICE, MAX_PRICE = 0.01, 100_000.0
# Why a client is not judged: no user count in the PSA; nothing billed or worked in the period.
NO_USERS, NO_FIGURES = "no_user_count", "no_figures"
INTERNAL_COST, USER_COUNT = "resources.internal_cost", "companies.user_count"


@dataclass(frozen=True)
class Terms:
    """What a client is judged against: the price per user per month, the margin it must leave
    (%) and how far above the price a client may be re-priced (%)."""

    price: float
    margin: float
    band: float

    def needed(self, cost: float) -> float:
        """The price per user that leaves the target margin over `cost` per user."""
        return cost / (1 - self.margin / 100)

    @property
    def reach(self) -> float:
        """The highest price per user a client may be re-priced to."""
        return self.price * (1 + self.band / 100)

    def at(self, price: float) -> Terms:
        return replace(self, price=price)


@dataclass(frozen=True)
class ClientPrice:
    company_id: int
    name: str
    users: int | None  # None: the PSA holds no user count for the client
    today: float | None  # € per user per month paid for services now
    cost: float | None  # € per user per month it costs to serve
    load: Figure  # reactive hours per user per month, with its status
    satisfaction: Figure  # positive ratings %, shown, not judged

    def needed(self, terms: Terms) -> float | None:
        return None if self.cost is None else terms.needed(self.cost)

    def margin(self, price: float) -> float | None:
        """The margin (%) the price would leave."""
        return None if self.cost is None else 100 * (price - self.cost) / price

    def change(self, price: float) -> float | None:
        """What the client would pay per month more (less, when negative) than today."""
        if self.users is None or self.today is None:
            return None
        return self.users * (price - self.today)

    @property
    def unjudged(self) -> str | None:
        """Why the client cannot be judged (NO_USERS, NO_FIGURES), else None."""
        return NO_USERS if self.users is None else NO_FIGURES if self.idle else None

    def today_margin(self) -> float | None:
        """The margin (%) the client leaves today."""
        if not self.today or self.cost is None:
            return None
        return 100 * (self.today - self.cost) / self.today

    @property
    def idle(self) -> bool:
        """Nothing was billed to the client or worked for it in the period."""
        return not self.today and not self.cost

    def within_reach(self, terms: Terms) -> bool:
        """Whether the price the client needs is at most `band` % above the price."""
        needed = self.needed(terms)
        return needed is not None and needed <= terms.reach

    def verdict(self, terms: Terms) -> str | None:
        needed = self.needed(terms)
        if self.users is None or needed is None or self.idle:
            return None
        if needed <= terms.price:
            return KEEP
        if self.within_reach(terms) or (self.today or 0) >= needed:
            return REPRICE
        return SCOPE if self.load.status == "red" else EXIT


@dataclass(frozen=True)
class Step:
    """The whole portfolio at one price: the clients per verdict, what the judged clients
    would pay per month, what they pay today, and the margin the price would leave."""

    price: float
    counts: dict[str, int]
    revenue: float
    today: float
    margin: float | None


@dataclass
class Simulation:
    terms: Terms
    period: Period  # the span the money figures cover (whole months)
    as_of: datetime
    rows: list[ClientPrice]
    # `table.column`s the store holds no value in (user counts, internal costs): then nothing
    # is judged
    missing: list[str]
    # active people without an internal cost: their hours count as EUR 0
    uncosted: int = 0

    @property
    def judged(self) -> bool:
        return not self.missing

    def verdict(self, row: ClientPrice) -> str | None:
        return row.verdict(self.terms) if self.judged else None

    def worst_first(self) -> Simulation:
        """The clients to talk to first: exit, change scope, re-price, keep, not judged; each
        verdict by the price needed, highest first."""
        order = {verdict: i for i, verdict in enumerate(reversed(VERDICTS))} | {None: 4}

        def key(row: ClientPrice) -> tuple[int, float, str]:
            return order[self.verdict(row)], -(row.needed(self.terms) or 0.0), row.name.casefold()

        return replace(self, rows=sorted(self.rows, key=key))

    def steps(self) -> list[Step]:
        """The portfolio at 60-140 % of the price, in whole euros (cents below EUR 10), within
        the prices a simulation takes; the price itself as it is."""
        price = self.terms.price
        digits = 0 if price >= 10 else 2
        prices = [price if share == 1 else round(price * share, digits) for share in STEPS]
        return [self.step(p) for p in dict.fromkeys(prices) if MIN_PRICE <= p <= MAX_PRICE]

    def step(self, price: float) -> Step:
        terms = self.terms.at(price)
        counts = dict.fromkeys(VERDICTS, 0)
        revenue = today = cost = 0.0
        for row in self.rows:
            verdict = row.verdict(terms) if self.judged else None
            if verdict is None or row.users is None:
                continue
            counts[verdict] += 1
            revenue += row.users * price
            today += row.users * (row.today or 0.0)
            cost += row.users * (row.cost or 0.0)
        margin = 100 * (revenue - cost) / revenue if revenue else None
        return Step(price, counts, revenue, today, margin)

    def to_json(self) -> dict[str, object]:
        """The simulation as `stip clients simulate --json` and the API give it."""
        terms = self.terms
        return {
            "price": terms.price,
            "margin_target": terms.margin,
            "band": terms.band,
            "period": self.period.to_json(),
            "as_of": self.as_of.isoformat(),
            "judged": self.judged,
            "missing": self.missing,
            "people_without_cost": self.uncosted,
            "clients": [_client_json(self, row) for row in self.rows],
            "sensitivity": [
                {
                    "price": step.price,
                    **step.counts,
                    "revenue": step.revenue,
                    "today": step.today,
                    "margin": step.margin,
                }
                for step in self.steps()
            ],
        }


def check_price(price: float) -> float:
    if not MIN_PRICE <= price <= MAX_PRICE:
        raise QueryError(
            f"price per user {price:g} is out of range: give an amount from {MIN_PRICE:g} to "
            f"{MAX_PRICE:,.0f} (euro per user per month)"
        )
    return price


def margin_target(engine: KpiEngine) -> float:
    """The margin a price must leave: `agreement_gross_margin`'s target, else break-even (0);
    a target outside 0-99 % reads as the nearer end (no price leaves 100 %)."""
    target = engine.catalog.get(MARGIN).target
    return 0.0 if target is None else min(max(float(target), 0.0), 99.0)


def simulate(
    engine: KpiEngine,
    clients: Iterable[tuple[int, str]],
    price: float,
    band: float,
    period: Period | str | None,
    as_of: datetime | str | None,
) -> Simulation:
    """Each client of `clients` at `price` per user per month, from one fused computation of
    the figures by company over `period`."""
    terms = Terms(check_price(price), margin_target(engine), band)
    with engine.reading():  # one connection and data version for the three lookups
        results = {r.kpi.id: r for r in engine.many_values(list(KPIS), period, "company", as_of)}
        uncosted, costed = engine.per_version("people_costs", _people_costs)
        missing = engine.missing([REVENUE, COST])
    if not costed and INTERNAL_COST not in missing:
        missing.append(INTERNAL_COST)  # every cost is 0: no figure to judge on
    revenue, cost = _rows(results[REVENUE]), _rows(results[COST])
    load, satisfaction = (
        figures_per_client(results[LOAD]),
        figures_per_client(results[SATISFACTION]),
    )
    none = Figure(None, "none")
    rows = []
    for company_id, name in clients:
        users, today = revenue.get(company_id, (None, None))
        rows.append(
            ClientPrice(
                company_id,
                name,
                users,
                today,
                cost.get(company_id, (None, None))[1],
                load.get(company_id, none),
                satisfaction.get(company_id, none),
            )
        )
    money = results[REVENUE]
    return Simulation(terms, money.period, money.as_of, rows, missing, uncosted)


def _people_costs(con: BaseBackend) -> tuple[int, int]:
    """Active people without an internal cost (or one of 0), and with one."""
    people = con.table("resources")
    people = people.filter(people.is_active.fill_null(False))
    has_cost = people.internal_cost.fill_null(0.0) > 0
    row = (
        people.aggregate(without=(~has_cost).sum().fill_null(0), costed=has_cost.sum().fill_null(0))
        .to_pyarrow()
        .to_pylist()[0]
    )
    return int(row["without"]), int(row["costed"])


def _rows(result: KpiResult) -> dict[int, tuple[int, float | None]]:
    """Per client: its users (the KPI's `n`) and the value."""
    return {
        int(row.by["company_id"]): (row.n, None if row.value is None else float(row.value))
        for row in result.rows
        if row.by.get("company_id") is not None and row.n > 0
    }


def _client_json(sim: Simulation, row: ClientPrice) -> dict[str, object]:
    price = sim.terms.price
    return {
        "company_id": row.company_id,
        "company": row.name,
        "users": row.users,
        "today": row.today,
        "cost": row.cost,
        "needed": row.needed(sim.terms),
        "margin": row.margin(price),
        "change": row.change(price),
        LOAD: {"value": row.load.value, "status": row.load.status},
        SATISFACTION: {"value": row.satisfaction.value, "status": row.satisfaction.status},
        "verdict": sim.verdict(row),
        "not_judged": None if not sim.judged else row.unjudged,
    }
