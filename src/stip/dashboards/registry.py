"""The dashboards in force: shipped defaults overlaid by `$STIP_HOME/dashboards/*.yaml`.

A user file with the id of a default replaces it; a new id adds a dashboard. Files are
re-read when any of them changes (mtime check on each lookup), so edits show without restart.
A broken user file is skipped and reported in `issues`; a broken default is a bug and raises.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from stip.dashboards.loader import load_dashboard
from stip.dashboards.models import Dashboard
from stip.errors import DefinitionError, QueryError, suggest

if TYPE_CHECKING:
    from stip.app import Stip

log = logging.getLogger("stip.dashboards")

DEFAULTS_DIR = Path(str(resources.files("stip") / "defaults" / "dashboards"))


class DashboardRegistry:
    def __init__(
        self,
        user_dir: Path | None,
        kpi_ids: Collection[str] | None = None,
        defaults_dir: Path = DEFAULTS_DIR,
    ) -> None:
        self.defaults_dir = defaults_dir
        self.user_dir = user_dir
        self.kpi_ids = kpi_ids
        self.issues: list[str] = []
        self._signature: tuple[tuple[str, int, int], ...] | None = None
        self._dashboards: dict[str, Dashboard] = {}
        self._lock = threading.Lock()

    def _files(self) -> list[Path]:
        files = sorted(self.defaults_dir.glob("*.yaml"))
        if self.user_dir is not None and self.user_dir.is_dir():
            files += sorted(self.user_dir.glob("*.yaml")) + sorted(self.user_dir.glob("*.yml"))
        return files

    def _current(self) -> dict[str, Dashboard]:
        files = self._files()
        signature = tuple(
            (str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.exists()
        )
        with self._lock:
            if signature != self._signature:
                self._dashboards, self.issues = self._load(files)
                self._signature = signature
            return self._dashboards

    def _load(self, files: list[Path]) -> tuple[dict[str, Dashboard], list[str]]:
        loaded: dict[str, Dashboard] = {}
        issues: list[str] = []
        for path in files:
            is_default = path.parent == self.defaults_dir
            try:
                dashboard = load_dashboard(path, self.kpi_ids)
            except DefinitionError as exc:
                if is_default:
                    raise
                log.warning("dashboard skipped: %s", exc)
                issues.append(str(exc))
                continue
            loaded[dashboard.id] = dashboard
        return loaded, issues

    def all(self) -> list[Dashboard]:
        return list(self._current().values())

    def get(self, dashboard_id: str) -> Dashboard | None:
        return self._current().get(dashboard_id)

    def require(self, dashboard_id: str) -> Dashboard:
        dashboards = self._current()
        if dashboard_id not in dashboards:
            raise QueryError(
                f"unknown dashboard '{dashboard_id}'.{suggest(dashboard_id, dashboards)} "
                f"Known: {', '.join(sorted(dashboards))}"
            )
        return dashboards[dashboard_id]


def registry_for(stip: Stip, kpi_ids: Collection[str] | None = None) -> DashboardRegistry:
    """The registry for this installation, validating KPI ids against the catalogue."""
    if kpi_ids is None:
        kpi_ids = known_kpi_ids(stip)
    return DashboardRegistry(stip.settings.home / "dashboards", kpi_ids)


def known_kpi_ids(stip: Stip) -> set[str]:
    from stip.semantic.catalog import load_catalog

    return set(load_catalog(home=stip.settings.home).ids())
