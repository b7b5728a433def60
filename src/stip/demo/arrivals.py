"""When tickets arrive and for whom: weekly and seasonal rhythm, growth, RMM alerts all day.

Human tickets peak on Monday mornings and after lunch, dip in the summer holidays and around
Christmas, and all but stop on Dutch public holidays. RMM alerts arrive at any hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from stip.demo import picklists as pk
from stip.demo.clock import Timeline
from stip.demo.model import Scale
from stip.demo.people import Clients

WEEKDAY = np.array([1.35, 1.1, 1.0, 0.95, 0.8, 0.06, 0.04])
HOURLY = np.array(
    [
        0.2,
        0.1,
        0.1,
        0.1,
        0.1,
        0.2,
        0.5,
        2.5,
        13,
        15,
        13,
        11,
        7,
        11,
        10,
        8,
        6,
        2.5,
        1.2,
        1.0,
        0.9,
        0.7,
        0.5,
        0.3,
    ]
)
RMM_SHARE = 0.22


@dataclass
class Arrivals:
    """All tickets' creation moments (sorted) with client, source and planted flags."""

    create: np.ndarray  # datetime64[s], naive UTC
    client: np.ndarray  # index into Clients
    source: np.ndarray
    outage: np.ndarray  # bool: part of the planted low-rating cluster
    local_date: np.ndarray  # datetime64[D]: the local day, for the ticket number
    seq: np.ndarray  # the ticket's place in its local day, for the ticket number

    def numbers(self, lo: int, hi: int) -> np.ndarray:
        """Autotask ticket numbers T{yyyymmdd}.{nnnn} of tickets lo..hi (made per slice: as
        Python strings, all 2M of the large scale would hold ~0.6 GB while being built)."""
        stamp = np.char.replace(
            np.datetime_as_string(self.local_date[lo:hi], unit="D").astype(str), "-", ""
        )
        return np.char.add(
            np.char.add(np.char.add("T", stamp), "."),
            np.char.zfill(self.seq[lo:hi].astype(str), 4),
        ).astype(object)

    def __len__(self) -> int:
        return len(self.create)


def arrivals(
    rng: np.random.Generator,
    scale: Scale,
    tl: Timeline,
    end: datetime,
    end_day: int,
    firms: Clients,
    *,
    demanding: int,
    cluster: int,
) -> Arrivals:
    days = np.arange(end_day + 1)
    dates = np.datetime64(tl.first_day, "D") + days.astype("timedelta64[D]")
    doy = (dates - dates.astype("datetime64[Y]")).astype(np.int64)
    month_day = dates.astype("datetime64[M]")
    summer = (doy >= 195) & (doy <= 237)
    md = (dates - month_day.astype("datetime64[D]")).astype(np.int64) + 1
    month = month_day.astype(np.int64) % 12 + 1
    christmas = ((month == 12) & (md >= 24)) | ((month == 1) & (md <= 2))
    growth = 0.8 + 0.2 * days / max(1, end_day)
    human = (
        WEEKDAY[tl.weekday[days]]
        * np.where(tl.is_holiday[days], 0.12, 1.0)
        * np.where(summer, 0.72, 1.0)
        * np.where(christmas, 0.45, 1.0)
        * growth
        * scale.tickets_per_business_day
        * (1 - RMM_SHARE)
        / 1.04
    )
    rmm = (
        np.where(tl.weekday[days] >= 5, 0.6, 1.0)
        * growth
        * scale.tickets_per_business_day
        * RMM_SHARE
    )
    n_human = rng.poisson(human)
    n_rmm = rng.poisson(rmm)
    h_day = np.repeat(days, n_human)
    r_day = np.repeat(days, n_rmm)
    h_minute = rng.choice(24, size=len(h_day), p=HOURLY / HOURLY.sum()) * 60 + rng.integers(
        0, 60, len(h_day)
    )
    r_minute = rng.integers(0, 24 * 60, size=len(r_day))
    day = np.concatenate([h_day, r_day])
    minute = np.concatenate([h_minute, r_minute])
    is_rmm = np.concatenate([np.zeros(len(h_day), bool), np.ones(len(r_day), bool)])

    weight = firms.users.astype(float) ** 0.9
    weight[demanding] *= 3.0
    client = rng.choice(len(weight), size=len(day), p=weight / weight.sum())
    early = firms.since_day[client] > day
    settled = np.flatnonzero(firms.since_day < 0)
    client[early] = settled[rng.integers(0, len(settled), size=int(early.sum()))]

    # the planted outage: a burst of tickets at one client in the days before the as-of day
    k = 10 if scale.name == "small" else 14
    o_day = end_day - rng.integers(2, 7, size=k)
    o_minute = rng.integers(8 * 60, 15 * 60, size=k)
    day = np.concatenate([day, o_day])
    minute = np.concatenate([minute, o_minute])
    client = np.concatenate([client, np.full(k, cluster)])
    is_rmm = np.concatenate([is_rmm, np.zeros(k, bool)])
    outage = np.concatenate([np.zeros(len(is_rmm) - k, bool), np.ones(k, bool)])

    create = tl.local_moment(day, minute) + rng.integers(0, 60, size=len(day)).astype(
        "timedelta64[s]"
    )
    keep = create < np.datetime64(end, "s")
    order = np.argsort(create[keep], kind="stable")
    create = create[keep][order]
    client = client[keep][order]
    is_rmm = is_rmm[keep][order]
    outage = outage[keep][order]
    human_source = rng.choice([pk.PHONE, pk.EMAIL, pk.PORTAL], size=len(create), p=[0.4, 0.4, 0.2])
    source = np.where(is_rmm, pk.RMM, human_source).astype(np.int64)
    return Arrivals(create, client, source, outage, *_day_sequence(tl, create))


def _day_sequence(tl: Timeline, create: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Autotask numbers tickets per local day: each ticket's local date and place in it."""
    local = tl.local_date(create)
    first = np.concatenate([[True], local[1:] != local[:-1]])
    starts = np.flatnonzero(first)
    seq = np.arange(len(local)) - np.repeat(starts, np.diff(np.append(starts, len(local)))) + 1
    return local, seq
