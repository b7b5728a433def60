"""The goals file in force for a running server: read again when it (or the KPI catalogue)
changes, so an edit shows on the next request without a restart."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stip.goals.loader import load_goals
from stip.goals.models import GoalsFile
from stip.semantic.catalog import KpiCatalog
from stip.stamps import file_stamp


class GoalsSource:
    def __init__(self, path: Path, catalog: Callable[[], KpiCatalog]) -> None:
        self.path = path
        self._catalog = catalog
        self._lock = threading.Lock()
        # (file stamp, catalogue it was checked against, goals); holding the catalogue keeps
        # its identity from being reused by a newer one
        self._loaded: tuple[Any, KpiCatalog, GoalsFile | None] | None = None

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
