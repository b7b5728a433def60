"""A synthetic store for the KPI benchmark: ≥2M tickets and ≥10M time entries via Store.apply.

Used by `kpi_dashboard.py --generate` when no demo store built with `--scale large` is at hand.
Rows are random but shaped like an MSP's (4 years of tickets, most completed, time entries on
tickets around their dates), loaded in chunks of Arrow tables so memory stays bounded.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from stip.store.schema import Batch
from stip.store.store import Store

SRC = "autotask"
START = np.datetime64("2023-01-01T00:00", "us")
END = np.datetime64("2026-11-01T00:00", "us")
HOUR = np.timedelta64(3600 * 10**6, "us")
CHUNK = 1_000_000


def _hours(rng: np.random.Generator, mean: float, size: int) -> np.ndarray:
    return (rng.exponential(mean, size) * HOUR.astype(np.int64)).astype("timedelta64[us]")


def _people(store: Store, resources: int, companies: int) -> None:
    batch = Batch()
    batch.add(
        "resources",
        [
            {
                "source_system": SRC,
                "id": i,
                "first_name": f"Eng{i}",
                "last_name": "Test",
                "is_active": i % 10 != 0,
            }
            for i in range(1, resources + 1)
        ],
    )
    batch.add("teams", [{"source_system": SRC, "id": t, "name": f"Team {t}"} for t in range(1, 9)])
    batch.add(
        "resource_role_departments",
        [
            {
                "source_system": SRC,
                "id": i,
                "resource_id": i,
                "department_id": i % 8 + 1,
                "is_default": True,
            }
            for i in range(1, resources + 1)
        ],
    )
    batch.add(
        "companies",
        [
            {"source_system": SRC, "id": c, "company_name": f"Client {c}"}
            for c in range(1, companies + 1)
        ],
    )
    batch.add(
        "picklists",
        [
            {
                "source_system": SRC,
                "entity": "Tickets",
                "field": "queueID",
                "value": q,
                "label": f"Queue {q}",
            }
            for q in range(1, 7)
        ]
        + [
            {
                "source_system": SRC,
                "entity": "Tickets",
                "field": "priority",
                "value": p,
                "label": f"P{p}",
            }
            for p in range(1, 5)
        ],
    )
    store.apply(batch)


def _tickets(rng: np.random.Generator, first_id: int, n: int, resources: int, companies: int):
    span = (END - START).astype(np.int64)
    created = START + rng.integers(0, span, n).astype("timedelta64[us]")
    completed = created + _hours(rng, 30, n)
    open_ = (rng.random(n) < 0.03) | (completed > END)
    assigned = rng.integers(1, resources + 1, n).astype(float)
    assigned[rng.random(n) < 0.05] = np.nan
    has_sla = rng.random(n) < 0.7
    met = np.where(has_sla, rng.random(n) < 0.9, False)
    return pa.table(
        {
            "source_system": pa.array([SRC] * n),
            "id": pa.array(np.arange(first_id, first_id + n)),
            "title": pa.array([None] * n, pa.string()),
            "create_date": pa.array(created),
            "first_response_date_time": pa.array(created + _hours(rng, 2, n)),
            "completed_date": pa.array(completed, mask=open_),
            "resolved_date_time": pa.array(completed - _hours(rng, 0.5, n), mask=open_),
            "due_date_time": pa.array(created + 72 * HOUR),
            "assigned_resource_id": pa.array(assigned, mask=np.isnan(assigned)).cast(pa.int64()),
            "company_id": pa.array(rng.integers(1, companies + 1, n)),
            "queue_id": pa.array(rng.integers(1, 7, n)),
            "priority": pa.array(rng.integers(1, 5, n)),
            "service_level_agreement_id": pa.array(np.where(has_sla, 1, 0), mask=~has_sla),
            "service_level_agreement_has_been_met": pa.array(met, mask=~has_sla),
        }
    )


def _entries(rng: np.random.Generator, first_id: int, n: int, tickets: int, resources: int):
    span = (END - START).astype(np.int64)
    end = START + rng.integers(0, span, n).astype("timedelta64[us]")
    return pa.table(
        {
            "source_system": pa.array([SRC] * n),
            "id": pa.array(np.arange(first_id, first_id + n)),
            "ticket_id": pa.array(rng.integers(1, tickets + 1, n)),
            "resource_id": pa.array(rng.integers(1, resources + 1, n)),
            "date_worked": pa.array((end + HOUR).astype("datetime64[D]")),
            "end_date_time": pa.array(end),
            "create_date_time": pa.array(end + _hours(rng, 5, n)),
            "hours_worked": pa.array(np.round(rng.uniform(0.25, 4, n), 2)),
            "is_non_billable": pa.array(rng.random(n) < 0.25),
        }
    )


def generate(store: Store, tickets: int = 2_000_000, entries: int = 10_000_000, seed: int = 7):
    rng = np.random.default_rng(seed)
    resources, companies = 150, 800
    _people(store, resources, companies)
    for first in range(0, tickets, CHUNK):
        n = min(CHUNK, tickets - first)
        store.apply(Batch(), arrow={"tickets": _tickets(rng, first + 1, n, resources, companies)})
    for first in range(0, entries, CHUNK):
        n = min(CHUNK, entries - first)
        store.apply(
            Batch(), arrow={"time_entries": _entries(rng, first + 1, n, tickets, resources)}
        )
    span = (END - START).astype(np.int64)
    surveys = tickets // 10
    done = START + rng.integers(0, span, surveys).astype("timedelta64[us]")
    survey_table = pa.table(
        {
            "source_system": pa.array([SRC] * surveys),
            "id": pa.array(np.arange(1, surveys + 1)),
            "ticket_id": pa.array(rng.integers(1, tickets + 1, surveys)),
            "company_id": pa.array(rng.integers(1, companies + 1, surveys)),
            "complete_date": pa.array(done),
            "survey_rating": pa.array(rng.integers(1, 11, surveys).astype(float)),
        }
    )
    items = tickets // 4
    billing = pa.table(
        {
            "source_system": pa.array([SRC] * items),
            "id": pa.array(np.arange(1, items + 1)),
            "company_id": pa.array(rng.integers(1, companies + 1, items)),
            "item_date": pa.array(
                (START + rng.integers(0, span, items).astype("timedelta64[us]")).astype(
                    "datetime64[D]"
                )
            ),
            "extended_price": pa.array(np.round(rng.uniform(50, 2000, items), 2)),
        }
    )
    store.apply(Batch(), arrow={"survey_results": survey_table, "billing_items": billing})
