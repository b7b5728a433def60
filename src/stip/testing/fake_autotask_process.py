"""The fake Autotask server in a child process, for benchmarks.

A sync against the real API does not share its interpreter with the API. With the fake in
the same process, the fake's filtering and JSON encoding compete with the connector for the
GIL and the figures charge the fake's CPU to the connector; in a child process they do not.

    with FakeAutotaskProcess(tickets=5000, latency=0.2) as fake:
        os.environ.update(fake.env)
        fake.record_counts()      # entity -> records
"""

from __future__ import annotations

import multiprocessing
import time
from multiprocessing.connection import Connection
from typing import Any

from stip.testing.autotask_tenant import TICKET_PICKLISTS, sample_tenant
from stip.testing.fake_autotask import FakeAutotask


def _serve(conn: Connection, tickets: int, latency: float) -> None:
    tenant = sample_tenant(tickets=tickets)
    with FakeAutotask(tenant, picklists={"Tickets": TICKET_PICKLISTS}, latency=latency) as fake:
        conn.send(fake.env())
        while True:
            command, args = conn.recv()
            if command == "stop":
                conn.send(None)
                return
            conn.send(_COMMANDS[command](fake, *args))


def _touch(fake: FakeAutotask, entity: str, every: int, changes: dict[str, Any]) -> int:
    """Change every `every`-th record of `entity` (in id order); returns how many."""
    touched = fake.records(entity)[::every]
    for record in touched:
        fake.put(entity, {**record, **changes})
    return len(touched)


def _record_counts(fake: FakeAutotask) -> dict[str, int]:
    with fake.lock:
        return {entity: len(rows) for entity, rows in fake.tables.items()}


def _log_length(fake: FakeAutotask) -> int:
    with fake.lock:
        return len(fake.log)


def _max_in_flight(fake: FakeAutotask) -> dict[str, int]:
    with fake.lock:
        return dict(fake.max_in_flight)


_COMMANDS: dict[str, Any] = {
    "touch": _touch,
    "record_counts": _record_counts,
    "log_length": _log_length,
    "max_in_flight": _max_in_flight,
    "reset_log": lambda fake: fake.reset_log(),
    "cpu_time": lambda fake: time.process_time(),
}


class FakeAutotaskProcess:
    """`sample_tenant(tickets)` served by a `FakeAutotask` in a spawned child process."""

    def __init__(self, tickets: int, latency: float = 0.0) -> None:
        self.tickets = tickets
        self.latency = latency
        self.env: dict[str, str] = {}
        self._conn: Connection | None = None
        self._process: Any = None

    def __enter__(self) -> FakeAutotaskProcess:
        context = multiprocessing.get_context("spawn")
        mine, theirs = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(theirs, self.tickets, self.latency), daemon=True
        )
        self._process.start()
        self._conn = mine
        self.env = mine.recv()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            self._call("stop")
            self._conn = None
        if self._process is not None:
            self._process.join(10)
            self._process = None

    def _call(self, command: str, *args: Any) -> Any:
        assert self._conn is not None, "use FakeAutotaskProcess as a context manager"
        self._conn.send((command, args))
        return self._conn.recv()

    def touch(self, entity: str, every: int, changes: dict[str, Any]) -> int:
        return int(self._call("touch", entity, every, changes))

    def record_counts(self) -> dict[str, int]:
        return dict(self._call("record_counts"))

    def log_length(self) -> int:
        return int(self._call("log_length"))

    def max_in_flight(self) -> dict[str, int]:
        return dict(self._call("max_in_flight"))

    def reset_log(self) -> None:
        self._call("reset_log")

    def cpu_time(self) -> float:
        """CPU seconds the fake's process has used so far."""
        return float(self._call("cpu_time"))
