"""Load and check the deliverables file; every problem names file:line and how to fix it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from stip.deliverables.models import AGREEMENT_ID, SUBJECTS, DeliverablesFile
from stip.errors import DefinitionError, suggest
from stip.semantic.catalog import KpiCatalog
from stip.yamllines import comment, line_of, load_model

FILE_NAME = "deliverables.yaml"


def deliverables_file(home: Path) -> Path:
    return home / FILE_NAME


def starter(
    today: date, client: tuple[int, str] | None, translate: Callable[[str], str] = str
) -> str:
    """A first deliverables file to edit in the browser: one agreement with `client` (the
    first client of the PSA; valid as it stands), from this year, its comments in the
    reader's language (`translate`)."""
    company_id, name = client if client is not None else (1, translate(NO_CLIENT))
    return STARTER.format(
        intro=comment(STARTER_COMMENT, translate),
        client=company_id,
        name=" ".join(name.split()),
        start=date(today.year, 1, 1),
    )


STARTER_COMMENT = (
    "The KPIs agreed in fixed-price contracts, met or missed per month: see docs/deliverables.md."
)
NO_CLIENT = "your client's company id"
STARTER = """\
{intro}
kind: Deliverables
version: 1
agreements:
  first:
    title: {{en: Managed services, nl: Managed services}}
    client: {client}  # {name}
    start: {start}
    deliverables:
      - kpi: sla_response_compliance
        target: 95
      - kpi: csat_positive_rate
        target: 85
"""


def load_deliverables(path: Path, catalog: KpiCatalog) -> DeliverablesFile:
    """Parse one deliverables file; raise `DefinitionError("file:line: ...")` on the first
    problem."""
    agreements, lines = load_model(path, DeliverablesFile, "deliverables")
    known = {kpi.id: kpi for kpi in catalog}

    def fail(loc: tuple[str | int, ...], message: str) -> DefinitionError:
        where = ".".join(map(str, loc))
        return DefinitionError(f"{path}:{line_of(lines, loc)}: {where}: {message}")

    for agreement_id, agreement in agreements.agreements.items():
        here: tuple[str | int, ...] = ("agreements", agreement_id)
        if not re.fullmatch(AGREEMENT_ID, agreement_id):
            raise fail(here, "an agreement id is lower case letters, digits, '_' and '-'")
        dimension = SUBJECTS[agreement.subject]
        seen: set[str] = set()
        for i, deliverable in enumerate(agreement.deliverables):
            at = (*here, "deliverables", i)
            kpi = known.get(deliverable.kpi)
            if kpi is None:
                raise fail(
                    (*at, "kpi"),
                    f"unknown KPI '{deliverable.kpi}'.{suggest(deliverable.kpi, known)} "
                    "See `stip kpi list`.",
                )
            if deliverable.kpi in seen:
                raise fail((*at, "kpi"), f"{kpi.id} is agreed twice in this agreement")
            seen.add(deliverable.kpi)
            if dimension not in kpi.dimensions:
                raise fail(
                    (*at, "kpi"),
                    f"{kpi.id} cannot be computed per {agreement.subject}, so it cannot be "
                    f"judged for one; it can be split by: {', '.join(kpi.dimensions) or 'nothing'}",
                )
            if deliverable.target is None and kpi.target is None:
                raise fail(
                    (*at, "target"),
                    f"{kpi.id} has no target of its own; write the agreed value as `target:`",
                )
    return agreements
