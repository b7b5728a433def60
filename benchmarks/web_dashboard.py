"""Web rendering of the default dashboards over HTTP, through the whole app (in process).

    .venv/bin/python benchmarks/web_dashboard.py                   # builds a small demo
    .venv/bin/python benchmarks/web_dashboard.py --scale medium
    .venv/bin/python benchmarks/web_dashboard.py --home /tmp/h     # reuses a STIP_HOME

For each role's dashboard: tiles, cold render (fresh app, empty KPI cache), warm render (same
URL again), the htmx grid refresh and TV mode, in wall seconds. The as-of is pinned so the
warm numbers are not disturbed by the clock moving to the next minute.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
import warnings
from pathlib import Path

from stip.accounts.demo import ensure_demo_users
from stip.accounts.roles import DASHBOARD_ROLES
from stip.app import Stip
from stip.demo.load import build_demo
from stip.web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="small")
    parser.add_argument("--home")
    args = parser.parse_args()
    home = Path(args.home or tempfile.mkdtemp(prefix="stip-web-bench-"))
    stip = Stip.load(str(home))
    if not (home / "stip.duckdb").exists():
        started = time.perf_counter()
        summary = build_demo(stip.store, scale=args.scale)
        print(f"demo {args.scale}: built in {time.perf_counter() - started:.1f} s")
    else:
        summary = None
    ensure_demo_users(stip)
    as_of = (summary.end if summary else None) or None
    pin = f"&as_of={as_of:%Y-%m-%dT%H:%M}" if as_of else ""
    client = TestClient(create_app(stip))
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    client.post(
        "/login",
        data={"username": "owner", "password": "stip-owner", "csrf_token": token.group(1)},
    )
    print(f"{'dashboard':<16} {'tiles':>5} {'cold':>7} {'warm':>7} {'grid':>7} {'tv':>7}")
    for dashboard in DASHBOARD_ROLES:
        url = f"/d/{dashboard}?period=this-month{pin}"
        times = []
        for path in (url, url, f"/d/{dashboard}/grid?period=this-month{pin}", url + "&tv=1"):
            started = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, (path, response.status_code)
        tiles = response.text.count('class="tile ')
        print(
            f"{dashboard:<16} {tiles:>5} {times[0]:>6.2f}s {times[1]:>6.2f}s "
            f"{times[2]:>6.2f}s {times[3]:>6.2f}s"
        )


if __name__ == "__main__":
    main()
