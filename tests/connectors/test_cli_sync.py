from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from stip.testing.fake_autotask import FakeAutotask


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stip", *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_sync_then_full_sync_exit_0_with_a_summary(stip_home: Path, fake: FakeAutotask) -> None:
    env = {**os.environ, **fake.env()}
    first = _run("sync", "autotask", env=env)
    assert first.returncode == 0, first.stderr
    # the summary is the command's output; stderr, not a terminal here, stays empty
    assert "Autotask sync 1 (incremental)" in first.stdout
    assert "Tickets" in first.stdout and "300" in first.stdout
    assert first.stderr == ""
    fake.reset_log()
    full = _run("sync", "autotask", "--full", env=env)
    assert full.returncode == 0, full.stderr
    assert "Autotask sync 2 (full)" in full.stdout
    # the count for the progress bar, one page, and the picklist metadata
    assert fake.requests_to("Tickets") == 3


def test_refused_secret_exit_1_and_the_secret_is_nowhere(
    stip_home: Path, fake: FakeAutotask
) -> None:
    env = {**os.environ, **fake.env(), "STIP_AUTOTASK_SECRET": "wrong-secret-9f3e"}
    result = _run("sync", "autotask", env=env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "error: Autotask refused the credentials of API user 'api-user@example.com' (HTTP 401): "
        "check STIP_AUTOTASK_SECRET (the API user's secret) and STIP_AUTOTASK_INTEGRATION_CODE "
        "(the API tracking identifier), or 'secret' and 'integration_code' in the [autotask] "
        "table of $STIP_HOME/stip.toml"
    )
    log = (stip_home / "logs" / "stip.log").read_text()
    for text in (result.stdout, result.stderr, log):
        assert "wrong-secret-9f3e" not in text
        assert fake.integration_code not in text


def test_missing_configuration_names_the_variable(stip_home: Path) -> None:
    result = _run("sync", "autotask", env=dict(os.environ))
    assert result.returncode == 1
    assert "STIP_AUTOTASK_USERNAME" in result.stderr
    assert "Traceback" not in result.stderr


def test_persistent_500_exit_1_naming_entity_and_api_text(
    stip_home: Path, fake: FakeAutotask
) -> None:
    fake.faults.persistent_500["Invoices"] = "Timeout expired. The timeout period elapsed."
    result = _run("sync", "autotask", env={**os.environ, **fake.env()})
    assert result.returncode == 1
    # contract §1: one clear line on stderr; the summary went to stdout
    [last] = result.stderr.strip().splitlines()
    assert "Invoices" in result.stdout
    assert last.startswith(
        "error: Autotask sync finished with 1 failed entities: Autotask Invoices:"
    )
    assert "Timeout expired. The timeout period elapsed." in last
    assert '"filter":[' in last
