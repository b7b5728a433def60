"""The sync status page: a failed scheduled sync was visible nowhere in the web app."""

from __future__ import annotations

from datetime import datetime

import pytest

from stip.app import Stip
from stip.store.schema import Batch

from .conftest import TestClient, login


@pytest.fixture(scope="module", autouse=True)
def runs(stip: Stip) -> None:
    """An import, then a sync whose Tickets pass failed (times UTC: 09:00 is 10:00 local)."""
    batch = Batch()
    run = {"source_system": "autotask", "records": 0, "requests": 0, "errors": 0}
    batch.add(
        "sync_runs",
        [
            {
                **run,
                "id": 1,
                "mode": "import",
                "status": "ok",
                "records": 120,
                "message": "ok",
                "started": datetime(2026, 11, 26, 8),
                "finished": datetime(2026, 11, 26, 8, 1),
            },
            {
                **run,
                "id": 2,
                "mode": "incremental",
                "status": "error",
                "errors": 1,
                "message": "Tickets: HTTP 401 <b>refused</b>",
                "started": datetime(2026, 11, 27, 9),
                "finished": datetime(2026, 11, 27, 9, 2),
            },
        ],
    )
    batch.add(
        "sync_state",
        [
            {
                "source_system": "autotask",
                "entity": "Tickets",
                "last_status": "error",
                "last_error": "HTTP 401",
                "last_run_finished": datetime(2026, 11, 27, 9, 2),
            }
        ],
    )
    stip.store.apply(batch)


def test_admins_see_the_runs_newest_first_in_local_time(client: TestClient) -> None:
    login(client, "admin")
    page = client.get("/admin/sync?lang=en").text
    assert page.index('id="run-2"') < page.index('id="run-1"')
    failed = page.split('id="run-2"', 1)[1].split("</tr>", 1)[0]
    assert "27 Nov 2026 10:00" in failed and "error" in failed
    assert "Tickets: HTTP 401 &lt;b&gt;refused&lt;/b&gt;" in failed  # PSA text stays text
    assert "HTTP 401" in page.split('class="sync-entities"', 1)[1]
    dutch = client.get("/admin/sync?lang=nl").text
    assert "Synchronisatiestatus" in dutch and "Laatste runs" in dutch
    failed_nl = dutch.split('id="run-2"', 1)[1].split("</tr>", 1)[0]
    assert "<td>incrementeel</td><td>fout</td>" in failed_nl


def test_only_admins_open_it(client: TestClient) -> None:
    login(client, "owner")
    assert client.get("/admin/sync").status_code == 403


def test_live_dashboards_say_that_the_last_sync_failed(stip: Stip, client: TestClient) -> None:
    """Pages kept showing the last good data as current, for hours, while every sync failed."""
    login(client, "admin")
    page = client.get("/d/owner?lang=en").text
    banner = page.split('class="sync-failed', 1)[1].split("</p>", 1)[0]
    assert "The last sync from the PSA failed (27 Nov 2026 10:02)" in banner
    assert 'title="Tickets: HTTP 401 &lt;b&gt;refused&lt;/b&gt;"' in banner
    assert 'href="/admin/sync"' in banner
    assert "mislukt (27 nov 2026 10:02)" in client.get("/d/owner?lang=nl&tv=1").text
    assert "sync-failed" not in client.get("/d/owner?as_of=2026-11-20T09:00").text  # history
    login(client, "teamlead")
    page = client.get("/d/teamlead").text
    assert 'href="/admin/sync"' not in page and "sync-failed" in page
    assert "HTTP 401" not in page  # the connector's message is for administrators
    batch = Batch()
    batch.add(
        "sync_runs",
        [
            {
                "source_system": "autotask",
                "id": 3,
                "mode": "incremental",
                "status": "ok",
                "started": datetime(2026, 11, 27, 10),
                "finished": datetime(2026, 11, 27, 10, 1),
            }
        ],
    )
    stip.store.apply(batch)
    assert "sync-failed" not in client.get("/d/teamlead").text
