"""Where every goal stands: its milestones this year, quarter, month, week and day, and the
KPI's actual value for each, from the same engine as the dashboards.

Each level is judged like a tile: green when the value is at least as good as what the path
asks by the as-of, amber when it misses by no more than the goal's `amber` (default 5 % of
that), red otherwise. The quarter (the 90-day horizon most MSPs plan in) is a goal's headline,
and a goal's headline is counted in the goal it supports, so a miss shows up the tree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ibis.backends import BaseBackend

from stip.goals.models import Clarity, Goal, GoalsFile
from stip.goals.path import GoalPath, per_before
from stip.semantic.compute import empty_value
from stip.semantic.engine import KpiEngine
from stip.semantic.guardrails import too_few
from stip.semantic.labels import person_names
from stip.semantic.models import Direction, KpiDefinition
from stip.semantic.periods import Period, local_midnight, parse_period
from stip.semantic.results import KpiResult, ResultRow

#: The cascade's levels and the period each one reads, as of the day asked for.
LEVELS = {
    "year": "this-year",
    "quarter": "this-quarter",
    "month": "this-month",
    "week": "this-week",
    "day": "today",
}
HEADLINE = "quarter"
#: The period the core KPIs of `clarity` are shown for: the month so far, as on dashboards.
CORE_PERIOD = LEVELS["month"]
DEFAULT_AMBER = 0.05
STATUSES = ("green", "amber", "red", "none")


@dataclass(frozen=True)
class Step:
    """One level of a goal: the period's milestone, what the path asks by the as-of, and the
    KPI's value so far."""

    level: str
    period: Period
    milestone: float | None
    expected: float | None
    value: float | int | None
    n: int
    status: str

    def to_json(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "period": self.period.to_json(),
            "milestone": _rounded(self.milestone),
            "expected": _rounded(self.expected),
            "value": self.value,
            "n": self.n,
            "status": self.status,
        }


@dataclass(frozen=True)
class Member:
    """A team or a person of a split goal, with its own steps against the same path."""

    id: int
    name: str
    baseline: float | None  # written, measured for this team or person, else the target
    steps: list[Step]

    @property
    def status(self) -> str:
        return headline(self.steps)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "baseline": self.baseline,
            "status": self.status,
            "levels": [s.to_json() for s in self.steps],
        }


@dataclass
class GoalProgress:
    id: str
    goal: Goal
    kpi: KpiDefinition
    end: date
    baseline: float | None
    measured: bool  # the baseline was measured, not written in the file
    missing: str | None  # why a measured baseline is missing (NOT_ENDED, NO_RECORDS)
    path_used: str | None  # the path's shape: linear when a compound one cannot start
    steps: list[Step]
    members: list[Member] = field(default_factory=list)
    unknown_teams: list[str] = field(default_factory=list)  # in `teams`, not in the PSA
    depth: int = 0

    @property
    def status(self) -> str:
        """The headline status. A flow goal split by team or person holds for each of them:
        green when all are, red when any is, amber otherwise."""
        if self.goal.split is not None and self.goal.per is not None:
            return worst([m.status for m in self.members])
        return headline(self.steps)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kpi": self.kpi.id,
            "title": (self.goal.title or self.kpi.name).model_dump(),
            "unit": self.kpi.unit,
            "direction": self.kpi.direction.value,
            "supports": self.goal.supports,
            "depth": self.depth,
            "start": self.goal.start.isoformat(),
            "by": self.end.isoformat(),
            "baseline": self.baseline,
            "baseline_measured": self.measured,
            "baseline_missing": self.missing,
            "target": self.goal.target,
            "per": self.goal.per,
            "path": self.goal.path,
            "path_used": self.path_used,
            "status": self.status,
            "levels": [s.to_json() for s in self.steps],
            "split": None
            if self.goal.split is None
            else {
                "by": self.goal.split,
                "teams": self.goal.teams,
                "unknown_teams": self.unknown_teams,
                "rows": [m.to_json() for m in self.members],
            },
        }


@dataclass
class GoalsProgress:
    file: GoalsFile
    as_of: datetime
    goals: list[GoalProgress]  # tree order: each goal followed by the goals that support it
    core: list[KpiResult] = field(default_factory=list)  # the clarity's core KPIs, company-wide

    def summary(self) -> Counter[str]:
        return Counter(g.status for g in self.goals)

    def to_json(self) -> dict[str, Any]:
        data = {
            "as_of": self.as_of.isoformat(),
            "horizon": {
                "statement": self.file.horizon.statement.model_dump(),
                "by": self.file.horizon.by.isoformat(),
            },
            "clarity": self._clarity_json(),
            "levels": list(LEVELS),
            "headline": HEADLINE,
            "summary": {},
            "goals": [g.to_json() for g in self.goals],
        }
        count_statuses(data)
        return data

    def _clarity_json(self) -> dict[str, Any] | None:
        return clarity_json(self.file.clarity, self.core)


def core_values(engine: KpiEngine, goals: GoalsFile, as_of: datetime) -> list[KpiResult]:
    """The clarity's core KPIs for the whole company this month (`CORE_PERIOD`): values and
    statuses only, computed together (no comparisons or action lists: nothing shows them)."""
    core = list(goals.clarity.core_kpis) if goals.clarity else []
    return engine.many_values(core, CORE_PERIOD, as_of=as_of) if core else []


def clarity_json(clarity: Clarity | None, core: list[KpiResult]) -> dict[str, Any] | None:
    if clarity is None:
        return None
    return {
        "statement": clarity.statement.model_dump(),
        "guidelines": [rule.model_dump() for rule in clarity.guidelines],
        "core": [core_json(result) for result in core],
    }


def core_json(result: KpiResult) -> dict[str, Any]:
    row = result.rows[0] if result.rows else None
    return {
        "kpi": result.kpi.id,
        "name": result.kpi.name.model_dump(),
        "unit": result.kpi.unit,
        "direction": result.kpi.direction.value,
        "period": result.period.to_json(),
        "value": row.value if row else None,
        "n": row.n if row else 0,
        "target": result.kpi.target,
        "status": row.status if row else "none",
        "no_data": result.no_data,
    }


def count_statuses(data: dict[str, Any]) -> None:
    """Fill in `summary` (the goals' headline statuses) and each goal's `supporting` (those
    of the goals that support it) from the statuses in `data`. The web counts again after it
    leaves out what a viewer may not see."""
    counts: Counter[str] = Counter(goal["status"] for goal in data["goals"])
    data["summary"] = {status: counts[status] for status in STATUSES}
    below: dict[str, Counter[str]] = {goal["id"]: Counter() for goal in data["goals"]}
    for goal in data["goals"]:
        if goal["supports"] is not None:
            below[goal["supports"]][goal["status"]] += 1
    for goal in data["goals"]:
        got = below[goal["id"]]
        goal["supporting"] = {status: got[status] for status in STATUSES if got[status]}


def headline(steps: list[Step]) -> str:
    return next((s.status for s in steps if s.level == HEADLINE), "none")


def worst(statuses: list[str]) -> str:
    known = [s for s in statuses if s != "none"]
    if not known:
        return "none"
    if "red" in known:
        return "red"
    return "green" if all(s == "green" for s in known) else "amber"


def judge(kpi: KpiDefinition, goal: Goal, value: float | int | None, expected: float) -> str:
    """A value against what the path asks, with the goal's amber margin (default 5 %)."""
    if value is None:
        return "none"
    margin = goal.amber if goal.amber is not None else abs(expected) * DEFAULT_AMBER
    amber = expected - margin if kpi.direction == Direction.higher_better else expected + margin
    return kpi.status(float(value), expected, amber)


def goal_progress(engine: KpiEngine, goals: GoalsFile, as_of: datetime) -> GoalsProgress:
    """Every goal's steps (and its teams' or people's), computed as of `as_of`."""
    catalog = {kpi.id: kpi for kpi in engine.catalog}
    levels = _levels(as_of, engine.settings.tz)
    workday = engine.calendar.is_business_day
    results: dict[tuple[str, str | None], dict[str, KpiResult]] = {}
    with engine.reading() as con:  # one snapshot of the data for every level
        measured = _measure(engine, goals, as_of)
        for level in levels:
            for split in (None, "team", "resource"):
                ids = sorted({g.kpi for g in goals.goals.values() if split in (None, g.split)})
                if ids:
                    found = engine.many_values(ids, level.asked, by=split, as_of=as_of)
                    results[(level.name, split)] = {r.kpi.id: r for r in found}
        directory = _directory(con, goals)
        core = core_values(engine, goals, as_of)
    progress: dict[str, GoalProgress] = {}
    for goal_id, goal in goals.goals.items():
        kpi = catalog[goal.kpi]
        each = goal.split is not None and goal.per is not None
        got = measured[goal_id]
        baseline = goal.baseline if goal.baseline is not None or each else got.company
        # why a measured baseline is missing; an amount for each member needs none of its own
        # unless the period to measure has not ended (then no member has one either)
        missing = got.missing if not each or got.missing == NOT_ENDED else None
        path = _path(goals, goal, baseline, workday)
        steps = []
        for level in levels:
            result = results[(level.name, None)][goal.kpi]
            # an amount for each team or person is judged per member, not on the sum
            row = result.rows[0] if result.rows else None
            steps.append(_step(goal, None if each else path, level, result, row, as_of))
        members, unknown = directory.members(goal) if goal.split else ([], [])
        split_results = [results[(level.name, goal.split)][goal.kpi] for level in levels]
        by_member = [_by_member(result, f"{goal.split}_id") for result in split_results]
        rows = []
        for member_id, name in members:
            own = goal.baseline
            if own is None and got.missing != NOT_ENDED:
                own = got.members.get(member_id, goal.target)  # else a flat path at the target
            member_path = _path(goals, goal, own, workday)
            member_steps = [
                _step(goal, member_path, level, result, found.get(member_id), as_of, member=True)
                for level, result, found in zip(levels, split_results, by_member, strict=True)
            ]
            rows.append(Member(member_id, name, own, member_steps))
        progress[goal_id] = GoalProgress(
            goal_id,
            goal,
            kpi,
            goals.end(goal),
            baseline,
            goal.baseline is None and not each,
            missing,
            None if path is None else path.shape,
            steps,
            rows,
            unknown,
        )
    return GoalsProgress(goals, as_of, _tree(goals, progress), core)


@dataclass(frozen=True)
class _Level:
    """A level of the cascade: its whole period (for milestones) and the part up to and
    including the as-of's day (for values: the engine counts a period's records whenever
    they happened, so a past as-of would otherwise see the rest of the period)."""

    name: str
    whole: Period
    asked: Period


def _levels(as_of: datetime, tz: ZoneInfo) -> list[_Level]:
    levels = []
    for name, spec in LEVELS.items():
        whole = parse_period(spec, as_of, tz)
        levels.append(_Level(name, whole, whole.so_far(as_of) or whole))
    return levels


def _path(
    goals: GoalsFile, goal: Goal, baseline: float | None, workday: Callable[[date], bool]
) -> GoalPath | None:
    if baseline is None:
        return None
    shape = goal.path
    if shape == "compound" and (baseline <= 0 or goal.target <= 0):
        shape = "linear"  # a baseline of 0 cannot grow by a factor (reported as path_used)
    return GoalPath(goal.start, goals.end(goal), baseline, goal.target, shape, goal.per, workday)


def _step(
    goal: Goal,
    path: GoalPath | None,
    level: _Level,
    result: KpiResult,
    row: ResultRow | None,
    as_of: datetime,
    member: bool = False,
) -> Step:
    """One level of the company or of one team or person (`member`; `row`: its result row,
    None when nothing of theirs matched). A KPI computed per whole month reports its month
    for a week or a day: then that month is the step's period, for the value and the
    milestone alike. A team or person is not judged on fewer records than the KPI's `min_n`
    (stip.semantic.guardrails)."""
    span = level.whole if result.period == level.asked else result.period
    value: float | int | None
    if result.no_data:
        value, n = None, 0
    elif row is not None:
        value, n = row.value, row.n
    else:
        value, n = empty_value(result.kpi), 0  # nothing matched: a count is 0, a mean unknown
    if path is None:
        return Step(level.name, span, None, None, value, n, "none")
    expected = path.expected(span, as_of)
    few = member and too_few(result.kpi, value, n)
    status = "none" if few else judge(result.kpi, goal, value, expected)
    return Step(level.name, span, path.milestone(span), expected, value, n, status)


def _by_member(result: KpiResult, key: str) -> dict[int, ResultRow]:
    return {int(r.by[key]): r for r in result.rows if r.by.get(key) is not None}


@dataclass
class _Measured:
    """A goal's baseline measured over the period before its start: the company's, and each
    team's or person's (split goals). `missing` says why the company has none."""

    company: float | None = None
    members: dict[int, float] = field(default_factory=dict)
    missing: str | None = None


NOT_ENDED = "not ended"  # the period before the start has not ended by the as-of
NO_RECORDS = "no records"  # the KPI had no records in it


def _measure(engine: KpiEngine, goals: GoalsFile, as_of: datetime) -> dict[str, _Measured]:
    """Baselines for the goals that do not write one: each goal's KPI over the month before
    its start, or for an amount per period the `per` period before it. Only a period that
    has ended by the as-of, and only values of records (n > 0), count."""
    tz = engine.settings.tz
    measured: dict[str, _Measured] = {}
    wanted: dict[tuple[Period, str | None], set[str]] = {}
    for goal_id, goal in goals.goals.items():
        measured[goal_id] = _Measured()
        if goal.baseline is not None:
            continue
        first = per_before(goal.per or "month", goal.start)
        last = goal.start - timedelta(days=1)
        span = Period(local_midnight(first, tz), local_midnight(goal.start, tz), f"{first}..{last}")
        if span.end > as_of:
            measured[goal_id].missing = NOT_ENDED
            continue
        splits: list[str | None] = [None] if goal.split is None else [None, goal.split]
        for split in splits:
            wanted.setdefault((span, split), set()).add(goal_id)
    for (span, split), goal_ids in wanted.items():
        kpi_ids = sorted({goals.goals[g].kpi for g in goal_ids})
        found = {r.kpi.id: r for r in engine.many_values(kpi_ids, span, by=split, as_of=as_of)}
        for goal_id in goal_ids:
            result = found[goals.goals[goal_id].kpi]
            rows = [] if result.no_data else [r for r in result.rows if r.n and r.value is not None]
            if split is None:
                measured[goal_id].company = float(rows[0].value) if rows else None  # type: ignore[arg-type]
                measured[goal_id].missing = None if rows else NO_RECORDS
            else:
                key = f"{split}_id"
                measured[goal_id].members = {
                    int(r.by[key]): float(r.value)  # type: ignore[arg-type]
                    for r in rows
                    if r.by.get(key) is not None
                }
    return measured


@dataclass(frozen=True)
class _Directory:
    """Teams by id, and the team of each active person (their default department)."""

    teams: dict[int, str]
    team_of: dict[int, int]
    names: dict[int, str]

    def members(self, goal: Goal) -> tuple[list[tuple[int, str]], list[str]]:
        """The teams or people a split goal lists (by name), and the `teams` it names that
        the PSA does not have."""
        by_name = {name.casefold(): team_id for team_id, name in self.teams.items()}
        unknown = [t for t in goal.teams if t.casefold() not in by_name]
        chosen = {by_name[t.casefold()] for t in goal.teams if t.casefold() in by_name}
        if not goal.teams:
            chosen = set(self.teams)
        if goal.split == "team":
            found = [(i, self.teams[i]) for i in chosen]
        else:
            found = [
                (i, self.names.get(i, f"#{i}")) for i, t in self.team_of.items() if t in chosen
            ]
        return sorted(found, key=lambda m: (m[1].casefold(), m[0])), unknown


def _directory(con: BaseBackend, goals: GoalsFile) -> _Directory:
    if not any(g.split for g in goals.goals.values()):
        return _Directory({}, {}, {})
    teams = con.table("teams").select("id", "name").to_pyarrow().to_pylist()
    rrd = con.table("resource_role_departments")
    resources = con.table("resources")
    active = resources.filter(resources.is_active).select(resource_id=resources.id)
    default = rrd.filter(rrd.is_default).select(rrd.resource_id, team=rrd.department_id)
    rows = active.inner_join(default, "resource_id").to_pyarrow().to_pylist()
    team_of: dict[int, int] = {}
    for row in sorted(rows, key=lambda r: (r["resource_id"], r["team"])):
        team_of.setdefault(int(row["resource_id"]), int(row["team"]))
    names = person_names(con, team_of)
    return _Directory({int(t["id"]): t["name"] or f"#{t['id']}" for t in teams}, team_of, names)


def _tree(goals: GoalsFile, progress: dict[str, GoalProgress]) -> list[GoalProgress]:
    """Top goals in file order, each followed (depth first) by the goals that support it."""
    children: dict[str | None, list[str]] = {}
    for goal_id, goal in goals.goals.items():
        children.setdefault(goal.supports, []).append(goal_id)
    ordered: list[GoalProgress] = []

    def visit(goal_id: str, depth: int) -> None:
        node = progress[goal_id]
        node.depth = depth
        ordered.append(node)
        for child in children.get(goal_id, []):
            visit(child, depth + 1)

    for top in children.get(None, []):
        visit(top, 0)
    return ordered


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
