"""The serve-time scheduler runs real cycles until stopped."""

from __future__ import annotations

import time

from stip.actions.items import item_store
from stip.app import Stip
from stip.notify.scheduler import notify_job


def test_scheduler_runs_a_cycle_and_stops(world: Stip) -> None:
    scheduler = notify_job(world, interval_seconds=3600)
    scheduler.start()
    deadline = time.monotonic() + 120
    while not item_store(world.settings).all_items() and time.monotonic() < deadline:
        time.sleep(0.2)
    scheduler.stop(timeout=60)
    assert not scheduler.thread.is_alive()
    rules = {i.rule for i in item_store(world.settings).all_items()}
    # evaluated at the real "now" (after April 2026): both tickets are overdue and stale
    assert {"overdue_ticket", "no_customer_update"} <= rules
