"""Pluggable authentication: local passwords first, OIDC (Entra ID) can be added later.

An `Authenticator` turns credentials into a `User`. The web login form uses the first
authenticator that accepts a username/password pair; a future OIDC authenticator would add a
redirect-based login route instead and map the identity's claims to a local user.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import defaultdict, deque
from typing import Protocol

from sqlalchemy import Engine

from stip.accounts.users import User, verify_password


class Authenticator(Protocol):
    name: str

    def authenticate(self, username: str, password: str) -> User | None:
        """The user these credentials belong to, or None."""
        ...


class LocalPasswordAuthenticator:
    """Users stored in the application DB with argon2 password hashes."""

    name = "local"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def authenticate(self, username: str, password: str) -> User | None:
        return verify_password(self.engine, username, password)


class LoginRateLimiter:
    """At most `max_failures` failed logins per `window` seconds per (user name, client IP).

    Anyone can post any user name, so what is kept stays bounded: a name is keyed by its
    hash, and failures older than the window are dropped (every `window`, all of them)."""

    def __init__(self, max_failures: int = 5, window: float = 300.0) -> None:
        self.max_failures = max_failures
        self.window = window
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._swept = time.monotonic()

    @staticmethod
    def _key(username: str, ip: str) -> tuple[str, str]:
        name = username.strip().lower().encode("utf-8", "surrogatepass")
        return hashlib.sha256(name).hexdigest(), ip

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures[key]
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def _sweep(self, now: float) -> None:
        if now - self._swept < self.window:
            return
        self._swept = now
        for key in [k for k, times in self._failures.items() if not self._recent(k, now)]:
            del self._failures[key]

    def blocked(self, username: str, ip: str) -> bool:
        with self._lock:
            key = self._key(username, ip)
            if key not in self._failures:
                return False
            return len(self._recent(key, time.monotonic())) >= self.max_failures

    def failed(self, username: str, ip: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._sweep(now)
            self._recent(self._key(username, ip), now).append(now)

    def succeeded(self, username: str, ip: str) -> None:
        with self._lock:
            self._failures.pop(self._key(username, ip), None)

    def __len__(self) -> int:
        """How many (name, address) pairs are remembered."""
        return len(self._failures)
