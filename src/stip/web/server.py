"""`serve(stip, host, port)`: the web app under uvicorn, with its background jobs.

The jobs:
- the dashboard warm-up (`warmup.py`): after each data change, the shared dashboards and the
  scoped views opened lately (`recent.py`; at most `warm_scoped_views`) are computed once,
  so their next visitor does not wait;
- the notification cycle (rules evaluated, digests and urgent messages delivered), every
  `notify_interval_minutes` (5; 0 turns it off);
- when Autotask is configured, the incremental sync, every `autotask.sync_interval_minutes`.
"""

from __future__ import annotations

import uvicorn

from stip.app import Stip
from stip.notify.scheduler import notify_job
from stip.periodic import Periodic
from stip.web.app import create_app
from stip.web.warmup import warmup_job


def sync_job(stip: Stip) -> Periodic:
    def sync() -> None:
        from stip.connectors.autotask.sync import run_sync

        run_sync(stip, full=False)

    return Periodic("autotask-sync", stip.settings.autotask.sync_interval_minutes * 60, sync)


def serve(stip: Stip, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the web UI and JSON API until interrupted."""
    app = create_app(stip)
    jobs = [warmup_job(app.state.web)]
    if stip.settings.notify_interval_minutes > 0:
        jobs.append(notify_job(stip))
    settings = stip.settings.autotask
    if settings.configured and settings.sync_interval_minutes > 0:
        jobs.append(sync_job(stip))
    for job in jobs:
        job.start()
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        for job in jobs:
            job.stop()
