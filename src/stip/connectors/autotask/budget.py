"""The API budget: Autotask allows ~10,000 requests per hour per tenant, shared by every
integration, and adds latency from 50% of it. Stip keeps to its share (`budget_share`, 25%
by default) of the threshold over a rolling hour and paces itself before the latency band.

`ThresholdInformation` is read by one poller at a time (it is thread-limited too).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 3600.0
POLL_SECONDS = 60.0
POLL_EVERY_REQUESTS = 100
SLOW_BAND = 0.45
SLOW_DELAY = 0.5
PAUSE_BAND = 0.5
PAUSE_SECONDS = 30.0
DEFAULT_THRESHOLD = 10_000


class Budget:
    """Counts this installation's requests and blocks before it would exceed its share."""

    def __init__(
        self,
        share: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        prior: list[tuple[float, int]] | None = None,
    ) -> None:
        self.share = share
        self.threshold = DEFAULT_THRESHOLD
        self.tenant_count = 0
        self.polled_at: float | None = None
        self._since_poll = 0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._poll_lock = threading.Lock()
        self._window: deque[float] = deque()
        self.requests = 0
        self.waited = 0.0
        for ago, count in prior or []:
            self._window.extend([clock() - ago] * count)

    @property
    def allowed(self) -> int:
        return max(1, int(self.threshold * self.share))

    @property
    def used(self) -> int:
        with self._lock:
            self._expire(self._clock())
            return len(self._window)

    @property
    def used_share(self) -> float:
        """Our requests in the last hour as a share of what we may use (0..1)."""
        return self.used / self.allowed

    def record_threshold(self, threshold: int, current: int) -> None:
        with self._lock:
            self.threshold = threshold or DEFAULT_THRESHOLD
            self.tenant_count = current
            self.polled_at = self._clock()
            self._since_poll = 0

    def poll_due(self) -> bool:
        """True for exactly one caller when a fresh ThresholdInformation read is due."""
        with self._lock:
            due = (
                self.polled_at is None
                or self._clock() - self.polled_at >= POLL_SECONDS
                or self._since_poll >= POLL_EVERY_REQUESTS
            )
        return due and self._poll_lock.acquire(blocking=False)

    def poll_done(self) -> None:
        self._poll_lock.release()

    def tenant_share(self) -> float:
        """Estimated tenant-wide usage (all integrations) as a share of the threshold."""
        return (self.tenant_count + self._since_poll) / max(1, self.threshold)

    def acquire(self) -> None:
        """Call before each request: waits while over our share or in the latency band."""
        while True:
            with self._lock:
                now = self._clock()
                self._expire(now)
                if len(self._window) < self.allowed:
                    tenant = (self.tenant_count + self._since_poll) / max(1, self.threshold)
                    self._window.append(now)
                    self._since_poll += 1
                    self.requests += 1
                    break
                wait = self._window[0] + WINDOW_SECONDS - now
            self._pause(max(wait, 0.01))
        if tenant >= PAUSE_BAND:
            self._pause(PAUSE_SECONDS)
        elif tenant >= SLOW_BAND:
            self._pause(SLOW_DELAY)

    def _pause(self, seconds: float) -> None:
        self.waited += seconds
        self._sleep(seconds)

    def _expire(self, now: float) -> None:
        while self._window and self._window[0] <= now - WINDOW_SECONDS:
            self._window.popleft()
