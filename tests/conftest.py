from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest


@pytest.fixture
def stip_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh STIP_HOME for one test, with no STIP_* settings leaking in from outside."""
    for name in list(os.environ):
        if name.startswith("STIP_") and name != "STIP_TEST_PG_URL":
            monkeypatch.delenv(name)
    home = tmp_path / "stip-home"
    monkeypatch.setenv("STIP_HOME", str(home))
    return home


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty database on the PostgreSQL server `make test` starts.

    Fails rather than skips when the server is missing: CI must never pass without it.
    """
    base = os.environ.get("STIP_TEST_PG_URL")
    if not base:
        pytest.fail("STIP_TEST_PG_URL is not set: run the suite with `make test`")
    name = f"stip_{uuid.uuid4().hex[:12]}"
    admin = "postgresql://" + base.split("://", 1)[1]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield base.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium through Playwright, one per test process.

    Every browser test must use this fixture: a second `sync_playwright()` while this one is
    open (xdist puts tests of different modules in one process) fails with "Sync API inside
    the asyncio loop".
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
