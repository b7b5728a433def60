"""The goals file in force for a running server: read again when it (or the KPI catalogue)
changes, so an edit shows on the next request without a restart; and its progress, computed
once per data version, goals file and as-of for every page that shows it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from stip.goals.loader import load_goals
from stip.goals.models import GoalsFile
from stip.goals.progress import GoalsProgress, goal_progress
from stip.semantic.catalog import KpiCatalog
from stip.semantic.engine import KpiEngine
from stip.stamps import file_stamp


class GoalsSource:
    def __init__(self, path: Path, catalog: Callable[[], KpiCatalog]) -> None:
        self.path = path
        self._catalog = catalog
        self._lock = threading.Lock()
        # (file stamp, catalogue it was checked against, goals); holding the catalogue keeps
        # its identity from being reused by a newer one
        self._loaded: tuple[Any, KpiCatalog, GoalsFile | None] | None = None
        # ((data stamp, as-of), goals it was computed for, progress)
        self._progress: tuple[Any, GoalsFile, GoalsProgress] | None = None

    def current(self) -> GoalsFile | None:
        """The goals, or None when there is no goals file; a file with a mistake raises
        `DefinitionError` (file:line) on every request until it is fixed."""
        catalog = self._catalog()
        stamp = file_stamp(self.path)
        with self._lock:
            loaded = self._loaded
            if loaded is not None and loaded[0] == stamp and loaded[1] is catalog:
                return loaded[2]
        goals = None if stamp is None else load_goals(self.path, catalog)
        with self._lock:
            self._loaded = (stamp, catalog, goals)
        return goals

    def progress(self, engine: KpiEngine, as_of: datetime, data_stamp: Any) -> GoalsProgress | None:
        """The goals' progress as of `as_of`, or None without a goals file. The goals page,
        the owner dashboard's line and the warm-up ask for the same live as-of, so the last
        result is kept until the data (`data_stamp`), the file or the as-of changes: a page
        view then costs no path arithmetic for hundreds of people."""
        goals = self.current()
        if goals is None:
            return None
        key = (data_stamp, as_of)
        with self._lock:
            kept = self._progress
            if kept is not None and kept[0] == key and kept[1] is goals:
                return kept[2]
        result = goal_progress(engine, goals, as_of)
        with self._lock:
            self._progress = (key, goals, result)
        return result
