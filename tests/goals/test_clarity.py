"""What the company stands for (`clarity:` in goals.yaml): its statement, guidelines and core
KPIs, computed company-wide for this month (the file's checks: test_loader.py).

On the store of goals_fixture.py, as of Wednesday 18 November 2026, 12:00, November so far:
- `csat_score`: ratings 10 and 6 of 10 (5 and 12 November) = 80 %; target 90, amber from 80,
  so amber; two ratings, but a company-wide value is always judged.
- `billable_hours`: Anna 8 + 8 (16 and 17 November; her 2 hours not billable do not count)
  and Bas 8 = 24 h in 3 entries; no target, so no status.
- `tickets_created`: 2, 10 and 17 November = 3.
- `mrr`: the store has no billing: no data.
"""

from __future__ import annotations

import pytest

from stip.goals.loader import load_goals
from stip.goals.progress import goal_progress
from stip.semantic.engine import KpiEngine

from .goals_fixture import GOALS, fixture_engine
from .test_loader import CLARITY_HEAD


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> KpiEngine:
    return fixture_engine(tmp_path_factory.mktemp("clarity"))


def json_of(engine: KpiEngine, text: str) -> dict[str, object]:
    path = engine.settings.home / "goals.yaml"
    path.write_text(text, encoding="utf-8")
    goals = load_goals(path, engine.catalog)
    return goal_progress(engine, goals, engine.as_of("2026-11-18T12:00")).to_json()


def test_core_kpis_are_the_whole_company_this_month(engine: KpiEngine) -> None:
    clarity = json_of(engine, GOALS)["clarity"]
    assert isinstance(clarity, dict)
    assert clarity["statement"] == {
        "en": "Your problem is our <problem>",
        "nl": "Uw probleem is ons <probleem>",
    }
    assert clarity["guidelines"] == [
        {"en": "Call back every low rating today", "nl": "Bel elke lage beoordeling vandaag terug"}
    ]
    core = {item["kpi"]: item for item in clarity["core"]}
    assert list(core) == ["csat_score", "billable_hours", "tickets_created", "mrr"]  # as written
    november = {"start": "2026-11-01T00:00:00+01:00", "end": "2026-12-01T00:00:00+01:00"}
    assert all(item["period"] == november for item in core.values())
    picked = {
        kpi: (item["value"], item["n"], item["target"], item["status"], item["no_data"])
        for kpi, item in core.items()
    }
    assert picked == {
        "csat_score": (pytest.approx(80.0), 2, 90.0, "amber", False),
        "billable_hours": (pytest.approx(24.0), 3, None, "none", False),
        "tickets_created": (3, 3, None, "none", False),
        "mrr": (None, 0, None, "none", True),
    }
    assert core["csat_score"]["name"]["nl"] and core["csat_score"]["direction"] == "higher_better"


def test_without_clarity_there_is_none(engine: KpiEngine) -> None:
    text = GOALS.split("clarity:")[0]
    assert json_of(engine, text)["clarity"] is None


def test_clarity_without_core_kpis_or_guidelines(engine: KpiEngine) -> None:
    clarity = json_of(engine, CLARITY_HEAD)["clarity"]
    assert clarity == {
        "statement": {"en": "Your problem is our problem", "nl": "Uw probleem is ons probleem"},
        "guidelines": [],
        "core": [],
    }
