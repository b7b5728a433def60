"""Group commit for the one-writer store: pages that queue while another apply runs go into
the next apply together (one transaction), so a full sync does not pay the store's
per-transaction cost per page."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from stip.errors import ConnectorError
from stip.store.schema import Batch
from stip.store.store import Store


@dataclass
class _Staged:
    build: Callable[[], Batch]
    applied: bool = False
    error: BaseException | None = None


class GroupCommit:
    def __init__(self, store: Store, lock: threading.Lock) -> None:
        self.store = store
        self.lock = lock
        self._queue: list[_Staged] = []
        self._queue_lock = threading.Lock()

    def commit(self, build: Callable[[], Batch]) -> None:
        """Builders run in queue order under `lock` (the caller's apply lock), so a page's
        checkpoint never covers a page that is not in the same or an earlier transaction."""
        mine = _Staged(build)
        with self._queue_lock:
            self._queue.append(mine)
        with self.lock:
            if not mine.applied and mine.error is None:
                with self._queue_lock:
                    group, self._queue = self._queue, []
                try:
                    batch = Batch()
                    for item in group:
                        part = item.build()
                        for table, rows in part.upserts.items():
                            batch.add(table, rows)
                    if len(batch):
                        self.store.apply(batch)
                except BaseException as exc:
                    for item in group:
                        item.error = exc
                    raise
                for item in group:
                    item.applied = True
        if mine.error is not None:
            raise ConnectorError(f"the store did not take a page: {mine.error}")
