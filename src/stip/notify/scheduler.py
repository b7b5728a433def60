"""A daemon thread that runs the notification cycle every few minutes inside `stip serve`.

Each cycle evaluates the rules, queues due digests, urgent messages and scheduled agendas, and
flushes the outbox; a failed cycle is logged and the next one retries.
"""

from __future__ import annotations

import logging
import threading

from stip.app import Stip

log = logging.getLogger("stip.notify")


class NotifyScheduler:
    def __init__(self, stip: Stip, interval_seconds: float = 300.0) -> None:
        self.stip = stip
        self.interval = interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stip-notify", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        from stip.notify.cycle import run_cycle

        while not self._stop.is_set():
            try:
                report = run_cycle(self.stip)
                if report.errors:
                    log.warning("notification cycle: %s", "; ".join(report.errors))
            except Exception:  # noqa: BLE001 - logged; the next cycle retries
                log.exception("notification cycle failed")
            self._stop.wait(self.interval)
