from __future__ import annotations

import datetime as dt
import fcntl
import json
from collections import Counter

import pytest
from autotask_helpers import (
    Connect,
    assert_store_matches,
    fast_client,
    store_ids,
    sync_failing_after_first_page,
)

from stip.app import Stip
from stip.connectors.autotask import passes
from stip.connectors.autotask.entities import DELETION_LOGS, SPECS
from stip.connectors.autotask.query import OPERATORS, filter_fields
from stip.connectors.autotask.state import load_states
from stip.connectors.autotask.sync import run_sync
from stip.errors import ConnectorError, UserError
from stip.store.schema import Batch
from stip.testing.autotask_tenant import TICKET_PICKLISTS, sample_tenant
from stip.testing.fake_autotask import FakeAutotask, Faults
from stip.testing.fake_autotask_rules import ALL_FIELDS_PATH, SUBSET_PATH

WATERMARKED = [s.entity for s in SPECS if s.strategy in ("watermark", "append")]


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _rows(stip: Stip, table: str) -> list[dict]:
    with stip.store.read() as con:
        return con.table(table).to_pyarrow().to_pylist()


def test_first_sync_loads_exactly_the_tenant_and_fills_the_status_tables(
    stip: Stip, fake: FakeAutotask
) -> None:
    report = run_sync(stip)
    assert report.status == "ok" and not report.errors
    assert_store_matches(stip, fake)
    assert report.records == sum(len(fake.records(e)) for e in fake.tables) + 11
    ticket = next(r for r in _rows(stip, "tickets") if r["id"] == 40003)
    source = next(r for r in fake.records("Tickets") if r["id"] == 40003)
    assert ticket["title"] == source["title"] == "Ticket 3 <b>printer</b>"
    assert ticket["queue_id"] == source["queueID"]
    company = next(r for r in _rows(stip, "companies") if r["id"] == 1002)
    assert json.loads(company["udf"]) == {"Users": "7"}
    picklists = {
        (r["field"], r["value"]): (r["label"], r["is_active"]) for r in _rows(stip, "picklists")
    }
    assert picklists[("queueID", 29683356)] == ("Old Queue", False)
    assert len(picklists) == sum(len(v) for v in TICKET_PICKLISTS.values())

    states = load_states(stip.store)
    expected = (
        {s.entity for s in SPECS}
        | set(DELETION_LOGS)
        | {
            "ServiceLevelAgreementResults",
            "Picklists",
        }
    )
    assert set(states) == expected
    for name, state in states.items():
        assert state.last_status == "ok", name
        assert state.last_id is None and state.last_error is None, name
        for column in ("watermark", "last_run_started", "last_run_finished", "data_as_of"):
            assert getattr(state, column) is not None, (name, column)
        assert state.last_records is not None and state.last_requests is not None
    assert states["Tickets"].last_records == 300
    assert stip.store.meta("autotask_web_url") == "https://ww9.autotask.net/"
    assert states["Tickets"].last_full_at is not None
    assert states["Companies"].last_reconciled_at is not None
    run = _rows(stip, "sync_runs")
    assert len(run) == 1
    assert run[0]["status"] == "ok" and run[0]["mode"] == "incremental"
    assert run[0]["records"] == report.records and run[0]["errors"] == 0
    assert run[0]["requests"] == report.requests == len(fake.log)
    assert run[0]["finished"] >= run[0]["started"]


def test_second_run_against_an_unchanged_tenant_costs_one_request_per_changed_entity(
    stip: Stip, fake: FakeAutotask
) -> None:
    run_sync(stip)
    fake.reset_log()
    report = run_sync(stip)
    expected = Counter({"zoneInformation": 1, "ThresholdInformation": 1})
    expected.update({entity: 1 for entity in [*WATERMARKED, *DELETION_LOGS]})
    assert fake.request_counts() == expected
    assert report.requests == 16 and report.records == 0
    assert_store_matches(stip, fake)


def test_changes_since_the_last_run_are_picked_up(stip: Stip, fake: FakeAutotask) -> None:
    run_sync(stip)
    ticket = fake.remove("Tickets", 40010)
    fake.put("Tickets", {**ticket, "title": "Changed", "lastActivityDate": _now()})
    fake.put("Tickets", {"id": 49999, "title": "Brand new", "lastActivityDate": _now()})
    fake.put(
        "ServiceLevelAgreementResults", {"id": 129999, "ticketID": 49999, "isResolutionMet": False}
    )
    fake.remove("ServiceLevelAgreementResults", 120010)
    survey = fake.remove("SurveyResults", 150010)
    fake.put("SurveyResults", {**survey, "surveyRating": 2.0, "completeDate": _now()})
    fake.put("SurveyResults", {"id": 159999, "ticketID": 49999, "surveyRating": None})
    invoice = fake.remove("Invoices", 190001)
    fake.put("Invoices", {**invoice, "paidDate": _now()})
    fake.reset_log()
    report = run_sync(stip)
    assert_store_matches(stip, fake)
    tickets = {r["id"]: r for r in _rows(stip, "tickets")}
    assert tickets[40010]["title"] == "Changed" and tickets[49999]["title"] == "Brand new"
    surveys = {r["id"]: r for r in _rows(stip, "survey_results")}
    assert surveys[150010]["survey_rating"] == 2.0
    assert next(r for r in _rows(stip, "invoices") if r["id"] == 190001)["paid_date"] is not None
    sla_bodies = [r.body for r in fake.log if r.endpoint == "ServiceLevelAgreementResults"]
    assert len(sla_bodies) == 1
    assert sla_bodies[0]["filter"] == [{"op": "in", "field": "ticketID", "value": [40010, 49999]}]
    by_entity = {r.entity: r for r in report.results}
    assert by_entity["Tickets"].records == 2
    assert by_entity["ServiceLevelAgreementResults"].records == 1


def test_deletions_from_the_deleted_record_logs(tenant: dict, connect: Connect) -> None:
    tenant["TimeEntries"].append({"id": 99000, "taskID": 220001, "hoursWorked": 1.0})
    tenant["TimeEntries"].append({"id": 99001, "taskID": 220001, "hoursWorked": 2.0})
    with FakeAutotask(tenant) as fake:
        stip = connect(fake)
        run_sync(stip)
        fake.remove("Tickets", 40002)
        fake.remove("ServiceLevelAgreementResults", 120002)
        fake.put(
            "DeletedTicketLogs",
            {
                "id": 1,
                "ticketID": 40002,
                "ticketNumber": "T202600002",
                "deletedByResourceID": 29682886,
                "deletedDateTime": _now(),
            },
        )
        fake.remove("TimeEntries", 80010)
        fake.put(
            "DeletedTicketActivityLogs",
            {
                "id": 7,
                "typeID": 2,
                "ticketID": 40005,
                "hoursWorked": 1.5,
                "deletedDateTime": _now(),
            },
        )
        fake.remove("TimeEntries", 99001)
        fake.put(
            "DeletedTaskActivityLogs",
            {
                "id": 8,
                "typeID": 2,
                "taskID": 220001,
                "deletedByResourceID": 29682887,
                "deletedDateTime": _now(),
            },
        )
        for entity in ("DeletedTicketLogs", "DeletedTicketActivityLogs", "DeletedTaskActivityLogs"):
            for record in fake.records(entity):
                fake.put(entity, record)
        report = run_sync(stip)
        assert_store_matches(stip, fake)
        deleted = {(r["entity"], r["id"]): r for r in _rows(stip, "deleted_records")}
        assert set(deleted) == {("Tickets", 40002), ("TimeEntries", 80010), ("TimeEntries", 99001)}
        assert deleted[("Tickets", 40002)]["deleted_by_resource_id"] == 29682886
        assert deleted[("TimeEntries", 99001)]["deleted_by_resource_id"] == 29682887
        assert deleted[("Tickets", 40002)]["deleted_at"] is not None
        assert sum(r.deleted for r in report.results) == 3
        assert 80011 in store_ids(stip, "TimeEntries")


def test_periodic_id_reconciliation_removes_records_without_a_deletion_log(
    stip: Stip, fake: FakeAutotask
) -> None:
    run_sync(stip)
    fake.remove("Companies", 1003)
    run_sync(stip)
    assert 1003 in store_ids(stip, "Companies")
    state = load_states(stip.store)["Companies"]
    state.last_reconciled_at = state.last_reconciled_at - dt.timedelta(days=8)
    batch = Batch()
    batch.add("sync_state", [state.row()])
    stip.store.apply(batch)
    fake.reset_log()
    run_sync(stip)
    assert_store_matches(stip, fake)
    bodies = [r.body for r in fake.log if r.endpoint == "Companies"]
    assert len(bodies) == 2 and bodies[1]["includeFields"] == ["id"]
    assert ("Companies", 1003) in {(r["entity"], r["id"]) for r in _rows(stip, "deleted_records")}


def test_mass_delete_is_refused(stip: Stip, fake: FakeAutotask) -> None:
    run_sync(stip)
    before = store_ids(stip, "Contacts")
    for ident in before[:30]:
        fake.remove("Contacts", ident)
    report = run_sync(stip, full=True)
    assert store_ids(stip, "Contacts") == before
    result = next(r for r in report.results if r.entity == "Contacts")
    assert result.deleted == 0
    assert result.error == (
        "Contacts: refused to delete 30 of 40 stored records (more than 50%); "
        "check the API user's permissions"
    )
    assert load_states(stip.store)["Contacts"].last_status == "warning"


def test_faults_still_end_with_exactly_the_tenant(connect: Connect) -> None:
    faults = Faults(error_500=0.05, too_many=0.03, dropped=0.02, seed=11)
    tenant = sample_tenant(tickets=1500)
    with FakeAutotask(tenant, faults=faults, latency=0.002) as fake:
        stip = connect(fake)
        with fast_client(fake) as client:
            report = run_sync(stip, client=client)
            assert sum(client.retries.values()) >= 3
        assert report.status == "ok", report.message()
        assert_store_matches(stip, fake)
        statuses = Counter(r.status for r in fake.log)
        assert statuses[500] >= 1 and statuses[429] >= 1 and statuses[0] >= 1
        assert max(fake.max_in_flight.values()) <= 2 and fake.thread_limit_hits == 0


@pytest.mark.parametrize("concurrency", [1, 3])
def test_never_more_concurrent_requests_per_endpoint_than_configured(
    concurrency: int, connect: Connect
) -> None:
    with FakeAutotask(sample_tenant(tickets=900), latency=0.01) as fake:
        run_sync(connect(fake, STIP_AUTOTASK_CONCURRENCY=str(concurrency)))
        assert max(fake.max_in_flight.values()) <= concurrency
        assert fake.thread_limit_hits == 0


def test_persistent_500_stops_only_that_entity_and_keeps_its_data(
    stip: Stip, fake: FakeAutotask
) -> None:
    run_sync(stip)
    before = load_states(stip.store)["Tickets"]
    ticket = fake.remove("Tickets", 40020)
    fake.put("Tickets", {**ticket, "title": "Changed", "lastActivityDate": _now()})
    company = fake.remove("Companies", 1001)
    fake.put("Companies", {**company, "companyName": "Renamed", "lastActivityDate": _now()})
    fake.faults.persistent_500["Tickets"] = "Object reference not set to an instance of an object."
    report = run_sync(stip, client=fast_client(fake))
    assert report.status == "partial"
    [failed] = report.errors
    assert failed.entity == "Tickets"
    assert "Autotask Tickets" in str(failed.error)
    assert "Object reference not set to an instance of an object." in str(failed.error)
    assert '"field":"lastActivityDate"' in str(failed.error)
    titles = {r["id"]: r["title"] for r in _rows(stip, "tickets")}
    assert titles[40020] == ticket["title"] and len(titles) == 300
    assert {r["id"]: r["company_name"] for r in _rows(stip, "companies")}[1001] == "Renamed"
    state = load_states(stip.store)["Tickets"]
    assert state.last_status == "error" and "Object reference" in str(state.last_error)
    assert state.watermark == before.watermark
    run = max(_rows(stip, "sync_runs"), key=lambda r: r["id"])
    assert run["status"] == "partial" and run["errors"] == 1
    assert "Object reference" in run["message"]
    fake.faults.persistent_500.clear()
    assert run_sync(stip).status == "ok"
    assert {r["id"]: r["title"] for r in _rows(stip, "tickets")}[40020] == "Changed"


def test_every_query_body_uses_only_swagger_field_names(tenant: dict, connect: Connect) -> None:
    subset = json.loads(SUBSET_PATH.read_text())
    everything = json.loads(ALL_FIELDS_PATH.read_text())["entities"]

    def fields_of(entity: str) -> set[str]:
        model = f"{everything[entity]['model']}Model"
        if model in subset["definitions"]:
            return set(subset["definitions"][model]["properties"])
        return {name for name, _ in everything[entity]["fields"]}

    with FakeAutotask(tenant) as fake:
        stip = connect(fake)
        run_sync(stip)
        fake.put(
            "DeletedTicketActivityLogs", {"id": 1, "ticketID": 40001, "deletedDateTime": _now()}
        )
        run_sync(stip)
        run_sync(stip, full=True)
        checked = 0
        for request in fake.log:
            if request.method != "POST":
                continue
            body = request.body
            assert body["filter"] and body.get("maxRecords", 500) <= 500
            names = filter_fields(body["filter"]) | set(body.get("includeFields") or [])
            assert names <= fields_of(request.endpoint), (
                request.endpoint,
                names - fields_of(request.endpoint),
            )
            assert _ops(body["filter"]) <= OPERATORS
            checked += 1
        assert checked > 50
        assert {r.status for r in fake.log} == {200}


def _ops(filters: list[dict]) -> set[str]:
    ops = set()
    for item in filters:
        ops.add(item["op"])
        ops |= _ops(item.get("items") or [])
    return ops


@pytest.mark.postgres
def test_sync_into_postgresql(
    pg_url: str, stip: Stip, fake: FakeAutotask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STIP_DB", pg_url)
    stip = Stip.load()
    assert stip.store.is_postgres
    run_sync(stip)
    assert_store_matches(stip, fake)
    fake.reset_log()
    assert run_sync(stip).requests == 16


def test_two_syncs_never_run_at_once(stip: Stip) -> None:
    stip.settings.home.mkdir(parents=True, exist_ok=True)
    with open(stip.settings.home / "sync.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(UserError, match="another Autotask sync is running"):
            run_sync(stip)


def test_two_homes_sharing_one_store_never_sync_it_at_once(stip: Stip) -> None:
    """The home's lock cannot see another home's sync of the same --db/STIP_DB store."""
    with stip.store.exclusive("sync") as mine:
        assert mine
        with pytest.raises(UserError, match=f"running for the store {stip.store.label}"):
            run_sync(stip)
    assert run_sync(stip).status == "ok"  # released with the block


@pytest.mark.postgres
def test_the_store_lock_on_postgresql_is_held_across_sessions(pg_url: str) -> None:
    from stip.store.store import open_store

    one, two = open_store(pg_url), open_store(pg_url)
    with one.exclusive("sync") as first, two.exclusive("sync") as second:
        assert (first, second) == (True, False)
    with two.exclusive("sync") as again:
        assert again


def test_refused_credentials_raise_and_are_recorded(stip: Stip, fake: FakeAutotask) -> None:
    fake.secret = "rotated-secret"
    with pytest.raises(ConnectorError, match="STIP_AUTOTASK_SECRET"):
        run_sync(stip)
    [run] = _rows(stip, "sync_runs")
    assert run["status"] == "error" and "HTTP 401" in run["message"]


def test_a_pass_stopped_by_an_error_resumes_from_its_cursor(
    connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pass too big to hold (a first load) is applied page by page with its cursor."""
    monkeypatch.setattr(passes, "HOLD_ROWS", 100)
    with FakeAutotask(sample_tenant(tickets=400), latency=0.05) as fake:
        stip = connect(fake)
        first = sync_failing_after_first_page(stip, fake, "TimeEntries")
        assert [r.entity for r in first.errors] == ["TimeEntries"]
        state = load_states(stip.store)["TimeEntries"]
        assert state.last_status == "error" and state.last_id == 80499
        assert store_ids(stip, "TimeEntries") == list(range(80000, 80500))

        second = run_sync(stip)
        result = next(r for r in second.results if r.entity == "TimeEntries")
        assert result.mode == "full (resumed)" and result.records == 300
        bodies = [r.body for r in fake.log if r.endpoint == "TimeEntries"]
        assert bodies[0]["filter"] == [{"op": "gt", "field": "id", "value": 80499}]
        assert_store_matches(stip, fake)
        assert load_states(stip.store)["TimeEntries"].last_id is None


def _digest(stip: Stip, table: str) -> list[dict]:
    return sorted(_rows(stip, table), key=lambda row: row["id"])


@pytest.mark.parametrize("full", [False, True], ids=["incremental", "full"])
def test_a_pass_that_fails_after_its_first_page_leaves_the_entity_as_it_was(
    connect: Connect, full: bool
) -> None:
    """Contract §5: a 500 that persists stops the entity's sync "without touching its stored
    data", also when it starts after pages were read. 700 of 1,200 tickets change (two pages
    of 500); Tickets fails after its first page; companies change too and still sync."""
    with FakeAutotask(sample_tenant(tickets=1200), latency=0.02) as fake:
        stip = connect(fake)
        run_sync(stip)
        for ticket in fake.records("Tickets")[:700]:
            fake.put("Tickets", {**ticket, "title": "Changed", "lastActivityDate": _now()})
        company = fake.remove("Companies", 1001)
        fake.put("Companies", {**company, "companyName": "Renamed", "lastActivityDate": _now()})
        tickets, state = _digest(stip, "tickets"), load_states(stip.store)["Tickets"]

        report = sync_failing_after_first_page(stip, fake, "Tickets", full=full)
        assert [r.entity for r in report.errors] == ["Tickets"]
        assert _digest(stip, "tickets") == tickets
        after = load_states(stip.store)["Tickets"]
        assert (after.watermark, after.last_id) == (state.watermark, state.last_id)
        assert {r["id"]: r["company_name"] for r in _rows(stip, "companies")}[1001] == "Renamed"

        assert run_sync(stip).status == "ok"
        titles = [r["title"] for r in _rows(stip, "tickets")]
        assert titles.count("Changed") == 700
        assert_store_matches(stip, fake)


def test_a_deletion_log_waits_while_its_entity_fails(stip: Stip, fake: FakeAutotask) -> None:
    """Tickets stopped on an error: the ticket its deletion log names stays stored, and the
    log is read again by the next run, which deletes it."""
    run_sync(stip)
    fake.remove("Tickets", 40002)
    fake.put("DeletedTicketLogs", {"id": 1, "ticketID": 40002, "deletedDateTime": _now()})
    fake.faults.persistent_500["Tickets"] = "Timeout expired."
    report = run_sync(stip, client=fast_client(fake))
    assert [r.entity for r in report.errors] == ["Tickets"]
    skipped = next(r for r in report.results if r.entity == "DeletedTicketLogs")
    assert skipped.mode == "skipped"
    assert 40002 in store_ids(stip, "Tickets")
    fake.faults.persistent_500.clear()
    assert run_sync(stip).status == "ok"
    assert 40002 not in store_ids(stip, "Tickets")
