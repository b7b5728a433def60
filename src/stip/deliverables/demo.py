"""The demo MSP's agreements: a deliverables file written next to the demo store, so the
deliverables page shows real months on first start. An existing file is never replaced."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from stip.deliverables.loader import deliverables_file
from stip.demo.people import DEPARTMENT_BASE, FIELD
from stip.goals.path import add_months
from stip.semantic.engine import KpiEngine

#: The clients with the most recurring revenue get an agreement each.
CLIENTS = 2

HEAD = """\
# The demo MSP's fixed-price agreements (docs/deliverables.md): the KPIs agreed per contract.
# Stip judges every month against them; a missed month costs a service credit in % of the
# monthly fee, a met one may earn a bonus. Edit and reload the deliverables page.
kind: Deliverables
version: 1
months: 5
agreements:
"""
CLIENT = """\
  {id}:
    title:
      en: {title}
      nl: {title}
    client: {client}
    contract: MS-{client}
    start: {start}
    fee: {fee}
    credit_cap: 15
    deliverables:
      - kpi: sla_response_compliance
        target: 95
        credit: 5
      - kpi: sla_resolution_compliance
        target: 90
        credit: 5
      - kpi: csat_positive_rate
        target: 85
        bonus: 2
      - kpi: reactive_tickets_per_user
        target: 0.2
"""
FIELD_TEAM = """\
  field-service:
    title:
      en: On-site service by the Field team
      nl: Service op locatie door het team Field
    team: {team}
    start: {start}
    deliverables:
      - kpi: first_response_time_avg
        target: 4
      - kpi: sla_resolution_compliance
        target: 90
"""


def write_demo_deliverables(engine: KpiEngine, today: date) -> Path | None:
    """Write `$STIP_HOME/deliverables.yaml` for the demo unless one exists; its path, else
    None. The agreements cover the clients with the most recurring revenue last month, each
    with that revenue as its fee, and start five months back (the months shown)."""
    path = deliverables_file(engine.settings.home)
    if path.exists():
        return None
    last_month = add_months(today.replace(day=1), -1)
    result = engine.values("mrr", f"{last_month:%Y-%m}", by="company", as_of=f"{today}T00:00")
    ranked = sorted(
        (row for row in result.rows if row.value and row.by.get("company_id") is not None),
        key=lambda row: -float(row.value or 0),
    )[:CLIENTS]
    start = add_months(today.replace(day=1), -5).isoformat()
    parts = [HEAD]
    for row in ranked:
        client = int(row.by["company_id"])
        # a JSON string is a YAML string, whatever the client's name holds
        title = json.dumps(f"Managed services {row.by.get('company') or client}")
        parts.append(
            CLIENT.format(
                id=f"client-{client}",
                title=title,
                client=client,
                start=start,
                fee=f"{round(float(row.value or 0), -1):.0f}",
            )
        )
    parts.append(FIELD_TEAM.format(team=DEPARTMENT_BASE + FIELD + 1, start=start))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(parts), encoding="utf-8")
    return path
