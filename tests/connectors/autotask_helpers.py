"""Shared helpers for the connector tests (imported by name; tests/ is not a package)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from stip.app import Stip
from stip.connectors.autotask.client import AutotaskClient
from stip.connectors.autotask.sync import SyncReport, run_sync
from stip.settings import AutotaskSettings
from stip.store.schema import TABLES_BY_ENTITY
from stip.testing.fake_autotask import FakeAutotask

#: The `connect` fixture (conftest.py): `connect(server, **settings) -> Stip`.
Connect = Callable[..., Stip]


def settings_for(fake: FakeAutotask, **overrides: object) -> AutotaskSettings:
    values: dict[str, object] = {
        "username": fake.username,
        "secret": fake.secret,
        "integration_code": fake.integration_code,
        "api_url": fake.api_url,
    }
    values.update(overrides)
    return AutotaskSettings.model_validate(values)


def fast_client(fake: FakeAutotask, **settings: object) -> AutotaskClient:
    """The real client with short backoff, so fault tests do not sleep for minutes."""
    return AutotaskClient(settings_for(fake, **settings), backoff=0.01)


def sync_failing_after_first_page(
    stip: Stip, fake: FakeAutotask, entity: str, full: bool = False
) -> SyncReport:
    """A sync during which `entity` starts failing for good (HTTP 500) once its first page
    was asked for. The request log is cleared before and after, the fault after, ready for
    the run that must resume."""

    def break_after_first_page() -> None:
        while fake.requests_to(entity) < 1:
            time.sleep(0.001)
        fake.faults.persistent_500[entity] = "Timeout expired."

    fake.reset_log()
    watcher = threading.Thread(target=break_after_first_page)
    watcher.start()
    report = run_sync(stip, full=full, client=fast_client(fake))
    watcher.join()
    fake.faults.persistent_500.clear()
    fake.reset_log()
    return report


def store_ids(stip: Stip, entity: str) -> list[int]:
    """Every stored id of an entity's table, duplicates kept (so they would show)."""
    with stip.store.read() as con:
        table = con.table(TABLES_BY_ENTITY[entity].name)
        return sorted(table.select("id").to_pyarrow()["id"].to_pylist())


def assert_store_matches(stip: Stip, fake: FakeAutotask) -> None:
    """Exactly the tenant's records in every synced table: no missing, extra or duplicate."""
    for entity in TABLES_BY_ENTITY:
        if entity == "TicketHistory":
            continue
        expected = sorted(int(r["id"]) for r in fake.records(entity))
        assert store_ids(stip, entity) == expected, entity
