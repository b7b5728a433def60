"""What the engine returns: KPI values, action lists and dashboard tiles, with their JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from stip.semantic.models import KpiDefinition
from stip.semantic.periods import Period


@dataclass(frozen=True)
class ResultRow:
    by: dict[str, Any]
    value: float | int | None
    n: int
    target: float | None
    status: str

    def to_json(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "value": self.value,
            "n": self.n,
            "target": self.target,
            "status": self.status,
        }


@dataclass(frozen=True)
class KpiResult:
    kpi: KpiDefinition
    period: Period
    as_of: datetime
    rows: list[ResultRow]
    no_data: bool = False

    def to_json(self) -> dict[str, Any]:
        """The contract shape of `stip kpi values --json` (§2)."""
        return {
            "kpi": self.kpi.id,
            "unit": self.kpi.unit,
            "as_of": self.as_of.isoformat(),
            "period": self.period.to_json(),
            "rows": [row.to_json() for row in self.rows],
        }


@dataclass(frozen=True)
class ActionList:
    kpi: KpiDefinition
    as_of: datetime
    period: Period
    rows: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {"kpi": self.kpi.id, "as_of": self.as_of.isoformat(), "rows": self.rows}


@dataclass
class Tile:
    """One KPI on a dashboard: value against target, comparisons, trend and who must act."""

    kpi: KpiDefinition
    period: Period
    as_of: datetime
    value: float | int | None
    n: int
    target: float | None
    amber: float | None
    status: str
    previous: float | int | None
    last_year: float | int | None
    trend: list[float | int | None]
    data_as_of: datetime | None
    actions: list[dict[str, Any]] = field(default_factory=list)
    no_data: bool = False
    #: What `previous` and `last_year` were computed over: for a running period, the same
    #: part of the period before and of last year's (`Period.so_far`).
    previous_period: Period | None = None
    last_year_period: Period | None = None
    #: The KPI cannot be computed for the scope asked (per client, per person): no value.
    out_of_scope: bool = False
    #: A value of one person, team or client on fewer records than the KPI's `min_n`: shown,
    #: not judged (stip.semantic.guardrails).
    few: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "kpi": self.kpi.id,
            "value": self.value,
            "unit": self.kpi.unit,
            "target": self.target,
            "status": self.status,
            "n": self.n,
            "previous": self.previous,
            "previous_period": _period_json(self.previous_period),
            "last_year": self.last_year,
            "last_year_period": _period_json(self.last_year_period),
            "trend": self.trend,
            "data_as_of": self.data_as_of.isoformat() if self.data_as_of else None,
            "no_data": self.no_data,
            "out_of_scope": self.out_of_scope,
            "few": self.few,
        }


def _period_json(period: Period | None) -> dict[str, str] | None:
    return None if period is None else period.to_json()
