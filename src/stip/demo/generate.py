"""`generate(scale, seed, end)`: the whole demo MSP, deterministic for (scale, seed, end).

The organisation (staff, clients, contracts, projects) is built up front; tickets and what
follows from them (time entries, billing, surveys, SLA results, history) come in chunks of
tickets, so the large scale never holds everything in memory at once. Invoices come last:
they total the billing items of all chunks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from stip.demo import picklists as pk
from stip.demo.arrivals import Arrivals, arrivals
from stip.demo.clock import Timeline, local_midnight_utc, to_local_date
from stip.demo.contracts import Book, contracts
from stip.demo.feedback import history, sla_results, surveys
from stip.demo.finance import Ledger, month_number
from stip.demo.model import SCALES, Frame, Scale, Stories, floor_hour
from stip.demo.people import FIRST, SECOND, Clients, Staff, clients, staff
from stip.demo.projects import Portfolio, portfolio
from stip.demo.tickets import Plan, lives
from stip.demo.work import Diary, internal_entries, task_entries, ticket_entries
from stip.errors import UserError

FUTURE_DAYS = 140
HISTORY_SAMPLE = 0.1


class DemoError(UserError):
    """A demo request that cannot be served as asked."""


@dataclass
class DemoData:
    """The generated MSP. `org` is materialised; `activity()` streams the rest in chunks."""

    scale: Scale
    seed: int
    end: datetime
    stories: Stories
    org: list[Frame]
    picklists: dict[str, list[dict[str, Any]]]
    timeline: Timeline
    _crew: Staff
    _firms: Clients
    _book: Book
    _projects: Portfolio
    _arrivals: Arrivals
    _ledger: Ledger
    _plan: Plan

    @property
    def ticket_count(self) -> int:
        return len(self._arrivals)

    def activity(self) -> Iterator[list[Frame]]:
        """Chunks of frames: tickets and their consequences, then other time, then invoices."""
        end = np.datetime64(self.end, "s")
        window_end = np.datetime64(local_midnight_utc(to_local_date(self.end)), "s")
        late = int(self._late_booker)
        entry_id = survey_id = history_id = 0
        diary = Diary(self.timeline, self._crew.weekly, self.scale.long_day)
        size = self.scale.chunk_tickets
        for chunk, lo in enumerate(range(0, len(self._arrivals), size)):
            hi = min(lo + size, len(self._arrivals))
            rng = np.random.default_rng([self.seed, 100, chunk])
            life = lives(
                rng,
                self.timeline,
                self._arrivals,
                lo,
                hi,
                self._firms,
                self._crew,
                self._book,
                self._plan,
            )
            booking = ticket_entries(
                rng,
                self.timeline,
                life,
                self._crew,
                self._ledger,
                diary,
                first_id=entry_id,
                work_factor=self.scale.work_factor,
                late_booker=late,
                end=end,
            )
            entry_id += booking.used
            found = surveys(rng, life, first_id=survey_id, end=end, window_end=window_end)
            survey_id += len(found)
            changes = history(rng, life, first_id=history_id, sample=HISTORY_SAMPLE)
            history_id += len(changes)
            yield [
                life.frame,
                booking.entries,
                booking.items,
                sla_results(self.timeline, life, self._crew),
                found,
                changes,
            ]
        rng = np.random.default_rng([self.seed, 3])
        internal, used = internal_entries(
            rng,
            self.timeline,
            self._crew,
            diary,
            first_id=entry_id,
            end_day=self._plan.end_day,
            end=end,
            late_booker=late,
        )
        entry_id += used
        tasks = self._projects
        booking = task_entries(
            np.random.default_rng([self.seed, 4]),
            self.timeline,
            self._crew,
            tasks.tasks,
            tasks.task_company,
            tasks.task_resource,
            tasks.task_project,
            self._ledger,
            diary,
            first_id=entry_id,
            end=end,
            late_booker=late,
        )
        yield [internal, booking.entries, booking.items]
        yield [self._ledger.invoices()]

    @property
    def _late_booker(self) -> int:
        return int(np.flatnonzero(self._crew.ids == self.stories.late_booker_resource_id)[0])


def default_end() -> datetime:
    """Now, rounded down to the hour, as naive UTC."""
    return floor_hour(datetime.now(UTC)).replace(tzinfo=None)


def generate(scale: str = "medium", seed: int = 1, end: datetime | None = None) -> DemoData:
    if scale not in SCALES:
        raise DemoError(f"demo scale '{scale}' is unknown; use one of: {', '.join(SCALES)}")
    sc = SCALES[scale]
    end = floor_hour(_naive_utc(end) if end else default_end())
    end_date = to_local_date(end)
    first_day = end_date - timedelta(days=sc.history_days)
    tl = Timeline(first_day, end_date + timedelta(days=FUTURE_DAYS))
    end_day = tl.day_of(end_date)
    rng = np.random.default_rng([seed, 1])
    crew = staff(rng, sc, tl)
    firms = clients(rng, sc, tl, crew)
    loss, expiring, cluster = _story_clients(rng, firms)
    ledger = Ledger(
        firms.ids, int(month_number(np.array([np.datetime64(first_day, "D")]))[0]), end_date, seed
    )
    book = contracts(
        np.random.default_rng([seed, 2]),
        tl,
        end_day,
        firms,
        ledger,
        loss_making=loss,
        expiring=expiring,
    )
    overloaded = int(np.flatnonzero(crew.dept == FIRST)[1])
    late_booker = int(np.flatnonzero(crew.dept == SECOND)[1])
    plan = Plan(
        overloaded=overloaded,
        drifting_queue=pk.Q_SECOND,
        end=np.datetime64(end, "s"),
        end_day=end_day,
    )
    arr = arrivals(
        np.random.default_rng([seed, 5]),
        sc,
        tl,
        end,
        end_day,
        firms,
        demanding=loss,
        cluster=cluster,
    )
    projects = portfolio(
        np.random.default_rng([seed, 6]), sc, tl, np.datetime64(end, "s"), end_day, firms, crew
    )
    stories = Stories(
        late_booker_resource_id=int(crew.ids[late_booker]),
        late_booker_name=crew.names[late_booker],
        loss_making_company_id=int(firms.ids[loss]),
        loss_making_company_name=firms.names[loss],
        drifting_queue_id=pk.Q_SECOND,
        drifting_queue_name=pk.QUEUES[pk.Q_SECOND],
        low_rating_company_id=int(firms.ids[cluster]),
        low_rating_company_name=firms.names[cluster],
        expiring_contract_id=book.expiring_contract_id,
        expiring_company_id=int(firms.ids[expiring]),
        overloaded_resource_id=int(crew.ids[overloaded]),
        overloaded_resource_name=crew.names[overloaded],
    )
    org = [*crew.frames, *firms.frames, *book.frames, projects.projects, projects.tasks]
    return DemoData(
        scale=sc,
        seed=seed,
        end=end,
        stories=stories,
        org=org,
        picklists=pk.fields(),
        timeline=tl,
        _crew=crew,
        _firms=firms,
        _book=book,
        _projects=projects,
        _arrivals=arr,
        _ledger=ledger,
        _plan=plan,
    )


def _story_clients(rng: np.random.Generator, firms: Clients) -> tuple[int, int, int]:
    """Three different long-standing, mid-sized clients for the client stories."""
    mid = np.flatnonzero((firms.since_day < -400) & (firms.users >= 12) & (firms.users <= 60))
    if len(mid) < 3:
        mid = np.argsort(-firms.users)[1:4]
    loss, expiring, cluster = (int(i) for i in rng.choice(mid, size=3, replace=False))
    return loss, expiring, cluster


def _naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)
