"""One DuckDB connection per process: readers and a writer in threads, as `stip serve` has them."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from stip.store.store import Store, open_store


def _writer_queued(store: Store) -> None:
    deadline = time.monotonic() + 10
    while not store._duck._writers_waiting:
        assert time.monotonic() < deadline, "the writer never started waiting"
        time.sleep(0.01)


def test_a_read_inside_a_read_does_not_wait_for_a_queued_writer(tmp_path: Path) -> None:
    """The deadlock of `stip serve`: a dashboard read looks up the data version (a second read)
    while a scheduled sync waits to write. The inner read queued behind the writer, which
    waited for the outer read: every request, the sync and shutdown hung for good."""
    store = open_store(str(tmp_path / "stip.duckdb"))
    before = store.data_version()
    inner: list[str] = []
    wrote = threading.Event()

    def write() -> None:
        store.set_meta("web_url", "https://example.invalid/")
        wrote.set()

    def dashboard() -> None:
        with store.read():
            writer = threading.Thread(target=write, daemon=True)
            writer.start()
            _writer_queued(store)
            inner.append(store.data_version())
            assert not wrote.is_set()

    reader = threading.Thread(target=dashboard, daemon=True)
    reader.start()
    reader.join(timeout=20)
    assert not reader.is_alive(), "the nested read hung"
    assert inner == [before]
    assert wrote.wait(timeout=20), "the writer never ran after the read ended"
    assert store.data_version() != before


def test_other_threads_still_queue_behind_a_waiting_writer(tmp_path: Path) -> None:
    """Writer preference stays: a new reader in another thread waits while a sync waits to
    write (once the writer has the connection, readers may share it)."""
    store = open_store(str(tmp_path / "stip.duckdb"))
    release = threading.Event()
    order: list[str] = []

    def first_reader() -> None:
        with store.read():
            release.wait(timeout=20)
        order.append("first read done")

    def write() -> None:
        store.set_meta("web_url", "https://example.invalid/")
        order.append("written")

    def late_reader() -> None:
        with store.read():
            order.append("late read")

    threads = [threading.Thread(target=first_reader, daemon=True)]
    threads[0].start()
    while not store._duck._users:
        time.sleep(0.01)
    threads.append(threading.Thread(target=write, daemon=True))
    threads[1].start()
    _writer_queued(store)
    threads.append(threading.Thread(target=late_reader, daemon=True))
    threads[2].start()
    time.sleep(0.2)
    assert order == []  # the late reader waits behind the writer
    release.set()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(order) == ["first read done", "late read", "written"]


def test_a_write_inside_a_read_is_refused_rather_than_hanging(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "stip.duckdb"))
    with store.read(), pytest.raises(RuntimeError, match="inside a read"):
        store.set_meta("web_url", "https://example.invalid/")
