from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest
from autotask_helpers import fast_client, settings_for

from stip.connectors.autotask.client import (
    AutotaskAuthError,
    AutotaskClient,
    AutotaskQueryError,
    _retry_after,
    normalise_base,
)
from stip.connectors.autotask.mapping import map_picklists
from stip.connectors.autotask.query import all_of, any_of, cond
from stip.errors import ConfigError, ConnectorError
from stip.logs import setup_logging
from stip.settings import AutotaskSettings, load_settings
from stip.testing.fake_autotask import FakeAutotask, Faults

ROWS = [
    {
        "id": 1,
        "title": "Printer down",
        "status": 1,
        "priority": 2,
        "dueDateTime": "2026-10-01T10:00:00Z",
    },
    {"id": 2, "title": "VPN broken", "status": 5, "priority": 1, "dueDateTime": None},
    {
        "id": 3,
        "title": "New laptop",
        "status": 8,
        "priority": 3,
        "dueDateTime": "2026-10-03T10:00:00",
    },
    {
        "id": 4,
        "title": "printer toner",
        "status": 5,
        "priority": 2,
        "dueDateTime": "2026-10-02T09:00:00Z",
    },
]


@pytest.fixture
def small() -> Iterator[FakeAutotask]:
    with FakeAutotask({"Tickets": ROWS}) as server:
        yield server


def ids(client: AutotaskClient, *filters: dict) -> list[int]:
    return [r["id"] for page in client.query("Tickets", list(filters)) for r in page]


def test_zone_is_discovered_once_and_trailing_slash_is_normalised() -> None:
    for trailing in (False, True):
        with FakeAutotask({"Tickets": ROWS}, zone_trailing_slash=trailing) as server:
            with fast_client(server) as client:
                assert client.zone_url() == f"http://127.0.0.1:{server.port}/zone9/atservicesrest/"
                assert ids(client, cond("gte", "id", 0)) == [1, 2, 3, 4]
                assert client.count("Tickets") == 4
            assert server.requests_to("zoneInformation") == 1
            paths = [r.path for r in server.log if r.endpoint == "Tickets"]
            assert paths == [
                "/zone9/atservicesrest/v1.0/Tickets/query",
                "/zone9/atservicesrest/v1.0/Tickets/query/count",
            ]
    assert normalise_base(" https://x/atservicesrest// ") == "https://x/atservicesrest/"


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (cond("eq", "status", 5), [2, 4]),
        (cond("noteq", "status", 5), [1, 3]),
        (cond("gt", "priority", 2), [3]),
        (cond("gte", "priority", 2), [1, 3, 4]),
        (cond("lt", "priority", 2), [2]),
        (cond("lte", "priority", 2), [1, 2, 4]),
        (cond("beginsWith", "title", "printer"), [1, 4]),
        (cond("endsWith", "title", "down"), [1]),
        (cond("contains", "title", "o"), [1, 2, 3, 4]),
        (cond("contains", "title", "top"), [3]),
        (cond("exist", "dueDateTime"), [1, 3, 4]),
        (cond("notExist", "dueDateTime"), [2]),
        (cond("in", "status", [1, 8]), [1, 3]),
        (cond("notIn", "status", [1, 8]), [2, 4]),
        (cond("gte", "dueDateTime", "2026-10-02T00:00:00.000"), [3, 4]),
        (any_of(cond("eq", "status", 1), cond("eq", "priority", 3)), [1, 3]),
        (all_of(cond("eq", "status", 5), cond("eq", "priority", 2)), [4]),
    ],
)
def test_filter_grammar(small: FakeAutotask, flt: dict, expected: list[int]) -> None:
    with fast_client(small) as client:
        assert ids(client, flt) == expected


def test_unknown_operator_returns_everything_so_the_client_refuses_to_send_it(
    small: FakeAutotask,
) -> None:
    body = {"maxRecords": 500, "filter": [{"op": "ne", "field": "status", "value": 5}]}
    with fast_client(small) as client:
        zone = client.zone_url()
        raw = httpx.post(f"{zone}v1.0/Tickets/query", json=body, headers=client._headers)
        assert [r["id"] for r in raw.json()["items"]] == [1, 2, 3, 4]
        before = small.requests_to("Tickets")
        with pytest.raises(ConnectorError, match="unknown filter operator 'ne'"):
            client.query_page("Tickets", body["filter"])
        assert small.requests_to("Tickets") == before


def test_unknown_field_is_a_persistent_500_reported_with_entity_query_and_text(
    small: FakeAutotask,
) -> None:
    with fast_client(small) as client, pytest.raises(AutotaskQueryError) as info:
        client.query_page("Tickets", [cond("eq", "projectIDD", 1)])
    message = str(info.value)
    assert "Autotask Tickets" in message
    assert "Unable to find projectIDD in the Tickets Entity." in message
    assert '"field":"projectIDD"' in message
    assert small.requests_to("Tickets") == 1 + client.retries_500


def test_include_fields_and_paging_by_id_cursor() -> None:
    rows = [{"id": 10 + i, "title": f"t{i}", "status": i % 3} for i in range(1202)]
    with FakeAutotask({"Tickets": rows}) as server, fast_client(server) as client:
        pages = list(client.query("Tickets", [], ["title"]))
        assert [len(p) for p in pages] == [500, 500, 202]
        assert pages[0][0] == {"id": 10, "title": "t0"}
        assert [r["id"] for p in pages for r in p] == list(range(10, 1212))
        bodies = [r.body for r in server.log if r.endpoint == "Tickets"]
        assert bodies[1]["filter"] == [{"op": "gt", "field": "id", "value": 509}]
        assert bodies[0]["filter"] == [{"op": "gte", "field": "id", "value": 0}]
        resumed = list(client.query("Tickets", [cond("eq", "status", 0)], after_id=1000))
        assert [r["id"] for p in resumed for r in p] == [
            i for i in range(1001, 1212) if (i - 10) % 3 == 0
        ]


def test_paging_by_next_page_url_posts_the_same_body() -> None:
    rows = [{"id": i, "status": 5 if i % 2 else 1} for i in range(1, 2001)]
    with FakeAutotask({"Tickets": rows}) as server, fast_client(server) as client:
        pages = list(client.query_by_next_url("Tickets", [cond("eq", "status", 5)]))
        assert [len(p) for p in pages] == [500, 500]
        assert [r["id"] for p in pages for r in p] == list(range(1, 2001, 2))
        posts = [r for r in server.log if r.endpoint == "Tickets"]
        assert [r.method for r in posts] == ["POST", "POST"]
        assert posts[1].path.endswith("/Tickets/query/next")
        assert posts[0].body == posts[1].body
        first = client.query_page("Tickets", [cond("eq", "status", 5)])
        got = httpx.get(first["pageDetails"]["nextPageUrl"], headers=client._headers)
        assert got.status_code == 405


def test_max_records_over_500_is_an_http_500_from_the_api(small: FakeAutotask) -> None:
    with fast_client(small) as client:
        raw = httpx.post(
            f"{client.zone_url()}v1.0/Tickets/query",
            json={"maxRecords": 501, "filter": [{"op": "gte", "field": "id", "value": 0}]},
            headers=client._headers,
        )
    assert raw.status_code == 500
    assert raw.json() == {"errors": ["maxCountOfRecordsToReturn must be between 1 and 500"]}


def test_count_and_picklists_from_entity_information(small: FakeAutotask) -> None:
    small.picklists = {"Tickets": {"status": [(1, "New", True), (13, "Old", False)]}}
    with fast_client(small) as client:
        assert client.count("Tickets", [cond("eq", "status", 5)]) == 2
        fields = client.fields("Tickets")
    status = next(f for f in fields if f["name"] == "status")
    assert status["picklistValues"][1]["value"] == "13"
    rows = map_picklists("Tickets", fields)
    assert [(r["field"], r["value"], r["label"], r["is_active"]) for r in rows] == [
        ("status", 1, "New", True),
        ("status", 13, "Old", False),
    ]


def test_threshold_information_counts_requests(small: FakeAutotask) -> None:
    small.external_usage = 1200
    with fast_client(small) as client:
        ids(client, cond("gte", "id", 0))
        info = client.threshold()
    assert info["externalRequestThreshold"] == 10_000
    # the first poll, one query, and this poll itself
    assert info["currentTimeframeRequestCount"] == 1200 + 3
    assert client.budget.tenant_count == 1203


def test_server_enforces_the_thread_limit_and_client_never_exceeds_concurrency() -> None:
    rows = [{"id": i} for i in range(1, 50)]
    with FakeAutotask({"Tickets": rows}, latency=0.3) as server, fast_client(server) as client:
        url = f"{client.zone_url()}v1.0/Tickets/query/count"
        body = {"filter": [{"op": "gte", "field": "id", "value": 0}]}
        with ThreadPoolExecutor(6) as pool:
            answers = list(
                pool.map(lambda _: httpx.post(url, json=body, headers=client._headers), range(6))
            )
        texts = [a.json().get("errors", [""])[0] for a in answers]
        assert sum("thread threshold of 3 threads" in t for t in texts) >= 1
        assert server.max_in_flight["Tickets"] >= 4
        server.reset_log()
        server.thread_limit_hits = 0
        with ThreadPoolExecutor(10) as pool:
            counts = list(pool.map(lambda _: client.count("Tickets"), range(10)))
        assert counts == [49] * 10
        assert server.max_in_flight["Tickets"] == 2
        assert server.thread_limit_hits == 0


def test_thread_limit_error_is_retried(small: FakeAutotask) -> None:
    small.thread_limit = 0
    with fast_client(small, concurrency=1) as client:
        release = threading.Timer(0.3, lambda: setattr(small, "thread_limit", 3))
        release.start()
        assert client.count("Tickets") == 4
    assert small.thread_limit_hits >= 1


def test_wrong_secret_gives_a_clear_401_message_without_the_secret(small: FakeAutotask) -> None:
    client = AutotaskClient(settings_for(small, secret="not-the-secret"), backoff=0.01)
    with client, pytest.raises(AutotaskAuthError) as info:
        client.count("Tickets")
    message = str(info.value)
    assert "HTTP 401" in message and "STIP_AUTOTASK_SECRET" in message
    assert "STIP_AUTOTASK_INTEGRATION_CODE" in message
    assert "not-the-secret" not in message
    # a 401 re-discovers the zone once before giving up
    assert small.requests_to("zoneInformation") == 2


def test_unknown_user_fails_zone_discovery_naming_the_username_setting(small: FakeAutotask) -> None:
    """Autotask answers an unknown user with HTTP 500, like a transient fault: after the
    bounded retries of a 500 the error names the user setting."""
    small.reset_log()
    client = fast_client(small, username="nobody@example.com")
    with client, pytest.raises(ConnectorError, match="STIP_AUTOTASK_USERNAME"):
        client.count("Tickets")
    assert small.requests_to("zoneInformation") == 1 + client.retries_500


def test_a_transient_500_on_zone_discovery_is_retried(small: FakeAutotask) -> None:
    small.faults.zone_500 = 2
    small.reset_log()
    with fast_client(small) as client:
        assert client.count("Tickets") == 4
    assert small.requests_to("zoneInformation") == 3


def test_a_secret_that_is_not_ascii_is_a_settings_error(small: FakeAutotask) -> None:
    """It would travel as an HTTP header, which carries ASCII only; the error does not show it."""
    with pytest.raises(ConfigError, match="STIP_AUTOTASK_SECRET .*not ASCII") as caught:
        AutotaskClient(settings_for(small, secret="geheim-wachtwoord-é€"))
    assert "geheim" not in str(caught.value)


def test_missing_settings_name_the_variable(
    stip_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STIP_AUTOTASK_USERNAME", "api@example.com")
    monkeypatch.setenv("STIP_AUTOTASK_SECRET", "abcd-secret")
    with pytest.raises(ConfigError, match="STIP_AUTOTASK_INTEGRATION_CODE"):
        AutotaskClient(load_settings().autotask)
    with pytest.raises(ConfigError, match="STIP_AUTOTASK_USERNAME"):
        AutotaskClient(AutotaskSettings())


def test_settings_from_stip_toml(stip_home: Path, small: FakeAutotask) -> None:
    stip_home.mkdir(parents=True)
    (stip_home / "stip.toml").write_text(
        "[autotask]\n"
        f'username = "{small.username}"\nsecret = "{small.secret}"\n'
        f'integration_code = "{small.integration_code}"\napi_url = "{small.api_url}"\n'
    )
    with AutotaskClient(load_settings().autotask) as client:
        assert client.count("Tickets") == 4


def test_transient_faults_are_retried_until_the_answer_is_right() -> None:
    rows = [{"id": i, "status": i % 4} for i in range(1, 3001)]
    faults = Faults(error_500=0.15, too_many=0.1, dropped=0.1, seed=3)
    with FakeAutotask({"Tickets": rows}, faults=faults) as server:
        with fast_client(server) as client:
            pages = client.query("Tickets", [cond("eq", "status", 1)], max_records=25)
            got = [r["id"] for p in pages for r in p]
            assert got == list(range(1, 3001, 4))
            assert sum(client.retries.values()) >= 1
        statuses = {r.status for r in server.log}
        assert {0, 429, 500, 200} <= statuses
        # each request the server saw is counted once for the budget, retried or not
        assert client.total_requests == len(server.log)


def test_retry_after_is_honoured() -> None:
    faults = Faults(too_many=1.0, retry_after=1)
    with FakeAutotask({"Tickets": ROWS}, faults=faults) as server, fast_client(server) as client:
        threading.Timer(0.2, lambda: setattr(server.faults, "too_many", 0.0)).start()
        started = time.monotonic()
        assert client.count("Tickets") == 4
        assert time.monotonic() - started >= 1.0


def test_retry_after_holds_back_every_thread_not_just_the_refused_one() -> None:
    """The limit is per tenant: a request started while another waits out a Retry-After
    waits too instead of being refused (or, worse, answered and spending the budget)."""
    faults = Faults(too_many=1.0, retry_after=1)
    with FakeAutotask({"Tickets": ROWS}, faults=faults) as server, fast_client(server) as client:
        client.zone_url()
        with ThreadPoolExecutor(2) as pool:
            first = pool.submit(client.count, "Tickets")
            while not any(r.status == 429 for r in server.log):
                time.sleep(0.01)
            server.faults.too_many = 0.0
            time.sleep(0.2)  # the refused thread has read the answer and waits out its second
            second = pool.submit(client.count, "Tickets")
            assert first.result() == 4 and second.result() == 4
        refused = next(r.at for r in server.log if r.status == 429)
        answered = [r.at for r in server.log if r.endpoint == "Tickets" and r.status == 200]
        assert len(answered) == 2
        assert min(answered) >= refused + 0.95


@pytest.mark.parametrize(
    ("header", "low", "high"),
    [
        ("2", 2.0, 2.0),
        ("0.5", 0.5, 0.5),
        ("-3", 0.0, 0.0),
        ("86400", 300.0, 300.0),
        ("in a while", None, None),
        ("nan", None, None),
    ],
)
def test_retry_after_seconds_are_read_and_capped(
    header: str, low: float | None, high: float | None
) -> None:
    got = _retry_after(httpx.Response(429, headers={"Retry-After": header}))
    assert (got is None) if low is None else (low <= got <= high)  # type: ignore[operator]


def test_retry_after_as_an_http_date() -> None:
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    got = _retry_after(httpx.Response(429, headers={"Retry-After": soon}))
    assert got is not None and 25 <= got <= 30
    past = "Wed, 21 Oct 2015 07:28:00 GMT"
    assert _retry_after(httpx.Response(429, headers={"Retry-After": past})) == 0.0
    assert _retry_after(httpx.Response(429)) is None


def test_secret_never_reaches_the_log(stip_home: Path, small: FakeAutotask) -> None:
    path = setup_logging()
    client = AutotaskClient(settings_for(small, integration_code="WRONG-CODE-123"))
    with client, pytest.raises(AutotaskAuthError) as info:
        client.count("Tickets")
    logging.getLogger("stip").error(
        "sync failed: %s headers=%s", info.value, json.dumps(client._headers)
    )
    for handler in logging.getLogger("stip").handlers:
        handler.flush()
    text = Path(path).read_text()
    assert "sync failed" in text
    assert small.secret not in text
    assert "WRONG-CODE-123" not in text


def test_budget_follows_the_tenants_threshold_and_slows_down_near_the_latency_band(
    small: FakeAutotask,
) -> None:
    small.threshold = 8000
    small.external_usage = 3700  # 46% of the threshold: just below Autotask's 50% band
    with fast_client(small) as client:
        assert client.count("Tickets") == 4
        assert client.budget.allowed == 2000  # 25% of 8000
        assert client.budget.waited == pytest.approx(0.5)
        small.external_usage = 1000
        client.threshold()
        waited = client.budget.waited
        client.count("Tickets")
        assert client.budget.waited == waited


def test_an_api_url_nobody_listens_on_fails_after_a_few_quick_tries(
    small: FakeAutotask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Zone discovery that cannot connect at all is most likely a wrong STIP_AUTOTASK_API_URL:
    1 + 3 tries, not the 11 (and minutes of backoff) a dropped connection gets."""
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings = settings_for(small, api_url=f"http://127.0.0.1:{port}/")
    pauses: list[int] = []
    client = AutotaskClient(settings)
    monkeypatch.setattr(client, "_sleep_backoff", lambda attempt, response=None: pauses.append(1))
    with client, pytest.raises(ConnectorError, match="STIP_AUTOTASK_API_URL") as caught:
        client.count("Tickets")
    assert f"127.0.0.1:{port}" in str(caught.value) and "ConnectError" in str(caught.value)
    assert len(pauses) == 3


def test_an_api_url_that_is_no_http_url_is_a_settings_error(
    stip_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STIP_AUTOTASK_API_URL", "webservices.autotask.net")
    with pytest.raises(ConfigError, match="STIP_AUTOTASK_API_URL .*is not an http\\(s\\) URL"):
        load_settings()
