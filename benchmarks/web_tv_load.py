"""Web serving under load: a real `stip serve` on a demo store, warm renders and 50 TV clients.

    STIP_HOME=/tmp/webload .venv/bin/stip demo --no-serve --scale medium   # once
    .venv/bin/python benchmarks/web_tv_load.py --home /tmp/webload
    .venv/bin/python benchmarks/web_tv_load.py --home /tmp/h --db /path/large.duckdb

Starts `stip serve` (uvicorn, with its notification job) on a free loopback port, creates a
share link per role dashboard (`stip share create`), warms every page once, then
(a) times `--renders` warm renders of each role dashboard (`/d/{id}` as the owner) and its TV
grid (`/d/{id}/grid?tv=1`): p50/p95 per dashboard;
(b) runs `--clients` TV screens, each refreshing its share link's grid (`/s/{token}/grid`, an
htmx request) every `--interval` seconds for `--duration` seconds: p50/p95/p99 and errors.
Times are wall seconds seen by the client on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from stip.accounts.roles import DASHBOARD_ROLES

STIP = str(Path(sys.executable).with_name("stip"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [STIP, *args], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def wait_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"stip serve exited with {server.returncode}")
        try:
            httpx.get(f"{base}/login", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("stip serve did not answer within 120 s")


def login(base: str, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=900)  # a cold render of a large store
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token.group(1)}
    )
    assert response.status_code in (200, 303), response.status_code
    return client


def timed(client: httpx.Client, path: str, headers: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    response = client.get(path, headers=headers)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (path, response.status_code)
    return elapsed


def warm_renders(client: httpx.Client, renders: int) -> None:
    htmx = {"HX-Request": "true"}
    print(f"{'page':<32} {'first':>7} {'p50':>7} {'p95':>7}   ({renders} warm renders)")
    for dashboard in DASHBOARD_ROLES:
        for path, headers in ((f"/d/{dashboard}", None), (f"/d/{dashboard}/grid?tv=1", htmx)):
            first = timed(client, path, headers)
            times = [timed(client, path, headers) for _ in range(renders)]
            print(
                f"{path:<32} {first:>6.3f}s {quantile(times, 0.5):>6.3f}s "
                f"{quantile(times, 0.95):>6.3f}s"
            )


async def tv_screen(
    client: httpx.AsyncClient,
    path: str,
    offset: float,
    interval: float,
    until: float,
    latencies: list[float],
    errors: list[str],
) -> None:
    await asyncio.sleep(offset)
    headers = {"HX-Request": "true"}
    while (tick := time.monotonic()) < until:
        try:
            response = await client.get(path, headers=headers)
            latencies.append(time.monotonic() - tick)
            if response.status_code != 200:
                errors.append(f"{path}: HTTP {response.status_code}")
        except httpx.HTTPError as exc:
            errors.append(f"{path}: {type(exc).__name__}")
        await asyncio.sleep(max(0.0, tick + interval - time.monotonic()))


async def tv_load(
    base: str, shares: list[str], clients: int, interval: float, duration: float
) -> None:
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        until = time.monotonic() + duration
        await asyncio.gather(
            *(
                tv_screen(
                    client,
                    f"{shares[i % len(shares)]}/grid",
                    interval * i / clients,
                    interval,
                    until,
                    latencies,
                    errors,
                )
                for i in range(clients)
            )
        )
    print(
        f"{clients} TV clients, every {interval:g} s for {duration:g} s: "
        f"{len(latencies)} requests, {len(errors)} errors; "
        f"p50 {quantile(latencies, 0.5):.3f}s p95 {quantile(latencies, 0.95):.3f}s "
        f"p99 {quantile(latencies, 0.99):.3f}s max {max(latencies):.3f}s"
    )
    for error in sorted(set(errors))[:10]:
        print("  error:", error)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", required=True, help="STIP_HOME with a demo store and users")
    parser.add_argument("--db", help="another store (DuckDB path) to serve")
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--skip-load", action="store_true", help="only the warm renders")
    args = parser.parse_args()
    env = {**os.environ, "STIP_HOME": args.home}
    if args.db:
        env["STIP_DB"] = args.db
    shares = [run(env, "share", "create", dashboard) for dashboard in DASHBOARD_ROLES]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    server = subprocess.Popen(
        [STIP, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL
    )
    try:
        wait_up(base, server)
        print(f"stip serve up in {time.perf_counter() - started:.1f} s on {base}")
        client = login(base, "owner", "stip-owner")
        warm = time.perf_counter()
        for dashboard in DASHBOARD_ROLES:
            timed(client, f"/d/{dashboard}")
        for path in shares:
            timed(client, f"{path}/grid")
        print(f"warm-up (every dashboard once, cold): {time.perf_counter() - warm:.1f} s")
        warm_renders(client, args.renders)
        client.close()
        if not args.skip_load:
            asyncio.run(tv_load(base, shares, args.clients, args.interval, args.duration))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


if __name__ == "__main__":
    main()
