"""Parallel id ranges on full passes, and the request bound of a sync after changes."""

from __future__ import annotations

import datetime as dt

from autotask_helpers import Connect, assert_store_matches

from stip.connectors.autotask.ranges import IdRange, checkpoint, finished, split_points
from stip.connectors.autotask.state import load_states
from stip.connectors.autotask.sync import run_sync
from stip.testing.autotask_tenant import sample_tenant
from stip.testing.fake_autotask import FakeAutotask


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def test_checkpoint_covers_only_the_contiguous_prefix_of_finished_ranges() -> None:
    first = IdRange(lo=None, hi=100, cursor=60)
    second = IdRange(lo=100, hi=200, cursor=200, done=True)
    last = IdRange(lo=200, hi=None, cursor=250)
    assert checkpoint([first, second, last]) == 60
    first.cursor, first.done = 100, True
    assert checkpoint([first, second, last]) == 250
    assert checkpoint([IdRange(lo=None)]) is None
    assert checkpoint([IdRange(lo=7, cursor=7)]) == 7
    untouched = IdRange(lo=200, hi=None, cursor=200)
    assert checkpoint([first, second, untouched]) == 200


def test_split_points_follow_the_first_pages_id_density() -> None:
    dense = list(range(1, 501))
    # 2100 more records = 5 pages in 3 parts: 2 pages (1000 ids) each, above id 500
    assert split_points(dense, 2100, 3) == [1500, 2500]
    sparse = list(range(10, 5010, 10))
    # ten ids per record: 800 records = 2 pages in 2 parts: 1 page = 5000 ids, above 5000
    assert split_points(sparse, 800, 2) == [10000]


def test_a_page_that_reaches_its_ranges_bound_ends_the_range() -> None:
    full = [{"id": i} for i in range(1, 501)]
    assert finished(full, 500, 500) and finished(full[:10], 10, None)
    assert not finished(full, 500, 501) and not finished(full, 500, None)


def test_a_full_pass_reads_an_entitys_ranges_concurrently(connect: Connect) -> None:
    with FakeAutotask(sample_tenant(tickets=1600), latency=0.1) as fake:
        stip = connect(fake, STIP_AUTOTASK_CONCURRENCY="3")
        run_sync(stip)
        assert_store_matches(stip, fake)
        bodies = [r.body for r in fake.log if r.endpoint == "Tickets" and r.body is not None]
        # first page 40000-40499, a count (1100 left = 3 pages), then three ranges of one
        # page each (500/500/100 tickets; a page that ends at its range's bound ends the
        # range): 5 requests where the id cursor alone needs 4 in a row
        assert len(bodies) == 5
        ranges = sorted(
            (tuple((f["op"], f["value"]) for f in b["filter"]) for b in bodies[2:]),
        )
        assert ranges == [
            (("gt", 40499), ("lte", 40999)),
            (("gt", 40999), ("lte", 41499)),
            (("gt", 41499),),
        ]
        assert fake.max_in_flight["Tickets"] == 3 and fake.thread_limit_hits == 0
        assert load_states(stip.store)["Tickets"].last_id is None


def test_second_sync_after_changes_applies_exactly_them_within_the_request_bound(
    connect: Connect,
) -> None:
    with FakeAutotask(sample_tenant(tickets=1200)) as fake:
        stip = connect(fake)
        run_sync(stip)
        for ident in range(40100, 40700):
            ticket = fake.remove("Tickets", ident)
            fake.put("Tickets", {**ticket, "title": "Changed", "lastActivityDate": _now()})
        for ident in (41200, 41201):
            fake.put("Tickets", {"id": ident, "title": "New", "lastActivityDate": _now()})
        fake.remove("Tickets", 40002)
        for sla in fake.records("ServiceLevelAgreementResults"):
            if sla["ticketID"] == 40002:
                fake.remove("ServiceLevelAgreementResults", sla["id"])
        fake.put("DeletedTicketLogs", {"id": 1, "ticketID": 40002, "deletedDateTime": _now()})
        fake.reset_log()
        report = run_sync(stip)
        assert_store_matches(stip, fake)
        # 16 for an unchanged tenant, +1 second Tickets page (602 changed), +2 SLA batches
        # (602 changed tickets, 400 per `in` list): 11 entities x 1 + 5 + ceil(602 / 500) - 1
        assert report.requests == len(fake.log) == 19
        by_entity = {r.entity: r for r in report.results}
        assert by_entity["Tickets"].records == 602
        assert by_entity["DeletedTicketLogs"].deleted == 1
        with stip.store.read() as con:
            rows = con.table("tickets").select("id", "title").to_pyarrow().to_pylist()
        tickets = {r["id"]: r["title"] for r in rows}
        assert tickets[40100] == tickets[40699] == "Changed" and tickets[41201] == "New"
