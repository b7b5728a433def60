"""Load and check the goals file; every problem names file:line and how to fix it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from stip.errors import DefinitionError, suggest
from stip.goals.models import GOAL_ID, GoalsFile
from stip.semantic.catalog import KpiCatalog
from stip.semantic.compute import accumulates
from stip.semantic.models import KpiDefinition
from stip.yamllines import comment, line_of, load_model

FILE_NAME = "goals.yaml"
Lines = dict[tuple[str | int, ...], int]


def goals_file(home: Path) -> Path:
    return home / FILE_NAME


def starter(today: date, translate: Callable[[str], str] = str) -> str:
    """A first goals file to edit in the browser: valid as it stands, dated from this year,
    its comment in the reader's language (`translate`)."""
    return STARTER.format(
        intro=comment(STARTER_COMMENT, translate),
        start=date(today.year, 1, 1),
        horizon=today.year + 4,
    )


STARTER_COMMENT = "The dot on the horizon and the goals that lead to it: see docs/goals.md."
STARTER = """\
{intro}
kind: Goals
version: 1
horizon:
  statement:
    en: In {horizon} our clients recommend us to every company they know
    nl: In {horizon} bevelen onze klanten ons aan bij elk bedrijf dat ze kennen
  by: {horizon}-12-31
clarity:
  statement:
    en: If a customer has a problem, it is our problem
    nl: Als een klant een probleem heeft, is het ons probleem
  guidelines:
    - en: We call back every low rating the same working day
      nl: We bellen elke lage beoordeling dezelfde werkdag terug
  core_kpis: [sla_met_rate, csat_positive_rate]
goals:
  happy_clients:
    kpi: csat_positive_rate
    start: {start}
    target: 90
  sla:
    kpi: sla_met_rate
    start: {start}
    target: 95
    supports: happy_clients
"""


def load_goals(path: Path, catalog: KpiCatalog) -> GoalsFile:
    """Parse one goals file; raise `DefinitionError("file:line: ...")` on the first problem."""
    goals, lines = load_model(path, GoalsFile, "goals")
    _check(goals, path, lines, catalog)
    return goals


def _check(goals: GoalsFile, path: Path, lines: Lines, catalog: KpiCatalog) -> None:
    known = {kpi.id: kpi for kpi in catalog}

    def fail(loc: tuple[str | int, ...], message: str) -> DefinitionError:
        where = ".".join(map(str, loc))
        return DefinitionError(f"{path}:{line_of(lines, loc)}: {where}: {message}")

    for goal_id, goal in goals.goals.items():
        here = ("goals", goal_id)
        if not re.fullmatch(GOAL_ID, goal_id):
            raise fail(here, "a goal id is lower case letters, digits, '_' and '-'")
        kpi = known.get(goal.kpi)
        if kpi is None:
            raise fail((*here, "kpi"), _unknown(goal.kpi, known))
        if goals.end(goal) < goal.start:
            raise fail(
                (*here, "start"),
                f"the goal starts ({goal.start}) after the horizon ({goals.horizon.by}); give "
                "it its own `by`",
            )
        adds_up = accumulates(kpi, known)
        if adds_up and goal.per is None:
            raise fail(
                (*here, "target"),
                f"{kpi.id} adds up over a period, so the target is an amount per period: add "
                "`per: year`, `quarter`, `month` or `week`",
            )
        if goal.per is not None and not adds_up:
            raise fail(
                (*here, "per"),
                f"{kpi.id} is a level or a rate, not an amount that adds up over a period; "
                "remove `per` (each period's value must reach the path)",
            )
        if goal.split is not None and goal.split not in kpi.dimensions:
            allowed = ", ".join(d for d in kpi.dimensions if d in ("team", "resource"))
            raise fail(
                (*here, "split"),
                f"{kpi.id} cannot be split by {goal.split}; it can by: {allowed or 'neither'}",
            )
        if goal.supports is not None and goal.supports not in goals.goals:
            raise fail(
                (*here, "supports"),
                f"no goal '{goal.supports}' in this file.{suggest(goal.supports, goals.goals)}",
            )
    if goals.clarity is not None:
        _check_core(goals.clarity.core_kpis, known, fail)
    for goal_id in goals.goals:
        seen = [goal_id]
        parent = goals.goals[goal_id].supports
        while parent is not None:
            if parent in seen:
                chain = " -> ".join([*seen, parent])
                raise fail(
                    ("goals", goal_id, "supports"),
                    f"goals support each other in a circle ({chain}); one must be on top",
                )
            seen.append(parent)
            parent = goals.goals[parent].supports


def _check_core(
    core: list[str],
    known: dict[str, KpiDefinition],
    fail: Callable[[tuple[str | int, ...], str], DefinitionError],
) -> None:
    for i, kpi_id in enumerate(core):
        here = ("clarity", "core_kpis", i)
        if kpi_id not in known:
            raise fail(here, _unknown(kpi_id, known))
        if kpi_id in core[:i]:
            raise fail(here, f"{kpi_id} is named twice; name each core KPI once")


def _unknown(kpi_id: str, known: dict[str, KpiDefinition]) -> str:
    return f"unknown KPI '{kpi_id}'.{suggest(kpi_id, known)} See `stip kpi list`."
