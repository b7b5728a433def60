"""`build_demo(store, ...)`: generate the demo MSP and swap it into the store in one transaction.

The demo pretends to be an Autotask tenant (source_system "autotask"). Loading replaces every
"autotask" row of every table at once: readers see the previous data until the commit, then
the new demo, never a mix. A store that holds a real synced tenant is refused, so the demo
never overwrites customer data; `stip_meta` key `demo` marks a store the demo built.

Small and medium go record by record through `mapping.map_records` (the ingestion path a real
sync takes) before the write; large builds its canonical Arrow tables column-wise and streams
them chunk by chunk inside the transaction.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from stip.connectors.autotask.mapping import SOURCE_SYSTEM, map_picklists
from stip.demo.generate import DemoData, DemoError, generate
from stip.demo.model import Frame, Stories
from stip.demo.tickets import TICKET_BASE
from stip.demo.wire import canonical_arrow, canonical_rows
from stip.store.schema import TABLES, TABLES_BY_ENTITY, TABLES_BY_NAME, Table
from stip.store.store import Store, to_arrow

META_KEY = "demo"
SLICE_ROWS = 20_000
Progress = Callable[[str, int, int], None]


@dataclass
class DemoSummary:
    scale: str
    seed: int
    end: datetime
    stories: Stories
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def build_demo(
    store: Store,
    scale: str = "medium",
    seed: int = 1,
    end: datetime | None = None,
    *,
    progress: Progress | None = None,
) -> DemoSummary:
    """Generate the demo MSP and make it the store's only Autotask data, atomically."""
    started = time.monotonic()
    report = progress or _silent
    refuse_real_tenant(store)
    data = generate(scale, seed, end)
    summary = DemoSummary(scale, seed, data.end, data.stories)
    if data.scale.name == "large":
        _replace(store, _streamed(data, report), summary, None)
    else:
        staged = list(_staged(data, report))
        _replace(store, staged, summary, report)
    summary.seconds = time.monotonic() - started
    return summary


def refuse_real_tenant(store: Store) -> None:
    """Raise if the store holds Autotask data the demo did not put there."""
    if store.meta(META_KEY) is not None:
        return
    with store.read() as con:
        if "tickets" not in con.list_tables():
            return
        tickets = con.table("tickets")
        count = tickets.filter(tickets.source_system == SOURCE_SYSTEM).count().execute()
    if count:
        raise DemoError(
            f"the store {store.url} holds {count} synced Autotask tickets; the demo would replace "
            "them. Build the demo in another store: stip demo --db PATH (or STIP_HOME=...)"
        )


def _staged(data: DemoData, report: Progress) -> Iterator[tuple[str, pa.Table]]:
    """Small and medium: every record through the Autotask mapping, in slices."""
    frames = [*data.org]
    report("Generating", 0, data.ticket_count)
    for chunk in data.activity():
        frames.extend(chunk)
        if chunk[0].entity == "Tickets":
            report("Generating", int(chunk[0].cols["id"][-1]) - TICKET_BASE + 1, data.ticket_count)
    total = sum(len(frame) for frame in frames)
    done = 0
    for frame in frames:
        table = TABLES_BY_ENTITY[frame.entity]
        for part in _slices(frame):
            yield table.name, to_arrow(table, canonical_rows(part))
            done += len(part)
            report("Mapping", done, total)
    yield "picklists", _picklists(data)


def _slices(frame: Frame) -> Iterator[Frame]:
    for lo in range(0, len(frame), SLICE_ROWS):
        cut = slice(lo, lo + SLICE_ROWS)
        yield Frame(
            frame.entity,
            {k: v[cut] for k, v in frame.cols.items()},
            {k: v[cut] for k, v in frame.extras.items()},
            {k: v[cut] for k, v in frame.udfs.items()},
        )


def _streamed(data: DemoData, report: Progress) -> Iterator[tuple[str, pa.Table]]:
    """Large: organisation through the mapping, activity column-wise, chunk by chunk."""
    for frame in data.org:
        table = TABLES_BY_ENTITY[frame.entity]
        yield table.name, to_arrow(table, canonical_rows(frame))
    yield "picklists", _picklists(data)
    done = 0
    report("Generating and loading", 0, data.ticket_count)
    for chunk in data.activity():
        for frame in chunk:
            yield (
                TABLES_BY_ENTITY[frame.entity].name,
                to_arrow(TABLES_BY_ENTITY[frame.entity], canonical_arrow(frame)),
            )
        done += len(chunk[0]) if chunk[0].entity == "Tickets" else 0
        report("Generating and loading", done, data.ticket_count)


def _picklists(data: DemoData) -> pa.Table:
    rows: list[dict[str, Any]] = []
    for entity, fields in data.picklists.items():
        rows.extend(map_picklists(entity, fields, source_system=SOURCE_SYSTEM))
    return to_arrow(TABLES_BY_NAME["picklists"], rows)


def _replace(
    store: Store,
    staged: Iterable[tuple[str, pa.Table]],
    summary: DemoSummary,
    report: Progress | None,
) -> None:
    """Delete all Autotask rows and insert the demo in one transaction.

    Uses the store's own raw cursor: `Store.apply` deletes by key, one statement per key,
    which cannot clear hundreds of thousands of rows in reasonable time.
    """
    with store._raw(write=True) as (cur, pg):
        cur.execute("BEGIN")
        try:
            mark = "%s" if pg else "?"
            for table in TABLES:
                if "source_system" in table.column_names:
                    cur.execute(
                        f'DELETE FROM "{table.name}" WHERE source_system = {mark}', [SOURCE_SYSTEM]
                    )
            for name, data in staged:
                if data.num_rows:
                    _insert(store, cur, pg, TABLES_BY_NAME[name], data)
                    summary.counts[name] = summary.counts.get(name, 0) + data.num_rows
                    if report and isinstance(staged, list):
                        total = sum(part.num_rows for _, part in staged)
                        report("Loading", sum(summary.counts.values()), total)
            store._set_meta(cur, META_KEY, _marker(summary))
            store._set_meta(cur, "data_version", datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%f"))
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise


def _insert(store: Store, cur: Any, pg: bool, table: Table, data: pa.Table) -> None:
    """Append rows; the table holds no Autotask rows any more, so there is nothing to match."""
    if pg:
        store._upsert(cur, pg, table, data)
        return
    cols = ", ".join(f'"{c}"' for c in table.column_names)
    cur.register("stip_demo_stage", data)
    cur.execute(f'INSERT INTO "{table.name}" ({cols}) SELECT {cols} FROM stip_demo_stage')
    cur.unregister("stip_demo_stage")


def _marker(summary: DemoSummary) -> str:
    return json.dumps(
        {
            "scale": summary.scale,
            "seed": summary.seed,
            "end": summary.end.isoformat() + "Z",
            "stories": summary.stories.__dict__,
        }
    )


def _silent(_stage: str, _done: int, _total: int) -> None:
    return None


__all__ = ["DemoError", "DemoSummary", "build_demo", "refuse_real_tenant"]
