"""Each agreement's scorecard: every deliverable's value per month, met or missed, and what
the month costs in service credits or earns in bonus.

A month is judged when its KPI has a value: a rate over no records (an SLA % in a month
without tickets) is "no data" and neither costs nor earns anything. The running month is
judged so far and marked `final: false`; only ended months count in the totals. All
agreements judged on the same dimension (clients, resources, teams) share one computation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import ibis
import pandas as pd
from ibis.backends import BaseBackend

from stip.deliverables.models import SUBJECTS, Agreement, Deliverable, DeliverablesFile
from stip.semantic.compute import Cell, empty_value
from stip.semantic.engine import KpiEngine
from stip.semantic.labels import dimension_labels
from stip.semantic.models import Direction, KpiDefinition
from stip.semantic.periods import Period, parse_period
from stip.semantic.query import Scope

MET, MISSED, NO_DATA, OUTSIDE = "met", "missed", "no_data", "outside"
# A value this close to the target meets it: 95 % computed as 94.999999... is 95 %.
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Month:
    """One deliverable in one month."""

    period: Period
    final: bool
    value: float | int | None
    n: int
    status: str
    as_of: datetime  # what a state (open, overdue) is read at: the month's end, or the as-of

    def to_json(self) -> dict[str, Any]:
        return {
            "month": f"{self.period.start_date:%Y-%m}",
            "period": self.period.to_json(),
            "as_of": self.as_of.isoformat(),
            "final": self.final,
            "value": self.value,
            "n": self.n,
            "status": self.status,
        }


@dataclass(frozen=True)
class Line:
    """One deliverable of an agreement, month by month."""

    deliverable: Deliverable
    kpi: KpiDefinition
    target: float
    months: list[Month]
    no_data: bool

    def to_json(self) -> dict[str, Any]:
        title = self.deliverable.title or self.kpi.name
        return {
            "kpi": self.kpi.id,
            "title": {"en": title.en, "nl": title.nl},
            "unit": self.kpi.unit,
            "direction": self.kpi.direction.value,
            "target": self.target,
            "credit_pct": self.deliverable.credit,
            "bonus_pct": self.deliverable.bonus,
            "no_data": self.no_data,
            "months": [month.to_json() for month in self.months],
        }


@dataclass(frozen=True)
class Total:
    """An agreement's month in money: the credit and bonus it costs or earns. How many
    deliverables it met, and its verdict, are counted from the lines (`count_months`)."""

    period: Period
    final: bool
    credit_pct: float
    bonus_pct: float
    amount: float | None  # bonus minus credit in EUR, when the agreement names its fee and
    # the month was judged

    def to_json(self) -> dict[str, Any]:
        """Without the counts and the status: `count_months` fills them from the lines."""
        return {
            "month": f"{self.period.start_date:%Y-%m}",
            "final": self.final,
            "credit_pct": round(self.credit_pct, 4),
            "bonus_pct": round(self.bonus_pct, 4),
            "amount": None if self.amount is None else round(self.amount, 2),
        }


@dataclass(frozen=True)
class Card:
    id: str
    agreement: Agreement
    name: str | None  # the client's, person's or team's name; None: the store lacks it
    lines: list[Line]
    totals: list[Total]

    def to_json(self) -> dict[str, Any]:
        # a month without a verdict has no amount; the running one is not counted yet
        amounts = [t.amount for t in self.totals if t.final and t.amount is not None]
        a = self.agreement
        data = {
            "id": self.id,
            "title": {"en": a.title.en, "nl": a.title.nl},
            "subject": a.subject,
            "subject_id": a.subject_id,
            "subject_name": self.name,
            "contract": a.contract,
            "fee": a.fee,
            "credit_cap_pct": a.credit_cap,
            # whether the agreement runs in the as-of's month (not ended, not yet to start)
            "in_force": _covers(a, self.totals[-1].period),
            "amount": round(sum(amounts), 2) if a.fee is not None else None,
            "deliverables": [line.to_json() for line in self.lines],
            "months": [total.to_json() for total in self.totals],
        }
        count_months(data)
        return data


def count_months(agreement: dict[str, Any]) -> None:
    """Fill an agreement's JSON with its counts from the deliverables it lists: per month how
    many were met and missed and its status; the agreement's status (the latest ended month
    with a verdict), and in how many ended months every one was met. The web counts again
    after leaving out what a role may not see, so no verdict shows through a count."""
    for i, month in enumerate(agreement["months"]):
        statuses = [line["months"][i]["status"] for line in agreement["deliverables"]]
        month["met"], month["missed"] = statuses.count(MET), statuses.count(MISSED)
        month["status"] = MISSED if month["missed"] else MET if month["met"] else NO_DATA
    ended = [m for m in agreement["months"] if m["final"] and m["status"] != NO_DATA]
    agreement["status"] = ended[-1]["status"] if ended else NO_DATA
    agreement["months_met"] = sum(m["status"] == MET for m in ended)
    agreement["months_judged"] = len(ended)


@dataclass(frozen=True)
class Scorecards:
    as_of: datetime
    periods: list[Period]
    cards: list[Card] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "months": [f"{p.start_date:%Y-%m}" for p in self.periods],
            "agreements": [card.to_json() for card in self.cards],
        }


def month_periods(engine: KpiEngine, as_of: datetime, months: int) -> list[Period]:
    """The `months` ended months before the as-of's month, then the as-of's own month up to
    and including the as-of's day (a past as-of does not count the rest of its month)."""
    first = as_of.date().replace(day=1)
    year, month = first.year, first.month - months
    while month < 1:
        year, month = year - 1, month + 12
    periods = []
    for _ in range(months + 1):
        periods.append(parse_period(f"{year:04d}-{month:02d}", as_of, engine.settings.tz))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    running = periods[-1]
    periods[-1] = running.so_far(as_of) or running
    return periods


def scorecards(engine: KpiEngine, spec: DeliverablesFile, as_of: datetime) -> Scorecards:
    periods = month_periods(engine, as_of, spec.months)
    cards: dict[str, Card] = {}
    with engine.reading() as con:
        since = data_since(con, engine.settings.tz)
        for subject, dimension in SUBJECTS.items():
            chosen = {k: a for k, a in spec.agreements.items() if a.subject == subject}
            if not chosen:
                continue
            ids = sorted({a.subject_id for a in chosen.values()})
            kpi_ids = list(dict.fromkeys(d.kpi for a in chosen.values() for d in a.deliverables))
            scope = Scope(company_ids=tuple(ids)) if subject == "client" else None
            history = engine.history(kpi_ids, periods, dimension, as_of, scope)
            names = dimension_labels(con, dimension, ids)
            for agreement_id, agreement in chosen.items():
                name = names.get(agreement.subject_id)
                unjudged = [_unjudged(agreement, p, name is not None, since) for p in periods]
                lines = [
                    _line(engine, d, periods, unjudged, as_of, history[d.kpi], agreement.subject_id)
                    for d in agreement.deliverables
                ]
                totals = [_total(agreement, lines, i) for i in range(len(periods))]
                cards[agreement_id] = Card(agreement_id, agreement, name, lines, totals)
    return Scorecards(as_of, periods, [cards[k] for k in spec.agreements])


def data_since(con: BaseBackend, tz: ZoneInfo) -> date | None:
    """The first local day the store has tickets or time entries for; None when empty. A
    month before it is no month without incidents but one Stip knows nothing about."""
    tickets, entries = con.table("tickets"), con.table("time_entries")
    first = ibis.least(tickets.create_date.min().as_scalar(), entries.date_worked.min().as_scalar())
    found = con.execute(first)
    if found is None or pd.isna(found):
        return None
    moment = pd.Timestamp(found).to_pydatetime()
    return moment.replace(tzinfo=UTC).astimezone(tz).date()


def _line(
    engine: KpiEngine,
    deliverable: Deliverable,
    periods: list[Period],
    unjudged: list[str | None],
    as_of: datetime,
    history: list[dict[int | None, Cell]] | None,
    subject_id: int,
) -> Line:
    kpi = engine.catalog.get(deliverable.kpi)
    target = deliverable.target if deliverable.target is not None else kpi.target
    assert target is not None  # the loader asks for one
    months = []
    for i, period in enumerate(periods):
        final, moment = period.end <= as_of, min(as_of, period.end)
        if unjudged[i] is not None or history is None:
            months.append(Month(period, final, None, 0, unjudged[i] or NO_DATA, moment))
            continue
        cell = history[i].get(subject_id, Cell(empty_value(kpi), 0))
        status = _judge(kpi, cell.value, target)
        months.append(Month(period, final, cell.value, cell.n, status, moment))
    return Line(deliverable, kpi, target, months, history is None)


def _unjudged(agreement: Agreement, period: Period, known: bool, since: date | None) -> str | None:
    """Why a month is not judged: outside the agreement, or no data because the store does
    not know the subject (a typo would otherwise earn every bonus) or has no records that
    early; None when it is judged."""
    if not _covers(agreement, period):
        return OUTSIDE
    if not known or since is None or period.end_date <= since:
        return NO_DATA
    return None


def _covers(agreement: Agreement, period: Period) -> bool:
    """Whether the agreement runs in (part of) the month."""
    if agreement.start is not None and period.end_date <= agreement.start:
        return False
    return agreement.end is None or period.start_date <= agreement.end


def _judge(kpi: KpiDefinition, value: float | int | None, target: float) -> str:
    if value is None:
        return NO_DATA
    slack = TOLERANCE * max(1.0, abs(target))
    if kpi.direction == Direction.higher_better:
        return MET if value >= target - slack else MISSED
    return MET if value <= target + slack else MISSED


def _total(agreement: Agreement, lines: list[Line], i: int) -> Total:
    months = [(line.deliverable, line.months[i]) for line in lines]
    met = [d for d, m in months if m.status == MET]
    missed = [d for d, m in months if m.status == MISSED]
    credit = sum((d.credit for d in missed), 0.0)
    if agreement.credit_cap is not None:
        credit = min(credit, agreement.credit_cap)
    bonus = sum((d.bonus for d in met), 0.0)
    fee = agreement.fee
    judged = bool(met or missed)
    amount = fee * (bonus - credit) / 100 if fee is not None and judged else None
    return Total(lines[0].months[i].period, lines[0].months[i].final, credit, bonus, amount)
