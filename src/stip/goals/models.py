"""The goals file (`$STIP_HOME/goals.yaml`, `kind: Goals`, `version: 1`).

A goal names a KPI, where it stands at `start` (`baseline`, or measured when left out), where
it must be `by` a date (`target`) and how it gets there (`path`). Stip derives the milestone
of every year, quarter, month, week and day from that; nobody types them in.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from stip.dashboards.models import Text
from stip.semantic.periods import EARLIEST, LATEST, SUPPORTED

GOAL_ID = r"^[a-z][a-z0-9_-]{0,63}$"
Per = Literal["year", "quarter", "month", "week"]
#: Few enough to remember: a line of core KPIs above every dashboard, a short list of rules.
MAX_CORE_KPIS = 7
MAX_GUIDELINES = 10


def _computable(day: date) -> date:
    if not EARLIEST <= day < LATEST:
        raise ValueError(f"{day} is outside the dates Stip computes in ({SUPPORTED})")
    return day


Day = Annotated[date, AfterValidator(_computable)]


class Strict(BaseModel):
    # NaN and infinity (`.nan`, `.inf` in YAML) are no target, baseline or margin
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Horizon(Strict):
    """The long-term goal in words, and the date it is about."""

    statement: Text
    by: Day


class Clarity(Strict):
    """What the company stands for, in one line, and what everything hangs on: a few
    guidelines and the core KPIs everyone knows, whatever their role (brief, point 4)."""

    statement: Text
    guidelines: list[Text] = Field(default_factory=list, max_length=MAX_GUIDELINES)
    core_kpis: list[str] = Field(default_factory=list, max_length=MAX_CORE_KPIS)


class Goal(Strict):
    kpi: str
    title: Text | None = None
    start: Day
    baseline: float | None = None
    target: float
    by: Day | None = None
    path: Literal["linear", "compound"] = "linear"
    # For a KPI that adds up over a period (tickets, hours, revenue): the target is an amount
    # per year, quarter, month or week, and each period's milestone is its share of it.
    per: Per | None = None
    # How far on the bad side of a milestone still counts as amber, in the KPI's unit.
    # Default: 5 % of what the path asks by the as-of.
    amber: float | None = Field(None, ge=0)
    # The target holds for each team or each person, each with its own row.
    split: Literal["team", "resource"] | None = None
    # With `split`: only these teams (by name), or the people in them; default: every team.
    teams: list[str] = Field(default_factory=list)
    # The goal this one helps reach: goals form a tree from the horizon down.
    supports: str | None = None

    @model_validator(mode="after")
    def _dates(self) -> Goal:
        if self.teams and self.split is None:
            raise ValueError("`teams` chooses whom a split goal lists; add `split` or remove it")
        if self.by is not None and self.by < self.start:
            raise ValueError(f"`by` ({self.by}) is before `start` ({self.start})")
        if self.path == "compound":
            for name, value in (("baseline", self.baseline), ("target", self.target)):
                if value is not None and value <= 0:
                    raise ValueError(
                        f"a compound path grows by a factor, so `{name}` must be above 0 "
                        f"(it is {value:g}); use path: linear"
                    )
        return self


class GoalsFile(Strict):
    kind: Literal["Goals"]
    version: Literal[1]
    horizon: Horizon
    clarity: Clarity | None = None
    goals: dict[str, Goal] = Field(min_length=1)

    def end(self, goal: Goal) -> date:
        """The day by which the goal's target must be reached (its own `by`, else the
        horizon's)."""
        return goal.by or self.horizon.by
