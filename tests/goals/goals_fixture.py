"""A store and goals file whose progress is worked out by hand in test_progress.py (the
web tests read them too)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.settings import Settings
from stip.store.schema import Batch
from stip.store.store import open_store

SRC = {"source_system": "autotask"}
ANNA, BAS, COR, DIRK, EVA = 1, 2, 3, 4, 5
SERVICEDESK, FIELD, PROJECTS = 10, 11, 12
GOALS = """\
kind: Goals
version: 1
horizon:
  statement: {en: "Fewer tickets, happier clients", nl: "Minder tickets, blijere klanten"}
  by: 2026-12-31
goals:
  tickets:
    kpi: tickets_created
    start: 2026-11-01
    by: 2026-11-30
    target: 3
    per: month
  satisfaction:
    kpi: csat_score
    start: 2026-01-01
    baseline: 70
    target: 90
    split: team
    teams: [servicedesk, Field, Nowhere]
    supports: tickets
  hours:
    kpi: billable_hours
    start: 2026-01-01
    target: 30
    per: week
    split: resource
  recurring:
    kpi: mrr
    start: 2026-01-01
    target: 1000
clarity:
  statement: {en: "Your problem is our <problem>", nl: "Uw probleem is ons <probleem>"}
  guidelines:
    - {en: Call back every low rating today, nl: Bel elke lage beoordeling vandaag terug}
  core_kpis: [csat_score, billable_hours, tickets_created, mrr]
"""


def _ticket(tid: int, created: datetime, resource: int) -> dict[str, object]:
    return {**SRC, "id": tid, "ticket_number": f"T{tid}", "create_date": created,
            "assigned_resource_id": resource, "company_id": 100}  # fmt: skip


def _entry(eid: int, resource: int, day: int, hours: float, billable: bool) -> dict[str, object]:
    return {**SRC, "id": eid, "resource_id": resource, "date_worked": date(2026, 11, day),
            "hours_worked": hours, "is_non_billable": not billable}  # fmt: skip


def _survey(sid: int, ticket: int, done: datetime, rating: float) -> dict[str, object]:
    return {**SRC, "id": sid, "ticket_id": ticket, "company_id": 100, "complete_date": done,
            "survey_rating": rating}  # fmt: skip


# The teams have one or two ratings each: judge a team from two (the catalogue asks five,
# stip.semantic.guardrails), so the tests can follow a team's path on this small store.
FEW_RATINGS = "targets:\n  csat_score: {min_n: 2}\n"


def write_targets(home: Path) -> None:
    """`FEW_RATINGS` as the KPI override of the installation at `home`."""
    (home / "kpis").mkdir(parents=True, exist_ok=True)
    (home / "kpis" / "targets.yaml").write_text(FEW_RATINGS, encoding="utf-8")


def fixture_engine(home: Path) -> KpiEngine:
    """An engine on this store, in a new installation at `home` (with `FEW_RATINGS`)."""
    write_targets(home)
    store = open_store(str(home / "stip.duckdb"))
    store.apply(build_batch())
    return KpiEngine(store, Settings(home=home), load_catalog(home=home))


def build_batch() -> Batch:
    batch = Batch()
    people = [(ANNA, "Anna", True), (BAS, "Bas", True), (COR, "Cor", True),
              (DIRK, "Dirk", False), (EVA, "Eva", True)]  # fmt: skip
    batch.add(
        "resources",
        [{**SRC, "id": i, "first_name": n, "last_name": "A", "is_active": a} for i, n, a in people],
    )
    batch.add(
        "teams",
        [{**SRC, "id": SERVICEDESK, "name": "Servicedesk"}, {**SRC, "id": FIELD, "name": "Field"},
         {**SRC, "id": PROJECTS, "name": "Projects"}],
    )  # fmt: skip
    memberships = [(ANNA, SERVICEDESK, True), (BAS, SERVICEDESK, True), (COR, FIELD, True),
                   (COR, SERVICEDESK, False), (DIRK, FIELD, True)]  # fmt: skip
    batch.add(
        "resource_role_departments",
        [
            {**SRC, "id": n, "resource_id": r, "department_id": t, "is_default": d,
             "is_active": True}
            for n, (r, t, d) in enumerate(memberships, start=1)
        ],
    )  # fmt: skip
    october = [_ticket(i, datetime(2026, 10, 2 * i, 9), ANNA) for i in range(1, 7)]
    november = [
        _ticket(7, datetime(2026, 11, 2, 9), ANNA),
        _ticket(8, datetime(2026, 11, 10, 9), COR),
        _ticket(9, datetime(2026, 11, 17, 9), BAS),
    ]
    batch.add("tickets", october + november)
    batch.add(
        "time_entries",
        [_entry(1, ANNA, 16, 8, True), _entry(2, ANNA, 17, 8, True),
         _entry(3, ANNA, 17, 2, False), _entry(4, BAS, 16, 8, True)],
    )  # fmt: skip
    batch.add(
        "survey_results",
        [_survey(1, 1, datetime(2026, 10, 20, 10), 8), _survey(2, 7, datetime(2026, 11, 5, 10), 10),
         _survey(3, 8, datetime(2026, 11, 12, 10), 6)],
    )  # fmt: skip
    return batch
