"""Parallel paging of one entity: after the first page, split the rest of the id space into
ranges (by the first page's id density and a `query/count`) and read them concurrently.

Each range reads on while its pages wait for the store (`AHEAD`). The checkpoint
(`sync_state.last_id`) only advances over the contiguous prefix of applied ranges (a range's
`cursor` and `done` move when its page is applied, not when it is fetched), and it is
computed and written in the same critical section as the page's apply, so
a killed sync resumes from an id below which every record is stored (pages above it are
read again and upserted: no gaps, no duplicates).
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from stip.connectors.autotask.client import AutotaskClient
from stip.connectors.autotask.group_commit import Staged
from stip.connectors.autotask.mapping import map_records
from stip.connectors.autotask.query import EVERYTHING, MAX_RECORDS, Filter, cond
from stip.errors import ConnectorError
from stip.store.schema import Batch


@dataclass
class IdRange:
    """Ids in (`lo`, `hi`]; `hi` None is open-ended. `cursor` is the last id read."""

    lo: int | None
    hi: int | None = None
    cursor: int | None = None
    done: bool = False

    def filters(self, base: list[Filter]) -> list[Filter]:
        extra = [cond("gt", "id", self.cursor)] if self.cursor is not None else []
        if self.hi is not None:
            extra.append(cond("lte", "id", self.hi))
        return base + extra or [EVERYTHING]


def checkpoint(ranges: list[IdRange]) -> int | None:
    """The highest id below which every range is read (None: nothing read yet)."""
    value = ranges[0].lo
    for item in ranges:
        if not item.done:
            return item.cursor if item.cursor is not None else value
        value = item.hi if item.hi is not None else item.cursor
    return value


def split_points(first_ids: list[int], remaining: int, parts: int) -> list[int]:
    """`parts - 1` boundaries above the first page, each range holding a whole number of
    pages (`remaining / parts` rounded up to pages) if ids keep the first page's density:
    a range whose last page ends at its bound needs no further request (`finished`)."""
    ordered = sorted(first_ids)
    step = max(1.0, (ordered[-1] - ordered[0]) / max(1, len(ordered) - 1))
    per = math.ceil(math.ceil(remaining / MAX_RECORDS) / parts) * MAX_RECORDS
    return [ordered[-1] + round(i * per * step) for i in range(1, parts)]


def finished(items: list[dict[str, Any]], top: int | None, hi: int | None) -> bool:
    """A short page, or a page that reached the range's upper bound, ends the range."""
    return len(items) < MAX_RECORDS or (hi is not None and top is not None and top >= hi)


Take = Callable[[list[dict[str, Any]], int | None], Batch]
"""A page's mapped rows and the checkpoint after it -> the batch that applies both."""
Submit = Callable[[Callable[[], Batch]], Staged]
"""Queues a page's batch builder (`Passes.submit`); builders run one at a time, in queue
order, each in the same transaction as (or after) every builder before it."""

AHEAD = 8
"""Pages a range may have fetched but not yet applied: reading goes on while the store
applies, and a killed run loses at most these (they are read again)."""


@dataclass
class RangeReader:
    client: AutotaskClient
    entity: str
    base: list[Filter]
    include_fields: list[str] | None
    submit: Submit
    take: Take
    failed: bool = False

    def read(self, after: int | None, parallel: bool) -> None:
        ranges = [IdRange(lo=after, cursor=after)]
        first = self._fetch(ranges[0], after)
        staged = self._queue(ranges, ranges[0], first)
        if len(first) < MAX_RECORDS or not parallel or self.client.concurrency < 2:
            staged.wait()
            self._run(ranges, ranges[0])
            return
        cursor = max(int(item["id"]) for item in first)
        try:
            remaining = self.client.count(
                self.entity, IdRange(after, cursor=cursor).filters(self.base)
            )
        finally:
            staged.wait()
        parts = min(self.client.concurrency, math.ceil(remaining / MAX_RECORDS))
        if parts < 2:
            self._run(ranges, ranges[0])
            return
        bounds = split_points([int(item["id"]) for item in first], remaining, parts)
        # the first page is applied and no other page of this entity is queued: changing
        # the ranges is safe
        ranges[0].hi = bounds[0]
        for lo, hi in zip(bounds, [*bounds[1:], None], strict=True):
            ranges.append(IdRange(lo=lo, hi=hi, cursor=lo))
        stop = threading.Event()
        with ThreadPoolExecutor(parts, thread_name_prefix=f"stip-{self.entity}") as pool:
            futures = [pool.submit(self._run, ranges, item, stop) for item in ranges]
            try:
                for future in futures:
                    future.result()
            finally:
                stop.set()

    def _run(
        self, ranges: list[IdRange], item: IdRange, stop: threading.Event | None = None
    ) -> None:
        """Read a range to its end, up to `AHEAD` pages ahead of the store."""
        queued: deque[Staged] = deque()
        cursor, done = item.cursor, item.done
        try:
            while not done and not (stop is not None and stop.is_set()):
                items = self._fetch(item, cursor)
                if items:
                    cursor = max(int(record["id"]) for record in items)
                done = finished(items, cursor, item.hi)
                queued.append(self._queue(ranges, item, items))
                while len(queued) >= AHEAD:
                    queued.popleft().wait()
            while queued:
                queued.popleft().wait()
        except BaseException:
            if stop is not None:
                stop.set()
            for staged in queued:  # applied or refused before the entity reports its error
                staged.settle()
            raise

    def _fetch(self, item: IdRange, cursor: int | None) -> list[dict[str, Any]]:
        reading = IdRange(lo=item.lo, hi=item.hi, cursor=cursor)
        page = self.client.query_page(self.entity, reading.filters(self.base), self.include_fields)
        items: list[dict[str, Any]] = page["items"]
        return items

    def _queue(self, ranges: list[IdRange], item: IdRange, items: list[dict[str, Any]]) -> Staged:
        """Map the page here, in the reader's thread; the committer only applies it."""
        rows = map_records(self.entity, items, udf_columns=self.client.udf_columns)
        top = max((int(record["id"]) for record in items), default=None)

        def build() -> Batch:
            if self.failed:
                raise ConnectorError(f"{self.entity}: an earlier page was not stored")
            before = item.cursor, item.done
            if top is not None:
                item.cursor = top
            item.done = finished(items, top, item.hi)
            try:
                return self.take(rows, checkpoint(ranges))
            except BaseException:
                item.cursor, item.done = before
                self.failed = True
                raise

        return self.submit(build)
