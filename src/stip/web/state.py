"""What the web app holds for its lifetime: the Stip object and the services built on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from stip.accounts.auth import Authenticator, LoginRateLimiter
from stip.app import Stip
from stip.dashboards.registry import DashboardRegistry
from stip.deliverables.models import DeliverablesFile
from stip.deliverables.scorecard import Scorecards
from stip.filesource import FileSource
from stip.goals.models import GoalsFile
from stip.goals.progress import GoalsProgress
from stip.web.kpidata import KpiData
from stip.web.people import Directory
from stip.web.recent import RecentViews
from stip.web.viewcache import ViewCache


@dataclass
class WebState:
    stip: Stip
    accounts: Engine
    secret: str
    dashboards: DashboardRegistry
    kpis: KpiData
    people: Directory
    authenticators: list[Authenticator]
    recent: RecentViews
    """Scoped dashboard views served lately, for the warm-up (`web.recent`)."""
    goals: FileSource[GoalsFile, GoalsProgress]
    deliverables: FileSource[DeliverablesFile, Scorecards]
    limiter: LoginRateLimiter = field(default_factory=LoginRateLimiter)
    has_actions_page: bool = False
    views: ViewCache[Any] = field(default_factory=ViewCache)
    """Built dashboard views (`routes.dashboards.build_view`)."""
