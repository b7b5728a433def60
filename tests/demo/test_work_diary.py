"""Nobody in the demo books more than a fifth beyond their contracted day: work that does not
fit moves to their next business day with room, or is not booked."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from stip.demo.clock import Timeline
from stip.demo.work import SPILL_DAYS, Diary

from .helpers import Built

TL = Timeline(date(2026, 4, 20), date(2026, 5, 31))
FULL, PART = 0, 1  # 40 and 24 hours a week: days of 9.6 and 5.76 hours at most


def _at(day: date, hour: int) -> np.ndarray:
    return TL.local_moment(np.array([TL.day_of(day)]), np.array([hour * 60]))


def _book(
    diary: Diary, who: int, day: date, hours: float, latest: date = date(2026, 5, 31)
) -> tuple[date, int, bool]:
    """Book one entry at 10:00 on `day` that may start no later than 10:00 on `latest`: the
    local day and minute it starts, and whether it is booked at all."""
    start, booked = diary.book(np.array([who]), _at(day, 10), np.array([hours]), _at(latest, 10))
    local = int(TL.local_day(start)[0])
    minute = int(TL.minute_index(start)[0] - TL.day_start[local])
    return TL.first_day + timedelta(days=local), minute, bool(booked[0])


def test_a_full_day_sends_work_to_the_next_business_day_with_room() -> None:
    diary = Diary(TL, np.array([40.0, 24.0]), 1.2)
    friday = date(2026, 4, 24)
    assert _book(diary, FULL, friday, 4.0) == (friday, 10 * 60, True)
    assert _book(diary, FULL, friday, 4.0) == (friday, 10 * 60, True)
    # 8 + 2 > 9.6: past the weekend and King's Day (Monday 27 April) to Tuesday 08:00
    assert _book(diary, FULL, friday, 2.0) == (date(2026, 4, 28), 8 * 60, True)
    # Tuesday now holds 2 hours: the next one moved there starts at 10:00
    assert _book(diary, FULL, friday, 3.0) == (date(2026, 4, 28), 10 * 60, True)


def test_what_cannot_move_or_finds_no_room_is_not_booked() -> None:
    diary = Diary(TL, np.array([40.0, 24.0]), 1.2)
    monday = date(2026, 5, 4)
    assert _book(diary, PART, monday, 6.0) == (monday, 10 * 60, True)  # alone: a long day
    assert _book(diary, PART, monday, 1.0, latest=monday)[2] is False  # may not move
    assert _book(diary, PART, monday, 1.0, latest=date(2026, 5, 5)) == (
        date(2026, 5, 5),
        8 * 60,
        True,
    )  # moves to Tuesday 08:00, before the ticket's resolution at 10:00
    for day in range(4, 4 + SPILL_DAYS + 1):
        _book(diary, FULL, date(2026, 5, day if day < 9 else day + 2), 9.5)
    assert _book(diary, FULL, monday, 1.0)[2] is False  # every day within reach is full


def test_no_demo_day_is_longer_than_a_fifth_beyond_the_contracted_day(small: Built) -> None:
    """A day of one entry may be longer: one piece of work is not split."""
    longest = small.one(
        "SELECT max(d.hours / (r.weekly_hours / 5)) FROM (SELECT resource_id, date_worked, "
        "sum(hours_worked) AS hours, count(*) AS n FROM time_entries GROUP BY ALL) d "
        "JOIN resources r ON r.id = d.resource_id WHERE r.weekly_hours > 0 AND d.n > 1"
    )
    assert 1.0 < longest <= 1.2 + 1e-9


def test_moved_work_stays_within_its_ticket_and_its_task(small: Built) -> None:
    after_ticket = small.one(
        "SELECT count(*) FROM time_entries e JOIN tickets t ON t.id = e.ticket_id "
        "WHERE e.start_date_time > t.completed_date"
    )
    after_task = small.one(
        "SELECT count(*) FROM time_entries e JOIN tasks k ON k.id = e.task_id "
        "WHERE e.start_date_time > k.end_date_time"
    )
    assert (after_ticket, after_task) == (0, 0)
