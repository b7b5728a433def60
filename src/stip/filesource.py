"""A definition file in force for a running server (the goals, the deliverables): read again
when it (or the KPI catalogue) changes, so an edit shows on the next request without a
restart; and what is computed from it, kept per data version, file and as-of for every page
that shows it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from stip.semantic.catalog import KpiCatalog
from stip.semantic.engine import KpiEngine
from stip.stamps import file_stamp

F = TypeVar("F")
R = TypeVar("R")


class FileSource(Generic[F, R]):
    def __init__(
        self,
        path: Path,
        catalog: Callable[[], KpiCatalog],
        load: Callable[[Path, KpiCatalog], F],
        compute: Callable[[KpiEngine, F, datetime], R],
    ) -> None:
        self.path = path
        self._catalog = catalog
        self._load = load
        self.compute = compute
        self._lock = threading.Lock()
        # (file stamp, catalogue it was checked against, definitions); holding the catalogue
        # keeps its identity from being reused by a newer one
        self._loaded: tuple[Any, KpiCatalog, F | None] | None = None
        # ((data stamp, as-of), definitions it was computed for, result)
        self._result: tuple[Any, F, R] | None = None

    def current(self) -> F | None:
        """The definitions, or None when there is no file; a file with a mistake raises
        `DefinitionError` (file:line) on every request until it is fixed."""
        catalog = self._catalog()
        stamp = file_stamp(self.path)
        with self._lock:
            loaded = self._loaded
            if loaded is not None and loaded[0] == stamp and loaded[1] is catalog:
                return loaded[2]
        definitions = None if stamp is None else self._load(self.path, catalog)
        with self._lock:
            self._loaded = (stamp, catalog, definitions)
        return definitions

    def result(self, engine: KpiEngine, as_of: datetime, data_stamp: Any) -> R | None:
        """What the file computes to as of `as_of`, or None without a file. The pages, the
        API and the warm-up ask for the same live as-of, so the last result is kept until the
        data (`data_stamp`), the file or the as-of changes: a page view then costs no
        computation (for the goals: no path arithmetic for hundreds of people)."""
        definitions = self.current()
        if definitions is None:
            return None
        key = (data_stamp, as_of)
        with self._lock:
            kept = self._result
            if kept is not None and kept[0] == key and kept[1] is definitions:
                return kept[2]
        result = self.compute(engine, definitions, as_of)
        with self._lock:
            self._result = (key, definitions, result)
        return result
