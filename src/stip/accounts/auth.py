"""Pluggable authentication: local passwords first, OIDC (Entra ID) can be added later.

An `Authenticator` turns credentials into a `User`. The web login form uses the first
authenticator that accepts a username/password pair; a future OIDC authenticator would add a
redirect-based login route instead and map the identity's claims to a local user.
"""

from __future__ import annotations

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
    """At most `max_failures` failed logins per `window` seconds per (user name, client IP)."""

    def __init__(self, max_failures: int = 5, window: float = 300.0) -> None:
        self.max_failures = max_failures
        self.window = window
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures[key]
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def blocked(self, username: str, ip: str) -> bool:
        with self._lock:
            key = (username.strip().lower(), ip)
            return len(self._recent(key, time.monotonic())) >= self.max_failures

    def failed(self, username: str, ip: str) -> None:
        with self._lock:
            now = time.monotonic()
            key = (username.strip().lower(), ip)
            self._recent(key, now).append(now)

    def succeeded(self, username: str, ip: str) -> None:
        with self._lock:
            self._failures.pop((username.strip().lower(), ip), None)
