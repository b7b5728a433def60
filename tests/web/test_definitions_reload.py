"""A running server follows the KPI files in `$STIP_HOME/kpis/` as it does dashboard files."""

from __future__ import annotations

import logging
import os
import time
from datetime import datetime
from pathlib import Path

import pytest

from stip.app import Stip
from stip.store.schema import Batch

from .conftest import TestClient, bearer

OCTOBER = "period=2026-10&as_of=2026-11-02T09%3A00%3A00%2B01%3A00"

P1_COUNT = """\
kpis:
  - id: p1_created
    name: {en: P1 tickets created, nl: Aangemaakte P1-tickets}
    description: {en: New P1 tickets., nl: Nieuwe P1-tickets.}
    formula: {en: count, nl: aantal}
    unit: count
    direction: lower_better
    group: ticket_flow
    roles: [service_manager]
    measure:
      type: count
      base: tickets
      time: create_date
      where: ["_.priority == 1"]
"""

WALL = """\
kind: Dashboard
version: 1
id: p1wall
role: service_manager
title: {en: P1 wall, nl: P1-muur}
elements:
  p1: {kpi: p1_created}
layout:
  - heading: {en: P1, nl: P1}
    rows:
      - [p1]
"""


@pytest.fixture(scope="module", autouse=True)
def tickets(stip: Stip) -> None:
    """October 2026: three tickets, two of them P1."""
    batch = Batch()
    batch.add(
        "tickets",
        [
            {
                "source_system": "autotask",
                "id": ident,
                "ticket_number": f"T{ident}",
                "title": f"ticket {ident}",
                "priority": priority,
                "create_date": datetime(2026, 10, day, 10),
            }
            for ident, priority, day in ((1, 1, 5), (2, 2, 6), (3, 1, 7))
        ],
    )
    stip.store.apply(batch)


def _save(path: Path, text: str, later: float) -> None:
    """Write and move the modification time on, as an edit seconds later would."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (time.time() + later, time.time() + later))


def _sla_target(client: TestClient, headers: dict[str, str]) -> float:
    answer = client.get(f"/api/v1/kpis/sla_met_rate/values?{OCTOBER}", headers=headers)
    assert answer.status_code == 200, answer.text
    target: float = answer.json()["rows"][0]["target"]
    return target


def test_kpi_files_are_read_again_while_serving(
    stip: Stip, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A new target and a new KPI (with a dashboard using it) showed only after a restart, and
    the dashboard was skipped meanwhile as naming an "unknown KPI"."""
    headers = bearer(stip, "owner")
    kpis = stip.settings.home / "kpis"
    assert _sla_target(client, headers) == 95.0

    _save(kpis / "targets.yaml", "targets:\n  sla_met_rate: {target: 97, amber: 93}\n", 5)
    assert _sla_target(client, headers) == 97.0

    _save(kpis / "p1.yaml", P1_COUNT, 5)
    _save(stip.settings.home / "dashboards" / "p1wall.yaml", WALL, 5)
    listed = client.get("/api/v1/dashboards", headers=headers).json()["dashboards"]
    assert {"id": "p1wall", "title": "P1 wall", "role": "service_manager", "tiles": 1} in listed
    board = client.get(f"/api/v1/dashboards/p1wall?{OCTOBER}", headers=headers).json()
    assert [(t["kpi"], t["value"]) for t in board["tiles"]] == [("p1_created", 2)]

    # a mistake in a changed file: the server keeps what it had and says why in its log
    with caplog.at_level(logging.WARNING, logger="stip.web"):
        _save(kpis / "targets.yaml", "targets:\n  sla_met_rate: {target: 90, amber: 95}\n", 10)
        assert _sla_target(client, headers) == 97.0
    assert f"{kpis / 'targets.yaml'}:2: targets.sla_met_rate: `amber` (95.0)" in caplog.text
    board = client.get(f"/api/v1/dashboards/p1wall?{OCTOBER}", headers=headers).json()
    assert [(t["kpi"], t["value"]) for t in board["tiles"]] == [("p1_created", 2)]

    (kpis / "targets.yaml").unlink()
    assert _sla_target(client, headers) == 95.0
