"""Background warm-up for `stip serve`: after each data change, compute every shared dashboard once.

A dashboard's first view after a sync is cold: on a store with millions of tickets the engine
needs seconds for it (see docs/kpis.md, Performance). The serve process checks the store's
change stamp every few seconds. When the stamp changes, the job computes the default view of
every dashboard that is not personal: its default period, the live as-of, the whole MSP. That
is the view managers open; so are the clients page's default view and the goals and
deliverables pages. The
engine caches per KPI and window, so the visitor who comes next gets the warm figures. It
also gets them when the visitor is a role that sees fewer tiles, because those tiles are a
subset of the ones computed here. After a data change it also computes the scoped views (an
engineer's own scorecard, a team) that people opened lately (`web.recent`), so those stay
fast after every sync as well.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from stip.errors import DefinitionError
from stip.filesource import FileSource
from stip.periodic import Periodic
from stip.semantic.portfolio import COLUMNS, DEFAULT_PERIOD
from stip.web.scope import resolve_when
from stip.web.state import WebState

log = logging.getLogger("stip")

CHECK_SECONDS = 10.0


class Warmup:
    def __init__(self, state: WebState) -> None:
        self.state = state
        self._warmed: Any = None

    def __call__(self) -> list[str]:
        """Warm the shared dashboards if the data or the live as-of changed since the last
        run, and the scoped views seen lately if the data changed; what it warmed."""
        kpis = self.state.kpis
        stamp = (kpis.data_stamp(), kpis.live_as_of())
        if stamp == self._warmed:
            return []
        data_changed = self._warmed is None or stamp[0] != self._warmed[0]
        started = time.monotonic()
        done: list[str] = []
        for dashboard in self.state.dashboards.all():
            if dashboard.filters.personal:
                continue
            when = resolve_when(kpis, None, None, None, dashboard.filters.period.default)
            ids = [dashboard.elements[name].kpi for name in dashboard.tile_names()]
            kpis.tiles(list(dict.fromkeys(ids)), when.period, when.as_of, None)
            done.append(dashboard.id)
        # The clients page: its default view for all clients (its cells serve every role's
        # columns and every "my clients" selection, which filter the same rows).
        when = resolve_when(kpis, None, None, None, DEFAULT_PERIOD)
        clients = [(c.id, c.name) for c in self.state.people.clients()]
        kpis.portfolio(clients, list(COLUMNS), when.period, when.as_of, judge=True)
        done.append("clients")
        # The price simulator: any price is arithmetic on the same cached figures.
        kpis.simulate(clients, self.state.stip.settings.price_per_user, when.period, when.as_of)
        done.append("price simulator")
        # The goals and deliverables pages as of the live as-of (every role reads the same
        # figures).
        for name, source in (
            ("goals", self.state.goals),
            ("deliverables", self.state.deliverables),
        ):
            if self._kept(source, stamp[1]):
                done.append(name)
        # Only on a data change: a scoped view recomputes little when just the as-of moves.
        for view in self.state.recent.current() if data_changed else []:
            when = resolve_when(kpis, view.period, None, None, view.period)
            kpis.tiles(list(view.kpi_ids), when.period, when.as_of, view.scope)
            done.append(view.label)
        self._warmed = stamp
        log.info("warmed %d dashboards in %.1f s: %s", len(done), time.monotonic() - started, done)
        return done

    def _kept(self, source: FileSource[Any, Any], as_of: datetime) -> bool:
        """Compute what a definition file gives (kept for the pages); False without the
        file or with one that has a mistake (the page reports that)."""
        kpis = self.state.kpis
        try:
            return source.result(kpis.engine, as_of, kpis.data_stamp()) is not None
        except DefinitionError:
            return False


def warmup_job(state: WebState) -> Periodic:
    return Periodic("dashboard warm-up", CHECK_SECONDS, Warmup(state))
