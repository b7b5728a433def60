"""Group commit for the one-writer store: one committer thread applies the pages queued since
its last apply together (one transaction), in queue order, so a full sync pays the store's
per-transaction cost per group rather than per page, and readers go on fetching while their
pages are applied (`submit`), so the API wait and the store overlap."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from stip.errors import ConnectorError
from stip.store.schema import Batch
from stip.store.store import Store

GROUP_SECONDS = 1.0
"""At most one apply per this many seconds: each apply opens the store and checkpoints it
on close (~0.1-0.2 s whatever its size), so fewer, larger groups take pages faster."""


class Staged:
    """A queued page; `wait` returns once it is applied and raises if it was not."""

    def __init__(self, build: Callable[[], Batch]) -> None:
        self.build = build
        self.error: BaseException | None = None
        self._done = threading.Event()

    def finish(self, error: BaseException | None) -> None:
        self.error = error
        self._done.set()

    def settle(self) -> None:
        """Wait until it is applied or refused."""
        self._done.wait()

    def wait(self) -> None:
        self._done.wait()
        if self.error is not None:
            raise ConnectorError(f"the store did not take a page: {self.error}")


class GroupCommit:
    def __init__(self, store: Store, lock: threading.Lock) -> None:
        self.store = store
        self.lock = lock
        self._queue: list[Staged] = []
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._failed: BaseException | None = None

    def submit(self, build: Callable[[], Batch]) -> Staged:
        """Queue a page's batch builder. Builders run in queue order under `lock` (the
        caller's apply lock), so a page's checkpoint never covers a page that is not in
        the same or an earlier transaction."""
        staged = Staged(build)
        with self._cond:
            if self._closed:
                raise ConnectorError("the sync's committer is closed")
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="stip-sync-commit", daemon=True
                )
                self._thread.start()
            self._queue.append(staged)
            self._cond.notify()
        return staged

    def close(self) -> None:
        """Apply what is queued, then stop the committer thread."""
        with self._cond:
            self._closed = True
            self._cond.notify()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _loop(self) -> None:
        last = -GROUP_SECONDS
        while True:
            with self._cond:
                while not self._queue and not self._closed:
                    self._cond.wait()
                if not self._queue:
                    return
                pause = last + GROUP_SECONDS - time.monotonic()
                if pause > 0 and not self._closed:
                    self._cond.wait(pause)  # pages that arrive meanwhile join this group
                group, self._queue = self._queue, []
            last = time.monotonic()
            self._apply(group)

    def _apply(self, group: list[Staged]) -> None:
        """A builder that fails fails its own page only. A failed apply fails its group and
        every later page: their builders would checkpoint over the pages it lost."""
        if self._failed is not None:
            for item in group:
                item.finish(self._failed)
            return
        built: list[Staged] = []
        try:
            with self.lock:
                batch = Batch()
                for item in group:
                    try:
                        part = item.build()
                    except Exception as exc:  # noqa: BLE001 - handed to that page's reader
                        item.finish(exc)
                        continue
                    built.append(item)
                    batch.merge(part)
                if len(batch):
                    self.store.apply(batch)
        except BaseException as exc:  # noqa: BLE001 - handed to every reader of the group
            self._failed = exc
            for item in built:
                item.finish(exc)
            return
        for item in built:
            item.finish(None)
