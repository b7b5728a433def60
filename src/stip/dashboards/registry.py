"""The dashboards in force: shipped defaults overlaid by `$STIP_HOME/dashboards/*.yaml`.

A user file with the id of a default replaces it; a new id adds a dashboard. Files are
re-read when any of them changes (mtime check on each lookup), so edits show without restart.
A broken user file is skipped and reported in `issues`; a broken default is a bug and raises.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stip.dashboards.loader import load_dashboard
from stip.dashboards.models import Dashboard
from stip.errors import DefinitionError, QueryError, suggest
from stip.stamps import files_stamp
from stip.yamllines import line_of, load_with_lines

if TYPE_CHECKING:
    from stip.app import Stip

log = logging.getLogger("stip.dashboards")

DEFAULTS_DIR = Path(str(resources.files("stip") / "defaults" / "dashboards"))


class DashboardRegistry:
    def __init__(
        self,
        user_dir: Path | None,
        kpi_ids: Collection[str] | Callable[[], Collection[str]] | None = None,
        defaults_dir: Path = DEFAULTS_DIR,
    ) -> None:
        """`kpi_ids`: the KPIs tiles may name, or a function giving them (a server whose KPI
        files can change: the dashboards are checked again when the ids change)."""
        self.defaults_dir = defaults_dir
        self.user_dir = user_dir
        self._kpi_ids = kpi_ids
        self.issues: list[str] = []
        self._signature: tuple[Any, ...] | None = None
        self._dashboards: dict[str, Dashboard] = {}
        self._lock = threading.Lock()

    def _files(self) -> list[Path]:
        files = sorted(self.defaults_dir.glob("*.yaml"))
        if self.user_dir is not None and self.user_dir.is_dir():
            files += sorted(self.user_dir.glob("*.yaml")) + sorted(self.user_dir.glob("*.yml"))
        return files

    def _current(self) -> dict[str, Dashboard]:
        files = self._files()
        kpi_ids = self._kpi_ids() if callable(self._kpi_ids) else self._kpi_ids
        signature = (
            files_stamp(files),
            None if kpi_ids is None else frozenset(kpi_ids),
        )
        with self._lock:
            if signature != self._signature:
                self._dashboards, self.issues = self._load(files, kpi_ids)
                self._signature = signature
            return self._dashboards

    def _load(
        self, files: list[Path], kpi_ids: Collection[str] | None
    ) -> tuple[dict[str, Dashboard], list[str]]:
        loaded: dict[str, Dashboard] = {}
        issues: list[str] = []
        user_files: dict[str, Path] = {}  # the user file that set each id
        for path in files:
            is_default = path.parent == self.defaults_dir
            try:
                dashboard = load_dashboard(path, kpi_ids)
            except DefinitionError as exc:
                if is_default:
                    raise
                log.warning("dashboard skipped: %s", exc)
                issues.append(str(exc))
                continue
            first = user_files.get(dashboard.id)
            if first is not None:
                problem = (
                    f"{path}:{_id_line(path)}: dashboard id '{dashboard.id}' is also used by "
                    f"{first}:{_id_line(first)}; give one of them another id (this file is skipped)"
                )
                log.warning("dashboard skipped: %s", problem)
                issues.append(problem)
                continue
            if not is_default:
                user_files[dashboard.id] = path
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


def _id_line(path: Path) -> int:
    _, lines = load_with_lines(path.read_text(encoding="utf-8"), str(path))
    return line_of(lines, ("id",))


def registry_for(stip: Stip, kpi_ids: Collection[str] | None = None) -> DashboardRegistry:
    """The registry for this installation, validating KPI ids against the catalogue."""
    if kpi_ids is None:
        kpi_ids = known_kpi_ids(stip)
    return DashboardRegistry(stip.settings.home / "dashboards", kpi_ids)


def known_kpi_ids(stip: Stip) -> set[str]:
    from stip.semantic.catalog import load_catalog

    return set(load_catalog(home=stip.settings.home).ids())
