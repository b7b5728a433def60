"""The committer (group commit) and SLA reloads by id range; the fake's id index."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from autotask_helpers import Connect, assert_store_matches, sync_failing_after_first_page

from stip.app import Stip
from stip.connectors.autotask import passes
from stip.connectors.autotask.group_commit import GroupCommit
from stip.connectors.autotask.mapping import parse_datetime
from stip.connectors.autotask.state import load_states
from stip.connectors.autotask.sync import run_sync
from stip.errors import ConnectorError
from stip.store.schema import Batch
from stip.testing.autotask_tenant import BASE, SPAN_HOURS, sample_tenant
from stip.testing.fake_autotask import FakeAutotask
from stip.testing.fake_autotask_rules import id_bounds


def _team(ident: Any) -> Batch:
    batch = Batch()
    batch.add("teams", [{"source_system": "autotask", "id": ident, "name": f"Team {ident}"}])
    return batch


def _team_ids(stip: Stip) -> list[int]:
    with stip.store.read() as con:
        return sorted(con.table("teams").to_pyarrow()["id"].to_pylist())


def test_a_refused_builder_fails_its_page_only_and_a_failed_apply_every_later_page(
    stip: Stip,
) -> None:
    lock = threading.Lock()
    group = GroupCommit(stip.store, lock)

    def broken() -> Batch:
        raise ValueError("bad page")

    with lock:  # the committer takes the first page, then waits: the next two group
        first = group.submit(lambda: _team(1))
        time.sleep(0.1)
        refused = group.submit(broken)
        second = group.submit(lambda: _team(2))
    first.wait()
    second.wait()
    with pytest.raises(ConnectorError, match="bad page"):
        refused.wait()
    assert _team_ids(stip) == [1, 2]

    failed = group.submit(lambda: _team("not a number"))
    with pytest.raises(ConnectorError):
        failed.wait()
    later = group.submit(lambda: _team(3))
    with pytest.raises(ConnectorError):
        later.wait()
    group.close()
    assert _team_ids(stip) == [1, 2]


def test_a_grouped_page_keeps_its_deletions(stip: Stip) -> None:
    lock = threading.Lock()
    group = GroupCommit(stip.store, lock)
    group.submit(lambda: _team(1)).wait()
    with lock:  # both pages wait for the lock, so they land in one group

        def drop_first() -> Batch:
            batch = _team(2)
            batch.delete("teams", "autotask", [1])
            return batch

        pages = [group.submit(drop_first), group.submit(lambda: _team(3))]
    for page in pages:
        page.wait()
    group.close()
    assert _team_ids(stip) == [2, 3]


def test_an_interrupted_sla_reload_resumes_by_result_id_in_the_next_incremental_run(
    connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(passes, "HOLD_ROWS", 100)  # too big to hold: applied page by page
    # 1,200 tickets: 600 SLA results, ids 120000, 120002, ...; the first page ends at 120998
    with FakeAutotask(sample_tenant(tickets=1200), latency=0.02) as fake:
        stip = connect(fake)
        run_sync(stip)
        entity = "ServiceLevelAgreementResults"
        full = sync_failing_after_first_page(stip, fake, entity, full=True)
        assert [r.entity for r in full.errors] == [entity]
        state = load_states(stip.store)[entity]
        assert state.last_id == 120998 and state.watermark is None

        again = run_sync(stip)
        result = next(r for r in again.results if r.entity == entity)
        assert result.mode == "full (resumed)" and result.records == 100
        bodies = [r.body for r in fake.log if r.endpoint == entity]
        assert bodies[0]["filter"] == [{"op": "gt", "field": "id", "value": 120998}]
        assert_store_matches(stip, fake)
        state = load_states(stip.store)[entity]
        assert state.last_id is None and state.watermark is not None


def test_id_bounds_narrow_only_by_top_level_id_conditions() -> None:
    assert id_bounds([{"op": "gt", "field": "id", "value": 10}]) == (10, None)
    assert id_bounds([{"op": "gte", "field": "id", "value": 10}]) == (9, None)
    assert id_bounds(
        [{"op": "gt", "field": "id", "value": 10}, {"op": "lte", "field": "id", "value": 20}]
    ) == (10, 20)
    assert id_bounds([{"op": "lt", "field": "id", "value": 20}]) == (None, 19)
    assert id_bounds([{"op": "eq", "field": "id", "value": 7}]) == (6, 7)
    nested = {"op": "or", "items": [{"op": "gt", "field": "id", "value": 10}]}
    assert id_bounds([nested, {"op": "gt", "field": "ticketID", "value": 5}]) == (None, None)


def test_sample_tenant_change_stamps_are_never_after_its_span() -> None:
    """A stamp after the sync's start would be read again by every incremental run."""
    end = BASE + timedelta(hours=SPAN_HOURS + 6)  # a ticket's last activity: created + 6 h
    tenant = sample_tenant(tickets=20000)
    for entity, field in (
        ("Companies", "lastActivityDate"),
        ("Contacts", "lastModifiedDate"),
        ("ConfigurationItems", "lastModifiedTime"),
        ("Tickets", "lastActivityDate"),
        ("TimeEntries", "lastModifiedDateTime"),
    ):
        assert max(parse_datetime(r[field]) for r in tenant[entity]) <= end, entity
