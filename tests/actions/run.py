"""`stip ...` as a user runs it: a real process in the test's environment (`STIP_HOME`)."""

from __future__ import annotations

import os
import subprocess
import sys


def run_stip(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stip", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )
