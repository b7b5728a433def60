"""The deliverables file (`$STIP_HOME/deliverables.yaml`, `kind: Deliverables`, `version: 1`).

An agreement is a fixed-price contract with agreed KPIs: the MSP's own with a client, or an
outsourced party's with the MSP (a subcontractor set up as a resource or a team in the PSA).
Each deliverable is a KPI of the catalogue and the value it must reach every month; a missed
month may cost a service credit, a met one may earn a bonus, both in % of the monthly fee.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from stip.dashboards.models import Text
from stip.goals.models import Day, Strict

AGREEMENT_ID = r"^[a-z][a-z0-9_-]{0,63}$"
#: A PSA id: a whole number the store can hold (`true` is no id, nor is 1e30).
PsaId = Annotated[int, Field(strict=True, ge=0, le=2**63 - 1)]
#: A monthly fee in EUR; far above any real one, far below what breaks the arithmetic.
MAX_FEE = 1e9
#: Whose figures an agreement is judged on, and the KPI dimension that gives them.
SUBJECTS = {"client": "company", "resource": "resource", "team": "team"}
Subject = Literal["client", "resource", "team"]


class Deliverable(Strict):
    kpi: str
    title: Text | None = None
    # The value every month must reach (at least, or at most for a lower-is-better KPI);
    # default: the KPI's own target.
    target: float | None = None
    # Service credit for a missed month, and bonus for a met one, in % of the monthly fee.
    credit: float = Field(0.0, ge=0, le=100)
    bonus: float = Field(0.0, ge=0, le=100)


class Agreement(Strict):
    title: Text
    # Exactly one: the PSA id of the client, or of the resource or team (department) that
    # stands for an outsourced party.
    client: PsaId | None = None
    resource: PsaId | None = None
    team: PsaId | None = None
    # The contract's reference in the PSA or on paper, shown as it is written.
    contract: str | None = Field(None, max_length=100)
    start: Day | None = None
    end: Day | None = None
    # The monthly fixed price, for the credit and bonus amounts (EUR).
    fee: float | None = Field(None, ge=0, le=MAX_FEE)
    # At most this much credit in one month, in % of the fee, however many deliverables missed.
    credit_cap: float | None = Field(None, ge=0, le=100)
    deliverables: list[Deliverable] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Agreement:
        given = [name for name in SUBJECTS if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                "name exactly one of `client`, `resource` or `team` (a PSA id): whose figures "
                f"the agreement is judged on (given: {', '.join(given) or 'none'})"
            )
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"`end` ({self.end}) is before `start` ({self.start})")
        return self

    @property
    def subject(self) -> Subject:
        return next(
            name for name in ("client", "resource", "team") if getattr(self, name) is not None
        )

    @property
    def subject_id(self) -> int:
        return int(getattr(self, self.subject))


class DeliverablesFile(Strict):
    kind: Literal["Deliverables"]
    version: Literal[1]
    # How many ended months the scorecard shows, before the running one.
    months: int = Field(6, ge=1, le=36)
    agreements: dict[str, Agreement] = Field(min_length=1)
