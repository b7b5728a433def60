"""Load and cross-validate dashboard YAML files; every problem names file:line."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from stip.dashboards.models import Dashboard
from stip.errors import DefinitionError, UserError, suggest
from stip.semantic.periods import parse_period
from stip.yamllines import line_of, load_model


def load_dashboard(path: Path, kpi_ids: Collection[str] | None = None) -> Dashboard:
    """Parse one file; raise `DefinitionError("file:line: ...")` on the first problem."""
    dashboard, lines = load_model(path, Dashboard, "dashboard")
    _check_refs(dashboard, path, lines, kpi_ids)
    return dashboard


def _check_refs(
    dashboard: Dashboard,
    path: Path,
    lines: dict[tuple[str | int, ...], int],
    kpi_ids: Collection[str] | None,
) -> None:
    try:
        parse_period(dashboard.filters.period.default, datetime.now(UTC), ZoneInfo("UTC"))
    except UserError as exc:
        line = line_of(lines, ("filters", "period", "default"))
        raise DefinitionError(f"{path}:{line}: filters.period.default: {exc}") from None
    placed: dict[str, tuple[str | int, ...]] = {}
    for s, section in enumerate(dashboard.layout):
        for r, row in enumerate(section.rows):
            for c, name in enumerate(row):
                loc: tuple[str | int, ...] = ("layout", s, "rows", r, c)
                if name not in dashboard.elements:
                    raise DefinitionError(
                        f"{path}:{line_of(lines, loc)}: layout refers to unknown tile "
                        f"'{name}'.{suggest(name, dashboard.elements)} "
                        "Declare it under elements."
                    )
                if name in placed:
                    raise DefinitionError(
                        f"{path}:{line_of(lines, loc)}: tile '{name}' is placed twice; "
                        "place each tile once"
                    )
                placed[name] = loc
    for name, element in dashboard.elements.items():
        if name not in placed:
            raise DefinitionError(
                f"{path}:{line_of(lines, ('elements', name))}: tile '{name}' is declared "
                "but not placed in the layout; add it to a row or remove it"
            )
        if kpi_ids is not None and element.kpi not in kpi_ids:
            raise DefinitionError(
                f"{path}:{line_of(lines, ('elements', name, 'kpi'))}: tile '{name}' refers "
                f"to unknown KPI '{element.kpi}'.{suggest(element.kpi, kpi_ids)} "
                "See `stip kpi list`."
            )
