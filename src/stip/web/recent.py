"""The scoped dashboard views people opened lately, so the warm-up can keep them warm too.

A personal view (an engineer's own scorecard, a team lead's team) is computed for one scope,
so warming the shared dashboards does not cover it: on a large store its first view after
every sync would take seconds. The dashboard page records each scoped view it serves with the
live as-of; after a data change the warm-up computes the ones seen within `KEEP_SECONDS`,
newest first and at most `limit` of them (the `warm_scoped_views` setting, 100 by default;
0 keeps none), so the cost stays bounded however many people there are.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from stip.semantic.query import Scope

KEEP_SECONDS = 24 * 3600.0


@dataclass(frozen=True)
class ScopedView:
    dashboard_id: str
    kpi_ids: tuple[str, ...]
    period: str
    scope: Scope

    @property
    def label(self) -> str:
        parts = [
            f"{len(value)} clients" if isinstance(value, tuple) else f"{dim} {value}"
            for dim, value in self.scope.dims.items()
        ]
        return f"{self.dashboard_id} ({', '.join(parts)}, {self.period})"


class RecentViews:
    def __init__(self, limit: int, keep_seconds: float = KEEP_SECONDS) -> None:
        self.keep_seconds = keep_seconds
        self.limit = limit
        self._seen: OrderedDict[ScopedView, float] = OrderedDict()
        self._lock = threading.Lock()

    def saw(self, view: ScopedView) -> None:
        with self._lock:
            self._seen[view] = time.monotonic()
            self._seen.move_to_end(view)
            while len(self._seen) > self.limit:
                self._seen.popitem(last=False)

    def current(self) -> list[ScopedView]:
        """The views seen within `keep_seconds`, the most recent first."""
        oldest = time.monotonic() - self.keep_seconds
        with self._lock:
            for view in [v for v, at in self._seen.items() if at < oldest]:
                del self._seen[view]
            return list(reversed(self._seen))
