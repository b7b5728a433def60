"""Where each goal stands, on a store small enough to work out by hand.

As of Wednesday 18 November 2026, 12:00 (Europe/Amsterdam): the year is 2026, the quarter
Q4, the week Monday 16 to Sunday 22 November, the day the 18th.

- `tickets`: tickets created, from 6 in October (measured: the month before the start) to 3
  a month by 30 November, a linear path, asked on workdays (November 2026 has 21). A
  November workday k (days from 1 November) is allotted (6 - 0.1 (k + 0.5)) / 21 tickets: the
  whole of November 95.05 / 21 = 4.5262; the months before the start 6 each, December
  (after the end) 3. By the as-of: the 12 workdays before the 18th (k = 1..5, 8..12, 15, 16:
  61.8 / 21) and half of the 18th (0.5 * 4.25 / 21) = 3.0440. Created: 6 in October, 3 in
  November.
- `satisfaction`: CSAT from 70 (written) to 90 by 31 December, split by team. Ratings (of
  10): 8 in October (Anna, Servicedesk), 10 and 6 in November (Anna; Cor, Field). This
  year's 80 is on track (green); the quarter's and November's 80 are not (red).
- `hours`: 30 billable hours a week for each person in a team, 6 per workday (no records
  in the week before the start: each starts at the target). Anna booked 8 + 8 (and 2 not
  billable), Bas 8, Cor nothing. Dirk is inactive and Eva in no team: not listed.
- `recurring`: MRR, which this store has no billing for: no baseline, nothing to judge.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from stip.goals.loader import load_goals
from stip.goals.models import Goal, GoalsFile
from stip.goals.progress import GoalsProgress, _path, goal_progress, judge
from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.settings import Settings
from stip.store.store import open_store

from .goals_fixture import GOALS, build_batch, fixture_engine


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> KpiEngine:
    return fixture_engine(tmp_path_factory.mktemp("goals"))


def progress_of(engine: KpiEngine, text: str, as_of: str) -> GoalsProgress:
    path = engine.settings.home / "goals.yaml"
    path.write_text(text, encoding="utf-8")
    return goal_progress(engine, load_goals(path, engine.catalog), engine.as_of(as_of))


@pytest.fixture(scope="module")
def progress(engine: KpiEngine) -> GoalsProgress:
    return progress_of(engine, GOALS, "2026-11-18T12:00")


def steps(node: object) -> dict[str, tuple[object, object, object, str]]:
    return {
        s.level: (s.value, s.milestone, s.expected, s.status)
        for s in node.steps  # type: ignore[attr-defined]
    }


def by_id(progress: GoalsProgress) -> dict[str, object]:
    return {g.id: g for g in progress.goals}


def test_an_amount_per_month_from_a_measured_baseline(progress: GoalsProgress) -> None:
    tickets = by_id(progress)["tickets"]
    assert tickets.baseline == 6 and tickets.measured  # type: ignore[attr-defined]
    got = steps(tickets)
    november, so_far = 95.05 / 21, (61.8 + 0.5 * 4.25) / 21
    assert got["year"] == (9, pytest.approx(60 + november + 3), pytest.approx(60 + so_far),
                           "green")  # fmt: skip
    assert got["quarter"] == (9, pytest.approx(6 + november + 3), pytest.approx(6 + so_far),
                              "green")  # fmt: skip
    assert got["month"] == (3, pytest.approx(november), pytest.approx(so_far), "green")
    # the week of the 16th: workdays k = 15..19 in all, k = 15, 16 and half of 17 by now
    week = (21.25 / 21, (4.45 + 4.35 + 0.5 * 4.25) / 21)
    assert got["week"] == (1, pytest.approx(week[0]), pytest.approx(week[1]), "red")
    assert got["day"] == (0, pytest.approx(4.25 / 21), pytest.approx(0.5 * 4.25 / 21), "green")
    assert tickets.status == "green"  # type: ignore[attr-defined]


def test_a_level_split_by_team(progress: GoalsProgress) -> None:
    """A level is judged against the path's average over the days gone by. Day k of 2026
    (from 0) stands at 70 + 20 (k + 0.5) / 365; 18 November is day 321, of which half is gone,
    counted at its quarter (321.25). This year: days 0..320 and half of 321, an average
    position of (51,360 + 160.5 + 0.5 * 321.25) / 321.5 = 160.75 days. The quarter (days
    273..320 and half of 321): 297.25. November (304..320): 312.75. This week: 320.25."""
    node = by_id(progress)["satisfaction"]
    got = steps(node)

    def path(days: float) -> float:
        return 70 + 20 * days / 365

    # this year's 80 against 78.8 asked by now: green, though the year must end at 90
    assert got["year"] == (pytest.approx(80), pytest.approx(90), pytest.approx(path(160.75)),
                           "green")  # fmt: skip
    assert got["quarter"] == (pytest.approx(80), pytest.approx(90), pytest.approx(path(297.25)),
                              "red")  # fmt: skip
    assert got["month"] == (pytest.approx(80), pytest.approx(path(334)),
                            pytest.approx(path(312.75)), "red")  # fmt: skip
    assert got["week"][0] is None and got["week"][3] == "none"
    assert got["week"][1:3] == (pytest.approx(path(326)), pytest.approx(path(320.25)))
    members = {m.name: steps(m) for m in node.members}  # type: ignore[attr-defined]
    assert list(members) == ["Field", "Servicedesk"]  # the teams asked for, by name
    assert node.unknown_teams == ["Nowhere"]  # type: ignore[attr-defined]
    assert members["Servicedesk"]["quarter"][0] == pytest.approx(90)
    assert members["Servicedesk"]["quarter"][3] == "green"
    assert members["Servicedesk"]["month"][0] == pytest.approx(100)
    # Field's quarter rests on one rating: too few to judge a team on (FEW_RATINGS asks two)
    assert members["Field"]["quarter"][0] == pytest.approx(60)
    assert members["Field"]["quarter"][3] == "none"


def test_a_team_on_fewer_ratings_than_the_kpi_asks_is_not_judged(tmp_path: Path) -> None:
    """Without the override csat_score asks five ratings: Servicedesk's two judge nothing,
    while the company's figure (three ratings this year) is judged as ever."""
    store = open_store(str(tmp_path / "stip.duckdb"))
    store.apply(build_batch())
    engine = KpiEngine(store, Settings(home=tmp_path), load_catalog(home=tmp_path))
    node = by_id(progress_of(engine, GOALS, "2026-11-18T12:00"))["satisfaction"]
    members = {m.name: steps(m) for m in node.members}  # type: ignore[attr-defined]
    assert members["Servicedesk"]["quarter"][0] == pytest.approx(90)
    assert {status for _v, _m, _e, status in members["Servicedesk"].values()} == {"none"}
    assert steps(node)["year"][3] == "green"


def test_an_amount_for_each_person(progress: GoalsProgress) -> None:
    node = by_id(progress)["hours"]
    assert node.baseline is None and not node.measured  # type: ignore[attr-defined]
    company = steps(node)
    assert company["year"] == (24, None, None, "none")  # the sum is shown, not judged
    members = {m.name: m for m in node.members}  # type: ignore[attr-defined]
    assert list(members) == ["Anna A", "Bas A", "Cor A"]
    assert {m.baseline for m in members.values()} == {30}
    anna, bas, cor = (steps(members[n]) for n in ("Anna A", "Bas A", "Cor A"))
    # by Wednesday noon: Monday, Tuesday and half of Wednesday, 6 hours a workday
    assert anna["week"] == (16, pytest.approx(30), pytest.approx(15), "green")
    assert bas["week"][0] == 8 and bas["week"][3] == "red"
    assert cor["week"][0] == 0 and cor["week"][3] == "red"
    assert anna["day"] == (0, pytest.approx(6), pytest.approx(3), "red")
    assert anna["month"][2] == pytest.approx(12.5 * 6)  # 12 workdays and a half
    assert anna["quarter"][2] == pytest.approx((22 + 12.5) * 6)  # October has 22
    assert node.status == "red"  # type: ignore[attr-defined]


def test_a_kpi_without_data_has_no_baseline_and_no_verdict(progress: GoalsProgress) -> None:
    node = by_id(progress)["recurring"]
    assert node.baseline is None  # type: ignore[attr-defined]
    assert {s[3] for s in steps(node).values()} == {"none"}
    assert node.status == "none"  # type: ignore[attr-defined]


def test_the_tree_and_its_roll_up(progress: GoalsProgress) -> None:
    assert [(g.id, g.depth) for g in progress.goals] == [
        ("tickets", 0), ("satisfaction", 1), ("hours", 0), ("recurring", 0)
    ]  # fmt: skip
    data = progress.to_json()
    assert data["summary"] == {"green": 1, "amber": 0, "red": 2, "none": 1}  # by quarter
    assert data["headline"] == "quarter"
    first = data["goals"][0]
    assert first["supporting"] == {"red": 1}
    assert first["title"] == {"en": "Tickets created", "nl": "Aangemaakte tickets"}
    assert [level["level"] for level in first["levels"]] == [
        "year", "quarter", "month", "week", "day"
    ]  # fmt: skip
    assert data["goals"][1]["split"]["unknown_teams"] == ["Nowhere"]


def test_judge_by_direction_and_margin(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Green at or beyond what the path asks; amber within the margin (default 5 % of it,
    else the goal's `amber`); red beyond."""
    catalog = load_catalog(home=tmp_path_factory.mktemp("judge"))
    higher, lower = catalog.get("csat_score"), catalog.get("tickets_created")
    goal = Goal(kpi="csat_score", start=date(2026, 1, 1), target=90)
    assert [judge(higher, goal, v, 80) for v in (80, 76, 75.9, None)] == [
        "green", "amber", "red", "none"
    ]  # fmt: skip
    assert [judge(lower, goal, v, 20) for v in (20, 21, 21.1)] == ["green", "amber", "red"]
    strict = Goal(kpi="csat_score", start=date(2026, 1, 1), target=90, amber=1)
    assert [judge(higher, strict, v, 80) for v in (79, 78.9)] == ["amber", "red"]


def test_a_ceiling_holds_for_a_goal_only_while_its_path_asks_less(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """`utilization` is amber above 110 %. A path at 100 keeps that; a goal that asks 115
    was written on purpose, so 116 reaches it (and 111 is on its way)."""
    kpi = load_catalog(home=tmp_path_factory.mktemp("ceiling")).get("utilization")
    goal = Goal(kpi="utilization", start=date(2026, 1, 1), target=115)
    assert [judge(kpi, goal, v, 100) for v in (100, 110, 111)] == ["green", "green", "amber"]
    assert [judge(kpi, goal, v, 115) for v in (116, 111)] == ["green", "amber"]


HEAD = GOALS.split("goals:\n")[0] + "goals:\n"


def test_a_past_as_of_counts_only_up_to_its_day(engine: KpiEngine) -> None:
    """As of Monday 16 November, noon: Anna's 8 hours of the 17th are not yet booked."""
    progress = progress_of(engine, GOALS, "2026-11-16T12:00")
    hours = next(g for g in progress.goals if g.id == "hours")
    anna = steps(next(m for m in hours.members if m.name == "Anna A"))
    assert anna["week"] == (8, pytest.approx(30), pytest.approx(3), "green")
    assert anna["month"][0] == 8 and anna["year"][0] == 8
    assert anna["week"][:1] != (16,)


def test_a_goal_that_starts_after_the_as_of_has_no_baseline_yet(engine: KpiEngine) -> None:
    text = HEAD + "  later:\n    kpi: tickets_created\n    start: 2026-12-01\n"
    text += "    target: 2\n    per: month\n    by: 2026-12-31\n"
    text += "  each:\n    kpi: billable_hours\n    start: 2026-11-20\n    target: 30\n"
    text += "    per: week\n    split: resource\n"
    later, each = progress_of(engine, text, "2026-11-18T12:00").goals
    # November has not ended: its 3 tickets so far are no baseline
    assert later.baseline is None and later.missing == "not ended"
    assert later.status == "none" and later.to_json()["baseline_missing"] == "not ended"
    # nor is the week before the 20th: nobody has a baseline yet
    assert each.missing == "not ended"
    assert [(m.baseline, m.status) for m in each.members] == [(None, "none")] * 3


def test_a_split_goal_measures_each_teams_own_baseline(engine: KpiEngine) -> None:
    """CSAT from October: the company's one rating (8 of 10: 80), Servicedesk's the same;
    Field had no rating, so it starts at the target."""
    text = HEAD + "  csat:\n    kpi: csat_score\n    start: 2026-11-01\n    target: 90\n"
    text += "    by: 2026-12-31\n    split: team\n    teams: [Servicedesk, Field]\n"
    csat = progress_of(engine, text, "2026-11-18T12:00").goals[0]
    assert csat.baseline == pytest.approx(80) and csat.measured
    assert {m.name: m.baseline for m in csat.members} == {
        "Field": pytest.approx(90), "Servicedesk": pytest.approx(80)
    }  # fmt: skip
    # Servicedesk's path: 80 to 90 over November and December (61 days); November's days
    # gone by average (17 * 8.5 + 0.5 * 17.25) / 17.5 = 8.75 days in
    servicedesk = steps(next(m for m in csat.members if m.name == "Servicedesk"))
    assert servicedesk["month"][2] == pytest.approx(80 + 10 * 8.75 / 61)
    field = steps(next(m for m in csat.members if m.name == "Field"))
    assert field["month"][2] == pytest.approx(90)


def test_a_compound_path_from_a_measured_zero_runs_linear() -> None:
    """A measured baseline can be 0 (a file cannot write one for a compound path): it cannot
    grow by a factor, so the path runs linear, and the JSON says so (path_used)."""
    text = HEAD + "  grow:\n    kpi: csat_score\n    start: 2026-01-01\n    target: 90\n"
    text += "    path: compound\n"
    goals = GoalsFile.model_validate(yaml.safe_load(text))
    goal = goals.goals["grow"]
    assert _path(goals, goal, 0.0, lambda day: True).shape == "linear"  # type: ignore[union-attr]
    assert _path(goals, goal, 10.0, lambda day: True).shape == "compound"  # type: ignore[union-attr]
