from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from web.demo_site import build_site

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def site_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, object]]]:
    home = tmp_path_factory.mktemp("e2e") / "home"
    saved = {k: v for k, v in os.environ.items() if k.startswith("STIP_")}
    for name in saved:
        if name != "STIP_TEST_PG_URL":
            del os.environ[name]
    try:
        info = build_site(home)
    finally:
        os.environ.update(saved)
    yield home, info


def _env(home: Path) -> dict[str, str]:
    return {"STIP_HOME": str(home), "PATH": "/usr/bin:/bin", "HOME": str(home)}


@pytest.fixture(scope="session")
def server(site_home: tuple[Path, dict[str, object]]) -> Iterator[str]:
    """A real `stip serve` (uvicorn) on a free loopback port."""
    home, _ = site_home
    port = _free_port()
    log = (home / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "stip", "serve", "--port", str(port)],
        env=_env(home),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/login", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError((home / "serve.log").read_text()) from None
            time.sleep(0.3)
    yield base
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def stip_cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stip", *args],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A laptop-sized English browser context with patient timeouts (a loaded CI machine)."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    ctx.set_default_timeout(120_000)
    yield ctx
    ctx.close()
