"""The notification cycle as a `stip serve` background job.

Each cycle evaluates the rules, queues due digests, urgent messages and scheduled agendas, and
flushes the outbox.
"""

from __future__ import annotations

import logging

from stip.app import Stip
from stip.periodic import Periodic

log = logging.getLogger("stip.notify")


def notify_job(stip: Stip, interval_seconds: float | None = None) -> Periodic:
    """The cycle every `interval_seconds` (default: `notify_interval_minutes`)."""

    def cycle() -> None:
        from stip.notify.cycle import run_cycle

        report = run_cycle(stip)
        for line in (report.failure_line(), report.no_address_line()):
            if line:
                log.warning("notification cycle: %s", line)

    if interval_seconds is None:
        interval_seconds = stip.settings.notify_interval_minutes * 60
    return Periodic("notify", interval_seconds, cycle)
