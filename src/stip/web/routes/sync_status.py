"""The sync status page (admins): how the last loads from the PSA went, per run and entity.

A failed scheduled sync otherwise shows nowhere: the dashboards keep the last good data, and
its age is flagged only once it is stale.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from stip.web import formatting
from stip.web.deps import AdminUser, State, language
from stip.web.templating import render

router = APIRouter(prefix="/admin")

RUNS_SHOWN = 20


@router.get("/sync", include_in_schema=False)
def sync_page(request: Request, state: State, user: AdminUser) -> Response:
    lang = language(request)
    tz = state.stip.settings.tz
    with state.stip.store.read() as con:
        runs_table = con.table("sync_runs")
        runs = runs_table.order_by(runs_table.id.desc()).limit(RUNS_SHOWN).to_pyarrow().to_pylist()
        entities = con.table("sync_state").order_by("entity").to_pyarrow().to_pylist()
    return render(
        request,
        "admin_sync.html",
        {
            "configured": state.stip.settings.autotask.configured,
            "interval": state.stip.settings.autotask.sync_interval_minutes,
            "runs": [_run(run, tz, lang) for run in runs],
            "entities": [_entity(row, tz, lang) for row in entities],
        },
    )


def _run(run: dict[str, Any], tz: ZoneInfo, lang: str) -> dict[str, Any]:
    return {
        **run,
        "started": formatting.when(run["started"], tz, lang),
        "finished": formatting.when(run["finished"], tz, lang),
        "failed": run["status"] in ("error", "partial", "interrupted"),
    }


def _entity(row: dict[str, Any], tz: ZoneInfo, lang: str) -> dict[str, Any]:
    return {
        **row,
        "finished": formatting.when(row["last_run_finished"], tz, lang),
        "data_as_of": formatting.when(row["data_as_of"], tz, lang),
        "failed": row["last_status"] == "error",
    }
