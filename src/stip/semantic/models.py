"""KPI definitions: the pydantic v2 models behind `src/stip/defaults/kpis/*.yaml`.

The format is documented for authors in `docs/kpi-authoring.md`; keep the two in step.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from stip.semantic.expressions import check_expression

ROLES = ("engineer", "teamlead", "service_manager", "account_manager", "finance", "owner")
DIMENSIONS = ("resource", "company", "queue", "priority", "team")
GROUPS = (
    "ticket_flow",
    "responsiveness",
    "workload",
    "customer_experience",
    "revenue",
    "profitability",
    "people",
)


class Direction(StrEnum):
    higher_better = "higher_better"
    lower_better = "lower_better"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A user-visible text in both languages."""

    en: str = Field(min_length=1)
    nl: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en


class Span(_Strict):
    """Two timestamp columns of one row; business hours between them are computed per row."""

    from_: str = Field(alias="from")
    to: str


class Measure(_Strict):
    """How a KPI's value is computed (see docs/kpi-authoring.md, "measure")."""

    type: Literal["count", "count_distinct", "sum", "mean", "median", "share", "ratio", "function"]
    base: str | None = None
    time: str | None = None
    where: list[str] = Field(default_factory=list)
    value: str | None = None
    business_hours: Span | None = None
    condition: str | None = None
    scale: float = 1.0
    numerator: str | None = None
    denominator: str | None = None
    function: str | None = None

    @field_validator("where")
    @classmethod
    def _where_ok(cls, value: list[str]) -> list[str]:
        for text in value:
            check_expression(text)
        return value

    @field_validator("value", "condition")
    @classmethod
    def _expr_ok(cls, value: str | None) -> str | None:
        if value is not None:
            check_expression(value)
        return value

    @model_validator(mode="after")
    def _shape(self) -> Measure:
        kind = self.type
        if kind == "ratio":
            if not (self.numerator and self.denominator):
                raise ValueError("a ratio measure needs `numerator` and `denominator` (KPI ids)")
            return self
        if kind == "function":
            if not self.function:
                raise ValueError("a function measure needs `function` (a registered name)")
            return self
        if not self.base:
            raise ValueError(f"a {kind} measure needs `base` (the table it counts or sums)")
        needs_value = kind in ("count_distinct", "sum", "mean", "median")
        if needs_value and not (self.value or self.business_hours):
            raise ValueError(f"a {kind} measure needs `value` (or `business_hours`)")
        if self.business_hours and kind not in ("mean", "median", "sum"):
            raise ValueError("`business_hours` works with mean, median and sum measures")
        if self.value and self.business_hours:
            raise ValueError("give either `value` or `business_hours`, not both")
        if kind == "share" and not self.condition:
            raise ValueError("a share measure needs `condition` (which rows count as 'yes')")
        if kind == "count" and self.value:
            raise ValueError("a count measure takes no `value`; use count_distinct or sum")
        return self


class ActionQuery(_Strict):
    """The records behind a KPI that someone must act on (see docs/kpi-authoring.md)."""

    base: str | None = None
    time: str | None = None
    where: list[str] | None = None
    # a registered action list function (functions.register_actions) instead of base/where
    function: str | None = None
    person: str = "dim_resource"
    fields: list[str] = Field(default_factory=list)
    order_by: list[str] = Field(default_factory=list)
    limit: int | None = Field(None, ge=1)
    # The rows name amounts or a client's margin: only roles that may see money see them, even
    # when the KPI's own value (a count) is for everyone.
    money: bool = False
    what: Text
    why: Text

    @field_validator("where")
    @classmethod
    def _where_ok(cls, value: list[str] | None) -> list[str] | None:
        for text in value or []:
            check_expression(text)
        return value


class KpiDefinition(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: Text
    description: Text
    formula: Text
    unit: str = Field(min_length=1)
    direction: Direction
    group: Literal[
        "ticket_flow",
        "responsiveness",
        "workload",
        "customer_experience",
        "revenue",
        "profitability",
        "people",
    ]
    roles: list[
        Literal["engineer", "teamlead", "service_manager", "account_manager", "finance", "owner"]
    ] = Field(min_length=1)
    dimensions: list[Literal["resource", "company", "queue", "priority", "team"]] = Field(
        default_factory=list
    )
    target: float | None = None
    amber: float | None = None
    # Higher is better up to here: above it a value is amber, too much of a good thing
    # (hours logged beyond those available: overtime, double booking or a data error).
    ceiling: float | None = None
    # The fewest records a value of one person, team or client is judged on: below it the
    # value is shown, not coloured (stip.semantic.guardrails).
    min_n: int | None = Field(None, ge=2)
    default_period: str = "this-month"
    # "month": computed over whole months; a shorter period becomes its month (Period.month_grain)
    grain: Literal["month"] | None = None
    requires: list[str] = Field(default_factory=list)
    measure: Measure
    actions: ActionQuery | None = None
    source: str = Field("", exclude=True)

    @property
    def has_actions(self) -> bool:
        return self.actions is not None

    @field_validator("requires")
    @classmethod
    def _requires_shape(cls, value: list[str]) -> list[str]:
        for item in value:
            if item.count(".") != 1:
                raise ValueError(f"requires entry '{item}' must be 'table.column'")
        return value

    @model_validator(mode="after")
    def _thresholds(self) -> KpiDefinition:
        if self.amber is not None and self.target is None:
            raise ValueError("`amber` needs a `target`")
        if self.amber is not None and self.target is not None:
            worse = self.amber <= self.target
            if self.direction == Direction.lower_better:
                worse = self.amber >= self.target
            if not worse:
                raise ValueError(
                    f"`amber` ({self.amber}) must be on the bad side of `target` "
                    f"({self.target}) for a {self.direction.value} KPI"
                )
        if self.ceiling is not None:
            if self.direction != Direction.higher_better or self.target is None:
                raise ValueError("`ceiling` needs a `target` and `direction: higher_better`")
            if self.ceiling <= self.target:
                raise ValueError(
                    f"`ceiling` ({self.ceiling}) must be above `target` ({self.target})"
                )
        return self

    def status(self, value: float | None, target: float | None, amber: float | None) -> str:
        """'green' | 'amber' | 'red' | 'none' for a value against the thresholds. Above the
        `ceiling` a value is amber, unless the target asked for is above it too (a goal's
        milestone may be: the goal, written on purpose, wins)."""
        if value is None or target is None:
            return "none"
        better = (
            (lambda a, b: a >= b)
            if self.direction == Direction.higher_better
            else (lambda a, b: a <= b)
        )
        if self.ceiling is not None and value > self.ceiling >= target:
            return "amber"
        if better(value, target):
            return "green"
        if amber is not None and better(value, amber):
            return "amber"
        return "red"


class TargetOverride(_Strict):
    target: float | None = None
    amber: float | None = None
    ceiling: float | None = None
    min_n: int | None = Field(None, ge=2)


class KpiFile(_Strict):
    """One YAML file: a list of KPIs and/or target overrides for KPIs defined elsewhere."""

    kpis: list[KpiDefinition] = Field(default_factory=list)
    targets: dict[str, TargetOverride] = Field(default_factory=dict)
