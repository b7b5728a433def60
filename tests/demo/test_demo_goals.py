"""The demo's goals file: written once, valid against the catalogue, and a real cascade on the
demo's data (not all green, not all unknown)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from stip.goals.demo import GROWTH, YEARS, write_demo_goals
from stip.goals.loader import load_goals
from stip.goals.progress import goal_progress
from stip.semantic.engine import KpiEngine
from stip.settings import Settings

from .helpers import Built


def test_the_demo_goals_load_and_measure_the_demo(small: Built, tmp_path: Path) -> None:
    engine = KpiEngine(small.store, Settings(home=tmp_path))
    path = write_demo_goals(engine, date(2026, 11, 26))
    assert path == tmp_path / "goals.yaml"
    goals = load_goals(path, engine.catalog)
    assert goals.horizon.by == date(2030, 12, 31)
    # the small demo has six months of history: the goals start three months back
    revenue = goals.goals["recurring_revenue"]
    assert revenue.start == date(2026, 8, 1)
    july = engine.values("mrr", "2026-07", as_of="2026-08-01T00:00").rows[0].value
    assert july
    assert revenue.target == round(july * (1 + GROWTH) ** (YEARS + 1), -3)
    progress = goal_progress(engine, goals, engine.as_of("2026-11-26T16:00"))
    statuses = Counter(g.status for g in progress.goals)
    assert statuses["none"] == 0, progress.to_json()
    sla = next(g for g in progress.goals if g.id == "sla")
    assert {m.name for m in sla.members} == {
        "Servicedesk 1e lijn",
        "Servicedesk 2e lijn",
        "Field",
    }
    hours = next(g for g in progress.goals if g.id == "billable_hours")
    assert hours.members and not hours.unknown_teams
    # what the demo MSP stands for, with core KPIs the demo has figures and targets for
    assert goals.clarity is not None and len(goals.clarity.guidelines) == 3
    assert [t.kpi.id for t in progress.core] == goals.clarity.core_kpis
    assert all(r.rows[0].value is not None and r.rows[0].status != "none" for r in progress.core)
    # the owner's own file is never replaced
    path.write_text(path.read_text(encoding="utf-8") + "# mine\n", encoding="utf-8")
    assert write_demo_goals(engine, date(2026, 11, 26)) is None
    assert path.read_text(encoding="utf-8").endswith("# mine\n")
