from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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
def stip(stip_home: Path, fake: FakeAutotask, monkeypatch: pytest.MonkeyPatch) -> Stip:
    for name, value in fake.env().items():
        monkeypatch.setenv(name, value)
    return Stip.load()
