"""Background jobs of `stip serve`: a job run every few minutes in a daemon thread.

A failed run is logged and the next one retries, so one bad sync or notification cycle never
stops the schedule or the web server.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("stip")


class Periodic:
    def __init__(self, name: str, interval_seconds: float, job: Callable[[], object]) -> None:
        self.name = name
        self.interval = interval_seconds
        self.job = job
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"stip-{name}", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if timeout is not None and self.thread.is_alive():
            self.thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.job()
            except Exception:  # noqa: BLE001 - logged; the next run retries
                log.exception("%s failed; retrying in %.0f s", self.name, self.interval)
            self._stop.wait(self.interval)
