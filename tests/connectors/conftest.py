from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from autotask_helpers import Connect

from stip.app import Stip
from stip.testing.autotask_tenant import TICKET_PICKLISTS, sample_tenant
from stip.testing.fake_autotask import FakeAutotask


@pytest.fixture
def tenant() -> dict[str, list[dict[str, object]]]:
    return sample_tenant(tickets=300)


@pytest.fixture
def fake(tenant: dict[str, list[dict[str, object]]]) -> Iterator[FakeAutotask]:
    with FakeAutotask(tenant, picklists={"Tickets": TICKET_PICKLISTS}) as server:
        yield server


@pytest.fixture
def connect(stip_home: Path, monkeypatch: pytest.MonkeyPatch) -> Connect:
    """`connect(server, **settings)`: Stip pointed at a fake Autotask, plus STIP_* settings."""

    def load(server: FakeAutotask, **settings: str) -> Stip:
        for name, value in {**server.env(), **settings}.items():
            monkeypatch.setenv(name, value)
        return Stip.load()

    return load


@pytest.fixture
def stip(fake: FakeAutotask, connect: Connect) -> Stip:
    return connect(fake)
