"""The goals page: the dot on the horizon and every goal's milestones this year, quarter,
month, week and day, against the KPI (docs/goals.md).

Everyone sees the goals: it must never be unclear what people are steered on. The amounts
of a goal on a money KPI are for the roles that may see money (the others see its status),
and a person who may not see others sees only their own row of a goal split by person.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from stip.accounts import roles
from stip.accounts.users import User
from stip.errors import DefinitionError
from stip.goals.progress import (
    LEVELS,
    NO_RECORDS,
    NOT_ENDED,
    clarity_json,
    core_values,
    count_statuses,
    worst,
)
from stip.semantic.periods import Period
from stip.web import formatting
from stip.web.deps import CurrentUser, State, language
from stip.web.errors import WebError
from stip.web.filesource import kept_result, may_fix
from stip.web.i18n import gettext_for
from stip.web.scope import resolve_as_of
from stip.web.state import WebState
from stip.web.templating import render
from stip.web.viewmodel import period_label

router = APIRouter()

LEVEL_NAMES = {
    "year": "This year",
    "quarter": "This quarter",
    "month": "This month",
    "week": "This week",
    "day": "Today",
}
BASELINE_NOTES = {
    NOT_ENDED: "No baseline yet: the period before the start has not ended. Write `baseline:` "
    "in goals.yaml to judge the goal before then.",
    NO_RECORDS: "No baseline: the KPI had no records in the period before the start. Write "
    "`baseline:` in goals.yaml.",
}
#: The figures of a goal that are amounts in its KPI's unit.
_AMOUNTS = ("baseline", "target")
_STEP_AMOUNTS = ("value", "milestone", "expected")


def goals_json(
    state: WebState, user: User, as_of: str | None, *, now_by_default: bool = False
) -> dict[str, Any] | None:
    """Where the goals stand as `user` may see it, or None when there is no goals file.

    Without `as_of`, the page shows the data's own time and the API now, as elsewhere. A goals
    file with a mistake is a `WebError` (500) that names file and line to those who can fix
    it: admins and the owner."""
    moment = resolve_as_of(state.kpis, as_of, now_by_default=now_by_default)
    progress = kept_result(state, state.goals, user, moment, "goals")
    if progress is None:
        return None
    data = progress.to_json()
    for goal in data["goals"]:
        _restrict(goal, state, user)
    _restrict_core(data["clarity"], state, user)
    count_statuses(data)
    return data


def _restrict_core(clarity: dict[str, Any] | None, state: WebState, user: User) -> None:
    """Leave out the figures of core KPIs in money that `user` may not see (status stays)."""
    for core in (clarity or {}).get("core", []):
        core["hidden"] = not state.kpis.may_see(user.role, state.kpis.kpi(core["kpi"]))
        if core["hidden"]:
            core.update(value=None, target=None)


def _restrict(goal: dict[str, Any], state: WebState, user: User) -> None:
    """Leave out what `user` may not see: a money KPI's amounts (its status stays), and the
    rows of other people. An amount for each person is then judged on the rows left: an
    engineer's headline is their own, not a colleague's they cannot see."""
    hidden = not state.kpis.may_see(user.role, state.kpis.kpi(goal["kpi"]))
    goal["hidden"] = hidden
    split = goal["split"]
    if split is not None and split["by"] == "resource" and not roles.can_see_others(user.role):
        split["rows"] = [r for r in split["rows"] if r["id"] == user.resource_id]
        if goal["per"] is not None:
            goal["status"] = worst([r["status"] for r in split["rows"]])
    if not hidden:
        return
    rows = (split or {}).get("rows", [])
    for item in [goal, *rows]:
        for name in _AMOUNTS:
            item[name] = None
    for step in [*goal["levels"], *(s for r in rows for s in r["levels"])]:
        for name in _STEP_AMOUNTS:
            step[name] = None


def goals_line(
    state: WebState, user: User, as_of: str | None, lang: str, *, horizon: bool
) -> dict[str, Any] | None:
    """What a dashboard shows above its tiles: what the company stands for and its core KPIs
    (every role), as of the dashboard's as-of; with `horizon` (the owner's) the dot on the
    horizon and this quarter's count, as of the live as-of (the warm-up computes both after
    each sync). None without a goals file; a file with a mistake is named to those who can
    fix it."""
    try:
        goals = state.goals.current()
        data = goals_json(state, user, None) if horizon else None
    except (DefinitionError, WebError):
        return {"broken": True} if may_fix(user) else None
    if goals is None or (goals.clarity is None and data is None):
        return None
    clarity = clarity_json(
        goals.clarity, core_values(state.kpis.engine, goals, resolve_as_of(state.kpis, as_of))
    )
    _restrict_core(clarity, state, user)
    return {
        "broken": False,
        "horizon": data is not None,
        "statement": data["horizon"]["statement"][lang] if data else "",
        "summary": data["summary"] if data else {},
        "total": len(data["goals"]) if data else 0,
        "clarity": clarity_view(clarity, lang),
    }


def statement_view(state: WebState, lang: str) -> dict[str, Any] | None:
    """What the company stands for and its guidelines, without figures (the team meeting's
    opening); None without them, or when the goals file has a mistake (the goals page says
    which)."""
    try:
        goals = state.goals.current()
    except DefinitionError:
        return None
    if goals is None or goals.clarity is None:
        return None
    return clarity_view(clarity_json(goals.clarity, []), lang)


def clarity_view(clarity: dict[str, Any] | None, lang: str) -> dict[str, Any] | None:
    """What the company stands for, its guidelines and its core KPIs (name, value against
    target, status), in `lang`; amounts a viewer may not see are left out, the status stays."""
    if clarity is None:
        return None
    _ = gettext_for(lang)
    core = []
    for item in clarity["core"]:
        unit = item["unit"]
        core.append(
            {
                "kpi": item["kpi"],
                "name": item["name"][lang],
                "hidden": item["hidden"],
                "value": "" if item["hidden"] else _core_value(item, lang),
                "target": ""
                if item["target"] is None
                else formatting.with_unit(item["target"], unit, lang, compact=True),
                "status": item["status"],
                "status_text": _(item["status"]),
            }
        )
    return {
        "statement": clarity["statement"][lang],
        "guidelines": [rule[lang] for rule in clarity["guidelines"]],
        "core": core,
    }


def _core_value(item: dict[str, Any], lang: str) -> str:
    if item["no_data"]:
        return gettext_for(lang)("no data")
    shown = formatting.against(item["value"], item["target"], item["unit"], lang)
    return f"{shown} {formatting.unit_text(item['unit'], lang)}".strip()


@router.get("/goals", include_in_schema=False)
def goals_page(request: Request, state: State, user: CurrentUser) -> Response:
    lang = language(request)
    _ = gettext_for(lang)
    tz = state.stip.settings.tz
    data = goals_json(state, user, request.query_params.get("as_of"))
    can_edit = may_fix(user)
    if data is None:
        return render(request, "goals.html", {"view": {"missing": True}, "can_edit": can_edit})
    as_of = datetime.fromisoformat(data["as_of"])
    titles = {g["id"]: g["title"][lang] for g in data["goals"]}
    view = {
        "missing": False,
        "statement": data["horizon"]["statement"][lang],
        "clarity": clarity_view(data["clarity"], lang),
        "horizon_by": formatting.day(date.fromisoformat(data["horizon"]["by"]), lang),
        "as_of_text": formatting.when(as_of, tz, lang),
        "levels": [_(LEVEL_NAMES[level]) for level in LEVELS],
        "summary": data["summary"],
        "total": len(data["goals"]),
        "goals": [_goal_view(g, titles, state, lang) for g in data["goals"]],
    }
    return render(request, "goals.html", {"view": view, "can_edit": can_edit})


def _goal_view(
    goal: dict[str, Any], titles: dict[str, str], state: WebState, lang: str
) -> dict[str, Any]:
    _ = gettext_for(lang)
    unit, tz = goal["unit"], state.stip.settings.tz
    target = formatting.with_unit(goal["target"], unit, lang)
    if goal["per"]:
        target = _("%(amount)s per %(period)s") % {"amount": target, "period": _(goal["per"])}
    if goal["split"] is not None:
        target += " " + _("each team" if goal["split"]["by"] == "team" else "each person")
    split = goal["split"]
    baseline = formatting.with_unit(goal["baseline"], unit, lang)
    if goal["baseline"] is not None and goal["baseline_measured"]:
        baseline += " " + _("(measured)")
    elif goal["baseline"] is None and split is not None and not goal["baseline_missing"]:
        baseline = _("each one's own baseline")
    rows = (split or {}).get("rows", [])
    # quiet when green: the teams or people on track are named on one line
    return {
        "id": goal["id"],
        "title": titles[goal["id"]],
        "kpi": goal["kpi"],
        "depth": min(goal["depth"], 4),
        "status": goal["status"],
        "status_text": _(goal["status"]),
        "hidden": goal["hidden"],
        "target": target,
        "by": formatting.day(date.fromisoformat(goal["by"]), lang),
        "start": formatting.day(date.fromisoformat(goal["start"]), lang),
        "baseline": baseline,
        "baseline_note": _(BASELINE_NOTES[goal["baseline_missing"]])
        if goal["baseline_missing"] in BASELINE_NOTES
        else "",
        "path": _(goal["path_used"] or goal["path"]),
        "path_note": _("A compound path cannot grow from 0 or below: it runs linear.")
        if goal["path_used"] not in (None, goal["path"])
        else "",
        "supports": titles.get(goal["supports"] or ""),
        "supporting": [
            {"status": s, "count": n, "text": _(s)} for s, n in goal["supporting"].items()
        ],
        "cells": _cells(goal, goal["levels"], lang, tz),
        "unknown_teams": ", ".join((split or {}).get("unknown_teams", [])),
        "members": [_member_view(goal, row, lang, tz) for row in rows if row["status"] != "green"],
        "quiet": ", ".join(row["name"] for row in rows if row["status"] == "green"),
    }


def _member_view(
    goal: dict[str, Any], row: dict[str, Any], lang: str, tz: ZoneInfo
) -> dict[str, Any]:
    return {
        "name": row["name"],
        "status": row["status"],
        "status_text": gettext_for(lang)(row["status"]),
        "cells": _cells(goal, row["levels"], lang, tz),
    }


def _cells(
    goal: dict[str, Any], steps: list[dict[str, Any]], lang: str, tz: ZoneInfo
) -> list[dict[str, str]]:
    """A cell per level. A KPI computed per whole month reports its month for the week and
    the day too: such a cell says which level's figure it repeats. Below the value: what the
    path asks by now, and the whole period's amount (an amount per period) or where the path
    stands at the period's end (a level)."""
    _ = gettext_for(lang)
    unit, hidden = goal["unit"], goal["hidden"]
    whole = _("period") if goal["per"] else _("end")
    cells = []
    first_of: dict[tuple[str, str], str] = {}
    for step in steps:
        bounds = step["period"]
        key = (bounds["start"], bounds["end"])
        same = first_of.setdefault(key, step["level"])
        period = Period(datetime.fromisoformat(key[0]), datetime.fromisoformat(key[1]), "")
        cells.append(
            {
                "value": _amount(step["value"], unit, lang) or ("" if hidden else "—"),
                "expected": _amount(step["expected"], unit, lang),
                "milestone": _amount(step["milestone"], unit, lang),
                "status": step["status"],
                "status_text": _(step["status"]),
                "period": period_label(period, lang, tz),
                "same_as": "" if same == step["level"] else _(LEVEL_NAMES[same]).lower(),
                "whole": whole,
            }
        )
    return cells


def _amount(value: float | None, unit: str, lang: str) -> str:
    return "" if value is None else formatting.with_unit(value, unit, lang, compact=True)
