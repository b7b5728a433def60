"""Where each goal stands, on a store small enough to work out by hand.

As of Wednesday 18 November 2026, 12:00 (Europe/Amsterdam): the year is 2026, the quarter
Q4, the week Monday 16 to Sunday 22 November, the day the 18th.

- `tickets`: tickets created, from 6 in October (measured: the month before the start) to 3
  a month by 30 November, a linear path. A November day k (from 0) is allotted
  (6 - 0.1 (k + 0.5)) / 30 tickets; the whole of November 4.5; the months before the start
  6 each, December (after the end) 3. By the as-of: 17 whole days (2.918333) and half of the
  18th (0.070833) = 2.989167. Created: 6 in October, 3 in November.
- `satisfaction`: CSAT from 70 (written) to 90 by 31 December, split by team. Ratings (of
  10): 8 in October (Anna, Servicedesk), 10 and 6 in November (Anna; Cor, Field). This
  year's 80 is on track (green); the quarter's and November's 80 are not (red).
- `hours`: 30 billable hours a week for each person in a team; Anna booked 8 + 8 (and 2 not
  billable), Bas 8, Cor nothing. Dirk is inactive and Eva in no team: not listed.
- `recurring`: MRR, which this store has no billing for: no baseline, nothing to judge.
"""

from __future__ import annotations

import pytest

from stip.goals.loader import load_goals
from stip.goals.progress import GoalsProgress, goal_progress
from stip.semantic.catalog import load_catalog
from stip.semantic.engine import KpiEngine
from stip.settings import Settings
from stip.store.store import open_store

from .goals_fixture import GOALS, build_batch


@pytest.fixture(scope="module")
def progress(tmp_path_factory: pytest.TempPathFactory) -> GoalsProgress:
    home = tmp_path_factory.mktemp("goals")
    store = open_store(str(home / "stip.duckdb"))
    store.apply(build_batch())
    (home / "goals.yaml").write_text(GOALS, encoding="utf-8")
    catalog = load_catalog(home=home)
    engine = KpiEngine(store, Settings(home=home), catalog)
    goals = load_goals(home / "goals.yaml", catalog)
    return goal_progress(engine, goals, engine.as_of("2026-11-18T12:00"))


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
    november_so_far = 2.918333333 + 0.5 * 4.25 / 30
    assert got["year"][0] == 9
    assert got["year"][1] == pytest.approx(60 + 4.5 + 3)
    assert got["year"][2] == pytest.approx(60 + november_so_far)
    assert got["year"][3] == "green"
    # 9 against 8.989 expected: within 5 % (lower is better), so amber
    assert got["quarter"][1:] == (pytest.approx(13.5), pytest.approx(6 + november_so_far), "amber")
    assert got["month"] == (3, pytest.approx(4.5), pytest.approx(november_so_far), "amber")
    assert got["week"][0] == 1
    assert got["week"][2] == pytest.approx((4.45 + 4.35 + 0.5 * 4.25) / 30)
    assert got["week"][3] == "red"
    assert got["day"] == (0, pytest.approx(4.25 / 30), pytest.approx(0.5 * 4.25 / 30), "green")
    assert tickets.status == "amber"  # type: ignore[attr-defined]


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
    assert members["Field"]["quarter"][0] == pytest.approx(60)
    assert members["Field"]["quarter"][3] == "red"


def test_an_amount_for_each_person(progress: GoalsProgress) -> None:
    node = by_id(progress)["hours"]
    assert node.baseline == 30 and not node.measured  # type: ignore[attr-defined]
    company = steps(node)
    assert company["year"] == (24, None, None, "none")  # the sum is shown, not judged
    members = {m.name: steps(m) for m in node.members}  # type: ignore[attr-defined]
    assert list(members) == ["Anna A", "Bas A", "Cor A"]
    assert members["Anna A"]["week"] == (
        16,
        pytest.approx(30),
        pytest.approx(2.5 * 30 / 7),
        "green",
    )
    assert members["Bas A"]["week"][0] == 8 and members["Bas A"]["week"][3] == "red"
    assert members["Cor A"]["week"][0] == 0 and members["Cor A"]["week"][3] == "red"
    assert members["Anna A"]["month"][2] == pytest.approx(17.5 * 30 / 7)
    assert members["Anna A"]["quarter"][2] == pytest.approx(48.5 * 30 / 7)
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
    assert by_id(progress)["tickets"].supporting == {"red": 1}  # type: ignore[attr-defined]
    data = progress.to_json()
    assert data["summary"] == {"green": 0, "amber": 1, "red": 2, "none": 1}  # by quarter
    assert data["headline"] == "quarter"
    first = data["goals"][0]
    assert first["supporting"] == {"red": 1}
    assert first["title"] == {"en": "Tickets created", "nl": "Aangemaakte tickets"}
    assert [level["level"] for level in first["levels"]] == [
        "year", "quarter", "month", "week", "day"
    ]  # fmt: skip
    assert data["goals"][1]["split"]["unknown_teams"] == ["Nowhere"]
