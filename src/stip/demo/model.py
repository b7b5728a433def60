"""Scales, planted stories, and the column containers the generator passes around.

An entity's data is `Cols`: Autotask field name -> numpy array. Nulls are NaT (datetimes),
NaN (floats), `NULL` (ints), -1 (bools, stored as int8) and None (strings, object arrays).
`datetime64[s]` arrays are UTC instants; `datetime64[D]` arrays are date-only fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

Cols = dict[str, np.ndarray]
NULL = np.iinfo(np.int64).min
NO_BOOL = -1


@dataclass(frozen=True)
class Scale:
    name: str
    companies: int
    team_sizes: tuple[int, int, int, int]  # 1e lijn, 2e lijn, Field, Projecten
    staff: int  # directie & accountmanagement
    history_days: int
    tickets_per_business_day: float  # at the end of the history; the MSP grew into it
    work_factor: float  # multiplies time entries per ticket
    projects_per_year: int
    chunk_tickets: int = 200_000  # tickets generated at once: bounds the memory of large loads
    # The longest day anyone books, as a share of their contracted day (work.Diary); None:
    # no limit, for large, whose entries per ticket are a benchmark's volume, not a team's.
    long_day: float | None = 1.2


SCALES: dict[str, Scale] = {
    "small": Scale("small", 26, (4, 3, 2, 2), 3, 182, 30.0, 1.0, 6),
    "medium": Scale("medium", 250, (12, 10, 7, 6), 4, 3 * 365, 120.0, 1.0, 24),
    "large": Scale(
        "large", 2_600, (240, 200, 140, 120), 20, 3 * 365, 3_000.0, 4.6, 400, 50_000, None
    ),
}


@dataclass(frozen=True)
class Stories:
    """Source ids of the records each planted story is about (contract §2 ids)."""

    late_booker_resource_id: int
    late_booker_name: str
    loss_making_company_id: int
    loss_making_company_name: str
    drifting_queue_id: int
    drifting_queue_name: str
    low_rating_company_id: int
    low_rating_company_name: str
    expiring_contract_id: int
    expiring_company_id: int
    overloaded_resource_id: int
    overloaded_resource_name: str

    def describe(self) -> list[tuple[str, str]]:
        """(story, what to look for) pairs, for the CLI summary and the docs."""
        return [
            (
                "late time booking",
                f"{self.late_booker_name} (resource {self.late_booker_resource_id})",
            ),
            (
                "loss-making all-in client",
                f"{self.loss_making_company_name} (company {self.loss_making_company_id})",
            ),
            (
                "queue drifting out of SLA",
                f"{self.drifting_queue_name} (queue {self.drifting_queue_id})",
            ),
            (
                "low ratings last week",
                f"{self.low_rating_company_name} (company {self.low_rating_company_id})",
            ),
            (
                "contract expiring without renewal",
                f"contract {self.expiring_contract_id} (company {self.expiring_company_id})",
            ),
            (
                "overloaded engineer",
                f"{self.overloaded_resource_name} (resource {self.overloaded_resource_id})",
            ),
        ]


@dataclass
class Frame:
    """One entity's generated columns plus canonical extra columns (no Autotask field)."""

    entity: str
    cols: Cols
    extras: Cols = field(default_factory=dict)
    udfs: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.cols["id"])


def nulls_int(n: int) -> np.ndarray:
    return np.full(n, NULL, dtype=np.int64)


def nat(n: int) -> np.ndarray:
    return np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")


def concat(frames: list[Frame]) -> Frame:
    """Frames of one entity, end to end (all must have the same fields)."""
    first = frames[0]
    return Frame(
        first.entity,
        {k: np.concatenate([f.cols[k] for f in frames]) for k in first.cols},
        {k: np.concatenate([f.extras[k] for f in frames]) for k in first.extras},
        {k: np.concatenate([f.udfs[k] for f in frames]) for k in first.udfs},
    )


def floor_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)
