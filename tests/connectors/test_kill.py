"""kill -9 a running `stip sync autotask` at a random point, rerun: exactly the tenant."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from autotask_helpers import assert_store_matches

from stip.app import Stip
from stip.testing.autotask_tenant import sample_tenant
from stip.testing.fake_autotask import FakeAutotask


def _sync(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "stip", "sync", "autotask"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kill_9_mid_sync_then_rerun_ends_with_exactly_the_tenant(
    stip_home: Path, seed: int
) -> None:
    rng = random.Random(seed)
    with FakeAutotask(sample_tenant(tickets=1600), latency=0.005) as fake:
        env = {**os.environ, **fake.env(), "STIP_HOME": str(stip_home)}
        kill_after = rng.randint(3, 40)
        proc = _sync(env)
        deadline = time.monotonic() + 120
        while len(fake.log) < kill_after and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.001)
        time.sleep(rng.random() * 0.05)
        assert proc.poll() is None, "the sync ended before the kill; raise the tenant size"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL

        rerun = _sync(env)
        out, err = rerun.communicate(timeout=300)
        assert rerun.returncode == 0, err
        stip = Stip.load()
        assert_store_matches(stip, fake)
        with stip.store.read() as con:
            runs = con.table("sync_runs").order_by("id").to_pyarrow().to_pylist()
        assert [r["status"] for r in runs] == ["interrupted", "ok"]

        fake.reset_log()
        again = _sync(env)
        _, err = again.communicate(timeout=300)
        assert again.returncode == 0, err
        assert len(fake.log) == 16
        assert_store_matches(stip, fake)
