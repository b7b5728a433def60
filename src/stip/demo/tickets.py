"""A ticket's life: queue, priority, SLA clock, assignment, response, resolution, status.

Response and resolution times are drawn in business hours against the SLA targets of the
ticket's priority, so most tickets meet their SLA and a realistic minority do not. The
planted stories bend these draws: the drifting queue slows down over the last weeks, the
overloaded engineer gets more tickets and closes them slower, the outage tickets close fast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stip.demo import names
from stip.demo import picklists as pk
from stip.demo.arrivals import Arrivals
from stip.demo.clock import Timeline
from stip.demo.contracts import Book, contract_at
from stip.demo.model import NO_BOOL, NULL, Frame, nat
from stip.demo.people import FIELD, FIRST, PROJECTS, SECOND, Clients, Staff

TICKET_BASE = 100000
FIRST_RESPONSE_TARGET = {pk.P1: 0.5, pk.P2: 1.0, pk.P3: 4.0, pk.P4: 8.0}
RESOLUTION_TARGET = {pk.P1: 4.0, pk.P2: 8.0, pk.P3: 16.0, pk.P4: 40.0}
QUEUE_TEAM = {pk.Q_FIRST: FIRST, pk.Q_SECOND: SECOND, pk.Q_FIELD: FIELD, pk.Q_PROJECTS: PROJECTS}
DRIFT_DAYS = 42
ISSUE_NAMES = list(names.ISSUES)


@dataclass
class Plan:
    """The story knobs the ticket life cycle needs."""

    overloaded: int  # resource index
    drifting_queue: int
    end: np.datetime64
    end_day: int


@dataclass
class Lives:
    """Per ticket of a chunk: what the time entries and surveys need to know."""

    frame: Frame
    client: np.ndarray
    assignee: np.ndarray  # resource index, -1 if unassigned
    team: np.ndarray
    queue: np.ndarray
    first_response: np.ndarray
    resolved: np.ndarray  # NaT while open
    completed: np.ndarray
    met: np.ndarray
    sla_hours: np.ndarray  # business hours to resolution, SLA pauses left out
    outage: np.ndarray
    contract_kind: np.ndarray


def lives(
    rng: np.random.Generator,
    tl: Timeline,
    arr: Arrivals,
    lo: int,
    hi: int,
    firms: Clients,
    crew: Staff,
    book: Book,
    plan: Plan,
) -> Lives:
    n = hi - lo
    create = arr.create[lo:hi]
    client = arr.client[lo:hi]
    source = arr.source[lo:hi]
    outage = arr.outage[lo:hi]
    rmm = source == pk.RMM
    day = tl.local_day(create)
    queue = np.where(
        rmm,
        pk.Q_MONITORING,
        rng.choice(
            [pk.Q_FIRST, pk.Q_SECOND, pk.Q_FIELD, pk.Q_PROJECTS], size=n, p=[0.62, 0.24, 0.09, 0.05]
        ),
    )
    queue[outage] = pk.Q_FIRST
    ticket_type = np.where(
        rmm,
        pk.ALERT,
        rng.choice(
            [pk.INCIDENT, pk.SERVICE_REQUEST, pk.CHANGE, pk.PROBLEM],
            size=n,
            p=[0.55, 0.38, 0.05, 0.02],
        ),
    )
    ranks = np.array([pk.P1, pk.P2, pk.P3, pk.P4])
    priority = np.where(
        rmm,
        ranks[rng.choice(4, size=n, p=[0.03, 0.25, 0.6, 0.12])],
        ranks[rng.choice(4, size=n, p=[0.015, 0.12, 0.62, 0.245])],
    )
    priority[outage] = pk.P2
    team = np.array([QUEUE_TEAM.get(int(q), FIRST) for q in queue])
    team[rmm & (rng.random(n) < 0.3)] = SECOND
    assignee = _assign(rng, crew, team, day, plan.overloaded)

    fr_target = np.vectorize(FIRST_RESPONSE_TARGET.get)(priority).astype(float)
    res_target = np.vectorize(RESOLUTION_TARGET.get)(priority).astype(float)
    fr_hours = fr_target * np.exp(rng.normal(np.log(0.3), 0.7, size=n)) * np.where(rmm, 0.5, 1.0)
    res_hours = res_target * np.exp(rng.normal(np.log(0.4), 0.7, size=n)) * np.where(rmm, 0.4, 1.0)
    # waiting for the customer: the ticket stays open longer, the SLA clock is paused meanwhile
    paused = np.where(rng.random(n) < 0.07, np.exp(rng.normal(np.log(20), 1.0, size=n)), 0.0)
    recent = np.clip(1 - (plan.end_day - day) / DRIFT_DAYS, 0, 1)
    drift = 1 + 2.6 * recent * (queue == plan.drifting_queue)
    fr_hours *= drift
    res_hours *= drift
    heavy = (assignee == plan.overloaded) & (day > plan.end_day - 60)
    res_hours *= np.where(heavy, 2.2, 1.0)
    res_hours = np.maximum(res_hours, fr_hours + 0.1)
    sla_hours = res_hours
    res_hours = res_hours + paused

    jitter = rng.integers(0, 60, size=n).astype("timedelta64[s]")
    first_response = tl.add_business_hours(create, fr_hours) + jitter
    resolved = tl.add_business_hours(create, res_hours) + jitter
    resolved = np.maximum(resolved, first_response + np.timedelta64(60, "s"))
    settle = np.where(rng.random(n) < 0.6, 0, rng.integers(60, 4 * 3600, size=n)).astype(
        "timedelta64[s]"
    )
    completed = resolved + settle
    # the outage: fixed within hours, evenings and weekends included
    fix = (rng.uniform(1.0, 5.0, size=n) * 3600).astype("timedelta64[s]")
    first_response[outage] = create[outage] + fix[outage] // 4
    resolved[outage] = create[outage] + fix[outage]
    completed[outage] = resolved[outage]

    end = plan.end
    responded = first_response <= end
    done = completed <= end
    new = ~responded
    unassigned = new & (rng.random(n) < 0.5)
    assignee = np.where(unassigned, -1, assignee)

    fr_due = tl.add_business_hours(create, fr_target)
    res_due = tl.add_business_hours(create, res_target)
    plan_due = tl.add_business_hours(create, res_target / 2)
    plan_at = tl.add_business_hours(create, fr_hours + (res_hours - fr_hours) * 0.3)
    sla = book.sla[client]
    met = np.where(done, (first_response <= fr_due) & (sla_hours <= res_target), False)
    met_flag = np.where(done, met.astype(np.int8), NO_BOOL).astype(np.int8)

    open_status = rng.choice(
        [pk.IN_PROGRESS, pk.WAITING_CUSTOMER, pk.WAITING_VENDOR, pk.WAITING_MATERIALS],
        size=n,
        p=[0.55, 0.25, 0.1, 0.1],
    )
    open_status = np.where(
        team == FIELD,
        np.where(open_status == pk.IN_PROGRESS, pk.DISPATCHED, open_status),
        open_status,
    )
    status = np.where(done, pk.COMPLETE, np.where(new, pk.NEW, open_status)).astype(np.int64)

    last_activity = np.where(
        done,
        completed,
        np.where(
            responded,
            np.minimum(
                end,
                first_response
                + (rng.random(n) * (end - first_response).astype(float)).astype("timedelta64[s]"),
            ),
            create,
        ),
    )
    contract = contract_at(book, client, tl.local_date(create))
    issue = rng.integers(0, len(ISSUE_NAMES), size=n)
    title = _titles(rng, issue, rmm)
    issue_type = np.where(rmm, pk.ISSUE_ALERT, issue + 1)
    sub_issue = issue_type * 100 + rng.integers(1, 4, size=n)
    contact = np.where(
        rmm,
        NULL,
        firms.contact_first[client]
        + (rng.random(n) * firms.contact_count[client]).astype(np.int64),
    )
    with_ci = rmm | (rng.random(n) < 0.4)
    ci = np.where(
        with_ci,
        firms.ci_first[client] + (rng.random(n) * firms.ci_count[client]).astype(np.int64),
        NULL,
    )
    resource_ids = np.where(assignee >= 0, crew.ids[np.maximum(assignee, 0)], NULL)
    resource_roles = np.where(assignee >= 0, crew.role_id[np.maximum(assignee, 0)], NULL)
    ids = TICKET_BASE + lo + np.arange(n)
    alert_ids = np.full(n, None, dtype=object)
    alert_ids[rmm] = [f"alrt-{v}" for v in rng.integers(10**9, 10**10, size=int(rmm.sum()))]
    frame = Frame(
        "Tickets",
        {
            "id": ids,
            "ticketNumber": arr.numbers(lo, hi),
            "title": title,
            "companyID": firms.ids[client],
            "contactID": contact,
            "contractID": contract,
            "assignedResourceID": resource_ids,
            "assignedResourceRoleID": resource_roles,
            "completedByResourceID": np.where(done, resource_ids, NULL),
            "creatorResourceID": np.where(source == pk.PHONE, resource_ids, NULL),
            "creatorType": np.where(source == pk.PHONE, 1, np.where(rmm, 1, 2)).astype(np.int64),
            "configurationItemID": ci,
            "queueID": queue.astype(np.int64),
            "priority": priority.astype(np.int64),
            "status": status,
            "ticketType": ticket_type.astype(np.int64),
            "issueType": issue_type.astype(np.int64),
            "subIssueType": sub_issue.astype(np.int64),
            "source": source,
            "billingCodeID": np.where(team == FIELD, 29683502, 29683501).astype(np.int64),
            "serviceLevelAgreementID": sla.astype(np.int64),
            "serviceLevelAgreementHasBeenMet": met_flag,
            "createDate": create,
            "completedDate": np.where(done, completed, nat(n)),
            "dueDateTime": res_due,
            "firstResponseDateTime": np.where(responded, first_response, nat(n)),
            "firstResponseDueDateTime": fr_due,
            "resolutionPlanDateTime": np.where(plan_at <= end, plan_at, nat(n)),
            "resolutionPlanDueDateTime": plan_due,
            "resolvedDateTime": np.where(done, resolved, nat(n)),
            "resolvedDueDateTime": res_due,
            "lastActivityDate": last_activity,
            "lastCustomerVisibleActivityDateTime": last_activity,
            "lastCustomerNotificationDateTime": np.where(
                responded, np.minimum(first_response, end), nat(n)
            ),
            "lastTrackedModificationDateTime": last_activity,
            "estimatedHours": np.round(res_target / 8, 2),
            "monitorID": np.where(rmm, 90000 + client, NULL),
            "rmmAlertID": alert_ids,
        },
    )
    return Lives(
        frame=frame,
        client=client,
        assignee=assignee,
        team=team,
        queue=queue,
        first_response=np.where(responded, first_response, nat(n)),
        resolved=np.where(done, resolved, nat(n)),
        completed=np.where(done, completed, nat(n)),
        met=met,
        sla_hours=sla_hours,
        outage=outage,
        contract_kind=book.kind[client],
    )


def _assign(
    rng: np.random.Generator, crew: Staff, team: np.ndarray, day: np.ndarray, overloaded: int
) -> np.ndarray:
    """A member of the ticket's team who worked there that day; the overloaded one gets more."""
    result = np.empty(len(team), dtype=np.int64)
    for t in np.unique(team):
        rows = np.flatnonzero(team == t)
        members = np.flatnonzero(crew.dept == t)
        weight = np.where(members == overloaded, 2.4, 1.0)
        pick = members[rng.choice(len(members), size=len(rows), p=weight / weight.sum())]
        for _ in range(6):
            away = (crew.first_day[pick] > day[rows]) | (crew.last_day[pick] < day[rows])
            if not away.any():
                break
            pick[away] = members[rng.integers(0, len(members), size=int(away.sum()))]
        away = (crew.first_day[pick] > day[rows]) | (crew.last_day[pick] < day[rows])
        pick[away] = members[0]
        result[rows] = pick
    return result


def _titles(rng: np.random.Generator, issue: np.ndarray, rmm: np.ndarray) -> np.ndarray:
    pools = [names.ISSUES[name] for name in ISSUE_NAMES]
    pick = rng.integers(0, 64, size=len(issue))
    alert = rng.integers(0, len(names.ALERTS), size=len(issue))
    return np.array(
        [
            names.ALERTS[a] if r else pools[i][p % len(pools[i])]
            for i, p, a, r in zip(issue, pick, alert, rmm, strict=True)
        ],
        dtype=object,
    )
