"""`serve(stip, host, port)`: run the web app under uvicorn, with the Autotask sync scheduler."""

from __future__ import annotations

import logging
import threading

import uvicorn

from stip.app import Stip
from stip.web.app import create_app

log = logging.getLogger("stip.web")


class SyncScheduler:
    """Runs an incremental Autotask sync every `sync_interval_minutes` in a daemon thread."""

    def __init__(self, stip: Stip) -> None:
        self.stip = stip
        self.interval = stip.settings.autotask.sync_interval_minutes * 60
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stip-sync", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        from stip.connectors.autotask.sync import run_sync

        while not self._stop.is_set():
            try:
                run_sync(self.stip, full=False)
            except Exception:  # noqa: BLE001 - a failed run is logged; the next one retries
                log.exception("scheduled Autotask sync failed")
            self._stop.wait(self.interval)


def serve(stip: Stip, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the web UI and JSON API until interrupted."""
    app = create_app(stip)
    scheduler = None
    settings = stip.settings.autotask
    if settings.configured and settings.sync_interval_minutes > 0:
        scheduler = SyncScheduler(stip)
        scheduler.start()
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        if scheduler is not None:
            scheduler.stop()
