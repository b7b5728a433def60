from __future__ import annotations

import threading
import time
from pathlib import Path

from stip.app import Stip
from stip.settings import Settings
from stip.web.kpidata import KpiData
from stip.web.viewcache import ViewCache


def test_a_hit_returns_the_built_value_without_building_again() -> None:
    cache: ViewCache[str] = ViewCache()
    builds: list[str] = []

    def make() -> str:
        builds.append("x")
        return "view"

    assert cache.get(("grid", 1), make) == "view"
    assert cache.get(("grid", 1), make) == "view"
    assert builds == ["x"]
    assert cache.get(("grid", 2), make) == "view"
    assert builds == ["x", "x"]


def test_concurrent_misses_for_one_key_wait_for_a_single_build() -> None:
    cache: ViewCache[int] = ViewCache()
    builds: list[int] = []
    start = threading.Barrier(8)
    results: list[int] = []

    def make() -> int:
        builds.append(1)
        time.sleep(0.2)
        return 42

    def screen() -> None:
        start.wait()
        results.append(cache.get("owner-grid", make))

    threads = [threading.Thread(target=screen) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [42] * 8
    assert builds == [1]


def test_the_oldest_view_is_dropped_beyond_the_size() -> None:
    cache: ViewCache[str] = ViewCache(size=2)
    cache.get("a", lambda: "a1")
    cache.get("b", lambda: "b1")
    cache.get("a", lambda: "a2")  # hit: "a" becomes the newest
    cache.get("c", lambda: "c1")  # evicts "b"
    assert cache.get("a", lambda: "a3") == "a1"
    assert cache.get("b", lambda: "b2") == "b2"


def test_the_data_stamp_changes_when_the_store_is_written(tmp_path: Path) -> None:
    stip = Stip(Settings(home=tmp_path / "home"))
    stip.store.migrate()
    data = KpiData(stip)
    before = data.data_stamp()
    assert data.data_stamp() == before
    stip.store.set_meta("autotask_web_url", "https://ww1.autotask.net/")
    assert data.data_stamp() != before
