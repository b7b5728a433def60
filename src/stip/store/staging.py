"""Whole-source loads on DuckDB: fill staging tables, then swap them in with one short commit.

One transaction that inserts millions of rows makes DuckDB hold them in transaction-local
memory until the commit (6 GB for the large demo). Here each chunk is committed into a
staging table of its own instead, which readers never look at; the swap (copy the other
sources' rows across, drop the live table, rename the staging table) is one transaction of
catalogue changes. A crash before the swap leaves the live tables as they were and only
staging tables behind, which the next load drops.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from stip.store.schema import Table

PREFIX = "stip_staging__"

T = TypeVar("T")


def staging_name(table: Table) -> str:
    return PREFIX + table.name


def drop_staging(cur: Any) -> None:
    """Drop staging tables a killed or failed load left behind."""
    cur.execute(
        "SELECT table_name FROM information_schema.tables WHERE starts_with(table_name, ?)",
        [PREFIX],
    )
    for (name,) in cur.fetchall():
        cur.execute(f'DROP TABLE IF EXISTS "{name}"')


def swap_in(cur: Any, tables: Iterable[Table], source_system: str) -> None:
    """Inside the caller's transaction: make each staging table the live one.

    Rows of other source systems are copied across first, so only `source_system` is replaced.
    """
    for table in tables:
        cols = ", ".join(f'"{c}"' for c in table.column_names)
        stage = staging_name(table)
        cur.execute(
            f'INSERT INTO "{stage}" ({cols}) SELECT {cols} FROM "{table.name}" '
            "WHERE source_system IS DISTINCT FROM ?",
            [source_system],
        )
        cur.execute(f'DROP TABLE "{table.name}"')
        cur.execute(f'ALTER TABLE "{stage}" RENAME TO "{table.name}"')


def prefetched(items: Iterable[T]) -> Iterator[T]:
    """Yield `items` while a thread produces the next one, so generating overlaps loading.

    An exception in the producer is raised here; closing the iterator stops the producer.
    """
    slot: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def offer(kind: str, value: Any) -> bool:
        while not stop.is_set():
            try:
                slot.put((kind, value), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer("item", item):
                    return
            offer("end", None)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            offer("error", exc)

    worker = threading.Thread(target=produce, name="stip-load-producer", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = slot.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        worker.join()
