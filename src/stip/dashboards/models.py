"""Dashboard definition models (`kind: Dashboard`, `version: 1`).

Tiles are declared once in `elements` (name -> KPI) and placed by name in `layout`, a list of
sections with a heading and rows of tile names, like Grafana's elements + layout split.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from stip.accounts.roles import DASHBOARD_ROLES

DashboardRole = Literal[DASHBOARD_ROLES]  # type: ignore[valid-type]


class Text(BaseModel):
    """A label in both languages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    en: str = Field(min_length=1)
    nl: str = Field(min_length=1)

    def get(self, language: str) -> str:
        return self.nl if language == "nl" else self.en


class Element(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kpi: str
    title: Text | None = None
    size: Literal["s", "m", "l"] = "m"


class PeriodFilter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    default: str = "this-month"


class Filters(BaseModel):
    """`personal`: default to the viewer's own scorecard; `resource`/`team`/`company`: show
    switches (a person, a team, a client)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    period: PeriodFilter = Field(default_factory=PeriodFilter)
    personal: bool = False
    resource: bool = False
    team: bool = False
    company: bool = False


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    heading: Text
    rows: list[list[str]] = Field(min_length=1)


class Dashboard(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["Dashboard"]
    version: Literal[1]
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,63}$")
    title: Text
    description: Text | None = None
    role: DashboardRole
    refresh_seconds: int = Field(60, ge=10, le=3600)
    filters: Filters = Field(default_factory=Filters)
    elements: dict[str, Element] = Field(min_length=1)
    layout: list[Section] = Field(min_length=1)

    def tile_names(self) -> list[str]:
        """Tile names in layout order."""
        return [name for section in self.layout for row in section.rows for name in row]

    @property
    def tile_count(self) -> int:
        return len(self.tile_names())

    def kpi_ids(self) -> list[str]:
        return [self.elements[name].kpi for name in self.tile_names()]
