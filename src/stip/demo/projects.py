"""A handful of client projects (migrations, roll-outs) with sequential tasks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stip.demo import names
from stip.demo import picklists as pk
from stip.demo.clock import Timeline
from stip.demo.model import Frame, Scale, nat
from stip.demo.people import DEPARTMENT_BASE, PROJECTS, SECOND, Clients, Staff

PROJECT_BASE = 7000
TASK_BASE = 70000
CONSULTANT_RATE, CONSULTANT_COST = 135.0, 62.0


@dataclass
class Portfolio:
    projects: Frame
    tasks: Frame
    task_company: np.ndarray
    task_resource: np.ndarray  # resource index
    task_project: np.ndarray  # project id


def portfolio(
    rng: np.random.Generator,
    scale: Scale,
    tl: Timeline,
    end: np.datetime64,
    end_day: int,
    firms: Clients,
    crew: Staff,
) -> Portfolio:
    n = max(3, round(scale.projects_per_year * scale.history_days / 365))
    weight = firms.users.astype(float)
    client = rng.choice(len(weight), size=n, p=weight / weight.sum())
    start_day = np.sort(rng.integers(0, max(1, end_day - 10), size=n))
    duration = rng.integers(30, 120, size=n)
    task_count = rng.integers(4, 9, size=n)
    start = tl.local_moment(start_day, np.full(n, 9 * 60))
    finish = tl.local_moment(np.minimum(start_day + duration, tl.days - 1), np.full(n, 17 * 60))
    done = finish <= end
    team = np.flatnonzero(crew.dept == PROJECTS)
    helpers = np.flatnonzero(crew.dept == SECOND)
    lead = team[rng.integers(0, len(team), size=n)]

    p = np.repeat(np.arange(n), task_count)
    k = np.arange(len(p)) - np.repeat(np.cumsum(task_count) - task_count, task_count)
    span = (finish[p] - start[p]) / task_count[p]
    t_start = start[p] + (span * k).astype("timedelta64[s]")
    t_end = t_start + span.astype("timedelta64[s]")
    t_done = t_end <= end
    estimated = np.round(rng.uniform(4, 24, size=len(p)) * 4) / 4
    resource = np.where(
        rng.random(len(p)) < 0.75,
        team[rng.integers(0, len(team), size=len(p))],
        helpers[rng.integers(0, len(helpers), size=len(p))],
    )
    task_ids = TASK_BASE + np.arange(len(p))
    tasks = Frame(
        "Tasks",
        {
            "id": task_ids,
            "projectID": PROJECT_BASE + p,
            "title": np.array([names.TASKS[i % len(names.TASKS)] for i in k], dtype=object),
            "assignedResourceID": crew.ids[resource],
            "status": np.where(
                t_done, pk.TASK_COMPLETE, np.where(t_start <= end, pk.TASK_IN_PROGRESS, pk.TASK_NEW)
            ).astype(np.int64),
            "priority": np.full(len(p), 2, dtype=np.int64),
            "departmentID": (DEPARTMENT_BASE + 1 + crew.dept[resource]).astype(np.int64),
            "createDateTime": start[p] - np.timedelta64(14, "D"),
            "startDateTime": t_start,
            "endDateTime": t_end,
            "completedDateTime": np.where(t_done, t_end, nat(len(p))),
            "estimatedHours": estimated,
            "remainingHours": np.where(t_done, 0.0, estimated),
            "isTaskBillable": np.ones(len(p), dtype=np.int8),
            "lastActivityDateTime": np.minimum(t_end, end),
        },
    )
    est = np.bincount(p, weights=estimated, minlength=n)
    progress = np.bincount(p, weights=t_done.astype(float), minlength=n) / task_count
    title = [
        f"{names.PROJECTS[i % len(names.PROJECTS)]} - {firms.names[c]}"
        for i, c in zip(rng.integers(0, len(names.PROJECTS), size=n), client, strict=True)
    ]
    year = start.astype("datetime64[Y]").astype(np.int64) + 1970
    projects = Frame(
        "Projects",
        {
            "id": PROJECT_BASE + np.arange(n),
            "companyID": firms.ids[client],
            "contractID": np.full(n, np.iinfo(np.int64).min),
            "projectName": np.array(title, dtype=object),
            "projectNumber": np.array([f"P{y}-{i:04d}" for i, y in enumerate(year)], dtype=object),
            "projectLeadResourceID": crew.ids[lead],
            "status": np.where(done, pk.PROJECT_COMPLETE, pk.PROJECT_ACTIVE).astype(np.int64),
            "projectType": np.full(n, 5, dtype=np.int64),
            "startDateTime": start,
            "endDateTime": finish,
            "completedDateTime": np.where(done, finish, nat(n)),
            "estimatedTime": est,
            "actualHours": np.round(est * progress * 1.08, 2),
            "actualBilledHours": np.round(est * progress, 2),
            "laborEstimatedRevenue": np.round(est * CONSULTANT_RATE, 2),
            "laborEstimatedCosts": np.round(est * CONSULTANT_COST, 2),
            "completedPercentage": np.round(progress * 100).astype(np.int64),
            "createDateTime": start - np.timedelta64(14, "D"),
            "lastActivityDateTime": np.minimum(finish, end),
        },
    )
    return Portfolio(projects, tasks, firms.ids[client][p], resource, PROJECT_BASE + p)
