"""`ticket_effort` stays equal to what the time entries and resources say, through every kind
of write, on DuckDB and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa
import pytest

from stip.store.schema import Batch
from stip.store.store import Store, open_store

Effort = dict[tuple[str, int], tuple[int, bool | None, float, float]]


def _entry(
    ident: int, ticket: int | None, resource: int | None, hours: float | None, source: str = "at"
) -> dict[str, object]:
    return {
        "source_system": source,
        "id": ident,
        "ticket_id": ticket,
        "resource_id": resource,
        "hours_worked": hours,
        "date_worked": dt.date(2026, 10, 1),
    }


def _resource(ident: int, cost: float | None, source: str = "at") -> dict[str, object]:
    return {"source_system": source, "id": ident, "internal_cost": cost}


def _effort(store: Store) -> Effort:
    with store.read() as con:
        rows = con.table("ticket_effort").to_pyarrow().to_pylist()
    return {
        (r["source_system"], r["ticket_id"]): (r["entries"], r["lone_tech"], r["hours"], r["cost"])
        for r in rows
    }


def _recomputed(store: Store) -> Effort:
    """The same figures from scratch, in Python, from the stored entries and resources."""
    with store.read() as con:
        entries = con.table("time_entries").to_pyarrow().to_pylist()
        costs = {
            (r["source_system"], r["id"]): r["internal_cost"]
            for r in con.table("resources").to_pyarrow().to_pylist()
        }
    per_ticket: dict[tuple[str, int], list[dict[str, object]]] = {}
    for e in entries:
        if e["ticket_id"] is not None:
            per_ticket.setdefault((e["source_system"], e["ticket_id"]), []).append(e)
    out: Effort = {}
    for key, rows in per_ticket.items():
        people = {r["resource_id"] for r in rows if r["resource_id"] is not None}
        hours = [float(r["hours_worked"] or 0.0) for r in rows]  # type: ignore[arg-type]
        rates = [costs.get((key[0], r["resource_id"])) or 0.0 for r in rows]  # type: ignore[misc]
        lone = None if not people else len(people) == 1
        out[key] = (len(rows), lone, sum(hours), sum(h * c for h, c in zip(hours, rates)))
    return out


def _apply(store: Store, upserts: dict[str, list[dict[str, object]]], **deletes: list[int]) -> None:
    batch = Batch()
    for table, rows in upserts.items():
        batch.add(table, rows)
    for table, ids in deletes.items():
        batch.delete(table, "at", ids)
    store.apply(batch)


def test_effort_per_ticket_by_hand(store: Store) -> None:
    _apply(
        store,
        {
            "resources": [_resource(1, 50.0), _resource(2, 80.0)],
            "time_entries": [
                _entry(10, 100, 1, 1.5),
                _entry(11, 100, 1, 0.5),
                _entry(12, 101, 1, 1.0),
                _entry(13, 101, 2, 2.0),
                _entry(14, 102, None, 1.0),
                _entry(15, 103, 9, None),
                _entry(16, None, 1, 3.0),
            ],
        },
    )
    assert _effort(store) == {
        ("at", 100): (2, True, 2.0, 100.0),  # 1.5 × 50 + 0.5 × 50
        ("at", 101): (2, False, 3.0, 210.0),  # 1.0 × 50 + 2.0 × 80
        ("at", 102): (1, None, 1.0, 0.0),  # no engineer: not "one engineer"
        ("at", 103): (1, True, 0.0, 0.0),  # unknown resource, no hours
    }


def test_moving_and_deleting_entries_recomputes_both_tickets(store: Store) -> None:
    _apply(
        store,
        {
            "resources": [_resource(1, 10.0), _resource(2, 20.0)],
            "time_entries": [
                _entry(1, 100, 1, 1.0),
                _entry(2, 100, 2, 2.0),
                _entry(3, 200, 1, 4.0),
            ],
        },
    )
    _apply(store, {"time_entries": [_entry(2, 200, 2, 2.5)]})
    assert _effort(store) == {
        ("at", 100): (1, True, 1.0, 10.0),
        ("at", 200): (2, False, 6.5, 90.0),
    }
    _apply(store, {}, time_entries=[1])
    assert _effort(store) == {("at", 200): (2, False, 6.5, 90.0)}
    _apply(store, {"time_entries": [_entry(3, None, 1, 4.0)]})
    assert _effort(store) == {("at", 200): (1, True, 2.5, 50.0)}


def test_a_changed_or_deleted_internal_cost_reprices_that_source_only(store: Store) -> None:
    _apply(
        store,
        {
            "resources": [_resource(1, 10.0), _resource(1, 10.0, source="other")],
            "time_entries": [_entry(1, 100, 1, 2.0), _entry(1, 100, 1, 2.0, source="other")],
        },
    )
    _apply(store, {"resources": [_resource(1, 30.0)]})
    assert _effort(store) == {
        ("at", 100): (1, True, 2.0, 60.0),
        ("other", 100): (1, True, 2.0, 20.0),
    }
    _apply(store, {}, resources=[1])
    assert _effort(store)[("at", 100)] == (1, True, 2.0, 0.0)


def test_a_failed_batch_leaves_the_effort_as_it_was(store: Store) -> None:
    _apply(store, {"resources": [_resource(1, 10.0)], "time_entries": [_entry(1, 100, 1, 1.0)]})
    before = _effort(store)
    bad = Batch()
    bad.add("time_entries", [_entry(2, 100, 1, 5.0)])
    bad.add("companies", [{"source_system": "at", "id": "not-a-number"}])
    with pytest.raises((pa.ArrowInvalid, pa.ArrowTypeError)):
        store.apply(bad)
    assert _effort(store) == before


def test_replace_source_rebuilds_that_source_and_keeps_the_others(store: Store) -> None:
    _apply(
        store,
        {
            "resources": [_resource(1, 10.0), _resource(1, 40.0, source="demo")],
            "time_entries": [_entry(1, 100, 1, 1.0), _entry(1, 100, 1, 9.0, source="demo")],
        },
    )
    entries = pa.Table.from_pylist(
        [_entry(5, 300, 1, 2.0, source="demo"), _entry(6, 300, 2, 1.0, source="demo")]
    )
    resources = pa.Table.from_pylist([_resource(1, 40.0, source="demo")])
    store.replace_source("demo", iter([("resources", resources), ("time_entries", entries)]))
    assert _effort(store) == {
        ("at", 100): (1, True, 1.0, 10.0),
        ("demo", 300): (2, False, 3.0, 80.0),
    }


def test_a_store_made_before_the_table_existed_gets_it_filled(store: Store) -> None:
    _apply(store, {"resources": [_resource(1, 10.0)], "time_entries": [_entry(1, 7, 1, 3.0)]})
    with store._raw(write=True) as (cur, _pg):
        cur.execute("DROP TABLE ticket_effort")
        cur.execute("UPDATE stip_meta SET value = 'older' WHERE key = 'schema_fingerprint'")
    assert _effort(open_store(store.url)) == {("at", 7): (1, True, 3.0, 30.0)}


def test_random_writes_keep_the_effort_equal_to_a_recomputation(store: Store) -> None:
    rng = random.Random(7)
    for _ in range(12):
        batch = Batch()
        batch.add(
            "time_entries",
            [
                _entry(
                    rng.randrange(40),
                    rng.choice([None, *range(8)]),
                    rng.choice([None, 1, 2, 3]),
                    rng.choice([None, 0.25, 1.0, 2.5]),
                )
                for _ in range(rng.randrange(1, 10))
            ],
        )
        if rng.random() < 0.3:
            batch.add("resources", [_resource(rng.randrange(1, 4), rng.choice([None, 20.0, 35.5]))])
        batch.delete("time_entries", "at", [rng.randrange(40) for _ in range(rng.randrange(3))])
        if rng.random() < 0.1:
            batch.delete("resources", "at", [rng.randrange(1, 4)])
        store.apply(batch)
        # quarter hours and these rates add up exactly in binary floating point
        assert _effort(store) == _recomputed(store)
    assert len(_effort(store)) >= 4
