"""A fake Autotask PSA REST API on loopback, written from the documented protocol.

Real HTTP (a threaded `http.server`): zone lookup, the three auth headers (401 when wrong),
the filter grammar, includeFields, maxRecords (> 500 is HTTP 500), nextPageUrl paging
(POST with the same body; GET is 405), query/count, entityInformation/fields with picklists,
ThresholdInformation (counts requests), the 3-thread limit per endpoint, and fault
injection. It logs every request so tests can check what the client sent.

    with FakeAutotask({"Tickets": [{"id": 1, ...}]}) as server:
        os.environ.update(server.env())
"""

from __future__ import annotations

import bisect
import json
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from stip.testing.fake_autotask_rules import (
    FieldError,
    check_field,
    compile_filter,
    field_information,
    id_bounds,
    swagger_fields,
)

THREAD_LIMIT_TEXT = (
    "Itgenatr005: Thread Threshold Exceeded - The Autotask API thread threshold of 3 threads "
    "has been exceeded."
)


@dataclass
class Faults:
    """Random faults (shares of requests) and persistent validation errors per entity."""

    error_500: float = 0.0
    too_many: float = 0.0
    dropped: float = 0.0
    retry_after: int = 0
    persistent_500: dict[str, str] = field(default_factory=dict)
    zone_500: int = 0
    """zoneInformation requests still to answer with a transient 500 ("Timeout expired.")."""
    seed: int = 1


@dataclass
class LoggedRequest:
    method: str
    path: str
    endpoint: str
    body: Any
    status: int
    at: float = field(default_factory=time.monotonic)
    """When the answer was sent (`time.monotonic()`)."""


class FakeAutotask:
    """The fake tenant. `tables` maps entity name -> records in Autotask's JSON shape."""

    def __init__(
        self,
        tables: Mapping[str, Iterable[dict[str, Any]]] | None = None,
        *,
        username: str = "api-user@example.com",
        secret: str = "fake-secret-7a1c",  # noqa: S107 - a fake tenant's credential
        integration_code: str = "FAKE-TRACKING-ID",
        threshold: int = 10_000,
        external_usage: int = 0,
        thread_limit: int = 3,
        latency: float = 0.0,
        faults: Faults | None = None,
        picklists: dict[str, dict[str, list[tuple[int, str, bool]]]] | None = None,
        zone_trailing_slash: bool = False,
    ) -> None:
        self.username = username
        self.secret = secret
        self.integration_code = integration_code
        self.threshold = threshold
        self.external_usage = external_usage
        self.thread_limit = thread_limit
        self.latency = latency
        self.faults = faults or Faults()
        self.picklists = picklists or {}
        self.zone_trailing_slash = zone_trailing_slash
        self.tables: dict[str, dict[int, dict[str, Any]]] = {}
        self._ids: dict[str, list[int]] = {}
        self.lock = threading.Lock()
        self.log: list[LoggedRequest] = []
        self.in_flight: Counter[str] = Counter()
        self.max_in_flight: Counter[str] = Counter()
        self.thread_limit_hits = 0
        self._stamps: list[float] = []
        self._random = random.Random(self.faults.seed)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        for entity, records in (tables or {}).items():
            for record in records:
                self.put(entity, record)

    # tenant data --------------------------------------------------------------------------

    def put(self, entity: str, record: dict[str, Any]) -> None:
        with self.lock:
            table = self.tables.setdefault(entity, {})
            ident = int(record["id"])
            if ident not in table:
                self._ids.pop(entity, None)
            table[ident] = dict(record)

    def remove(self, entity: str, ident: int) -> dict[str, Any]:
        with self.lock:
            self._ids.pop(entity, None)
            return self.tables.get(entity, {}).pop(ident)

    def _sorted_ids(self, entity: str) -> list[int]:
        """The entity's ids in order (the primary key index); call with the lock held."""
        if entity not in self._ids:
            self._ids[entity] = sorted(self.tables.get(entity, {}))
        return self._ids[entity]

    def records(self, entity: str) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(r) for _, r in sorted(self.tables.get(entity, {}).items())]

    # server -------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the server first"
        return int(self._server.server_address[1])

    @property
    def api_url(self) -> str:
        """The zone discovery root (STIP_AUTOTASK_API_URL)."""
        return f"http://127.0.0.1:{self.port}/atservicesrest/"

    @property
    def zone_url(self) -> str:
        base = f"http://127.0.0.1:{self.port}/zone9/atservicesrest"
        return base + "/" if self.zone_trailing_slash else base

    def env(self) -> dict[str, str]:
        return {
            "STIP_AUTOTASK_USERNAME": self.username,
            "STIP_AUTOTASK_SECRET": self.secret,
            "STIP_AUTOTASK_INTEGRATION_CODE": self.integration_code,
            "STIP_AUTOTASK_API_URL": self.api_url,
        }

    def start(self) -> FakeAutotask:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeAutotask:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # accounting ---------------------------------------------------------------------------

    def requests_to(self, endpoint: str) -> int:
        with self.lock:
            return sum(1 for r in self.log if r.endpoint == endpoint)

    def request_counts(self) -> Counter[str]:
        with self.lock:
            return Counter(r.endpoint for r in self.log)

    def reset_log(self) -> None:
        with self.lock:
            self.log.clear()
            self.max_in_flight.clear()

    def current_count(self) -> int:
        cutoff = time.monotonic() - 3600
        with self.lock:
            return self.external_usage + sum(1 for s in self._stamps if s > cutoff)

    def _enter(self, endpoint: str) -> bool:
        with self.lock:
            self._stamps.append(time.monotonic())
            self.in_flight[endpoint] += 1
            self.max_in_flight[endpoint] = max(
                self.max_in_flight[endpoint], self.in_flight[endpoint]
            )
            over = self.in_flight[endpoint] > self.thread_limit
            self.thread_limit_hits += over
            return not over

    def _leave(self, endpoint: str) -> None:
        with self.lock:
            self.in_flight[endpoint] -= 1

    def _fault(self) -> str | None:
        with self.lock:
            roll = self._random.random()
        faults = self.faults
        if roll < faults.dropped:
            return "drop"
        if roll < faults.dropped + faults.too_many:
            return "429"
        if roll < faults.dropped + faults.too_many + faults.error_500:
            return "500"
        return None

    # API ----------------------------------------------------------------------------------

    def query(self, entity: str, body: dict[str, Any], after: int | None) -> dict[str, Any]:
        max_records = int(body.get("maxRecords") or 500)
        if not 1 <= max_records <= 500:
            raise FieldError("maxCountOfRecordsToReturn must be between 1 and 500")
        matches = self._select(entity, body.get("filter"), after, limit=max_records)
        include = body.get("includeFields") or []
        for name in include:
            check_field(entity, name)
        if include:
            page = [{k: r.get(k) for k in include} for r in matches[:max_records]]
        else:
            page = [dict(r) for r in matches[:max_records]]
        next_url = None
        if len(matches) > max_records:
            paging = json.dumps({"pageSize": max_records, "nextIds": [page[-1]["id"]]})
            next_url = (
                f"{self.zone_url.rstrip('/')}/v1.0/{entity}/query/next?paging={quote(paging)}"
            )
        return {
            "items": page,
            "pageDetails": {
                "count": len(page),
                "requestCount": max_records,
                "prevPageUrl": None,
                "nextPageUrl": next_url,
            },
        }

    def _select(
        self, entity: str, filters: Any, after: int | None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Matching records in id order; stops after `limit + 1`. The records themselves,
        not copies: `put` replaces a record rather than changing it, so callers that copy
        or project them see one version. Top-level id conditions narrow the scan through the
        sorted ids, as the real API's primary key index does."""
        if entity not in swagger_fields():
            raise FieldError(f"Unknown entity {entity}.")
        if not filters:
            raise FieldError("A query requires a filter.")
        predicates = [compile_filter(entity, item) for item in filters]
        low, high = id_bounds(filters)
        if after is not None:
            low = after if low is None else max(low, after)
        matches: list[dict[str, Any]] = []
        with self.lock:
            table = self.tables.get(entity, {})
            ids = self._sorted_ids(entity)
            start = 0 if low is None else bisect.bisect_right(ids, low)
            end = len(ids) if high is None else bisect.bisect_right(ids, high)
            for ident in ids[start:end]:
                record = table[ident]
                if all(p(record) for p in predicates):
                    matches.append(record)
                    if limit is not None and len(matches) > limit:
                        break
        return matches


class _Handler(BaseHTTPRequestHandler):
    fake: FakeAutotask
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read `fake.log` instead."""

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        fake = self.fake
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        parts = [p for p in url.path.split("/") if p]
        lower = [p.lower() for p in parts]
        if lower[-2:] == ["v1.0", "zoneinformation"] and method == "GET":
            self._zone(parse_qs(url.query).get("user", [""])[0], body)
            return
        endpoint = _endpoint(parts)
        status, headers = 500, {}
        payload: Any = {"errors": ["unknown route"]}
        entered = fake._enter(endpoint)
        try:
            if fake.latency:
                time.sleep(fake.latency)
            if not self._authorised():
                status, payload = 401, None
            elif not entered:
                status, payload = 500, {"errors": [THREAD_LIMIT_TEXT]}
            else:
                fault = fake._fault()
                if fault == "drop":
                    self._log(method, url.path, endpoint, body, 0)
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if fault == "429":
                    status, payload = 429, {"errors": ["Rate limit exceeded"]}
                    headers = {"Retry-After": str(fake.faults.retry_after)}
                elif fault == "500":
                    status, payload = 500, {"errors": ["Timeout expired."]}
                else:
                    status, payload = self._route(method, parts, lower, url.query, body)
        except FieldError as exc:
            status, payload = 500, {"errors": [str(exc)]}
        finally:
            fake._leave(endpoint)
        self._log(method, url.path, endpoint, body, status)
        self._send(status, payload, headers)

    def _route(
        self, method: str, parts: list[str], lower: list[str], query: str, body: Any
    ) -> tuple[int, Any]:
        fake = self.fake
        tail = lower[lower.index("v1.0") + 1 :] if "v1.0" in lower else []
        entity = parts[len(parts) - len(tail)] if tail else ""
        if tail == ["thresholdinformation"] and method == "GET":
            return 200, {
                "externalRequestThreshold": fake.threshold,
                "requestThresholdTimeframe": 60,
                "currentTimeframeRequestCount": fake.current_count(),
            }
        if entity in fake.faults.persistent_500 and tail[1:2] == ["query"]:
            return 500, {"errors": [fake.faults.persistent_500[entity]]}
        if tail[1:] == ["query"] and method == "POST":
            return 200, fake.query(entity, body or {}, None)
        if tail[1:] == ["query", "next"]:
            if method != "POST":
                return 405, {
                    "Message": "The requested resource does not support http method 'GET'."
                }
            paging = json.loads(parse_qs(query)["paging"][0])
            return 200, fake.query(entity, body or {}, int(paging["nextIds"][-1]))
        if tail[1:] == ["query", "count"] and method == "POST":
            return 200, {"queryCount": len(fake._select(entity, (body or {}).get("filter"), None))}
        if tail[1:] == ["entityinformation", "fields"] and method == "GET":
            return 200, {"fields": field_information(entity, fake.picklists.get(entity, {}))}
        return 404, {"errors": [f"no route {method} {'/'.join(parts)}"]}

    def _authorised(self) -> bool:
        fake = self.fake
        return (
            self.headers.get("ApiIntegrationCode") == fake.integration_code
            and self.headers.get("UserName") == fake.username
            and self.headers.get("Secret") == fake.secret
        )

    def _zone(self, user: str, body: Any) -> None:
        fake = self.fake
        if fake.faults.zone_500 > 0:
            fake.faults.zone_500 -= 1
            self._log("GET", "zoneInformation", "zoneInformation", body, 500)
            self._send(500, {"errors": ["Timeout expired."]}, {})
            return
        if user != fake.username:
            self._log("GET", "zoneInformation", "zoneInformation", body, 500)
            self._send(500, {"errors": ["Zone information could not be determined"]}, {})
            return
        self._log("GET", "zoneInformation", "zoneInformation", body, 200)
        payload = {
            "zoneName": "Fake Zone 9",
            "url": fake.zone_url,
            "webUrl": "https://ww9.autotask.net/",
            "ci": 9,
        }
        self._send(200, payload, {})

    def _log(self, method: str, path: str, endpoint: str, body: Any, status: int) -> None:
        with self.fake.lock:
            self.fake.log.append(LoggedRequest(method, path, endpoint, body, status))

    def _send(self, status: int, payload: Any, headers: dict[str, str]) -> None:
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="Autotask"')
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def _endpoint(parts: list[str]) -> str:
    """The thread-limit bucket: the entity (or ThresholdInformation) after `v1.0`."""
    lower = [p.lower() for p in parts]
    if "v1.0" in lower and lower.index("v1.0") + 1 < len(parts):
        return parts[lower.index("v1.0") + 1]
    return "/".join(parts)
