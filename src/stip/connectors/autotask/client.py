"""The Autotask REST client: zone discovery, auth headers, retries, budget, thread limits.

Every call but zone discovery goes to the zone URL the API returns. Requests per entity
endpoint are capped by a semaphore (`concurrency`, at most 3: Autotask's thread limit per
tracking identifier and endpoint, metadata calls included).
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from stip.connectors.autotask.budget import Budget
from stip.connectors.autotask.query import (
    EVERYTHING,
    MAX_RECORDS,
    Filter,
    cond,
    query_body,
    validate_filters,
)
from stip.errors import ConfigError, ConnectorError
from stip.logs import register_secret
from stip.settings import AutotaskSettings

log = logging.getLogger("stip.autotask")

ZONE_TTL_SECONDS = 24 * 3600
MAX_PAGES = 100_000
# Tries after the first when zone discovery cannot connect at all (about 3.5 s of backoff).
DISCOVERY_CONNECT_RETRIES = 3
_THREAD_LIMIT_MARKERS = ("itgenatr005", "thread threshold")
# The longest `Retry-After` obeyed: a larger one (or a date far ahead) waits this long, then
# the request is tried again, so a wrong header cannot stall a sync for hours.
MAX_RETRY_AFTER_SECONDS = 300.0
_REQUIRED = (
    ("username", "STIP_AUTOTASK_USERNAME"),
    ("secret", "STIP_AUTOTASK_SECRET"),
    ("integration_code", "STIP_AUTOTASK_INTEGRATION_CODE"),
)


class AutotaskQueryError(ConnectorError):
    """A request kept failing with HTTP 500; names the entity, the query and the API's text."""

    def __init__(self, entity: str, body: Any, errors: str) -> None:
        self.entity = entity
        self.errors = errors
        super().__init__(
            f"Autotask {entity}: the API kept answering HTTP 500 ({errors}) "
            f"to query {json.dumps(body, separators=(',', ':'))}"
        )


class AutotaskAuthError(ConnectorError):
    """Credentials were refused."""


def normalise_base(url: str) -> str:
    """Strip, then end with exactly one '/'."""
    return url.strip().rstrip("/") + "/"


def check_settings(settings: AutotaskSettings) -> None:
    for attr, variable in _REQUIRED:
        value = getattr(settings, attr)
        if not value:
            raise ConfigError(
                f"Autotask is not configured: set {variable} (or '{attr}' in the [autotask] "
                "table of $STIP_HOME/stip.toml)"
            )
        text = value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
        if not text.isascii():
            # they travel as HTTP headers, which carry ASCII only; the value is not shown
            raise ConfigError(
                f"{variable} (or '{attr}' in the [autotask] table of $STIP_HOME/stip.toml) "
                "holds a character that is not ASCII; copy it again from Autotask"
            )


class AutotaskClient:
    """Thread-safe; one per sync run. `requests` counts HTTP calls per endpoint."""

    def __init__(
        self,
        settings: AutotaskSettings,
        *,
        budget: Budget | None = None,
        retries_500: int = 4,
        retries_transient: int = 10,
        backoff: float = 0.5,
        timeout: float = 120.0,
    ) -> None:
        check_settings(settings)
        assert settings.secret is not None and settings.integration_code is not None
        secret = settings.secret.get_secret_value()
        code = settings.integration_code.get_secret_value()
        register_secret(secret)
        register_secret(code)
        self.username = str(settings.username)
        self.api_url = normalise_base(settings.api_url)
        self.concurrency = min(3, max(1, settings.concurrency))
        self.udf_columns = settings.udf_columns
        self.budget = budget or Budget(settings.budget_share)
        self.retries_500 = retries_500
        self.retries_transient = retries_transient
        self.backoff = backoff
        self._headers = {
            "ApiIntegrationCode": code,
            "UserName": self.username,
            "Secret": secret,
            "Content-Type": "application/json",
        }
        self._http = httpx.Client(timeout=timeout, follow_redirects=False)
        self._zone: str | None = None
        self.web_url: str | None = None
        self._zone_at = 0.0
        self._zone_lock = threading.Lock()
        self._slots: dict[str, threading.Semaphore] = {}
        self._slots_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._pause_lock = threading.Lock()
        self._paused_until = 0.0
        self.requests: Counter[str] = Counter()
        self.retries: Counter[str] = Counter()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> AutotaskClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    # zone ---------------------------------------------------------------------------------

    def zone_url(self, refresh: bool = False) -> str:
        with self._zone_lock:
            stale = time.monotonic() - self._zone_at > ZONE_TTL_SECONDS
            if self._zone is None or refresh or stale:
                self._zone = self._discover()
                self._zone_at = time.monotonic()
            return self._zone

    def _discover(self) -> str:
        url = f"{self.api_url}v1.0/zoneInformation"
        errors_500 = 0
        for attempt in range(self.retries_transient + 1):
            try:
                response = self._http.get(
                    url, params={"user": self.username}, headers=self._headers
                )
            except httpx.TransportError as exc:
                # A host that does not resolve or refuses is mostly a wrong API URL: give
                # up after a few quick tries rather than minutes of backoff. Dropped or
                # timed-out connections get the full retries.
                unreachable = isinstance(exc, httpx.ConnectError)
                limit = DISCOVERY_CONNECT_RETRIES if unreachable else self.retries_transient
                if attempt >= min(limit, self.retries_transient):
                    raise ConnectorError(
                        f"cannot reach Autotask zone discovery at {url} ({type(exc).__name__}); "
                        "check STIP_AUTOTASK_API_URL and the network"
                    ) from None
                self._sleep_backoff(attempt)
                continue
            self._count("zoneInformation")
            if response.status_code == 200:
                info = response.json()
                zone = info.get("url")
                if not zone:
                    break
                self.web_url = info.get("webUrl") or None
                return normalise_base(zone)
            if response.status_code in (429, 502, 503, 504) and attempt < self.retries_transient:
                self._sleep_backoff(attempt, response)
                continue
            if response.status_code == 500 and errors_500 < self.retries_500:
                # a transient fault ("Timeout expired") and an unknown user both come as 500
                errors_500 += 1
                self._sleep_backoff(errors_500)
                continue
            if response.status_code == 401:
                self._raise_auth()
            raise ConnectorError(
                f"Autotask zone discovery for user '{self.username}' failed "
                f"(HTTP {response.status_code}: {_error_text(response)}); "
                "check STIP_AUTOTASK_USERNAME (the API user's name) and STIP_AUTOTASK_API_URL"
            )
        raise ConnectorError(f"Autotask zone discovery at {url} returned no zone url")

    def _raise_auth(self) -> None:
        raise AutotaskAuthError(
            f"Autotask refused the credentials of API user '{self.username}' (HTTP 401): "
            "check STIP_AUTOTASK_SECRET (the API user's secret) and "
            "STIP_AUTOTASK_INTEGRATION_CODE (the API tracking identifier), or 'secret' and "
            "'integration_code' in the [autotask] table of $STIP_HOME/stip.toml"
        )

    # requests -----------------------------------------------------------------------------

    def _slot(self, endpoint: str) -> threading.Semaphore:
        with self._slots_lock:
            if endpoint not in self._slots:
                limit = 1 if endpoint == "ThresholdInformation" else self.concurrency
                self._slots[endpoint] = threading.Semaphore(limit)
            return self._slots[endpoint]

    def _count(self, endpoint: str, retry: bool = False) -> None:
        """One request sent (counted for the budget); `retry`: it is to be sent again."""
        with self._count_lock:
            self.requests[endpoint] += 1
            if retry:
                self.retries[endpoint] += 1

    def _note_retry(self, endpoint: str) -> None:
        """A request already counted is to be sent again."""
        with self._count_lock:
            self.retries[endpoint] += 1

    def request(
        self, method: str, path: str, endpoint: str, body: Any = None, *, url: str | None = None
    ) -> Any:
        """One API call with budget, thread slot and retries; returns the decoded JSON."""
        if endpoint != "ThresholdInformation":
            self._maybe_poll_threshold()
        reauth = True
        errors_500 = 0
        transient = 0
        while True:
            target = url or f"{self.zone_url()}v1.0/{path}"
            self._wait_out_pause()
            self.budget.acquire()
            try:
                with self._slot(endpoint):
                    response = self._http.request(method, target, headers=self._headers, json=body)
            except httpx.TransportError as exc:
                self._count(endpoint, retry=True)
                transient += 1
                if transient > self.retries_transient:
                    raise ConnectorError(
                        f"Autotask {endpoint}: connection failed {transient} times "
                        f"({type(exc).__name__}); check the network"
                    ) from None
                self._sleep_backoff(transient)
                continue
            self._count(endpoint)
            status = response.status_code
            data = _json(response)
            if status == 200 and not _has_errors(data):
                return data
            text = _error_text(response, data)
            if status == 401:
                if reauth and url is None:
                    reauth = False
                    self.zone_url(refresh=True)
                    continue
                self._raise_auth()
            if status in (429, 502, 503, 504) or _is_thread_limit(text):
                transient += 1
                if transient > self.retries_transient:
                    raise ConnectorError(
                        f"Autotask {endpoint}: still refused after {transient} tries "
                        f"(HTTP {status}: {text}); try again later"
                    )
                self._note_retry(endpoint)
                self._sleep_backoff(transient, response)
                continue
            if status >= 500 or status == 200:
                errors_500 += 1
                if errors_500 > self.retries_500:
                    raise AutotaskQueryError(endpoint, body, text)
                self._note_retry(endpoint)
                self._sleep_backoff(errors_500)
                continue
            raise ConnectorError(f"Autotask {endpoint}: HTTP {status} for {path}: {text}")

    def _sleep_backoff(self, attempt: int, response: httpx.Response | None = None) -> None:
        """Wait before trying again. A `Retry-After` (seconds or an HTTP date) holds back every
        request of this client, not just the refused one: the API's limits are per tenant, so
        the other threads would only be refused too and spend the budget."""
        wait = _retry_after(response) if response is not None else None
        if wait is not None:
            with self._pause_lock:
                self._paused_until = max(self._paused_until, time.monotonic() + wait)
            self._wait_out_pause()
            return
        delay = min(60.0, self.backoff * 2 ** min(attempt - 1, 7))
        time.sleep(delay * (0.5 + random.random() / 2))

    def _wait_out_pause(self) -> None:
        while True:
            with self._pause_lock:
                left = self._paused_until - time.monotonic()
            if left <= 0:
                return
            time.sleep(left)

    def _maybe_poll_threshold(self) -> None:
        if not self.budget.poll_due():
            return
        try:
            self.threshold()
        finally:
            self.budget.poll_done()

    # API calls ----------------------------------------------------------------------------

    def threshold(self) -> dict[str, Any]:
        data = self.request("GET", "ThresholdInformation", "ThresholdInformation")
        self.budget.record_threshold(
            int(data.get("externalRequestThreshold") or 0),
            int(data.get("currentTimeframeRequestCount") or 0),
        )
        return dict(data)

    def query_page(
        self,
        entity: str,
        filters: list[Filter],
        include_fields: list[str] | None = None,
        max_records: int = MAX_RECORDS,
    ) -> dict[str, Any]:
        validate_filters(filters, entity)
        body = query_body(filters, include_fields, max_records)
        data = self.request("POST", f"{entity}/query", entity, body)
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            raise ConnectorError(f"Autotask {entity}: the query answer has no 'items' list")
        return data

    def query(
        self,
        entity: str,
        filters: list[Filter] | None = None,
        include_fields: list[str] | None = None,
        *,
        after_id: int | None = None,
        max_records: int = MAX_RECORDS,
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of records by the id cursor (`id gt last`), resumable from `after_id`."""
        base = list(filters or [])
        last = after_id
        for _ in range(MAX_PAGES):
            cursor = [cond("gt", "id", last)] if last is not None else []
            page_filters = base + cursor or [EVERYTHING]
            items = self.query_page(entity, page_filters, include_fields, max_records)["items"]
            if items:
                yield items
                last = max(int(item["id"]) for item in items)
            if len(items) < max_records:
                return

    def query_by_next_url(
        self, entity: str, filters: list[Filter], include_fields: list[str] | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages by following `pageDetails.nextPageUrl` (POST, same body)."""
        validate_filters(filters, entity)
        body = query_body(filters, include_fields)
        data = self.request("POST", f"{entity}/query", entity, body)
        for _ in range(MAX_PAGES):
            if data["items"]:
                yield data["items"]
            next_url = (data.get("pageDetails") or {}).get("nextPageUrl")
            if not next_url:
                return
            self._check_next_url(next_url)
            data = self.request("POST", "", entity, body, url=next_url)

    def _check_next_url(self, next_url: str) -> None:
        """The auth headers go with it: follow only links to the zone's own host."""
        zone = urlsplit(self.zone_url())
        link = urlsplit(next_url)
        if (link.scheme, link.netloc) != (zone.scheme, zone.netloc):
            raise ConnectorError(
                f"Autotask returned a next-page link to a foreign host: {link.netloc}"
            )

    def count(self, entity: str, filters: list[Filter] | None = None) -> int:
        filters = filters or [EVERYTHING]
        validate_filters(filters, entity)
        data = self.request("POST", f"{entity}/query/count", entity, {"filter": filters})
        return int(data["queryCount"])

    def fields(self, entity: str) -> list[dict[str, Any]]:
        data = self.request("GET", f"{entity}/entityInformation/fields", entity)
        return list(data.get("fields") or [])


_NOT_JSON = object()


def _json(response: httpx.Response) -> Any:
    """The decoded body, or `_NOT_JSON` (decoded once: a page of 500 records is large)."""
    try:
        return response.json()
    except ValueError:
        return _NOT_JSON


def _error_text(response: httpx.Response, data: Any = _NOT_JSON) -> str:
    if data is _NOT_JSON:
        data = _json(response)
    if data is _NOT_JSON:
        return response.text[:300] or response.reason_phrase
    if isinstance(data, dict) and data.get("errors"):
        return "; ".join(str(e) for e in data["errors"])[:500]
    return response.reason_phrase


def _has_errors(data: Any) -> bool:
    return data is _NOT_JSON or (isinstance(data, dict) and bool(data.get("errors")))


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait from a `Retry-After` header (RFC 9110: seconds or an HTTP date),
    at most `MAX_RETRY_AFTER_SECONDS`; None when absent or unreadable."""
    text = response.headers.get("Retry-After")
    if text is None:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return min(MAX_RETRY_AFTER_SECONDS, max(0.0, seconds))


def _is_thread_limit(text: str) -> bool:
    lowered = text.lower()
    return any(marker in lowered for marker in _THREAD_LIMIT_MARKERS)
