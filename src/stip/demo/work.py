"""Time entries and the labour billing items they turn into.

Engineers book in quarters of an hour, on business moments between a ticket's first response
and its resolution. Most book right after the work or at the end of the day; a few entries
come days later — and the planted late booker is days late almost always. Billable time is
approved weekly and posted as labour: at the role's rate on time & materials, at zero on
all-in and block-hour contracts (their revenue is the service fee or the block).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stip.demo import picklists as pk
from stip.demo.clock import Timeline
from stip.demo.finance import Ledger, billing_columns
from stip.demo.model import Frame, nat, nulls_int
from stip.demo.people import FIELD, STAFF, Staff
from stip.demo.tickets import Lives

ENTRIES_PER_TICKET = {
    pk.Q_FIRST: 0.8,
    pk.Q_SECOND: 1.8,
    pk.Q_FIELD: 1.8,
    pk.Q_PROJECTS: 1.5,
    pk.Q_MONITORING: 0.3,
}
MEDIAN_HOURS = {
    pk.Q_FIRST: 0.35,
    pk.Q_SECOND: 0.75,
    pk.Q_FIELD: 1.4,
    pk.Q_PROJECTS: 1.25,
    pk.Q_MONITORING: 0.25,
}
CODE_REMOTE, CODE_ONSITE, CODE_PROJECT, CODE_INTERNAL = 29683501, 29683502, 29683503, 29683504
SPILL_DAYS = 5  # business days work may move on when a day is full
OPEN_MINUTE = 8 * 60  # work moved to another day starts at 08:00 plus what that day holds
LABOUR_ITEM_BASE = 80_000_000
TIME_ENTRY_BASE = 1_000_000


@dataclass
class Booking:
    """The entries one batch of work produced, with the ids it used."""

    entries: Frame
    items: Frame
    used: int  # entry ids consumed (entries booked after the end are dropped, ids are not reused)


class Diary:
    """The hours each resource has booked per local day so far. Work that would make a day
    longer than `long_day` times the resource's contracted day (Scale.long_day: 9.6 h on 40
    hours a week) moves to its next business day with room, up to `SPILL_DAYS` days on and
    never past the ticket's resolution or the task's end; beyond that it is not booked (an
    overloaded engineer does not log everything). Without it the demo booked per ticket
    only, and some days held 36 hours."""

    def __init__(self, tl: Timeline, weekly: np.ndarray, long_day: float | None) -> None:
        self.tl = tl
        self.cap = None if long_day is None else weekly / 5 * long_day
        self.used = np.zeros(len(weekly) * tl.days if long_day is not None else 0)
        later = np.flatnonzero(tl.is_business_day)
        # for each day index: the next business day's index (tl.days when there is none)
        pos = np.searchsorted(later, np.arange(tl.days), side="right")
        self.next_day = np.append(later, tl.days)[pos]

    def book(
        self, resource: np.ndarray, start: np.ndarray, hours: np.ndarray, latest: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Where each entry fits: its (possibly later) start, never after `latest` (a ticket's
        resolution, a task's end; the start itself for what cannot move), and whether it is
        booked at all."""
        if self.cap is None:
            return start, np.ones(len(start), dtype=bool)
        tl, cap = self.tl, self.cap
        day = tl.local_day(start)
        start = start.copy()
        booked = np.zeros(len(start), dtype=bool)
        pending = np.flatnonzero(day < tl.days)
        for _ in range(SPILL_DAYS + 1):
            if not len(pending):
                break
            key = resource[pending] * tl.days + day[pending]
            order = np.lexsort((start[pending], key))
            p, key = pending[order], key[order]
            h = hours[p]
            total = np.cumsum(h)
            first = np.r_[True, key[1:] != key[:-1]]
            group_first = np.maximum.accumulate(np.where(first, np.arange(len(p)), 0))
            before = total - h - (total[group_first] - h[group_first])
            fits = self.used[key] + before + h <= cap[resource[p]]
            fits |= (self.used[key] == 0) & (before == 0)  # a long entry on an empty day
            np.add.at(self.used, key[fits], h[fits])
            booked[p[fits]] = True
            moved = p[~fits]
            day[moved] = self.next_day[day[moved]]
            moved = moved[day[moved] < tl.days]
            used = self.used[resource[moved] * tl.days + day[moved]]
            minute = OPEN_MINUTE + np.round(used * 60).astype(np.int64)
            start[moved] = tl.local_moment(day[moved], minute)
            pending = moved[start[moved] <= latest[moved]]
        return start, booked


def ticket_entries(
    rng: np.random.Generator,
    tl: Timeline,
    life: Lives,
    crew: Staff,
    ledger: Ledger,
    diary: Diary,
    *,
    first_id: int,
    work_factor: float,
    late_booker: int,
    end: np.datetime64,
) -> Booking:
    worked = ~np.isnat(life.first_response) & (life.assignee >= 0)
    lam = np.array([ENTRIES_PER_TICKET[int(q)] for q in life.queue]) * work_factor
    count = np.where(worked, 1 + rng.poisson(lam), 0)
    count[(life.queue == pk.Q_MONITORING) & (rng.random(len(count)) < 0.3)] = 0
    t = np.repeat(np.arange(len(count)), count)
    n = len(t)
    rank = np.arange(n) - np.repeat(np.cumsum(count) - count, count)
    until = np.where(np.isnat(life.resolved[t]), end, life.resolved[t])
    start = tl.business_moment(life.first_response[t], until, rng.random(n))
    # the first entry at the first response; so is work on a ticket that opened and closed
    # outside business hours (the next business minute would fall after its resolution)
    start = np.where((rank == 0) | (start > until), life.first_response[t], start)
    median = np.array([MEDIAN_HOURS[int(q)] for q in life.queue[t]])
    hours = np.clip(np.ceil(median * np.exp(rng.normal(0, 0.6, size=n)) * 4) / 4, 0.25, 6.0)
    helper = rng.random(n) < 0.15
    team_pick = _team_member(rng, crew, life.team[t], tl.local_day(start))
    resource = np.where(helper, team_pick, life.assignee[t])
    billable = (life.queue[t] != pk.Q_MONITORING) | (rng.random(n) < 0.4)
    billable &= rng.random(n) > 0.12
    codes = np.where(life.team[t] == FIELD, CODE_ONSITE, CODE_REMOTE)
    start, booked = diary.book(resource, start, hours, until)
    frame = _entries(
        rng,
        tl,
        crew,
        ids=TIME_ENTRY_BASE + first_id + np.arange(n),
        resource=resource,
        start=start,
        hours=hours,
        billable=billable,
        ticket=life.frame.cols["id"][t],
        task=nulls_int(n),
        contract=life.frame.cols["contractID"][t],
        code=codes,
        kind=pk.TE_TICKET,
        late_booker=late_booker,
        end=end,
    )
    keep = booked & (frame.cols["createDateTime"] <= end)
    frame = Frame("TimeEntries", {k: v[keep] for k, v in frame.cols.items()})
    kind = life.contract_kind[t][keep]
    items = labour_items(
        frame,
        company=life.frame.cols["companyID"][t][keep],
        ticket=life.frame.cols["id"][t][keep],
        task=nulls_int(int(keep.sum())),
        project=nulls_int(int(keep.sum())),
        priced=kind == pk.TM,
        rate=crew.rate[resource[keep]],
        cost=crew.cost[resource[keep]],
        ledger=ledger,
    )
    return Booking(frame, items, n)


def _team_member(
    rng: np.random.Generator, crew: Staff, team: np.ndarray, day: np.ndarray
) -> np.ndarray:
    result = np.empty(len(team), dtype=np.int64)
    for d in np.unique(team):
        rows = np.flatnonzero(team == d)
        members = np.flatnonzero(crew.dept == d)
        pick = members[rng.integers(0, len(members), size=len(rows))]
        away = (crew.first_day[pick] > day[rows]) | (crew.last_day[pick] < day[rows])
        pick[away] = members[0]
        result[rows] = pick
    return result


def _entries(
    rng: np.random.Generator,
    tl: Timeline,
    crew: Staff,
    *,
    ids: np.ndarray,
    resource: np.ndarray,
    start: np.ndarray,
    hours: np.ndarray,
    billable: np.ndarray,
    ticket: np.ndarray,
    task: np.ndarray,
    contract: np.ndarray,
    code: np.ndarray,
    kind: int,
    late_booker: int,
    end: np.datetime64,
) -> Frame:
    n = len(ids)
    stop = start + (hours * 3600).astype("timedelta64[s]")
    day = tl.local_day(start)
    # when it was typed in: right away, at the end of the day, or days later
    roll = rng.random(n)
    soon = stop + (rng.exponential(0.3, size=n) * 3600).astype("timedelta64[s]")
    evening = np.maximum(
        tl.local_moment(day + 0, np.full(n, 17 * 60))
        + rng.integers(0, 3600, n).astype("timedelta64[s]"),
        soon,
    )
    later = stop + (rng.uniform(24, 72, size=n) * 3600).astype("timedelta64[s]")
    created = np.where(roll < 0.7, soon, np.where(roll < 0.93, evening, later))
    late = (resource == late_booker) & (rng.random(n) < 0.85)
    created = np.where(
        late, stop + (rng.uniform(72, 144, size=n) * 3600).astype("timedelta64[s]"), created
    )
    # approved and posted weekly: the Monday after it was booked, for billable time
    created_day = tl.local_day(created)
    monday = created_day + (7 - tl.weekday[np.clip(created_day, 0, tl.days - 1)])
    approved = tl.local_moment(monday, np.full(n, 10 * 60))
    approved = np.where(billable & (approved <= end), approved, nat(n))
    return Frame(
        "TimeEntries",
        {
            "id": ids,
            "ticketID": ticket,
            "taskID": task,
            "resourceID": crew.ids[resource],
            "roleID": crew.role_id[resource],
            "contractID": contract,
            "billingCodeID": code.astype(np.int64),
            "dateWorked": tl.local_date(start),
            "startDateTime": start,
            "endDateTime": stop,
            "hoursWorked": hours,
            "hoursToBill": np.where(billable, hours, 0.0),
            "offsetHours": np.zeros(n),
            "isNonBillable": (~billable).astype(np.int8),
            "showOnInvoice": billable.astype(np.int8),
            "timeEntryType": np.full(n, kind, dtype=np.int64),
            "createDateTime": created,
            "lastModifiedDateTime": np.where(
                np.isnat(approved), created, np.maximum(approved, created)
            ),
            "billingApprovalDateTime": approved,
        },
    )


def labour_items(
    entries: Frame,
    *,
    company: np.ndarray,
    ticket: np.ndarray,
    task: np.ndarray,
    project: np.ndarray,
    priced: np.ndarray,
    rate: np.ndarray,
    cost: np.ndarray,
    ledger: Ledger,
) -> Frame:
    """One labour billing item per approved billable entry (the item id follows the entry's)."""
    cols = entries.cols
    posted = ~np.isnat(cols["billingApprovalDateTime"])
    hours = cols["hoursToBill"][posted]
    amount = np.round(np.where(priced[posted], hours * rate[posted], 0.0), 2)
    day = cols["dateWorked"][posted]
    return Frame(
        "BillingItems",
        billing_columns(
            ids=LABOUR_ITEM_BASE + cols["id"][posted],
            company=company[posted],
            ticket=ticket[posted],
            task=task[posted],
            project=project[posted],
            contract=cols["contractID"][posted],
            time_entry=cols["id"][posted],
            invoice=ledger.post(company[posted], day, amount),
            kind=np.full(len(hours), pk.BI_LABOUR, dtype=np.int64),
            name=np.where(priced[posted], "Arbeid", "Arbeid (binnen contract)").astype(object),
            day=day,
            posted=cols["billingApprovalDateTime"][posted],
            quantity=hours,
            rate=np.where(priced[posted], rate[posted], 0.0),
            amount=amount,
            cost=np.round(cols["hoursWorked"][posted] * cost[posted], 2),
            role=cols["roleID"][posted],
            service=nulls_int(len(hours)),
        ),
    )


def internal_entries(
    rng: np.random.Generator,
    tl: Timeline,
    crew: Staff,
    diary: Diary,
    *,
    first_id: int,
    end_day: int,
    end: np.datetime64,
    late_booker: int,
) -> tuple[Frame, int]:
    """Meetings, training and documentation: non-billable time on no ticket."""
    engineers = np.flatnonzero(crew.dept != STAFF)
    days = np.flatnonzero(tl.is_business_day[: end_day + 1])
    res = np.repeat(engineers, len(days))
    day = np.tile(days, len(engineers))
    keep = (
        (rng.random(len(res)) < 0.55) & (crew.first_day[res] <= day) & (crew.last_day[res] >= day)
    )
    res, day = res[keep], day[keep]
    n = len(res)
    minute = np.where(rng.random(n) < 0.5, 8 * 60 + 30, 16 * 60)
    hours = rng.choice([0.5, 0.75, 1.0, 1.5], size=n)
    start = tl.local_moment(day, minute)
    start, booked = diary.book(res, start, hours, start)  # a meeting does not move
    frame = _entries(
        rng,
        tl,
        crew,
        ids=TIME_ENTRY_BASE + first_id + np.arange(n),
        resource=res,
        start=start,
        hours=hours,
        billable=np.zeros(n, dtype=bool),
        ticket=nulls_int(n),
        task=nulls_int(n),
        contract=nulls_int(n),
        code=np.full(n, CODE_INTERNAL),
        kind=pk.TE_REGULAR,
        late_booker=late_booker,
        end=end,
    )
    keep = booked & (frame.cols["createDateTime"] <= end)
    return Frame("TimeEntries", {k: v[keep] for k, v in frame.cols.items()}), n


def task_entries(
    rng: np.random.Generator,
    tl: Timeline,
    crew: Staff,
    tasks: Frame,
    task_company: np.ndarray,
    task_resource: np.ndarray,
    task_project: np.ndarray,
    ledger: Ledger,
    diary: Diary,
    *,
    first_id: int,
    end: np.datetime64,
    late_booker: int,
) -> Booking:
    cols = tasks.cols
    started = cols["startDateTime"] <= end
    count = np.where(started, np.maximum(1, np.round(cols["estimatedHours"] / 2.5)), 0).astype(
        np.int64
    )
    t = np.repeat(np.arange(len(count)), count)
    n = len(t)
    until = np.minimum(cols["endDateTime"][t], end)
    start = tl.business_moment(cols["startDateTime"][t], until, rng.random(n))
    hours = np.clip(np.round(rng.uniform(1.0, 4.0, size=n) * 4) / 4, 0.5, 6.0)
    start, booked = diary.book(task_resource[t], start, hours, until)
    frame = _entries(
        rng,
        tl,
        crew,
        ids=TIME_ENTRY_BASE + first_id + np.arange(n),
        resource=task_resource[t],
        start=start,
        hours=hours,
        billable=np.ones(n, dtype=bool),
        ticket=nulls_int(n),
        task=cols["id"][t],
        contract=nulls_int(n),
        code=np.full(n, CODE_PROJECT),
        kind=pk.TE_TASK,
        late_booker=late_booker,
        end=end,
    )
    keep = booked & (frame.cols["createDateTime"] <= end)
    frame = Frame("TimeEntries", {k: v[keep] for k, v in frame.cols.items()})
    items = labour_items(
        frame,
        company=task_company[t][keep],
        ticket=nulls_int(int(keep.sum())),
        task=cols["id"][t][keep],
        project=task_project[t][keep],
        priced=np.ones(int(keep.sum()), dtype=bool),
        rate=crew.rate[task_resource[t][keep]],
        cost=crew.cost[task_resource[t][keep]],
        ledger=ledger,
    )
    return Booking(frame, items, n)
